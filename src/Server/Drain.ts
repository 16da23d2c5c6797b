/**
 * The server's drain state. On SIGTERM `extract serve` stops taking work
 * (new submissions and resumes answer 503), ends its event streams, waits up
 * to `--drain-timeout` for the runs it started to finish, and then lets the
 * engine interrupt whatever is still in flight (the durable engine resumes
 * it on the next start); the process exits 143.
 */
import * as Effect from "effect/Effect"
import type { ExecutionId } from "../Domain/Workflow.js"
import { WorkflowOrchestrator } from "../Workflow/WorkflowOrchestrator.js"

export class Drain extends Effect.Service<Drain>()("Drain", {
  effect: Effect.gen(function*() {
    const orchestrator = yield* WorkflowOrchestrator
    let draining = false
    /** Executions started through this server that may still run. */
    const inFlight = new Set<ExecutionId>()

    return {
      /** True once a drain has begun. */
      isDraining: Effect.sync(() => draining),
      /** Remembers an execution started here, so a drain can wait for it. */
      track: (executionId: ExecutionId) => Effect.sync(() => void inFlight.add(executionId)),
      /**
       * Begins the drain and waits until every tracked execution has left
       * `Running` (polled every `pollMs`) or `timeoutMs` has passed. Returns
       * how many were still running. Never fails: a poll error counts as done.
       */
      drain: (timeoutMs: number, pollMs: number) =>
        Effect.gen(function*() {
          draining = true
          const deadline = Date.now() + timeoutMs
          while (inFlight.size > 0 && Date.now() < deadline) {
            for (const id of [...inFlight]) {
              const state = yield* orchestrator.poll(id).pipe(Effect.orElseSucceed(() => ({ _tag: "Failed" as const })))
              if (state._tag !== "Running") inFlight.delete(id)
            }
            if (inFlight.size > 0) yield* Effect.sleep(pollMs)
          }
          return inFlight.size
        })
    } as const
  })
}) {}

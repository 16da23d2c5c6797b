/**
 * The runs this server accepted, by run id, with their workflow execution.
 * Between a 202 and the run's first record in the store (the workflow has
 * not created the run directory yet) neither the store nor the engine
 * (whose `executionOf` reads the run's events) knows the run; this does, so
 * a client may follow `/runs/{runId}/events` right after submitting. Kept
 * in memory: after a restart the store and the engine know every run.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { ExecutionId, RunId } from "../Domain/Workflow.js"

export class Submissions extends Effect.Service<Submissions>()("Submissions", {
  succeed: (() => {
    const runs = new Map<RunId, ExecutionId | null>()
    return {
      /** Remembers an accepted run; `executionId` null for a batch's document (its run's execution comes later). */
      add: (runId: RunId, executionId: ExecutionId | null) => Effect.sync(() => void runs.set(runId, executionId)),
      /** True when this server accepted the run. */
      knows: (runId: RunId) => Effect.sync(() => runs.has(runId)),
      /** The execution of a run accepted here, if it has one. */
      executionOf: (runId: RunId) => Effect.sync(() => Option.fromNullable(runs.get(runId)))
    } as const
  })()
}) {}

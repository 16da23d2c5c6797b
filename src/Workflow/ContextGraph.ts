/**
 * Durable runs into context graphs (issue 12): the completed runs of a
 * batch, or a single run submitted with a context, are added to the
 * context's graph by the same call as `extract --context`
 * (`addRunsFromStore`, src/Graph/GraphCommands.ts), from one activity of
 * their workflow.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { BatchGraphOutcome, GraphAddFailure, type RunId } from "../Domain/Workflow.js"
import { addRunsFromStore } from "../Graph/GraphCommands.js"
import { GraphStore } from "../Graph/GraphStore.js"

/**
 * Adds completed runs to a context graph, one after the other (the order of
 * `extract --context a b …`), then writes its `graph.jsonl` once; a run
 * that cannot be added is reported in the outcome and does not stop the
 * others. Never fails.
 */
export const addToContextGraph = (context: string, runIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const counts = { added: 0, replaced: 0, unchanged: 0 }
    const failed: Array<GraphAddFailure> = []
    for (const runId of runIds) {
      const added = yield* Effect.either(addRunsFromStore(context, [runId], { flush: false }))
      if (Either.isLeft(added)) failed.push(GraphAddFailure.make({ runId: runId as RunId, error: added.left.message }))
      else for (const r of added.right) counts[r.status]++
    }
    const flushed = yield* Effect.either(Effect.flatMap(GraphStore, (g) => g.flush(context)))
    return BatchGraphOutcome.make({
      context,
      ...counts,
      failed,
      error: Either.isLeft(flushed) ? flushed.left.message : null
    })
  })

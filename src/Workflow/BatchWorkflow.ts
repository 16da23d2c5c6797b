/**
 * Many documents as one durable workflow: each document runs as a child
 * {@link ExtractionWorkflow} (at most `concurrency` at once), and the
 * batch's {@link BatchState} is persisted at every step in
 * `<output-dir>/batches/<batchId>/state.json` (written atomically, never
 * moving backwards), so any process sharing the output directory can read
 * it at any time.
 *
 * States: `Pending` (written by the submitter) → `Extracting{done,total}`
 * as children finish → `Resolving` (only with a context: the completed
 * runs are added to the batch's context graph, in document order, by one
 * more activity, `batch/graph`, through the same `addRunsFromStore` as
 * `extract --context`) → `Complete{stats}`, or `Failed{reason}` when the
 * batch itself cannot finish. Adding is idempotent: a run already in the
 * graph with the same knowledge graph is left `unchanged`, so a batch
 * resumed in the middle of `batch/graph` appends nothing twice (see
 * docs/workflows.md, "Batches").
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Activity from "@effect/workflow/Activity"
import * as Workflow from "@effect/workflow/Workflow"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import { emptyStats } from "../Domain/Run.js"
import {
  BatchComplete,
  BatchExtracting,
  BatchGraphOutcome,
  BatchResolving,
  BatchRunOutcome,
  BatchState,
  BatchStats,
  ExtractionResult,
  type RunId
} from "../Domain/Workflow.js"
import { writeFileAtomic } from "../Store/AtomicFile.js"
import { ExtractionRunService } from "../Store/ExtractionRunService.js"
import { addToContextGraph } from "./ContextGraph.js"
import { executionKey, ExtractionPayload, ExtractionWorkflow } from "./ExtractionWorkflow.js"

/** The payload of a batch: its id, one extraction payload per document, the context graph, the fan-out. */
export class BatchPayload extends Schema.Class<BatchPayload>("BatchPayload")({
  batchId: Schema.String,
  runs: Schema.Array(ExtractionPayload),
  context: Schema.NullOr(Schema.String),
  /** Documents extracted at once. */
  concurrency: Schema.Int
}) {}

/** Documents of one batch extracted at once, unless the submitter says otherwise. */
export const DEFAULT_BATCH_CONCURRENCY = 4

/** `batch-` + the first 12 hex digits of the SHA-256 of the runs' idempotency keys and the context. */
export const batchIdOf = (runs: ReadonlyArray<ExtractionPayload>, context: string | null): string =>
  `batch-${
    createHash("sha256").update([...runs.map(executionKey), `context:${context ?? ""}`].join("\n")).digest("hex")
      .slice(0, 12)
  }`

export const BatchWorkflow = Workflow.make({
  name: "BatchWorkflow",
  payload: BatchPayload,
  success: BatchStats,
  idempotencyKey: (p) => p.batchId
})

const StateJson = Schema.parseJson(BatchState)

/** Order of states: a write never replaces a later state with an earlier one. */
const rank = (s: BatchState): number =>
  s._tag === "Pending"
    ? 0
    : s._tag === "Extracting"
    ? 1 + s.done / Math.max(1, s.total)
    : s._tag === "Resolving"
    ? 3
    : 4

/** The batch-state file of `batchId` under `outputDir`. */
export const batchStateFile = (path: Path.Path, outputDir: string, batchId: string) =>
  path.resolve(outputDir, "batches", batchId, "state.json")

/** Reads a batch's state; None when there is no (readable) state file. */
export const readBatchState = (outputDir: string, batchId: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const text = yield* fs.readFileString(batchStateFile(path, outputDir, batchId)).pipe(Effect.option)
    return Option.flatMap(text, (t) => Either.getRight(Schema.decodeEither(StateJson)(t)))
  })

/**
 * Writes a batch's state atomically, unless the file already holds a later
 * one (a replay after a restart passes through earlier states quickly).
 */
export const writeBatchState = (outputDir: string, batchId: string, state: BatchState) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const current = yield* readBatchState(outputDir, batchId)
    if (Option.isSome(current) && rank(current.value) > rank(state)) return
    const file = batchStateFile(path, outputDir, batchId)
    yield* fs.makeDirectory(path.dirname(file), { recursive: true })
    yield* writeFileAtomic(file, Schema.encodeSync(StateJson)(state) + "\n")
  }).pipe(Effect.orDie)

/** Registers the batch workflow's implementation; needs the run store (for the output directory) and the graph store. */
export const BatchWorkflowLayer = BatchWorkflow.toLayer(
  Effect.fn("BatchWorkflow.run")(function*(payload) {
    const store = yield* ExtractionRunService
    const context = yield* Effect.context<FileSystem.FileSystem | Path.Path>()
    const write = (state: BatchState) =>
      writeBatchState(store.outputDir, payload.batchId, state).pipe(Effect.provide(context))
    const startedAt = yield* Activity.make({
      name: "batch/start",
      success: Schema.Number,
      execute: Effect.sync(() => Date.now())
    })
    const total = payload.runs.length
    let done = 0
    yield* write(BatchExtracting.make({ done, total }))
    const results = yield* Effect.forEach(
      payload.runs,
      (run) =>
        ExtractionWorkflow.execute(run).pipe(
          Effect.either,
          Effect.tap(() => write(BatchExtracting.make({ done: ++done, total })))
        ),
      { concurrency: Math.max(1, payload.concurrency) }
    )
    const runs = results.map((r, i) =>
      Either.match(r, {
        onLeft: (e) =>
          BatchRunOutcome.make({
            runId: payload.runs[i]!.runId as RunId,
            status: "failed",
            partial: false,
            error: e.message
          }),
        onRight: (x: ExtractionResult) =>
          BatchRunOutcome.make({ runId: x.runId, status: x.status, partial: x.stats.partial, error: x.error })
      })
    )
    const statsOf = (r: (typeof results)[number]) => Either.match(r, { onLeft: emptyStats, onRight: (x) => x.stats })
    const contextGraph = payload.context
    let graph: BatchGraphOutcome | null = null
    if (contextGraph !== null) {
      yield* write(BatchResolving.make({}))
      graph = yield* Activity.make({
        name: "batch/graph",
        success: BatchGraphOutcome,
        execute: addToContextGraph(contextGraph, runs.filter((r) => r.status === "completed").map((r) => r.runId))
      })
    }
    return yield* Activity.make({
      name: "batch/complete",
      success: BatchStats,
      execute: Effect.gen(function*() {
        const stats = BatchStats.make({
          documents: total,
          completed: runs.filter((r) => r.status === "completed").length,
          failed: runs.filter((r) => r.status !== "completed").length,
          partial: runs.filter((r) => r.partial).length,
          entityCount: results.reduce((n, r) => n + statsOf(r).entityCount, 0),
          relationCount: results.reduce((n, r) => n + statsOf(r).relationCount, 0),
          durationMs: Date.now() - startedAt,
          runs,
          graph
        })
        yield* write(BatchComplete.make({ stats }))
        return stats
      })
    })
  })
)

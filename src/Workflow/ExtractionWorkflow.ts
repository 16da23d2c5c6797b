/**
 * One document's extraction as a durable workflow (@effect/workflow): the
 * pipeline's own stage cores ({@link Pipeline}) run as journaled activities,
 * so that a process killed mid-run resumes from its last finished activity.
 *
 * Activities, in order (names are the journal keys, unique per execution):
 * - `begin`: {@link Pipeline} `beginRun` (open the run, reuse check, `run.started`);
 * - `chunk`: `chunkStage`;
 * - `extract/<index>`: `extractChunk`, one activity per chunk, at most
 *   `chunksInFlight(config)` at once, so a crash repeats at most the chunks in flight;
 * - `extract/complete`: `completeExtraction`;
 * - `resolve`: `resolveStage`; `render`: `renderStage`;
 * - `end`: `endRun` (`run.completed` or `run.failed`, the lock released),
 *   or `run.interrupted` after a stop request;
 * - `graph`: only for a completed run submitted alone with a context: the
 *   run joins that context graph (src/Workflow/ContextGraph.ts).
 *
 * Interrupting ({@link requestStop}): @effect/workflow's own interrupt
 * acts only when a workflow suspends (the cluster engine handles a
 * workflow's signals one at a time, after its running `run`, and runs
 * activities uninterruptibly), so a stop request is a file,
 * `<output-dir>/control/<executionId>.stop`, that the workflow polls while
 * its stages run (every {@link STOP_POLL_MS} ms; runners share the output
 * directory). Once it is there, no further activity starts,
 * the extract activities in flight stop their model requests at once
 * (their chunks are journaled as `stopped`, nothing already saved is
 * touched), and `end` records `run.interrupted`: the run's status is
 * `interrupted` and the workflow's result says so. Once `end` has run, the
 * file is removed (and an interrupt of an ended execution writes none), so
 * no stop request outlives its execution.
 *
 * The idempotency key is the run id plus a hash of the result-affecting
 * config, and the context if any ({@link executionKey}): the same document
 * with the same config joins one execution. The run lock (src/Store/RunLock.ts) is held by the
 * process running the activities: each activity first makes sure this
 * process has the run open ({@link ensureOpen}); after a crash, the new
 * process reopens the run, which breaks the dead process's stale lock by
 * the store's own rules, and records `run.resumed`.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Activity from "@effect/workflow/Activity"
import * as Workflow from "@effect/workflow/Workflow"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import { WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import { hostname } from "node:os"
import { Chunk } from "../Domain/Chunk.js"
import { SourceDocument } from "../Domain/Document.js"
import { ExtractionError, PipelineError, RunLocked, StoreError } from "../Domain/Errors.js"
import { ChunkExtraction, ExtractedRelation, Mention } from "../Domain/Extraction.js"
import { KnowledgeGraph, ResolutionGraph } from "../Domain/Graph.js"
import { emptyStats, LlmStats, OutputFile, resultAffectingConfig, RunConfig, RunStats } from "../Domain/Run.js"
import { BatchGraphOutcome, ExtractionOptions, ExtractionResult } from "../Domain/Workflow.js"
import {
  type ChunkOutcome,
  type ExtractOutcome,
  type RunContext,
  statsAfterExtraction,
  statsAfterResolution
} from "../Pipeline.js"
import type { Stage } from "../Progress.js"
import { writeFileAtomic } from "../Store/AtomicFile.js"
import { ExtractionRunService } from "../Store/ExtractionRunService.js"
import { addToContextGraph } from "./ContextGraph.js"
import { RunPipelines } from "./RunPipelines.js"

/** SHA-256 (hex, first 16 digits) of a config's result-affecting fields, as canonical JSON. */
export const configHash = (config: RunConfig): string =>
  createHash("sha256").update(JSON.stringify(resultAffectingConfig(config))).digest("hex").slice(0, 16)

/** The payload of one extraction: the decoded document, its config, and what it belongs to. */
export class ExtractionPayload extends Schema.Class<ExtractionPayload>("ExtractionPayload")({
  runId: Schema.String,
  /** The decoded text (what `input/document.txt` holds). */
  text: Schema.String,
  /** `input.path` as recorded. */
  path: Schema.String,
  /** Size of the input in bytes, and the SHA-256 of those bytes (the run id's source). */
  bytes: Schema.Int,
  sha256: Schema.String,
  encoding: Schema.String,
  replacements: Schema.Int,
  config: RunConfig,
  /** The request's options: the runner resolves them over its own settings and checks it gets `config`. */
  options: ExtractionOptions,
  force: Schema.Boolean,
  /** Distinguishes forced re-runs of one document and config; "" otherwise. */
  nonce: Schema.String,
  /** The context graph named by the request (issue 12), recorded in `run.started`; the completed run joins it. */
  context: Schema.NullOr(Schema.String),
  /** The batch this run belongs to, if any. */
  batchId: Schema.NullOr(Schema.String)
}) {}

/**
 * The idempotency key of an extraction: `<runId>:<configHash>`, then
 * `:<nonce>` for a forced re-run and `:context=<name>` for a run that joins
 * a context graph (so a document already extracted without one still
 * joins the graph: its new execution reuses the run and adds it).
 */
export const executionKey = (
  p: { runId: string; config: RunConfig; nonce: string; context?: string | null | undefined }
): string =>
  `${p.runId}:${configHash(p.config)}${p.nonce === "" ? "" : `:${p.nonce}`}${
    p.context == null ? "" : `:context=${p.context}`
  }`

/** Errors a stage activity may end with; they become a `failed` run, except StoreError. */
export const StageError = Schema.Union(ExtractionError, PipelineError, StoreError, RunLocked)

/** What the workflow may fail with: the run store could not be written or locked, or this runner cannot build the run's pipeline (the run is not `failed`). */
export const ExtractionWorkflowError = Schema.Union(StoreError, RunLocked, PipelineError)

/**
 * Durable journal form of {@link ChunkOutcome}, or `stopped`: the chunk's
 * activity was under way when the run was asked to stop, and its model
 * request was abandoned.
 */
const ChunkOutcomeSchema = Schema.Union(
  Schema.Struct({ ok: ChunkExtraction }),
  Schema.Struct({ failed: ExtractionError }),
  Schema.Struct({ stopped: Schema.Literal(true) })
)
type ChunkActivityOutcome = typeof ChunkOutcomeSchema.Type

/** How often a running extraction looks for a stop request, in milliseconds. */
export const STOP_POLL_MS = 250

/** The stop-request file of an execution: `<outputDir>/control/<executionId>.stop`. */
export const stopFile = (path: Path.Path, outputDir: string, executionId: string) =>
  path.resolve(outputDir, "control", `${executionId.replace(/[^A-Za-z0-9_-]/g, "_")}.stop`)

/**
 * Asks the extraction `executionId` to stop (see the module docstring):
 * writes its stop-request file (`{requestedAt, pid, host}`) atomically.
 * Harmless once the execution has ended. Fails with StoreError.
 */
export const requestStop = (outputDir: string, executionId: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = stopFile(path, outputDir, executionId)
    yield* fs.makeDirectory(path.dirname(file), { recursive: true })
    yield* writeFileAtomic(
      file,
      JSON.stringify({ requestedAt: new Date().toISOString(), pid: process.pid, host: hostname() }) + "\n"
    )
  }).pipe(
    Effect.mapError((e) =>
      new StoreError({ operation: "write", path: outputDir, message: `cannot request a stop: ${e.message}` })
    )
  )

/** Durable journal form of {@link ExtractOutcome}. */
const ExtractOutcomeSchema = Schema.Struct({
  mentions: Schema.Array(Mention),
  relations: Schema.Array(ExtractedRelation),
  ungrounded: Schema.Int,
  duplicateMentions: Schema.Int,
  failedChunks: Schema.Array(Schema.Int),
  llm: Schema.NullOr(LlmStats)
})

const GraphsSchema = Schema.Struct({ graph: KnowledgeGraph, resolution: ResolutionGraph })

const BeginSchema = Schema.Struct({
  reused: Schema.NullOr(ExtractionResult),
  /** Epoch milliseconds when the run started (for `stats.durationMs`). */
  startedAt: Schema.Number
})

/** The extraction workflow: payload {@link ExtractionPayload}, result {@link ExtractionResult}. */
export const ExtractionWorkflow = Workflow.make({
  name: "ExtractionWorkflow",
  payload: ExtractionPayload,
  success: ExtractionResult,
  error: ExtractionWorkflowError,
  idempotencyKey: executionKey
})

/** The document of a payload, as DocumentReader would have made it. */
export const documentOf = (p: ExtractionPayload): SourceDocument =>
  new SourceDocument(p.text, p.path, p.bytes, p.sha256, p.encoding, p.replacements)

const toResult = (summary: {
  runId: string
  runDir: string
  status: ExtractionResult["status"]
  reused: boolean
  stats: RunStats
  error: string | null
}) => ExtractionResult.make({ ...summary, runId: summary.runId as ExtractionResult["runId"] })

/**
 * Registers the workflow's implementation; needs the {@link Pipeline} (and
 * its services) of the process that runs the activities.
 */
export const ExtractionWorkflowLayer = ExtractionWorkflow.toLayer(
  Effect.fn("ExtractionWorkflow.run")(
    function*(payload, executionId) {
      const pipelines = yield* RunPipelines
      const pipeline = yield* pipelines.pipelineFor(payload.options, payload.config).pipe(
        Effect.catchTag("UsageError", (e) => Effect.fail(new PipelineError({ stage: "begin", message: e.message })))
      )
      const store = yield* ExtractionRunService
      const document = documentOf(payload)
      const { config, runId } = payload
      const runDir = store.runDirOf(runId)
      const ctx: RunContext = { runId, document, config }
      const handle = { runId, runDir, previous: Option.none() }

      /**
       * Makes sure this process has the run open (holds its lock) before an
       * activity writes to it. After a crash or a failover, the run is
       * reopened (a dead holder's lock is stale and broken) and `run.resumed`
       * says which process took over.
       */
      const ensureOpen = pipelines.ensureOpen(
        runId,
        store.createRun(document, config).pipe(
          Effect.zipRight(store.emitEvent(runId, "run.resumed", { pid: process.pid, host: hostname(), executionId }))
        )
      )

      const activity = <A, I, E extends Schema.Schema.All, R>(
        name: string,
        success: Schema.Schema<A, I, never>,
        error: E,
        execute: Effect.Effect<A, E["Type"], R>
      ) =>
        Activity.make({ name, success, error, execute: pipelines.holding(runId, Effect.zipRight(ensureOpen, execute)) })

      // `begin` opens the run itself (createRun takes the lock), so it is the one activity without ensureOpen.
      const begun = yield* Activity.make({
        name: "begin",
        success: BeginSchema,
        error: ExtractionWorkflowError,
        execute: pipelines.holding(
          runId,
          pipeline.beginRun(document, config, { force: payload.force }, {
            executionId,
            ...(payload.batchId === null ? {} : { batchId: payload.batchId }),
            ...(payload.context === null ? {} : { context: payload.context })
          }).pipe(
            Effect.map((b) => ({ reused: b.reused === null ? null : toResult(b.reused), startedAt: Date.now() }))
          )
        )
      })
      /**
       * A run submitted alone with a context joins its graph once completed (a batch adds its runs
       * itself, in document order), as `extract --context` does; a failure is logged, the run stays completed.
       */
      const joinContext = (result: ExtractionResult) =>
        payload.context === null || payload.batchId !== null || result.status !== "completed"
          ? Effect.succeed(result)
          : Activity.make({
            name: "graph",
            success: BatchGraphOutcome,
            execute: addToContextGraph(payload.context, [runId])
          }).pipe(
            Effect.tap((g) =>
              g.failed.length > 0 || g.error !== null
                ? Effect.logWarning(
                  `${runId}: not added to context ${g.context}: ${g.failed[0]?.error ?? g.error}`
                )
                : Effect.void
            ),
            Effect.as(result)
          )
      if (begun.reused !== null) return yield* joinContext(begun.reused)

      // An interrupt of a suspended workflow (the engine's own signal) records `run.interrupted`.
      const instance = yield* WorkflowInstance
      yield* Workflow.addFinalizer((exit) =>
        Exit.isInterrupted(exit) && instance.interrupted
          ? ensureOpen.pipe(
            Effect.zipRight(store.interruptRun(runId, { stage, durationMs: Date.now() - begun.startedAt })),
            Effect.ignore
          )
          : Effect.void
      )

      // A stop request (requestStop) is polled while the stages run; `stop` is set once it is seen.
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const stopRequest = stopFile(path, store.outputDir, executionId)
      const stop = yield* Deferred.make<void>()
      let stopping = false
      const watcher = yield* fs.exists(stopRequest).pipe(
        Effect.orElseSucceed(() => false),
        Effect.flatMap((requested) =>
          requested
            ? Effect.sync(() => (stopping = true)).pipe(Effect.zipRight(Deferred.succeed(stop, undefined)))
            : Effect.sleep(STOP_POLL_MS).pipe(Effect.as(false))
        ),
        Effect.repeat({ until: (stopped) => stopped }),
        Effect.fork
      )
      /** An extract activity's work, abandoned (its model request interrupted) when the run is asked to stop. */
      const unlessStopped = <A, E, R>(work: Effect.Effect<A, E, R>) =>
        Effect.raceFirst(
          work as Effect.Effect<A | { readonly stopped: true }, E, R>,
          Effect.as(Deferred.await(stop), { stopped: true } as const)
        )

      let stage: Stage = "chunk"
      let stats = emptyStats()
      /** Set when the stages ended early on a stop request (a stop seen after the last stage changes nothing). */
      let stopped = false
      const stopHere = () => (stopped = stopping)
      const stages = Effect.gen(function*() {
        const chunks = yield* activity("chunk", Schema.Array(Chunk), StageError, pipeline.chunkStage(ctx))
        stats = new RunStats({ ...stats, chunkCount: chunks.length })
        if (stopHere()) return
        stage = "extract"
        const extractStarted = Date.now()
        const outcomes: Array<ChunkActivityOutcome> = yield* Effect.forEach(
          chunks,
          (chunk) =>
            // once a stop is seen, no further activity starts
            Effect.suspend((): Effect.Effect<
              ChunkActivityOutcome,
              typeof StageError.Type,
              WorkflowEngine | WorkflowInstance
            > =>
              stopping ? Effect.succeed({ stopped: true }) : activity(
                `extract/${chunk.index}`,
                ChunkOutcomeSchema,
                StageError,
                unlessStopped(
                  pipeline.extractChunk(runId, chunk) as Effect.Effect<ChunkOutcome, typeof StageError.Type>
                )
              )
            ),
          { concurrency: pipeline.chunksInFlight(config) }
        )
        // a replay may find chunks journaled as stopped before the watcher has looked
        if (outcomes.some((o) => "stopped" in o)) return void (stopped = true)
        if (stopHere()) return
        const extraction: ExtractOutcome = yield* activity(
          "extract/complete",
          ExtractOutcomeSchema,
          StageError,
          pipeline.completeExtraction(ctx, outcomes as ReadonlyArray<ChunkOutcome>, Date.now() - extractStarted)
        )
        stats = statsAfterExtraction(stats, extraction)
        if (stopHere()) return
        stage = "resolve"
        const graphs = yield* activity("resolve", GraphsSchema, StageError, pipeline.resolveStage(ctx, extraction))
        stats = statsAfterResolution(stats, graphs.graph)
        if (stopHere()) return
        stage = "render"
        yield* activity("render", Schema.Array(OutputFile), StageError, pipeline.renderStage(ctx, graphs))
      })
      const exit = yield* Effect.exit(stages)
      yield* Fiber.interrupt(watcher)
      // A lock that could not be taken is not a failure of the run: report it as it is.
      if (Exit.isFailure(exit)) {
        const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
        if (failure?._tag === "RunLocked") return yield* failure
      }
      const end = exit as Exit.Exit<void, ExtractionError | PipelineError | StoreError>
      const statsNow = () => new RunStats({ ...stats, durationMs: Date.now() - begun.startedAt })
      const result = yield* activity(
        "end",
        ExtractionResult,
        ExtractionWorkflowError,
        Effect.suspend(() =>
          stopped && Exit.isSuccess(end)
            ? pipeline.interruptRun(handle, statsNow(), stage).pipe(Effect.map(toResult))
            : pipeline.endRun(handle, end, statsNow(), stage).pipe(Effect.map(toResult))
        )
      )
      // the run has ended: its stop request, if any, has done its work (a replay removes it again, harmlessly)
      yield* fs.remove(stopRequest).pipe(Effect.ignore)
      return yield* joinContext(result)
    },
    // the body holds the run in this process while it runs (RunPipelines.holding)
    (body, payload) => Effect.flatMap(RunPipelines, (pipelines) => pipelines.holding(payload.runId, body))
  )
)

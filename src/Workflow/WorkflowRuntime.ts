/**
 * The live {@link WorkflowOrchestrator}: the engine
 * (src/Workflow/WorkflowEngineLayer.ts), the workflows registered on it
 * (unless this process is a client only), and the services the workflows'
 * activities use: one run store for the process (with the SQL mirror, as
 * `extract` has it), quiet progress, and a pipeline per extractor setup.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { createHash } from "node:crypto"
import { contextProblem } from "../Domain/ContextGraph.js"
import { parseDatabaseUrl } from "../Domain/DatabaseUrl.js"
import { runIdOf } from "../Domain/Document.js"
import { UsageError } from "../Domain/Errors.js"
import {
  BatchFailed,
  type BatchId,
  BatchPending,
  type BatchRequest,
  BatchStarted,
  ExecutionDone,
  ExecutionFailed,
  type ExecutionId,
  ExecutionRunning,
  type ExecutionState,
  ExecutionSuspended,
  ExtractionOptions,
  type ExtractionRequest,
  type RunId,
  RunStarted,
  WorkflowError
} from "../Domain/Workflow.js"
import { GraphStore, GraphStoreConfig } from "../Graph/GraphStore.js"
import { Progress, ProgressSink } from "../Progress.js"
import type { DatabaseInfo } from "../Sql/Database.js"
import { migratedLayer } from "../Sql/Migrations.js"
import { storeMirror } from "../Sql/StoreMirror.js"
import { ExtractionRunService, RunStoreConfig } from "../Store/ExtractionRunService.js"
import { Tokenizer } from "../Tokenizer.js"
import {
  batchIdOf,
  BatchPayload,
  BatchWorkflow,
  BatchWorkflowLayer,
  DEFAULT_BATCH_CONCURRENCY,
  readBatchState,
  writeBatchState
} from "./BatchWorkflow.js"
import { ExtractionPayload, ExtractionWorkflow, ExtractionWorkflowLayer, requestStop } from "./ExtractionWorkflow.js"
import { RunnerSettings, RunPipelines } from "./RunPipelines.js"
import { engineLayer } from "./WorkflowEngineLayer.js"
import { type OrchestratorOptions, WorkflowOrchestrator } from "./WorkflowOrchestrator.js"

const engineFailure = (e: { readonly message: string }) => new WorkflowError({ message: e.message })

/** Builds the orchestrator's service over an engine and the run store. */
const make = Effect.gen(function*() {
  const pipelines = yield* RunPipelines
  const store = yield* ExtractionRunService
  const context = yield* Effect.context<WorkflowEngine | NodeContext.NodeContext>()

  /** The workflow payload of one request: the document as DocumentReader would read it, the resolved config. */
  const payloadOf = (request: ExtractionRequest, batchId: string | null) =>
    Effect.gen(function*() {
      // the context graph's name, refused as `--context` refuses it (before the run starts, not after)
      const problem = request.context === null ? null : contextProblem(request.context)
      if (problem !== null) return yield* new UsageError({ message: problem })
      const settings = yield* pipelines.settingsFor(request.options)
      const bytes = Buffer.from(request.document.text, "utf8")
      const sha256 = createHash("sha256").update(bytes).digest("hex")
      return ExtractionPayload.make({
        runId: runIdOf(sha256),
        text: request.document.text,
        path: request.document.path,
        bytes: bytes.length,
        sha256,
        encoding: "utf-8",
        replacements: 0,
        config: settings.config,
        // the submitter's chunking and output settings travel with the run, so runners need not share its defaults
        options: ExtractionOptions.make({
          ...request.options,
          chunkSize: settings.config.chunkSize,
          chunkOverlap: settings.config.chunkOverlap,
          concurrency: settings.config.concurrency,
          formats: settings.config.formats,
          baseIri: settings.config.baseIri
        }),
        force: settings.force,
        nonce: settings.force ? `${Date.now()}` : "",
        context: request.context,
        batchId
      })
    })

  const start = Effect.fn("WorkflowOrchestrator.start")(function*(request: ExtractionRequest) {
    const payload = yield* payloadOf(request, null)
    const executionId = yield* ExtractionWorkflow.executionId(payload)
    yield* ExtractionWorkflow.execute(payload, { discard: true })
    return RunStarted.make({
      runId: payload.runId as RunId,
      executionId: executionId as ExecutionId,
      runDir: store.runDirOf(payload.runId)
    })
  }, Effect.provide(context))

  const startAndWait = Effect.fn("WorkflowOrchestrator.startAndWait")(function*(request: ExtractionRequest) {
    const payload = yield* payloadOf(request, null)
    return yield* ExtractionWorkflow.execute(payload).pipe(Effect.mapError(engineFailure))
  }, Effect.provide(context))

  const poll = (executionId: ExecutionId): Effect.Effect<ExecutionState, WorkflowError> =>
    ExtractionWorkflow.poll(executionId).pipe(
      Effect.map((result): ExecutionState => {
        if (result === undefined) return ExecutionRunning.make({})
        if (result._tag === "Suspended") return ExecutionSuspended.make({})
        const exit = result.exit
        return exit._tag === "Success"
          ? ExecutionDone.make({ result: exit.value })
          : ExecutionFailed.make({ reason: failureReason(exit.cause) })
      }),
      Effect.provide(context)
    )

  // a running extraction stops on its stop-request file (the engine's interrupt would wait for it to
  // suspend, which a running extraction does not); the engine's interrupt still ends a suspended one.
  // An execution that has ended gets no file: it would outlive it (ExtractionWorkflow removes its own at the end).
  const interrupt = (executionId: ExecutionId) =>
    ExtractionWorkflow.poll(executionId).pipe(
      Effect.flatMap((result) =>
        result !== undefined && result._tag === "Complete"
          ? Effect.void
          : requestStop(store.outputDir, executionId).pipe(
            Effect.mapError(engineFailure),
            Effect.zipRight(ExtractionWorkflow.interrupt(executionId))
          )
      ),
      Effect.provide(context)
    )
  const resume = (executionId: ExecutionId) => ExtractionWorkflow.resume(executionId).pipe(Effect.provide(context))

  const executionOf = (runId: RunId) =>
    store.getRun(runId).pipe(
      Effect.map((view) =>
        Option.fromNullable(
          view.events.filter((e) => e.type === "run.started" && typeof e.data.executionId === "string")
            .at(-1)?.data.executionId as ExecutionId | undefined
        )
      ),
      Effect.catchTag("RunNotFound", () => Effect.succeedNone),
      Effect.mapError(engineFailure)
    )

  const startBatch = Effect.fn("WorkflowOrchestrator.startBatch")(function*(request: BatchRequest) {
    const runs = yield* Effect.forEach(
      request.documents,
      (document) => payloadOf({ document, options: request.options, context: request.context }, null)
    )
    const batchId = batchIdOf(runs, request.context)
    const payload = BatchPayload.make({
      batchId,
      runs: runs.map((r) => ExtractionPayload.make({ ...r, batchId })),
      context: request.context,
      concurrency: DEFAULT_BATCH_CONCURRENCY
    })
    const executionId = yield* BatchWorkflow.executionId(payload)
    yield* writeBatchState(store.outputDir, batchId, BatchPending.make({}))
    yield* BatchWorkflow.execute(payload, { discard: true })
    return BatchStarted.make({
      batchId: batchId as BatchId,
      executionId: executionId as ExecutionId,
      runIds: runs.map((r) => r.runId as RunId)
    })
  }, Effect.provide(context))

  /** The state file's state; a batch whose workflow failed (a defect, an interruption) reads as Failed. */
  const batchState = (batchId: BatchId) =>
    Effect.gen(function*() {
      const state = yield* readBatchState(store.outputDir, batchId)
      if (Option.isNone(state) || state.value._tag === "Complete") return state
      // the execution id depends on the batch id alone (the idempotency key)
      const executionId = yield* BatchWorkflow.executionId({ batchId, runs: [], context: null, concurrency: 1 })
      const result = yield* BatchWorkflow.poll(executionId)
      if (result?._tag === "Complete" && result.exit._tag === "Failure") {
        return Option.some(BatchFailed.make({ reason: failureReason(result.exit.cause) }))
      }
      return state
    }).pipe(Effect.provide(context))

  return WorkflowOrchestrator.of({
    start,
    startAndWait,
    poll,
    interrupt,
    resume,
    executionOf,
    startBatch,
    batchState
  })
})

/** The first line of a failed execution's reason. */
const failureReason = (cause: import("effect/Cause").Cause<unknown>): string => {
  const text = String((cause as { _tag: string })._tag === "Interrupt" ? "interrupted" : prettyCause(cause))
  return text.split("\n")[0]!
}
const prettyCause = (cause: import("effect/Cause").Cause<unknown>): string => {
  const failure = (cause as { error?: { message?: string } }).error
  return failure?.message ?? "the workflow failed"
}

/**
 * The services a process running workflows needs besides the engine: the
 * run store over `outputDir` (mirroring into the database as `extract`
 * does), quiet progress, the tokenizer, the context graphs and the pipelines.
 */
export const runServicesLayer = (
  options: OrchestratorOptions,
  database: Parameters<typeof storeMirror>[0],
  client?: Layer.Layer<SqlClient.SqlClient | DatabaseInfo>
) => {
  const store = ExtractionRunService.Default.pipe(
    Layer.provide(Layer.unwrapScoped(Effect.map(
      storeMirror(database, options.outputDir, undefined, client),
      (mirror) => RunStoreConfig.layer(options.outputDir, { wait: true, ...(mirror === undefined ? {} : { mirror }) })
    )))
  )
  const progress = Progress.Default.pipe(Layer.provide(ProgressSink.stderr(true)))
  // context graphs (issue 12): batches and runs with a context add their completed runs, as `--context` does
  const graphs = GraphStore.Default.pipe(Layer.provide(GraphStoreConfig.layer(options.outputDir, { wait: true })))
  return RunPipelines.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(store, progress, Tokenizer.Default, graphs)),
    Layer.provide(Layer.succeed(RunnerSettings, options.settings))
  )
}

/** The orchestrator for `options` (see {@link WorkflowOrchestrator.layer}). */
export const orchestratorLayer = (
  options: OrchestratorOptions
): Layer.Layer<WorkflowOrchestrator, UsageError | WorkflowError> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const raw = options.database ??
      Option.getOrUndefined(yield* Config.option(Config.string("EXTRACT_DATABASE_URL")).pipe(Effect.orDie))
    const url = yield* parseDatabaseUrl(raw, options.outputDir)
    if (url._tag === "NoDatabase") {
      return yield* new UsageError({
        message: "the workflow engine keeps its state in a database: --database none cannot be used here"
      })
    }
    const mode = options.mode ?? "single"
    // SQLite: one connection for the engine and the mirror (one thread's two connections would deadlock on locks)
    const client = url._tag === "SqliteUrl"
      ? Layer.succeedContext(
        yield* Layer.build(migratedLayer(url)).pipe(Effect.mapError((e) => new WorkflowError({ message: e.message })))
      )
      : undefined
    const endpoint = { host: options.host ?? "127.0.0.1", port: options.port ?? 34431 }
    const engine = engineLayer(mode, url, endpoint, client)
    const services = runServicesLayer(options, url, client)
    const workflows = mode === "client" ? Layer.empty : Layer.mergeAll(ExtractionWorkflowLayer, BatchWorkflowLayer)
    return Layer.effect(WorkflowOrchestrator, make).pipe(
      Layer.provideMerge(workflows),
      Layer.provideMerge(services),
      Layer.provideMerge(engine),
      Layer.provideMerge(NodeContext.layer)
    )
  })).pipe(Layer.map((ctx) => ctx)) as never

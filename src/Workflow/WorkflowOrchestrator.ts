/**
 * The durable-extraction front door: start, wait for, poll, interrupt and
 * resume extraction runs, start batches and read their state.
 *
 * Contract (issue 11; `src/Server/` codes against this, and fakes it in its
 * contract tests with `Layer.succeed(WorkflowOrchestrator, {...})`):
 * - `start(ExtractionRequest)` → `RunStarted {runId, executionId, runDir}`;
 *   `startAndWait` → `ExtractionResult` (the CLI's per-input summary).
 * - `poll(executionId)` → `ExecutionState` (`Running | Suspended | Done{result} | Failed{reason}`).
 * - `interrupt(executionId)`, `resume(executionId)` → void.
 * - `executionOf(runId)` → the run's latest workflow execution id, from its
 *   `run.started` events (None for a run the engine never ran).
 * - `startBatch(BatchRequest)` → `BatchStarted {batchId, executionId, runIds}`;
 *   `batchState(batchId)` → `Option<BatchState>` (None: no such batch).
 * - Errors: `UsageError` for bad options (the same messages as the CLI's
 *   flags), `WorkflowError` when the engine or its database fails.
 * - Ids are strings (`src/Domain/Workflow.ts`); never JS numbers.
 * The shapes above only ever change additively.
 *
 * Build it with {@link WorkflowOrchestrator.layer}: it brings up the engine
 * (`src/Workflow/WorkflowEngineLayer.ts`: SQLite + SingleRunner by default,
 * or a client of `extract worker` runners on Postgres) and registers the
 * workflows (`ExtractionWorkflow`, `BatchWorkflow`).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type { UsageError } from "../Domain/Errors.js"
import type {
  BatchId,
  BatchRequest,
  BatchStarted,
  BatchState,
  ExecutionId,
  ExecutionState,
  ExtractionRequest,
  ExtractionResult,
  RunId,
  RunStarted,
  WorkflowError
} from "../Domain/Workflow.js"
import type { RawSettings } from "../Settings.js"

/** How to build the orchestrator of one process (`extract serve`, `extract worker`, tests). */
export interface OrchestratorOptions {
  /** The output directory (`--output-dir`): runs are written to `<outputDir>/runs/`, as by `extract`. */
  readonly outputDir: string
  /**
   * The database URL (`--database`, env `EXTRACT_DATABASE_URL`): `sqlite:PATH`
   * (default `sqlite:<outputDir>/extract.db`) or `postgres://…`. The engine
   * keeps its state there in @effect/cluster's own tables.
   */
  readonly database?: string | undefined
  /**
   * The serving process's own settings (provider, defaults): `files` is
   * ignored; a request's {@link ExtractionOptions} override the fields it
   * names. The API key comes from `OPENAI_API_KEY`, as for `extract`.
   */
  readonly settings: RawSettings
  /**
   * `single` (default): this process is the engine's only runner
   * (SingleRunner) and runs the workflows itself. `runner`: one of several
   * runners over sockets (`extract worker`, Postgres). `client`: submits
   * and reads, runs nothing (a server in front of `extract worker`s).
   */
  readonly mode?: "single" | "runner" | "client"
  /** `runner`/`client` modes: this runner's socket address (default 127.0.0.1 and a free port). */
  readonly host?: string
  readonly port?: number
}

/** The service's shape; see the module docstring for the contract. */
export interface WorkflowOrchestratorService {
  /**
   * Starts (or joins, when the same document and result-affecting config
   * are already running) a run's workflow and returns at once.
   * Fails with UsageError for bad options, WorkflowError when the engine fails.
   */
  readonly start: (request: ExtractionRequest) => Effect.Effect<RunStarted, UsageError | WorkflowError>
  /** {@link start}, then waits for the run's result. Same errors. */
  readonly startAndWait: (request: ExtractionRequest) => Effect.Effect<ExtractionResult, UsageError | WorkflowError>
  /** Where an execution is; `Running` also for one the engine has no result for yet. Fails with WorkflowError. */
  readonly poll: (executionId: ExecutionId) => Effect.Effect<ExecutionState, WorkflowError>
  /**
   * Stops an execution: a running extraction sees the request within
   * `STOP_POLL_MS` (src/Workflow/ExtractionWorkflow.ts), abandons the model
   * requests in flight, starts no further activity, and records
   * `run.interrupted` (status `interrupted`; its result says so); a
   * suspended one is interrupted by the engine's own signal when it
   * resumes. Returns once the request is stored. Fails with WorkflowError.
   */
  readonly interrupt: (executionId: ExecutionId) => Effect.Effect<void, WorkflowError>
  /** Resumes a suspended or interrupted execution. Fails with WorkflowError. */
  readonly resume: (executionId: ExecutionId) => Effect.Effect<void, WorkflowError>
  /** The latest workflow execution of a run (from its events); None if the engine never ran it. */
  readonly executionOf: (runId: RunId) => Effect.Effect<Option.Option<ExecutionId>, WorkflowError>
  /** Starts (or joins) a batch's workflow and returns at once. Fails with UsageError, WorkflowError. */
  readonly startBatch: (request: BatchRequest) => Effect.Effect<BatchStarted, UsageError | WorkflowError>
  /** A batch's persisted state; None for an unknown batch. Fails with WorkflowError. */
  readonly batchState: (batchId: BatchId) => Effect.Effect<Option.Option<BatchState>, WorkflowError>
}

export class WorkflowOrchestrator extends Context.Tag("WorkflowOrchestrator")<
  WorkflowOrchestrator,
  WorkflowOrchestratorService
>() {
  /**
   * The live orchestrator with its engine and workflows; needs the platform
   * (`NodeContext.layer`). Fails with WorkflowError when the database
   * cannot be opened, UsageError for bad settings.
   */
  static layer = (options: OrchestratorOptions): Layer.Layer<WorkflowOrchestrator, UsageError | WorkflowError> =>
    Layer.unwrapEffect(
      Effect.map(Effect.promise(() => import("./WorkflowRuntime.js")), (m) => m.orchestratorLayer(options))
    )
}

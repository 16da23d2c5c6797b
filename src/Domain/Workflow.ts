/**
 * The data of durable extraction (issue 11): what a client asks the
 * workflow engine for (an {@link ExtractionRequest} or a
 * {@link BatchRequest}), what it answers ({@link RunStarted},
 * {@link ExtractionResult}, {@link BatchStarted}) and the state a batch is in
 * ({@link BatchState}). Shared by `src/Workflow/` (the engine) and
 * `src/Server/` (HTTP), which both encode these with `effect/Schema`.
 *
 * Ids are strings. A run id is `doc-` + 12 hex digits (the run store's
 * id: the first 12 hex digits of the input's SHA-256); a batch id is
 * `batch-` + 12 hex digits; an execution id is the workflow engine's
 * (a hash of the workflow's idempotency key). The engine's own message and
 * request ids are snowflakes above 2^53: none of them is ever a JS number.
 */
import * as Schema from "effect/Schema"
import { RunStats, RunStatus } from "./Run.js"

/** A run id: `doc-` and 12 lower-case hex digits (see `src/Domain/Document.ts`). */
export const RunId = Schema.String.pipe(Schema.pattern(/^doc-[0-9a-f]{12}$/), Schema.brand("RunId"))
export type RunId = typeof RunId.Type

/** A batch id: `batch-` and 12 lower-case hex digits, from the batch's run ids and config. */
export const BatchId = Schema.String.pipe(Schema.pattern(/^batch-[0-9a-f]{12}$/), Schema.brand("BatchId"))
export type BatchId = typeof BatchId.Type

/** A workflow execution id, as the engine gives it: an opaque string (never parse it as a number). */
export const ExecutionId = Schema.String.pipe(Schema.minLength(1), Schema.brand("ExecutionId"))
export type ExecutionId = typeof ExecutionId.Type

/**
 * The CLI's extraction options that a client may set (`extract --help`
 * names them). Absent fields take the serving process's own value (its
 * flags, environment, defaults). Provider settings (extractor, model, base
 * URL, API key) are never here: they are the serving process's own.
 */
export class ExtractionOptions extends Schema.Class<ExtractionOptions>("ExtractionOptions")({
  /** `--chunk-size`: most tokens per chunk (16..1000000). */
  chunkSize: Schema.optional(Schema.Int),
  /** `--chunk-overlap`: tokens repeated between consecutive chunks (less than half the chunk size). */
  chunkOverlap: Schema.optional(Schema.Int),
  /** `--concurrency`: chunks extracted at once (1..256); does not change results. */
  concurrency: Schema.optional(Schema.Int),
  /** `--entity-types`: entity types the model must use (llm extractor). */
  entityTypes: Schema.optional(Schema.Array(Schema.String)),
  /** `--relation-types`: predicates the model must use (llm extractor). */
  relationTypes: Schema.optional(Schema.Array(Schema.String)),
  /** `--formats`: output format names (docs/outputs.md), or `default`/`all`. */
  formats: Schema.optional(Schema.Array(Schema.String)),
  /** `--passes`: extraction passes per chunk (1 + gleaning passes). */
  passes: Schema.optional(Schema.Int),
  /** `--keep-ungrounded`: keep facts not found in the text, flagged. */
  keepUngrounded: Schema.optional(Schema.Boolean),
  /** `--temperature`: sampling temperature sent to the model. */
  temperature: Schema.optional(Schema.Number),
  /** `--base-iri`: base IRI of minted RDF IRIs, ending in `/`. */
  baseIri: Schema.optional(Schema.String),
  /** `--force`: re-run even if a completed run with the same config exists. */
  force: Schema.optional(Schema.Boolean)
}) {}

/** One document to extract from: its decoded text, and the path it is recorded under (`input.path`). */
export class DocumentInput extends Schema.Class<DocumentInput>("DocumentInput")({
  /** The document's text (already read and decoded; the run store writes it to `input/document.txt`). */
  text: Schema.String,
  /** Where it came from, as recorded in `metadata.json` `input.path`; `-` when submitted as text. */
  path: Schema.optionalWith(Schema.String, { default: () => "-" })
}) {}

/**
 * One extraction: a document, the options, and an optional context (the
 * name of a context graph, issue 12): once completed, the run is added to
 * it (a batch's runs are added by the batch, in document order).
 */
export class ExtractionRequest extends Schema.Class<ExtractionRequest>("ExtractionRequest")({
  document: DocumentInput,
  options: Schema.optionalWith(ExtractionOptions, { default: () => new ExtractionOptions({}) }),
  context: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
}) {}

/** Many documents with one config and an optional context graph. */
export class BatchRequest extends Schema.Class<BatchRequest>("BatchRequest")({
  documents: Schema.Array(DocumentInput).pipe(Schema.minItems(1)),
  options: Schema.optionalWith(ExtractionOptions, { default: () => new ExtractionOptions({}) }),
  context: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
}) {}

/** What starting a run answers: its run id and directory, and the workflow execution that runs it. */
export class RunStarted extends Schema.Class<RunStarted>("RunStarted")({
  runId: RunId,
  executionId: ExecutionId,
  /** Absolute path of the run directory, `<output-dir>/runs/<runId>`. */
  runDir: Schema.String
}) {}

/** What a run ended as (the CLI's per-input summary, `extract --json`). */
export class ExtractionResult extends Schema.Class<ExtractionResult>("ExtractionResult")({
  runId: RunId,
  runDir: Schema.String,
  status: RunStatus,
  /** True when a completed run with the same config was found and nothing was re-extracted. */
  reused: Schema.Boolean,
  stats: RunStats,
  /** One-line reason when the run failed. */
  error: Schema.NullOr(Schema.String)
}) {}

/** Where a run's workflow execution is: not finished yet, suspended, or done with its result. */
export class ExecutionRunning extends Schema.TaggedClass<ExecutionRunning>()("Running", {}) {}
export class ExecutionSuspended extends Schema.TaggedClass<ExecutionSuspended>()("Suspended", {}) {}
export class ExecutionDone extends Schema.TaggedClass<ExecutionDone>()("Done", {
  result: ExtractionResult
}) {}
/** The execution itself failed (an engine or store error, an interruption), not the run. */
export class ExecutionFailed extends Schema.TaggedClass<ExecutionFailed>()("Failed", {
  reason: Schema.String
}) {}
export const ExecutionState = Schema.Union(ExecutionRunning, ExecutionSuspended, ExecutionDone, ExecutionFailed)
export type ExecutionState = typeof ExecutionState.Type

/** What starting a batch answers: its id, its execution, and one run id per document (in order). */
export class BatchStarted extends Schema.Class<BatchStarted>("BatchStarted")({
  batchId: BatchId,
  executionId: ExecutionId,
  runIds: Schema.Array(RunId)
}) {}

/** One document's outcome in a finished batch. */
export class BatchRunOutcome extends Schema.Class<BatchRunOutcome>("BatchRunOutcome")({
  runId: RunId,
  status: RunStatus,
  /** True when the run completed without some chunks. */
  partial: Schema.Boolean,
  error: Schema.NullOr(Schema.String)
}) {}

/** A run that could not be added to a context graph, and why. */
export class GraphAddFailure extends Schema.Class<GraphAddFailure>("GraphAddFailure")({
  runId: RunId,
  error: Schema.String
}) {}

/**
 * What adding a batch's completed runs to its context graph did (issue 12,
 * `GraphStore.add`): runs `added`, `replaced` (a re-run's new graph
 * replaced its old one), `unchanged` (already there with the same graph:
 * a resumed batch adds nothing twice), and those that `failed`; `error` is
 * set when `graph.jsonl` could not be written at the end.
 */
export class BatchGraphOutcome extends Schema.Class<BatchGraphOutcome>("BatchGraphOutcome")({
  context: Schema.String,
  added: Schema.Int,
  replaced: Schema.Int,
  unchanged: Schema.Int,
  failed: Schema.Array(GraphAddFailure),
  error: Schema.NullOr(Schema.String)
}) {}

/** Figures of a finished batch; counts are sums over its runs. */
export class BatchStats extends Schema.Class<BatchStats>("BatchStats")({
  documents: Schema.Int,
  completed: Schema.Int,
  failed: Schema.Int,
  partial: Schema.Int,
  entityCount: Schema.Int,
  relationCount: Schema.Int,
  /** Wall time from the batch's start to its end, in milliseconds. */
  durationMs: Schema.Number,
  runs: Schema.Array(BatchRunOutcome),
  /** The batch's context graph, when it was given one; null otherwise. */
  graph: Schema.optionalWith(Schema.NullOr(BatchGraphOutcome), { default: () => null })
}) {}

/** The batch is accepted, no document has started. */
export class BatchPending extends Schema.TaggedClass<BatchPending>()("Pending", {}) {}
/** Documents are being extracted: `done` of `total` runs have finished (completed or failed). */
export class BatchExtracting extends Schema.TaggedClass<BatchExtracting>()("Extracting", {
  done: Schema.Int,
  total: Schema.Int
}) {}
/** Every run has finished; the documents are being added to the batch's context graph. */
export class BatchResolving extends Schema.TaggedClass<BatchResolving>()("Resolving", {}) {}
/** The batch is finished (some runs may have failed: see `stats`). */
export class BatchComplete extends Schema.TaggedClass<BatchComplete>()("Complete", {
  stats: BatchStats
}) {}
/** The batch could not finish (engine or store error, interruption). */
export class BatchFailed extends Schema.TaggedClass<BatchFailed>()("Failed", {
  reason: Schema.String
}) {}

/** A batch's state, persisted and readable at any time: `Pending | Extracting | Resolving | Complete | Failed`. */
export const BatchState = Schema.Union(BatchPending, BatchExtracting, BatchResolving, BatchComplete, BatchFailed)
export type BatchState = typeof BatchState.Type

/** The workflow engine could not do what was asked (database unreachable, unknown execution…). */
export class WorkflowError extends Schema.TaggedError<WorkflowError>()("WorkflowError", {
  message: Schema.String
}) {}

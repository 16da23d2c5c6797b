/**
 * The HTTP API of `extract serve`, declared with `@effect/platform`'s
 * HttpApi: endpoints, request and response schemas (`effect/Schema`), and
 * the errors each endpoint answers with. The OpenAPI document served at
 * `/openapi.json` (and the docs at `/docs`) is generated from this file;
 * docs/server.md walks through it with curl.
 *
 * Every 4xx/5xx answer is a JSON object `{"_tag", "message"}` (the
 * decode errors of the platform add `issues`).
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { RunMetadata, RunStats, RunStatus } from "../Domain/Run.js"
import {
  BatchId,
  BatchState,
  ExtractionOptions as WorkflowExtractionOptions,
  RunId as WorkflowRunId
} from "../Domain/Workflow.js"

// --- errors -----------------------------------------------------------------

/** 400: the request is malformed or asks for something the server refuses (a path outside --input-root, a provider option). */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", {
  message: Schema.String
}, HttpApiSchema.annotations({ status: 400 })) {}

/** 401: a token is required (the server is bound to a non-loopback host) and the request has no valid Bearer token. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  message: Schema.String
}, HttpApiSchema.annotations({ status: 401 })) {}

/** 404: no such run, batch, output or route. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  message: Schema.String
}, HttpApiSchema.annotations({ status: 404 })) {}

/** 413: the request body is larger than `--max-input-bytes`. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  message: Schema.String,
  /** The limit, in bytes. */
  maxBytes: Schema.Int
}, HttpApiSchema.annotations({ status: 413 })) {}

/** 422: the document cannot be used (empty, binary, not valid text, …; the `problem` of an InputError). */
export class InputRefused extends Schema.TaggedError<InputRefused>()("InputRefused", {
  message: Schema.String,
  problem: Schema.String
}, HttpApiSchema.annotations({ status: 422 })) {}

/** 503: the server is draining (SIGTERM) and takes no new work. */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", {
  message: Schema.String
}, HttpApiSchema.annotations({ status: 503 })) {}

/** 500: something on the server failed (the run store could not be read, the engine failed). */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  message: Schema.String
}, HttpApiSchema.annotations({ status: 500 })) {}

// --- requests ---------------------------------------------------------------

/** A run id: `doc-` and 12 lower-case hex digits (anything else is a 400). */
export const RunId = WorkflowRunId.annotations({
  identifier: "RunId",
  message: () => "a run id is doc- and 12 lower-case hex digits",
  examples: ["doc-3bd5f85089a5" as WorkflowRunId]
})

/**
 * The provider settings (base URL, API key, model, wire API) are the
 * server's own: a request that names one is refused with 400, so a client
 * cannot point the server at another URL or make it spend on another model.
 */
const ServerOwned = Schema.optional(Schema.Unknown.annotations({
  description: "not accepted (400): provider settings are the server's own"
}))

/** The provider settings a request may not name (see {@link ServerOwned}). */
export const SERVER_OWNED_OPTIONS = ["baseUrl", "apiKey", "model", "extractor", "api"] as const

/**
 * The extraction options of a submission: the `extract` command's
 * result-affecting options ({@link WorkflowExtractionOptions}, README
 * "Options"), each optional (absent: the server's own value), plus the
 * `context` graph. Unknown keys and provider settings are refused (400).
 */
export const SubmitOptions = Schema.Struct({
  ...WorkflowExtractionOptions.fields,
  /** `--context`: the name of a context graph the run is added to once completed (docs/graph.md). */
  context: Schema.optional(Schema.NullOr(Schema.String)),
  baseUrl: ServerOwned,
  apiKey: ServerOwned,
  model: ServerOwned,
  extractor: ServerOwned,
  api: ServerOwned
}).annotations({
  identifier: "ExtractionOptions",
  parseOptions: { onExcessProperty: "error" }
})
export type SubmitOptions = typeof SubmitOptions.Type

/** One document: its `text`, or a `path` under the server's `--input-root`. */
const DocumentFields = {
  /** The document's text (UTF-8 in the JSON body). */
  text: Schema.optional(Schema.NullOr(Schema.String)),
  /** A path relative to (or absolute under) `--input-root`. */
  path: Schema.optional(Schema.NullOr(Schema.String))
}
const oneOfTextOrPath = (d: { readonly text?: string | null | undefined; readonly path?: string | null | undefined }) =>
  (d.text == null) === (d.path == null) ? "give exactly one of text and path" : undefined

/** A document of a batch. */
export const BatchDocument = Schema.Struct(DocumentFields).pipe(
  Schema.filter(oneOfTextOrPath),
  Schema.annotations({ identifier: "BatchDocument", parseOptions: { onExcessProperty: "error" } })
)

/** `POST /runs`. */
export const SubmitRun = Schema.Struct({
  ...DocumentFields,
  /** With `text`: the name recorded as the run's `input.path` (default `-`), e.g. the client's file name. */
  name: Schema.optional(Schema.String.pipe(Schema.maxLength(4096))),
  options: Schema.optional(SubmitOptions)
}).pipe(
  Schema.filter(oneOfTextOrPath),
  Schema.annotations({ identifier: "SubmitRun", parseOptions: { onExcessProperty: "error" } })
)
export type SubmitRun = typeof SubmitRun.Type

/** `POST /batches`. */
export const SubmitBatch = Schema.Struct({
  documents: Schema.Array(BatchDocument).pipe(Schema.minItems(1), Schema.maxItems(10_000)),
  options: Schema.optional(SubmitOptions),
  /** A context graph the documents' entities are added to. */
  context: Schema.optional(Schema.NullOr(Schema.String))
}).annotations({ identifier: "SubmitBatch", parseOptions: { onExcessProperty: "error" } })
export type SubmitBatch = typeof SubmitBatch.Type

// --- responses --------------------------------------------------------------

/** `POST /runs` → 202: the run's id, its workflow execution, and its directory on the server. */
export class RunAccepted extends Schema.Class<RunAccepted>("RunAccepted")({
  runId: Schema.String,
  /** The workflow execution id (a string: snowflake-sized ids do not fit a JS number). */
  executionId: Schema.String,
  /** Absolute path of the run directory on the server. */
  runDir: Schema.String
}) {}

/** `POST /batches` → 202. */
export class BatchAccepted extends Schema.Class<BatchAccepted>("BatchAccepted")({
  batchId: BatchId,
  executionId: Schema.String,
  /** The run of each document, in request order. */
  runs: Schema.Array(Schema.Struct({ runId: Schema.String, runDir: Schema.String }))
}) {}

/** One line of `GET /runs` (as `extract runs list --json`). */
export class RunListItem extends Schema.Class<RunListItem>("RunListItem")({
  runId: Schema.String,
  status: RunStatus,
  createdAt: Schema.String,
  completedAt: Schema.NullOr(Schema.String),
  input: RunMetadata.fields.input,
  extractor: Schema.String,
  stats: RunStats,
  runDir: Schema.String
}) {}

/** `POST /runs/{runId}/interrupt` and `/resume` → 202. */
export class RunControl extends Schema.Class<RunControl>("RunControl")({
  runId: Schema.String,
  executionId: Schema.String
}) {}

const runIdParam = HttpApiSchema.param("runId", RunId)
const batchIdParam = HttpApiSchema.param("batchId", BatchId)
const outputParam = HttpApiSchema.param(
  "name",
  Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/)).annotations({
    description: "an output's type (knowledge-graph) or file name (knowledge-graph.json)"
  })
)

/** The `text/event-stream` body of the events endpoints (described, not decoded). */
const EventStream = Schema.String.pipe(
  HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/event-stream" })
).annotations({
  description:
    "Server-Sent Events: one message per journal record (id: its sequence number; event: the audit event's type, run.error, or progress), keep-alive comments, closed after the terminal event. Send Last-Event-ID to resume."
})

// --- endpoints --------------------------------------------------------------

/** Runs: submit, list, read, outputs, interrupt, resume, events. */
export class RunsGroup extends HttpApiGroup.make("runs")
  .add(
    HttpApiEndpoint.post("submit", "/runs")
      .setPayload(SubmitRun)
      .addSuccess(RunAccepted, { status: 202 })
      .addError(BadRequest)
      .addError(InputRefused)
      .addError(PayloadTooLarge)
      .addError(Unavailable)
      .annotate(OpenApi.Summary, "Submit a document for extraction")
  )
  .add(
    HttpApiEndpoint.get("list", "/runs")
      .addSuccess(Schema.Struct({ runs: Schema.Array(RunListItem) }))
      .annotate(OpenApi.Summary, "Every run in the output directory, oldest first")
  )
  .add(
    HttpApiEndpoint.get("get")`/runs/${runIdParam}`
      .addSuccess(RunMetadata)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "A run's metadata, as in its metadata.json")
  )
  .add(
    HttpApiEndpoint.get("output")`/runs/${runIdParam}/outputs/${outputParam}`
      .addSuccess(Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/plain" })))
      .addError(NotFound)
      .annotate(OpenApi.Summary, "One output file of a run")
  )
  .add(
    HttpApiEndpoint.post("interrupt")`/runs/${runIdParam}/interrupt`
      .addSuccess(RunControl, { status: 202 })
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Interrupt a run's workflow")
  )
  .add(
    HttpApiEndpoint.post("resume")`/runs/${runIdParam}/resume`
      .addSuccess(RunControl, { status: 202 })
      .addError(NotFound)
      .addError(Unavailable)
      .annotate(OpenApi.Summary, "Resume an interrupted run's workflow")
  )
  .add(
    HttpApiEndpoint.get("events")`/runs/${runIdParam}/events`
      .setHeaders(Schema.Struct({ "last-event-id": Schema.optional(Schema.String) }))
      .addSuccess(EventStream)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "The run's events and progress as Server-Sent Events")
  )
{}

/** Batches: submit, state, events. */
export class BatchesGroup extends HttpApiGroup.make("batches")
  .add(
    HttpApiEndpoint.post("submit", "/batches")
      .setPayload(SubmitBatch)
      .addSuccess(BatchAccepted, { status: 202 })
      .addError(BadRequest)
      .addError(InputRefused)
      .addError(PayloadTooLarge)
      .addError(Unavailable)
      .annotate(OpenApi.Summary, "Submit a batch of documents")
  )
  .add(
    HttpApiEndpoint.get("get")`/batches/${batchIdParam}`
      .addSuccess(BatchState)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "The batch's state")
  )
  .add(
    HttpApiEndpoint.get("events")`/batches/${batchIdParam}/events`
      .setHeaders(Schema.Struct({ "last-event-id": Schema.optional(Schema.String) }))
      .addSuccess(EventStream)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "The batch's state changes as Server-Sent Events")
  )
{}

/** The whole API. Errors every endpoint may answer with are added here. */
export class ExtractApi extends HttpApi.make("extract")
  .add(RunsGroup)
  .add(BatchesGroup)
  .addError(BadRequest)
  .addError(Unauthorized)
  .addError(NotFound)
  .addError(ServerError)
  .annotate(OpenApi.Title, "extract")
  .annotate(
    OpenApi.Description,
    "Durable knowledge-graph extraction: submit documents, watch their progress, read their runs."
  )
{}

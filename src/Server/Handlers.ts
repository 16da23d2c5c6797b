/**
 * The handlers of {@link ExtractApi}: each endpoint delegates to the run
 * store ({@link ExtractionRunService}: metadata, outputs), the workflow
 * engine ({@link WorkflowOrchestrator}: start, interrupt, resume, batches)
 * or the event streams ({@link RunEvents}), and maps their errors to the
 * API's (UsageError → 400, RunNotFound → 404, StoreError and WorkflowError
 * → 500). Nothing here reaches the provider's settings: they are the
 * server's own (ServerConfig) and never leave it.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { StoreError, UsageError } from "../Domain/Errors.js"
import { RunMetadata } from "../Domain/Run.js"
import {
  type BatchId,
  BatchRequest,
  DocumentInput,
  ExtractionOptions,
  ExtractionRequest,
  type RunId,
  type WorkflowError
} from "../Domain/Workflow.js"
import { ExtractionRunService } from "../Store/ExtractionRunService.js"
import { WorkflowOrchestrator } from "../Workflow/WorkflowOrchestrator.js"
import {
  BadRequest,
  BatchAccepted,
  ExtractApi,
  InputRefused,
  NotFound,
  RunControl,
  RunListItem,
  SERVER_OWNED_OPTIONS,
  ServerError,
  type SubmitOptions,
  Unavailable
} from "./Api.js"
import { Drain } from "./Drain.js"
import { InputRoot } from "./InputRoot.js"
import { parseLastEventId, RunEvents } from "./RunEvents.js"
import { Submissions } from "./Submissions.js"

/** Content types of output files, by extension. */
const CONTENT_TYPES: Record<string, string> = {
  json: "application/json",
  jsonld: "application/ld+json",
  jsonl: "application/x-ndjson",
  ttl: "text/turtle; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  graphml: "application/xml",
  csv: "text/csv; charset=utf-8",
  cypher: "text/plain; charset=utf-8"
}

/** Maps the store's and engine's errors to the API's. */
const apiError = (
  e: UsageError | StoreError | WorkflowError | { readonly _tag: "RunNotFound"; readonly message: string }
) =>
  e._tag === "UsageError"
    ? new BadRequest({ message: e.message })
    : e._tag === "RunNotFound"
    ? new NotFound({ message: e.message })
    : new ServerError({ message: e.message })

/**
 * The engine's options from a request's. Fails with BadRequest when the
 * request names a provider setting (never echoing its value).
 */
const optionsOf = (options: SubmitOptions | undefined) => {
  const { apiKey: _k, api: _a, baseUrl: _u, context, extractor: _e, model: _m, ...rest } = options ?? {}
  const named = SERVER_OWNED_OPTIONS.filter((k) => options?.[k] !== undefined)
  return named.length > 0
    ? Effect.fail(
      new BadRequest({
        message: `options.${named[0]}: provider settings (${SERVER_OWNED_OPTIONS.join(", ")}) are the server's own`
      })
    )
    : Effect.succeed({ options: new ExtractionOptions(rest), context: context ?? null })
}

/** A text submission, refused like `extract` refuses an input file (empty, binary). */
const textDocument = (text: string, name = "-"): Effect.Effect<DocumentInput, InputRefused> =>
  text.trim() === ""
    ? Effect.fail(new InputRefused({ message: "text: holds only whitespace", problem: "empty" }))
    : text.includes("\u0000")
    ? Effect.fail(
      new InputRefused({ message: "text: binary content (NUL characters); expected plain text", problem: "binary" })
    )
    : Effect.succeed(new DocumentInput({ text, path: name }))

const eventStream = (body: import("effect/Stream").Stream<Uint8Array>) =>
  HttpServerResponse.stream(body, {
    contentType: "text/event-stream",
    headers: { "cache-control": "no-cache", "x-accel-buffering": "no" }
  })

const RunsLive = HttpApiBuilder.group(ExtractApi, "runs", (handlers) =>
  Effect.gen(function*() {
    const store = yield* ExtractionRunService
    const orchestrator = yield* WorkflowOrchestrator
    const inputs = yield* InputRoot
    const events = yield* RunEvents
    const drain = yield* Drain
    const submissions = yield* Submissions

    const refuseWhileDraining = Effect.flatMap(drain.isDraining, (d) =>
      d ? Effect.fail(new Unavailable({ message: "the server is shutting down and takes no new work" })) : Effect.void)

    /** The run's latest execution; NotFound when the engine never ran it. */
    const executionOf = (runId: RunId) =>
      orchestrator.executionOf(runId).pipe(
        Effect.mapError(apiError),
        Effect.flatMap((found) =>
          Option.isSome(found) ? Effect.succeed(found) : submissions.executionOf(runId)
        ),
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(new NotFound({ message: `no workflow execution of run ${runId} on this server` })),
          onSome: Effect.succeed
        }))
      )

    return handlers
      .handle("submit", ({ payload }) =>
        Effect.gen(function*() {
          yield* refuseWhileDraining
          const document = payload.text != null
            ? yield* textDocument(payload.text, payload.name)
            : yield* Effect.map(inputs.read(payload.path!), (d) =>
              new DocumentInput({ text: d.text, path: payload.path! }))
          const { context, options } = yield* optionsOf(payload.options)
          const started = yield* orchestrator.start(new ExtractionRequest({ document, options, context })).pipe(
            Effect.mapError(apiError)
          )
          yield* drain.track(started.executionId)
          yield* submissions.add(started.runId, started.executionId)
          return started
        }))
      .handle("list", () =>
        Effect.gen(function*() {
          const runs = yield* store.listRuns().pipe(Effect.mapError(apiError))
          return {
            runs: runs.map((r) =>
              new RunListItem({
                runId: r.runId,
                status: r.status,
                createdAt: r.createdAt,
                completedAt: r.completedAt,
                input: r.input,
                extractor: r.config.extractor,
                stats: r.stats,
                runDir: store.runDirOf(r.runId)
              })
            )
          }
        }))
      .handle("get", ({ path }) =>
        store.getRun(path.runId).pipe(
          Effect.mapError(apiError),
          // a run accepted here whose directory the workflow is still creating: not there yet, rather than a 500
          Effect.catchTag("ServerError", (e) =>
            Effect.flatMap(
              submissions.knows(path.runId),
              (known): Effect.Effect<never, NotFound | ServerError> =>
                known
                  ? Effect.fail(new NotFound({ message: `run ${path.runId} is being created; try again` }))
                  : Effect.fail(e)
            ))
        ))
      .handle("output", ({ path }) =>
        Effect.gen(function*() {
          const run = yield* store.getRun(path.runId).pipe(Effect.mapError(apiError))
          const output = run.outputs.find((o) =>
            o.type === path.name || o.path === `outputs/${path.name}` || o.path.split("/").pop() === path.name
          )
          if (!output) {
            return yield* new NotFound({
              message: `run ${path.runId} has no output ${path.name} (it has ${
                run.outputs.map((o) => o.type).join(", ") || "none"
              })`
            })
          }
          const content = yield* store.getOutput(path.runId, output.type).pipe(Effect.mapError(apiError))
          const ext = output.path.split(".").pop() ?? ""
          return HttpServerResponse.text(content, { contentType: CONTENT_TYPES[ext] ?? "text/plain; charset=utf-8" })
        }))
      .handle("interrupt", ({ path }) =>
        Effect.gen(function*() {
          const executionId = yield* executionOf(path.runId)
          yield* orchestrator.interrupt(executionId).pipe(Effect.mapError(apiError))
          return new RunControl({ runId: path.runId, executionId })
        }))
      .handle("resume", ({ path }) =>
        Effect.gen(function*() {
          yield* refuseWhileDraining
          const executionId = yield* executionOf(path.runId)
          yield* orchestrator.resume(executionId).pipe(Effect.mapError(apiError))
          yield* drain.track(executionId)
          return new RunControl({ runId: path.runId, executionId })
        }))
      .handle("events", ({ headers, path }) =>
        Effect.gen(function*() {
          // a run the store has not created yet is fine if the engine knows it (it is about to start)
          const known = yield* store.inspectRun(path.runId).pipe(
            Effect.as(true),
            // not there yet, or caught between its directory and its first record: ask the engine
            Effect.catchAll(() =>
              Effect.flatMap(submissions.knows(path.runId), (known) =>
                known
                  ? Effect.succeed(true)
                  : executionOf(path.runId).pipe(
                    Effect.as(true),
                    Effect.orElseSucceed(() =>
                      false
                    )
                  ))
            )
          )
          if (!known) {
            return yield* new NotFound({ message: `no run ${path.runId}` })
          }
          return eventStream(events.runStream(path.runId, parseLastEventId(headers["last-event-id"])))
        }))
  }))

const BatchesLive = HttpApiBuilder.group(ExtractApi, "batches", (handlers) =>
  Effect.gen(function*() {
    const store = yield* ExtractionRunService
    const orchestrator = yield* WorkflowOrchestrator
    const inputs = yield* InputRoot
    const events = yield* RunEvents
    const drain = yield* Drain
    const submissions = yield* Submissions

    const stateOf = (batchId: BatchId) =>
      orchestrator.batchState(batchId).pipe(
        Effect.mapError(apiError),
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(new NotFound({ message: `no batch ${batchId}` })),
          onSome: Effect.succeed
        }))
      )

    return handlers
      .handle("submit", ({ payload }) =>
        Effect.gen(function*() {
          if (yield* drain.isDraining) {
            return yield* new Unavailable({ message: "the server is shutting down and takes no new work" })
          }
          const documents = yield* Effect.forEach(payload.documents, (d, i) =>
            d.text != null
              ? textDocument(d.text).pipe(
                Effect.mapError((e) => new InputRefused({ ...e, message: `documents[${i}]: ${e.message}` }))
              )
              : Effect.map(inputs.read(d.path!), (doc) => new DocumentInput({ text: doc.text, path: d.path! })))
          const { options } = yield* optionsOf(payload.options)
          const started = yield* orchestrator.startBatch(
            new BatchRequest({ documents, options, context: payload.context ?? null })
          ).pipe(Effect.mapError(apiError))
          yield* drain.track(started.executionId)
          yield* Effect.forEach(started.runIds, (runId) => submissions.add(runId, null))
          return new BatchAccepted({
            batchId: started.batchId,
            executionId: started.executionId,
            runs: started.runIds.map((runId) => ({ runId, runDir: store.runDirOf(runId) }))
          })
        }))
      .handle("get", ({ path }) => stateOf(path.batchId))
      .handle("events", ({ headers, path }) =>
        Effect.gen(function*() {
          yield* stateOf(path.batchId)
          return eventStream(events.batchStream(path.batchId, parseLastEventId(headers["last-event-id"])))
        }))
  }))

/** Both groups' handlers; need the store, the orchestrator, InputRoot, RunEvents and Drain. */
export const HandlersLive = Layer.mergeAll(RunsLive, BatchesLive)

/** Encodes a run's metadata as in its metadata.json (for tests comparing the two). */
export const encodeRunMetadata = Schema.encodeSync(RunMetadata)

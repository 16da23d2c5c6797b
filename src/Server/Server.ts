/**
 * `extract serve`: the {@link ExtractApi} handlers on a Node HTTP server,
 * with the OpenAPI document at `/openapi.json`, Swagger UI at `/docs`, and
 * one middleware in front of everything that
 *
 * - answers 401 to requests without the server's Bearer token (src/Server/Auth.ts);
 * - answers 413 to bodies over `--max-input-bytes` by their Content-Length,
 *   before reading them; a body without Content-Length (chunked transfer
 *   encoding) is read up to the limit ({@link readLimited}): past it the
 *   same 413, while the rest of the body is read and discarded, so the
 *   client sees the answer instead of a closed connection;
 * - gives every error a JSON body `{"_tag","message"}`: malformed JSON
 *   (400), unknown routes (404), failures of the server itself (500, the
 *   detail logged on stderr, never a secret: the API key stays inside the
 *   engine's extractor layer and is not part of any request, response or
 *   record).
 *
 * SIGTERM (an interruption of {@link serve}) drains: see src/Server/Drain.ts.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiSwagger from "@effect/platform/HttpApiSwagger"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { createServer } from "node:http"
import { type RawSettings, resolveSettings } from "../Settings.js"
import { ExtractionRunService, RunStoreConfig } from "../Store/ExtractionRunService.js"
import { Tokenizer } from "../Tokenizer.js"
import { WorkflowOrchestrator } from "../Workflow/WorkflowOrchestrator.js"
import { ExtractApi } from "./Api.js"
import { checkBearer } from "./Auth.js"
import { Drain } from "./Drain.js"
import { HandlersLive } from "./Handlers.js"
import { InputRoot } from "./InputRoot.js"
import { RunEvents } from "./RunEvents.js"
import { resolveServeSettings, ServerConfig, type ServeSettings } from "./ServerConfig.js"
import { Submissions } from "./Submissions.js"

const jsonError = (status: number, tag: string, message: string, extra: Record<string, unknown> = {}) =>
  HttpServerResponse.unsafeJson({ _tag: tag, message, ...extra }, { status })

const isBodyTooLarge = (cause: unknown): boolean =>
  cause instanceof Error && cause.message.includes("maxBytes exceeded")

/**
 * Reads a request's body of unknown length (no Content-Length) from the
 * Node request, keeping at most `maxBytes`: the bytes, or None once the body
 * grows past `maxBytes`, after which the rest is read and discarded (the
 * platform's own limit destroys the stream, which closes the connection
 * before a 413 can be sent). Fails with the stream's error.
 */
export const readLimited = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  Effect.async<Option.Option<Uint8Array<ArrayBuffer>>, Error>((resume) => {
    const source = NodeHttpServerRequest.toIncomingMessage(request)
    const parts: Array<Buffer> = []
    let bytes = 0
    const onData = (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes <= maxBytes) return void parts.push(chunk)
      source.off("data", onData)
      source.off("end", onEnd)
      parts.length = 0
      // keep reading, discarding: the answer goes out while the client is still sending
      source.resume()
      resume(Effect.succeed(Option.none()))
    }
    const onEnd = () => resume(Effect.succeed(Option.some(new Uint8Array(Buffer.concat(parts)))))
    const onError = (e: Error) => resume(Effect.fail(e))
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onError)
  })

const HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "expect"])

/** The request with `body` as its (already read) body, for the handlers to decode as usual. */
const withBody = (request: HttpServerRequest.HttpServerRequest, body: Uint8Array<ArrayBuffer>) => {
  const headers = new Headers()
  for (const [k, v] of Object.entries(request.headers)) if (!HOP_HEADERS.has(k)) headers.set(k, v)
  return HttpServerRequest.fromWeb(
    new Request(`http://localhost${request.url}`, { method: request.method, headers, body })
  )
}

/**
 * The middleware described in the module docstring, for a server with
 * `settings`. Exported for tests.
 */
export const guard =
  (settings: Pick<ServeSettings, "token" | "maxInputBytes">) =>
  <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const denied = checkBearer(request.headers, settings.token)
      if (denied !== null) {
        return HttpServerResponse.setHeader(jsonError(401, "Unauthorized", denied), "www-authenticate", "Bearer")
      }
      const length = Number(request.headers["content-length"] ?? "0")
      if (Number.isFinite(length) && length > settings.maxInputBytes) {
        return tooLarge(settings.maxInputBytes)
      }
      if (request.headers["content-length"] === undefined && request.headers["transfer-encoding"] !== undefined) {
        const body = yield* readLimited(request, settings.maxInputBytes).pipe(
          Effect.mapError((e) => new HttpServerError.RequestError({ request, reason: "Decode", cause: e }))
        )
        if (Option.isNone(body)) return tooLarge(settings.maxInputBytes)
        return yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, withBody(request, body.value))
      }
      return yield* HttpIncomingMessage.withMaxBodySize(app, Option.some(settings.maxInputBytes))
    }).pipe(
      Effect.catchAllCause((cause) => {
        // HttpApiBuilder reads bodies with orDie: a body that cannot be read is a defect here
        const squashed = Cause.isInterruptedOnly(cause) ? undefined : Cause.squash(cause)
        if (squashed !== null && typeof squashed === "object") {
          const e = squashed as { readonly _tag?: string; readonly reason?: string; readonly cause?: unknown }
          if (e._tag === "RequestError") {
            if (isBodyTooLarge(e.cause)) return Effect.succeed(tooLarge(settings.maxInputBytes))
            const detail = e.cause instanceof Error ? e.cause.message.split("\n")[0] : e.reason ?? "unreadable"
            return Effect.succeed(jsonError(400, "BadRequest", `malformed request body: ${detail}`))
          }
          if (e._tag === "RouteNotFound") {
            return Effect.succeed(jsonError(404, "NotFound", "no such endpoint (see /openapi.json)"))
          }
        }
        // the API's own errors: encoded (with their status) by HttpApiBuilder after this middleware
        if (Option.isSome(Cause.failureOption(cause))) return Effect.failCause(cause as Cause.Cause<never>)
        if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
        return Effect.logError("extract serve: request failed", Cause.pretty(cause)).pipe(
          Effect.as(jsonError(500, "ServerError", "the server could not answer this request"))
        )
      })
    )

const tooLarge = (maxBytes: number) =>
  jsonError(413, "PayloadTooLarge", `the request body is larger than --max-input-bytes (${maxBytes} bytes)`, {
    maxBytes
  })

/**
 * The served API for `settings` (listening once built), with the run store
 * of `settings.outputDir`; needs a {@link WorkflowOrchestrator}. Provides
 * the HttpServer (for its address) and the Drain.
 */
export const serverLayer = (settings: ServeSettings) => {
  const services = Layer.mergeAll(RunEvents.Default, InputRoot.Default, Submissions.Default).pipe(
    Layer.provideMerge(Drain.Default),
    Layer.provideMerge(ExtractionRunService.Default),
    Layer.provide(RunStoreConfig.layer(settings.outputDir)),
    Layer.provideMerge(ServerConfig.layer(settings))
  )
  const api = HttpApiBuilder.api(ExtractApi).pipe(Layer.provide(HandlersLive))
  return HttpApiBuilder.serve().pipe(
    // an api-level middleware sees the router's errors before they become empty responses
    Layer.provide(HttpApiBuilder.middleware(guard(settings))),
    Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
    Layer.provide(api),
    Layer.provideMerge(services),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { host: settings.host, port: settings.port }))
  )
}

/**
 * Serves until interrupted (SIGTERM/SIGINT), printing the address on
 * stderr. On interruption it drains first: submissions answer 503, event
 * streams end, and runs started here get `settings.drainTimeoutMs` to
 * finish before the engine (built outside) interrupts the rest.
 */
export const serve = (settings: ServeSettings) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(serverLayer(settings))
    const drain = Effect.provide(Drain, context)
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const d = yield* drain
        process.stderr.write("extract: draining: new submissions get 503\n")
        const left = yield* d.drain(settings.drainTimeoutMs, 200)
        if (left > 0) process.stderr.write(`extract: ${left} run(s) still in flight; interrupting them\n`)
      })
    )
    const address = yield* HttpServer.addressFormattedWith(Effect.succeed).pipe(Effect.provide(context))
    process.stderr.write(
      `extract: serving on ${address} (docs ${address}/docs, OpenAPI ${address}/openapi.json)${
        settings.token === null ? "" : ", Bearer token required"
      }\n`
    )
    return yield* Effect.never
  }))

/** `extract serve`'s flags as @effect/cli parses them (src/Cli.ts). */
export type RawServe = Omit<RawSettings, "files" | "force" | "json" | "quiet"> & {
  readonly host: string
  readonly port: number
  readonly inputRoot: Option.Option<string>
  readonly token: Option.Option<Redacted.Redacted>
  readonly drainTimeout: number
}

/**
 * `extract serve`: validates the flags (the provider settings as `extract`
 * would, then the server's own: UsageError, exit 2), brings up the workflow
 * engine on `--database` (SQLite: this process is its single runner;
 * Postgres: a client that submits to the `extract worker` runners and reads
 * their state), and serves until SIGTERM/SIGINT (drain, then exit 143/130).
 */
export const runServe = Effect.fn("Server.run")(function*(raw: RawServe) {
  const settings: RawSettings = { ...raw, files: [], force: false, json: false, quiet: true }
  const tokenizer = yield* Effect.provide(Tokenizer, Tokenizer.Default)
  const checked = yield* resolveSettings({ ...settings, files: ["-"] }, tokenizer.encoding)
  for (const notice of checked.notices) process.stderr.write(notice + "\n")
  const serveSettings = yield* resolveServeSettings({
    host: raw.host,
    port: raw.port,
    database: raw.database ?? Option.none(),
    inputRoot: raw.inputRoot,
    token: raw.token,
    drainTimeout: raw.drainTimeout,
    settings
  })
  return yield* serve(serveSettings).pipe(
    Effect.provide(WorkflowOrchestrator.layer({
      outputDir: settings.outputDir,
      database: serveSettings.database,
      settings,
      // SQLite: this process is the engine's single runner; Postgres: a client of the `extract worker` runners
      mode: /^postgres(ql)?:\/\//.test(serveSettings.database ?? "") ? "client" : "single"
    }))
  )
})

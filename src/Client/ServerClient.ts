/**
 * The clients of `extract serve`: `extract submit <file…>` and `extract
 * watch <runId|batchId>`, over `@effect/platform`'s HttpClient.
 *
 * `submit` reads each file as `extract` does (DocumentReader: size limit,
 * text check, decoding), posts its text with the extraction options to
 * `POST /runs`, and prints `<runId>\t<runDir>` per input (`--json`: one
 * object). With `--wait` it follows each run's events (`GET
 * /runs/{runId}/events`, Server-Sent Events, reconnecting with
 * `Last-Event-ID` when the connection drops) and renders their progress on
 * stderr through {@link Progress}, then prints the line and exits with the
 * run's exit code as `extract` would (README "Exit codes": 0 completed, 3
 * partial, 1 failed or interrupted, 4 refused input, 2 bad options).
 */
import * as Sse from "@effect/experimental/Sse"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { unknownFlags } from "../Argv.js"
import { DEFAULT_MAX_INPUT_BYTES, DocumentReader } from "../DocumentReader.js"
import { RUN_ID_PATTERN } from "../Domain/Document.js"
import { ExitCode, UsageError } from "../Domain/Errors.js"
import { Progress, ProgressSink, type Stage } from "../Progress.js"
import { parseByteSize } from "../Settings.js"

/** Where the server is and how to call it. */
export interface ClientSettings {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  readonly server: string
  readonly token: Option.Option<Redacted.Redacted>
  readonly json: boolean
  readonly quiet: boolean
}

/** `extract submit`'s settings. */
export interface SubmitSettings extends ClientSettings {
  readonly files: ReadonlyArray<string>
  readonly wait: boolean
  /** The request's `options` (ExtractionOptions of the API; absent fields take the server's values). */
  readonly options: Record<string, unknown>
  readonly encoding: string
  readonly maxInputBytes: number
}

/** A failure talking to the server, with the exit code it means. */
class ClientFailure extends Data.TaggedError("ClientFailure")<{ readonly message: string; readonly code: number }> {}

/** Exit code for a refused submission, by HTTP status. */
export const exitCodeOfStatus = (status: number): number =>
  status === 400 ? ExitCode.usage : status === 413 || status === 422 ? ExitCode.badInput : ExitCode.runFailed

/** Exit code of a finished run, from its metadata (`status`, `stats.partial`). */
export const exitCodeOfRun = (run: { readonly status: string; readonly stats?: { readonly partial?: boolean } }) =>
  run.status === "completed" ? (run.stats?.partial ? ExitCode.partial : ExitCode.ok) : ExitCode.runFailed

const STAGES: ReadonlySet<string> = new Set(["chunk", "extract", "resolve", "render"])
/** The audit event that closes each stage, and its one-line summary. */
const STAGE_END: Record<string, [Stage, (d: Record<string, unknown>) => string]> = {
  "chunking.complete": ["chunk", (d) => `${d["chunkCount"] ?? 0} chunks, ${d["tokens"] ?? 0} tokens`],
  "extraction.complete": ["extract", (d) => `${d["mentionCount"] ?? 0} mentions, ${d["relationCount"] ?? 0} relations`],
  "resolution.complete": ["resolve", (d) => `${d["entityCount"] ?? 0} entities`],
  "rendering.complete": ["render", (d) => `${Array.isArray(d["files"]) ? d["files"].length : 0} files`]
}

export class ServerClient extends Effect.Service<ServerClient>()("ServerClient", {
  effect: Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const reader = yield* DocumentReader
    const progress = yield* Progress

    const base = (settings: ClientSettings) => settings.server.replace(/\/+$/, "")
    const authorized = (settings: ClientSettings) => (request: HttpClientRequest.HttpClientRequest) =>
      Option.match(settings.token, {
        onNone: () => request,
        onSome: (t) => HttpClientRequest.bearerToken(request, Redacted.value(t))
      })

    /** Sends a request; the JSON body of a 2xx, else ClientFailure with the server's message. */
    const call = (settings: ClientSettings, request: HttpClientRequest.HttpClientRequest) =>
      http.execute(authorized(settings)(request)).pipe(
        Effect.mapError((e) =>
          new ClientFailure({
            message: `cannot reach the server at ${base(settings)}: ${e.message.split("\n")[0]}`,
            code: ExitCode.runFailed
          })
        ),
        Effect.flatMap((response) =>
          Effect.flatMap(response.text.pipe(Effect.orElseSucceed(() => "")), (text) => {
            let body: unknown = undefined
            try {
              body = text === "" ? undefined : JSON.parse(text)
            } catch {
              body = undefined
            }
            if (response.status >= 200 && response.status < 300) return Effect.succeed(body)
            const message = (body as { message?: string } | undefined)?.message ?? `HTTP ${response.status}`
            return Effect.fail(
              new ClientFailure({
                message: `${message.split("\n")[0]} (HTTP ${response.status})`,
                code: exitCodeOfStatus(response.status)
              })
            )
          })
        ),
        Effect.scoped
      )

    /**
     * Follows an SSE stream to its end, calling `onMessage` for each
     * message; reconnects with the last id seen (1 s apart, up to 30 times
     * in a row) when the connection drops before the end.
     */
    const follow = (
      settings: ClientSettings,
      path: string,
      onMessage: (m: Sse.Event) => Effect.Effect<void>
    ) =>
      Effect.gen(function*() {
        let lastId: string | undefined
        const once = Effect.gen(function*() {
          const request = HttpClientRequest.get(`${base(settings)}${path}`).pipe(
            HttpClientRequest.setHeader("accept", "text/event-stream"),
            lastId === undefined ? (r) => r : HttpClientRequest.setHeader("last-event-id", lastId)
          )
          const response = yield* http.execute(authorized(settings)(request))
          if (response.status !== 200) {
            const text = yield* response.text.pipe(Effect.orElseSucceed(() => ""))
            let message = `HTTP ${response.status}`
            try {
              message = `${(JSON.parse(text) as { message: string }).message} (HTTP ${response.status})`
            } catch {
              // not JSON
            }
            // a 5xx may pass (a run caught between its directory and its first record): try again
            if (response.status >= 500) return yield* Effect.fail(new Error(message))
            return yield* Effect.fail(new ClientFailure({ message, code: exitCodeOfStatus(response.status) }))
          }
          yield* response.stream.pipe(
            Stream.decodeText(),
            Stream.pipeThroughChannel(Sse.makeChannel()),
            Stream.runForEach((m) =>
              Effect.zipRight(Effect.sync(() => void (m.id !== undefined && (lastId = m.id))), onMessage(m))
            )
          )
        }).pipe(Effect.scoped)
        yield* once.pipe(
          Effect.retry({
            while: (e) => !(e instanceof ClientFailure),
            schedule: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(30)))
          }),
          Effect.mapError((e) =>
            e instanceof ClientFailure
              ? e
              : new ClientFailure({
                message: `lost the event stream of ${path} at ${base(settings)}`,
                code: ExitCode.runFailed
              })
          )
        )
      })

    /** Renders a run's events on stderr through Progress, until the stream ends. */
    const followRun = (settings: ClientSettings, runId: string, label: string) =>
      Effect.gen(function*() {
        yield* progress.begin(runId, label)
        let stage: string | undefined
        yield* follow(settings, `/runs/${runId}/events`, (m) =>
          Effect.gen(function*() {
            const data = JSON.parse(m.data) as Record<string, unknown>
            if (m.event === "progress") {
              const s = String(data["stage"])
              if (!STAGES.has(s)) return
              if (s !== stage) {
                stage = s
                yield* progress.stageStarted(s as Stage, Number(data["total"] ?? 0), String(data["unit"] ?? ""))
              }
              yield* progress.advanced(s as Stage, Number(data["done"] ?? 0))
              return
            }
            const end = STAGE_END[m.event]
            if (end !== undefined) {
              const [s, summary] = end
              yield* progress.stageCompleted(s, summary((data["data"] ?? {}) as Record<string, unknown>))
            }
            if (m.event === "run.error") yield* progress.notice(`extract: ${runId}: ${String(data["message"])}`)
          }).pipe(Effect.catchAllDefect(() => Effect.void)))
        const run = (yield* call(settings, HttpClientRequest.get(`${base(settings)}/runs/${runId}`))) as {
          status: string
          stats: { partial?: boolean; entityCount: number; relationCount: number; durationMs: number }
          errors: ReadonlyArray<{ message: string }>
        }
        yield* progress.end(
          run.status === "completed"
            ? `completed: ${run.stats.entityCount} entities, ${run.stats.relationCount} relations (${run.stats.durationMs} ms)`
            : `${run.status}${run.errors.length > 0 ? `: ${run.errors.at(-1)!.message}` : ""}`
        )
        return run
      })

    /** One JSON line or `<runId>\t<runDir>` for a run (as `extract` prints it). */
    const report = (
      settings: ClientSettings,
      input: string,
      accepted: { runId: string; runDir: string; executionId?: string },
      run?: { status: string; stats: unknown; errors: ReadonlyArray<{ message: string }> }
    ) =>
      settings.json
        ? Console.log(JSON.stringify({
          runId: accepted.runId,
          executionId: accepted.executionId ?? null,
          status: run?.status ?? "submitted",
          runDir: accepted.runDir,
          input,
          ...(run === undefined ? {} : {
            stats: run.stats,
            error: run.status === "completed" ? null : (run.errors.at(-1)?.message ?? null)
          })
        }))
        : run === undefined || run.status === "completed"
        ? Console.log(`${accepted.runId}\t${accepted.runDir}`)
        : Console.error(`extract: ${input}: run ${accepted.runId} ${run.status}: ${run.errors.at(-1)?.message ?? ""}`)

    /**
     * `extract submit`: returns the exit code (the worst over the inputs, in
     * the order of `extract`: 1, then 4, then 3, then 0; 2 for options the
     * server refuses).
     */
    const submit = Effect.fn("ServerClient.submit")(function*(settings: SubmitSettings) {
      const accepted: Array<{ input: string; runId: string; runDir: string; executionId: string }> = []
      const codes: Array<number> = []
      for (const input of settings.files) {
        const outcome = yield* reader.read(input, { encoding: settings.encoding, maxBytes: settings.maxInputBytes })
          .pipe(
            Effect.mapError((e) => new ClientFailure({ message: e.message, code: ExitCode.badInput })),
            Effect.flatMap((document) =>
              call(
                settings,
                HttpClientRequest.post(`${base(settings)}/runs`).pipe(
                  HttpClientRequest.setBody(HttpBody.unsafeJson({
                    text: document.text,
                    path: null,
                    name: input,
                    options: settings.options
                  }))
                )
              )
            ),
            Effect.either
          )
        if (outcome._tag === "Left") {
          yield* Console.error(`extract: ${input}: ${outcome.left.message}`)
          codes.push(outcome.left.code)
          if (outcome.left.code === ExitCode.usage) break
          continue
        }
        const a = outcome.right as { runId: string; runDir: string; executionId: string }
        accepted.push({ input, ...a })
        if (!settings.wait) yield* report(settings, input, a)
      }
      if (settings.wait) {
        for (const a of accepted) {
          const run = yield* followRun(settings, a.runId, a.input).pipe(Effect.either)
          if (run._tag === "Left") {
            yield* Console.error(`extract: ${a.input}: ${run.left.message}`)
            codes.push(run.left.code)
            continue
          }
          yield* report(settings, a.input, a, run.right)
          codes.push(exitCodeOfRun(run.right))
        }
      }
      return worst(codes)
    })

    /** `extract watch <runId|batchId>`: follows it to its end; returns the exit code. */
    const watch = Effect.fn("ServerClient.watch")(function*(id: string, settings: ClientSettings) {
      if (id.startsWith("batch-")) {
        let last: Record<string, unknown> | undefined
        yield* follow(settings, `/batches/${id}/events`, (m) =>
          Effect.gen(function*() {
            const state = (JSON.parse(m.data) as { state: Record<string, unknown> }).state
            last = state
            if (settings.json) return yield* Console.log(m.data)
            const tag = String(state["_tag"])
            yield* Console.error(
              `${id}: ${tag}${tag === "Extracting" ? ` ${state["done"]}/${state["total"]} documents` : ""}${
                tag === "Failed" ? `: ${state["reason"]}` : ""
              }`
            )
          }).pipe(Effect.catchAllDefect(() => Effect.void)))
        if (last?.["_tag"] === "Complete") {
          const stats = last["stats"] as { failed: number; partial: number }
          return stats.failed > 0 ? ExitCode.runFailed : stats.partial > 0 ? ExitCode.partial : ExitCode.ok
        }
        return ExitCode.runFailed
      }
      const run = yield* followRun(settings, id, id)
      const runDir = (yield* call(settings, HttpClientRequest.get(`${base(settings)}/runs`))) as {
        runs: ReadonlyArray<{ runId: string; runDir: string }>
      }
      yield* report(settings, id, { runId: id, runDir: runDir.runs.find((r) => r.runId === id)?.runDir ?? "" }, run)
      return exitCodeOfRun(run)
    }, (effect) => Effect.catchAll(effect, (e) => Effect.as(Console.error(`extract: ${e.message}`), e.code)))

    return { submit, watch } as const
  }),
  dependencies: [DocumentReader.Default]
}) {}

/** The batch exit code of several outcomes, in `extract`'s order of precedence (1, 2, 4, 5, 3, 0). */
const worst = (codes: ReadonlyArray<number>): number => {
  for (const c of [ExitCode.runFailed, ExitCode.usage, ExitCode.badInput, ExitCode.locked, ExitCode.partial]) {
    if (codes.includes(c)) return c
  }
  return ExitCode.ok
}

/** A comma-separated flag as a list of names (none: absent). */
const listOf = (value: Option.Option<string>) =>
  Option.match(value, {
    onNone: () => undefined,
    onSome: (v) => [...new Set(v.split(",").map((n) => n.trim()).filter((n) => n !== ""))]
  })

/** The client's layers: ServerClient over Node's HTTP client, Progress on stderr. */
const clientLayer = (quiet: boolean) =>
  ServerClient.Default.pipe(
    Layer.provide(NodeHttpClient.layer),
    Layer.provide(Progress.Default.pipe(Layer.provide(ProgressSink.stderr(quiet))))
  )

/** `extract submit`'s flags as @effect/cli parses them (src/Cli.ts). */
export interface RawSubmit {
  readonly files: ReadonlyArray<string>
  readonly server: string
  readonly token: Option.Option<Redacted.Redacted>
  readonly wait: boolean
  readonly json: boolean
  readonly quiet: boolean
  readonly chunkSize: number
  readonly chunkOverlap: number
  readonly concurrency: number
  readonly encoding: string
  readonly maxInputBytes: Option.Option<string>
  readonly entityTypes: Option.Option<string>
  readonly relationTypes: Option.Option<string>
  readonly passes: number
  readonly keepUngrounded: boolean
  readonly temperature: Option.Option<number>
  readonly formats: Option.Option<string>
  readonly baseIri: Option.Option<string>
  readonly force: boolean
  readonly context: Option.Option<string>
}

/**
 * `extract submit`: the options go to the server as given (with `extract`'s
 * defaults, so a submitted run has the config `extract` would use for the
 * same flags); the server validates them. Returns the exit code.
 */
export const runSubmit = (raw: RawSubmit) =>
  Effect.gen(function*() {
    const unknown = unknownFlags(raw.files)
    if (unknown.length > 0) {
      return yield* new UsageError({ message: `unknown option ${unknown[0]} (see extract submit --help)` })
    }
    if (raw.files.length === 0) return yield* new UsageError({ message: "no input: give one or more files" })
    let maxInputBytes = DEFAULT_MAX_INPUT_BYTES
    if (Option.isSome(raw.maxInputBytes)) {
      const parsed = parseByteSize(raw.maxInputBytes.value)
      if (parsed === undefined) {
        return yield* new UsageError({
          message: `--max-input-bytes must be a positive size, got "${raw.maxInputBytes.value}"`
        })
      }
      maxInputBytes = parsed
    }
    const options: Record<string, unknown> = {
      chunkSize: raw.chunkSize,
      chunkOverlap: raw.chunkOverlap,
      concurrency: raw.concurrency,
      passes: raw.passes,
      keepUngrounded: raw.keepUngrounded,
      force: raw.force,
      entityTypes: listOf(raw.entityTypes),
      relationTypes: listOf(raw.relationTypes),
      formats: listOf(raw.formats),
      temperature: Option.getOrUndefined(raw.temperature),
      baseIri: Option.getOrUndefined(raw.baseIri),
      context: Option.getOrUndefined(raw.context)
    }
    for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k]
    const client = yield* Effect.provide(ServerClient, clientLayer(raw.quiet))
    return yield* client.submit({
      server: raw.server,
      token: raw.token,
      json: raw.json,
      quiet: raw.quiet,
      files: raw.files,
      wait: raw.wait,
      options,
      encoding: raw.encoding,
      maxInputBytes
    })
  })

/** `extract watch`'s flags. */
export interface RawWatch {
  readonly id: string
  readonly server: string
  readonly token: Option.Option<Redacted.Redacted>
  readonly json: boolean
  readonly quiet: boolean
}

/** `extract watch <runId|batchId>`: returns the exit code. Fails with UsageError for a malformed id. */
export const runWatch = (raw: RawWatch) =>
  Effect.gen(function*() {
    if (!RUN_ID_PATTERN.test(raw.id) && !/^batch-[0-9a-f]{12}$/.test(raw.id)) {
      return yield* new UsageError({ message: `invalid id "${raw.id}": expected doc- or batch- and 12 hex digits` })
    }
    const client = yield* Effect.provide(ServerClient, clientLayer(raw.quiet))
    return yield* client.watch(raw.id, raw)
  })

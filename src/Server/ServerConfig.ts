/**
 * The settings of `extract serve`: where it listens, who may call it, what
 * it accepts, and the provider settings and defaults it extracts with (its
 * own flags and environment; a request can only set the extraction options
 * of {@link SubmitOptions}).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { DEFAULT_MAX_INPUT_BYTES } from "../DocumentReader.js"
import { UsageError } from "../Domain/Errors.js"
import { parseByteSize, type RawSettings } from "../Settings.js"

/** Port `extract serve` listens on by default. */
export const DEFAULT_PORT = 8787
/** Host `extract serve` binds by default: loopback only. */
export const DEFAULT_HOST = "127.0.0.1"
/** Seconds a SIGTERM'd server waits for its in-flight runs before interrupting them. */
export const DEFAULT_DRAIN_TIMEOUT_S = 10
/** Milliseconds between keep-alive comments on an idle event stream. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000
/** Milliseconds between looks at a run's journal while streaming its events. */
export const DEFAULT_POLL_MS = 150

/** Hosts that count as loopback: binding anything else needs a token. */
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"])

/** Validated settings of one `extract serve`. */
export interface ServeSettings {
  readonly host: string
  /** 0 picks a free port (tests). */
  readonly port: number
  readonly outputDir: string
  /** `--database`; undefined: the engine's default (`sqlite:<output-dir>/extract.db`). */
  readonly database: string | undefined
  /** Real path (symlinks resolved) of `--input-root`; null: path submissions are refused. */
  readonly inputRoot: string | null
  /** The Bearer token every request must carry; null only on a loopback bind without `--token`. */
  readonly token: Redacted.Redacted | null
  /** Largest request body (and path-submitted file), in bytes. */
  readonly maxInputBytes: number
  /** Milliseconds a SIGTERM waits for in-flight runs. */
  readonly drainTimeoutMs: number
  readonly keepAliveMs: number
  readonly pollMs: number
  /** The server's own extraction settings (provider, defaults); `files` is unused. */
  readonly settings: RawSettings
}

export class ServerConfig extends Context.Tag("ServerConfig")<ServerConfig, ServeSettings>() {
  static layer = (settings: ServeSettings) => Layer.succeed(ServerConfig, settings)
}

/** The flags of `extract serve`, as parsed (each already fell back to its env var). */
export interface RawServeSettings {
  readonly host: string
  readonly port: number
  readonly database: Option.Option<string>
  readonly inputRoot: Option.Option<string>
  readonly token: Option.Option<Redacted.Redacted>
  readonly drainTimeout: number
  readonly settings: RawSettings
}

/** True for the hosts that bind loopback only (127.0.0.1, ::1, localhost). */
export const isLoopbackHost = (host: string): boolean => LOOPBACK.has(host.toLowerCase())

/**
 * Validates `extract serve`'s flags: a port from 0 to 65535, a token on any
 * non-loopback host, an `--input-root` that is a directory (kept as its
 * real path), a valid `--max-input-bytes`. Fails with UsageError.
 */
export const resolveServeSettings = Effect.fn("ServerConfig.resolve")(function*(raw: RawServeSettings) {
  const usage = (message: string) => Effect.fail(new UsageError({ message }))
  if (!Number.isInteger(raw.port) || raw.port < 0 || raw.port > 65535) {
    return yield* usage(`--port must be an integer from 0 to 65535, got ${raw.port}`)
  }
  const token = Option.filter(raw.token, (t) => Redacted.value(t).trim() !== "")
  if (!isLoopbackHost(raw.host) && Option.isNone(token)) {
    return yield* usage(
      `--host ${raw.host} is not loopback: give --token (or EXTRACT_SERVER_TOKEN) so that only holders of the token can call the server`
    )
  }
  if (!Number.isFinite(raw.drainTimeout) || raw.drainTimeout < 0 || raw.drainTimeout > 3600) {
    return yield* usage(`--drain-timeout must be a number of seconds from 0 to 3600, got ${raw.drainTimeout}`)
  }
  let maxInputBytes = DEFAULT_MAX_INPUT_BYTES
  const max = raw.settings.maxInputBytes ?? Option.none()
  if (Option.isSome(max)) {
    const parsed = parseByteSize(max.value)
    if (parsed === undefined) {
      return yield* usage(
        `--max-input-bytes must be a positive size such as 1048576, 512K, 64M or 1G, got "${max.value}"`
      )
    }
    maxInputBytes = parsed
  }
  let inputRoot: string | null = null
  if (Option.isSome(raw.inputRoot)) {
    const fs = yield* FileSystem.FileSystem
    const dir = raw.inputRoot.value
    const real = yield* fs.realPath(dir).pipe(
      Effect.mapError(() => new UsageError({ message: `--input-root ${dir}: no such directory` }))
    )
    const info = yield* fs.stat(real).pipe(
      Effect.mapError(() => new UsageError({ message: `--input-root ${dir}: cannot read it` }))
    )
    if (info.type !== "Directory") return yield* usage(`--input-root ${dir}: not a directory`)
    inputRoot = real
  }
  return {
    host: raw.host,
    port: raw.port,
    outputDir: raw.settings.outputDir,
    database: Option.getOrUndefined(raw.database),
    inputRoot,
    token: Option.getOrNull(token),
    maxInputBytes,
    drainTimeoutMs: Math.round(raw.drainTimeout * 1000),
    keepAliveMs: DEFAULT_KEEP_ALIVE_MS,
    pollMs: DEFAULT_POLL_MS,
    settings: raw.settings
  } satisfies ServeSettings
})

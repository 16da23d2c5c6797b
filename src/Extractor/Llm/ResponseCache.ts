/**
 * The content-addressed cache of model answers under
 * `<output-dir>/cache/llm/`. An answer is stored under the SHA-256 of
 * everything that determines it — API, base URL host, model, prompt
 * version, answer schema, the conversation (system prompt, chunk text,
 * earlier passes) and generation settings — and never the API key. So a
 * re-run of an unchanged document, or of a run killed half way, asks the
 * model only for what it has not answered yet.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { sha256Hex } from "../../Digest.js"
import { writeFileAtomic } from "../../Store/AtomicFile.js"

/** Version of the entry format; entries of other versions are misses. */
export const CACHE_ENTRY_VERSION = 1

/** Everything an answer depends on. Hashed into the key; nothing secret belongs here. */
export interface CacheKeyParts {
  /** `responses` or `chat`, and how structured output is asked for. */
  readonly api: string
  readonly structuredOutput: string
  /** Host (and port) of the base URL, e.g. `api.openai.com`. */
  readonly host: string
  readonly model: string
  readonly promptVersion: number
  /** JSON Schema of the answer. */
  readonly schema: unknown
  /** The conversation sent (system prompt, chunk text, earlier passes). */
  readonly messages: unknown
  /** Generation settings sent with the request (e.g. temperature). */
  readonly settings: unknown
}

/** A stored answer. */
export class CacheEntry extends Schema.Class<CacheEntry>("CacheEntry")({
  version: Schema.Literal(CACHE_ENTRY_VERSION),
  /** The entry's own key (its file name). */
  key: Schema.String,
  /** ISO-8601 time the answer was stored. */
  createdAt: Schema.String,
  api: Schema.String,
  host: Schema.String,
  model: Schema.String,
  promptVersion: Schema.Int,
  /** The validated answer of the model (callers validate it again on read). */
  answer: Schema.Unknown,
  /** Tokens the answer cost when it was asked for, as reported (re-asks included). */
  usage: Schema.Struct({ inputTokens: Schema.Int, outputTokens: Schema.Int })
}) {}

const EntryJson = Schema.parseJson(CacheEntry)
const decodeEntry = Schema.decodeUnknownOption(EntryJson)
const encodeEntry = Schema.encodeSync(CacheEntry)

/** JSON with object keys sorted at every level, so equal values hash equally. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      )
      : v)

/**
 * The cache key of `parts`: lower-case hex SHA-256 of the canonical JSON of
 * everything but the conversation, a NUL, and the canonical JSON of the
 * conversation. `keyer` fixes the first part once per run.
 */
export const keyer = (fixed: Omit<CacheKeyParts, "messages">): (messages: unknown) => string => {
  const prefix = canonicalJson({ cacheVersion: CACHE_ENTRY_VERSION, ...fixed }) + "\u0000"
  return (messages) => sha256Hex(prefix + canonicalJson(messages))
}

/** The cache key of `parts` (see {@link keyer}). */
export const cacheKey = ({ messages, ...fixed }: CacheKeyParts): string => keyer(fixed)(messages)

export interface ResponseCacheShape {
  /** False with `--no-cache`: every lookup misses and nothing is stored. */
  readonly enabled: boolean
  /** The stored entry for `key`, if there is a readable one. Never fails: an unreadable entry is a miss. */
  readonly get: (key: string) => Effect.Effect<Option.Option<CacheEntry>>
  /**
   * Stores an entry atomically (temporary file, fsync, rename), so a reader
   * or a restarted run sees a whole entry or none, even after `kill -9`.
   * Never fails: a cache that cannot be written is logged and skipped.
   */
  readonly put: (entry: CacheEntry) => Effect.Effect<void>
}

export class ResponseCache extends Context.Tag("ResponseCache")<ResponseCache, ResponseCacheShape>() {
  /** The cache in directory `dir` (`<output-dir>/cache/llm`), or a disabled one for null. */
  static layer = (dir: string | null) => Layer.effect(ResponseCache, makeResponseCache(dir))
}

/** Runs `self` once, on first use, and replays its result (a memo that is safe under concurrency). */
const memoize = <A>(self: Effect.Effect<A>): Effect.Effect<A> => Effect.runSync(Effect.cached(self))

/** A cache over `dir`: entry `<key>` lives in `<dir>/<key[0..2]>/<key>.json`. */
export const makeResponseCache = (dir: string | null) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    if (dir === null) {
      return { enabled: false, get: () => Effect.succeedNone, put: () => Effect.void } satisfies ResponseCacheShape
    }
    const shardOf = (key: string) => path.join(dir, key.slice(0, 2))
    const fileOf = (key: string) => path.join(shardOf(key), `${key}.json`)
    /**
     * File names per shard directory, listed once per shard and process and
     * kept up to date by `put`: a miss then costs no file-system call (on a
     * run's first pass every lookup misses, and each call would queue behind
     * the fsyncs of the writes in libuv's small thread pool). An entry another
     * process writes meanwhile is seen by the next run.
     */
    const listings = new Map<string, Effect.Effect<Set<string>>>()
    const listing = (shard: string) => {
      let cached = listings.get(shard)
      if (cached === undefined) {
        cached = memoize(
          fs.readDirectory(shard).pipe(
            Effect.map((names) => new Set(names)),
            Effect.orElseSucceed(() => new Set<string>())
          )
        )
        listings.set(shard, cached)
      }
      return cached
    }
    const madeShards = new Set<string>()
    return {
      enabled: true,
      get: (key) =>
        Effect.flatMap(listing(shardOf(key)), (names) =>
          names.has(`${key}.json`)
            ? fs.readFileString(fileOf(key)).pipe(
              Effect.map((text) => Option.filter(decodeEntry(text), (e) => e.key === key)),
              Effect.orElseSucceed(() => Option.none<CacheEntry>())
            )
            : Effect.succeedNone),
      put: (entry) =>
        Effect.gen(function*() {
          const shard = shardOf(entry.key)
          if (!madeShards.has(shard)) {
            yield* fs.makeDirectory(shard, { recursive: true })
            madeShards.add(shard)
          }
          yield* writeFileAtomic(fileOf(entry.key), JSON.stringify(encodeEntry(entry)) + "\n")
          ;(yield* listing(shard)).add(`${entry.key}.json`)
        }).pipe(
          Effect.provideService(FileSystem.FileSystem, fs),
          Effect.provideService(Path.Path, path),
          Effect.catchAll((e) => Effect.logWarning(`cannot write the response cache: ${e.message}`))
        )
    } satisfies ResponseCacheShape
  })

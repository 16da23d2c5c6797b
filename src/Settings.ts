/**
 * The settings of an `extract` invocation, resolved from flags, environment
 * variables and defaults, validated, and split into what is recorded
 * ({@link RunConfig}, no secrets) and what is not (the API key).
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { unknownFlags } from "./Argv.js"
import { UsageError } from "./Domain/Errors.js"
import { DEFAULT_BASE_IRI, DEFAULT_FORMATS, parseFormats, validateBaseIri } from "./Domain/Output.js"
import { type ExtractorKind, RunConfig } from "./Domain/Run.js"

/** Model used by the llm extractor when neither `--model` nor `EXTRACT_MODEL` is set. */
export const DEFAULT_MODEL = "gpt-4o-mini"
/** Chunks extracted at once when `--concurrency` is not given. */
export const DEFAULT_CONCURRENCY = 4

/** Flags as parsed by the CLI (each already fell back to its env var where it has one). */
export interface RawSettings {
  readonly files: ReadonlyArray<string>
  readonly outputDir: string
  readonly extractor: "auto" | ExtractorKind
  readonly model: Option.Option<string>
  readonly baseUrl: Option.Option<string>
  readonly chunkSize: number
  readonly chunkOverlap: number
  readonly concurrency: number
  readonly force: boolean
  readonly json: boolean
  readonly quiet: boolean
  // --- outputs (issue 5) ---
  /** `--formats` / EXTRACT_FORMATS: comma-separated format names; none = the defaults. */
  readonly formats?: Option.Option<string>
  /** `--base-iri` / EXTRACT_BASE_IRI; none = DEFAULT_BASE_IRI. */
  readonly baseIri?: Option.Option<string>
}

/** Validated settings of one invocation. */
export interface ExtractSettings {
  readonly files: ReadonlyArray<string>
  readonly outputDir: string
  readonly config: RunConfig
  readonly force: boolean
  readonly json: boolean
  readonly quiet: boolean
  /** Secret; only handed to the HTTP client. */
  readonly apiKey: Option.Option<Redacted.Redacted>
  /** The base URL as given (may hold credentials); `config.baseUrl` is the redacted form. */
  readonly baseUrl: Option.Option<string>
  /** Notices for stderr, e.g. which extractor `auto` chose. */
  readonly notices: ReadonlyArray<string>
}

/** Removes user-info (`user:pass@`) from a URL so it can be recorded; leaves non-URLs as they are. */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url)
    if (u.username === "" && u.password === "") return url
    u.username = ""
    u.password = ""
    return u.toString()
  } catch {
    return url
  }
}

/**
 * Validates flags and resolves `--extractor auto` (llm when `OPENAI_API_KEY`
 * or a base URL is configured, nlp otherwise). Reads `OPENAI_API_KEY` from
 * the environment. Fails with UsageError for out-of-range values.
 */
export const resolveSettings = Effect.fn("Settings.resolve")(function*(raw: RawSettings, tokenizer: string) {
  const apiKey = yield* Config.option(Config.redacted("OPENAI_API_KEY")).pipe(
    Effect.map(Option.filter((k) => Redacted.value(k).trim() !== "")),
    Effect.orElseSucceed(() => Option.none<Redacted.Redacted>())
  )
  const usage = (message: string) => Effect.fail(new UsageError({ message }))
  const unknown = unknownFlags(raw.files)
  if (unknown.length > 0) return yield* usage(`unknown option ${unknown[0]} (see extract --help; a file whose name starts with - goes after --)`)
  if (raw.files.length === 0) return yield* usage("no input: give one or more files, or - for stdin (see extract --help)")
  if (!Number.isInteger(raw.chunkSize) || raw.chunkSize < 16 || raw.chunkSize > 1_000_000) {
    return yield* usage(`--chunk-size must be an integer from 16 to 1000000 tokens, got ${raw.chunkSize}`)
  }
  if (!Number.isInteger(raw.chunkOverlap) || raw.chunkOverlap < 0 || raw.chunkOverlap * 2 >= raw.chunkSize) {
    return yield* usage(`--chunk-overlap must be an integer from 0 to less than half of --chunk-size (${raw.chunkSize}), got ${raw.chunkOverlap}`)
  }
  if (!Number.isInteger(raw.concurrency) || raw.concurrency < 1 || raw.concurrency > 256) {
    return yield* usage(`--concurrency must be an integer from 1 to 256, got ${raw.concurrency}`)
  }
  if (Option.isSome(raw.baseUrl)) {
    try {
      const u = new URL(raw.baseUrl.value)
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error()
    } catch {
      return yield* usage(`--base-url must be an http(s) URL, got "${redactUrl(raw.baseUrl.value)}"`)
    }
  }
  // --- outputs (issue 5) ---
  const formats = Option.match(raw.formats ?? Option.none(), {
    onNone: () => Either.right(DEFAULT_FORMATS),
    onSome: parseFormats
  })
  if (Either.isLeft(formats)) return yield* usage(formats.left)
  const baseIri = Option.match(raw.baseIri ?? Option.none(), {
    onNone: () => Either.right(DEFAULT_BASE_IRI),
    onSome: validateBaseIri
  })
  if (Either.isLeft(baseIri)) return yield* usage(baseIri.left)

  const notices: Array<string> = []
  let extractor: ExtractorKind
  if (raw.extractor === "auto") {
    extractor = Option.isSome(apiKey) || Option.isSome(raw.baseUrl) ? "llm" : "nlp"
    notices.push(
      extractor === "llm"
        ? `extract: using the llm extractor (${Option.getOrElse(raw.model, () => DEFAULT_MODEL)}${Option.match(raw.baseUrl, { onNone: () => "", onSome: (u) => ` at ${redactUrl(u)}` })})`
        : "extract: no OPENAI_API_KEY or --base-url configured; using the embedded offline extractor (nlp)"
    )
  } else extractor = raw.extractor
  if (extractor === "llm" && Option.isNone(apiKey) && Option.isNone(raw.baseUrl)) {
    return yield* usage("--extractor llm needs OPENAI_API_KEY (or --base-url / OPENAI_BASE_URL for a local server)")
  }
  const config = new RunConfig({
    extractor,
    model: extractor === "llm" ? Option.getOrElse(raw.model, () => DEFAULT_MODEL) : null,
    baseUrl: extractor === "llm" ? Option.getOrNull(Option.map(raw.baseUrl, redactUrl)) : null,
    chunkSize: raw.chunkSize,
    chunkOverlap: raw.chunkOverlap,
    tokenizer,
    concurrency: raw.concurrency,
    formats: formats.right,
    baseIri: baseIri.right
  })
  return {
    files: raw.files,
    outputDir: raw.outputDir,
    config,
    force: raw.force,
    json: raw.json,
    quiet: raw.quiet,
    apiKey,
    baseUrl: raw.baseUrl,
    notices
  } satisfies ExtractSettings
})


/**
 * The settings of an `extract` invocation, resolved from flags, environment
 * variables and defaults, validated, and split into what is recorded
 * ({@link RunConfig}, no secrets) and what is not (the API key).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { unknownFlags } from "./Argv.js"
import { sha256Hex } from "./Digest.js"
import { DEFAULT_MAX_INPUT_BYTES, isKnownEncoding } from "./DocumentReader.js"
import { type DatabaseUrl, parseDatabaseUrl } from "./Domain/DatabaseUrl.js"
import { UsageError } from "./Domain/Errors.js"
import { Vocabulary } from "./Domain/Graph.js"
import { DEFAULT_BASE_IRI, DEFAULT_FORMATS, parseFormats, validateBaseIri } from "./Domain/Output.js"
import { type ExtractorKind, LlmRunConfig, RunConfig } from "./Domain/Run.js"
import { type Ontology, parseOntology } from "./Extractor/Llm/Ontology.js"
import { DEFAULT_LLM_ENTITY_TYPES, type Guidance, PROMPT_VERSION, type TypeSpec } from "./Extractor/Llm/Prompt.js"

/** Model used by the llm extractor when neither `--model` nor `EXTRACT_MODEL` is set. */
export const DEFAULT_MODEL = "gpt-4o-mini"
/** Chunks extracted at once when `--concurrency` is not given (kept in Defaults.ts). */
export { DEFAULT_CONCURRENCY } from "./Defaults.js"

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
  // --- run store and input (issue 6) ---
  /** `--no-wait`: fail at once when another process writes the same run. */
  readonly noWait?: boolean
  /** `--encoding`: `auto` or a WHATWG encoding label. */
  readonly encoding?: string
  /** `--max-input-bytes`: a byte count, optionally with K, M or G (binary units). */
  readonly maxInputBytes?: Option.Option<string>
  // --- llm extractor (issue 3) ---
  /** Settings of the llm extractor (absent: defaults). */
  readonly llm?: RawLlmSettings
  /** Print what a run would cost instead of running it. */
  readonly dryRun?: boolean
  // --- outputs (issue 5) ---
  /** `--formats` / EXTRACT_FORMATS: comma-separated format names; none = the defaults. */
  readonly formats?: Option.Option<string>
  /** `--base-iri` / EXTRACT_BASE_IRI; none = DEFAULT_BASE_IRI. */
  readonly baseIri?: Option.Option<string>
  // --- SQL mirror (issue 10) ---
  /** `--database` / EXTRACT_DATABASE_URL: `sqlite:PATH`, `postgres://…` or `none`; none = `<output-dir>/extract.db`. */
  readonly database?: Option.Option<string>
}

/** The llm extractor's flags (see README, "Using a model"). */
export interface RawLlmSettings {
  readonly api: "responses" | "chat"
  readonly structuredOutput: "json-schema" | "json-object" | "tool"
  /** Comma-separated entity types. */
  readonly entityTypes: Option.Option<string>
  /** Comma-separated predicates. */
  readonly relationTypes: Option.Option<string>
  /** Path of an RDF ontology (Turtle). */
  readonly ontology: Option.Option<string>
  readonly passes: number
  readonly keepUngrounded: boolean
  readonly temperature: Option.Option<number>
  readonly noCache: boolean
  /** Seconds. */
  readonly requestTimeout: number
  readonly maxRetries: number
  readonly maxReasks: number
  readonly rpm: Option.Option<number>
  readonly tpm: Option.Option<number>
  /** USD per million tokens. */
  readonly priceInput: Option.Option<number>
  readonly priceOutput: Option.Option<number>
}

/** Defaults of {@link RawLlmSettings}, as the CLI declares them. */
export const DEFAULT_RAW_LLM_SETTINGS: RawLlmSettings = {
  api: "responses",
  structuredOutput: "json-schema",
  entityTypes: Option.none(),
  relationTypes: Option.none(),
  ontology: Option.none(),
  passes: 1,
  keepUngrounded: false,
  temperature: Option.none(),
  noCache: false,
  requestTimeout: 120,
  maxRetries: 6,
  maxReasks: 2,
  rpm: Option.none(),
  tpm: Option.none(),
  priceInput: Option.none(),
  priceOutput: Option.none()
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
  // --- run store and input (issue 6) ---
  /** Wait for a run another process is writing (default), rather than fail with exit code 5. */
  readonly wait: boolean
  /** `auto` or a WHATWG encoding label (see DocumentReader). */
  readonly encoding: string
  /** Refuse inputs larger than this, in bytes. */
  readonly maxInputBytes: number
  // --- llm extractor (issue 3) ---
  /** Entity types and predicates offered to the llm extractor, with descriptions (null for nlp). */
  readonly guidance: Guidance | null
  /** Print what each run would cost instead of running it. */
  readonly dryRun: boolean
  // --- SQL mirror (issue 10) ---
  /** Where runs are mirrored (absent: `<output-dir>/extract.db`). */
  readonly database?: DatabaseUrl
}

/** Parses a byte count such as `1048576`, `512K`, `64M` or `1G` (binary units); undefined if malformed. */
export const parseByteSize = (text: string): number | undefined => {
  const m = /^\s*(\d+)\s*([kmg]?)i?b?\s*$/i.exec(text)
  if (!m) return undefined
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"]
  const n = Number(m[1]) * unit
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
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
  if (unknown.length > 0) {
    return yield* usage(
      `unknown option ${unknown[0]} (see extract --help; a file whose name starts with - goes after --)`
    )
  }
  if (raw.files.length === 0) {
    return yield* usage("no input: give one or more files, or - for stdin (see extract --help)")
  }
  if (!Number.isInteger(raw.chunkSize) || raw.chunkSize < 16 || raw.chunkSize > 1_000_000) {
    return yield* usage(`--chunk-size must be an integer from 16 to 1000000 tokens, got ${raw.chunkSize}`)
  }
  if (!Number.isInteger(raw.chunkOverlap) || raw.chunkOverlap < 0 || raw.chunkOverlap * 2 >= raw.chunkSize) {
    return yield* usage(
      `--chunk-overlap must be an integer from 0 to less than half of --chunk-size (${raw.chunkSize}), got ${raw.chunkOverlap}`
    )
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
  const encoding = raw.encoding ?? "auto"
  if (encoding !== "auto" && !isKnownEncoding(encoding)) {
    return yield* usage(
      `--encoding must be auto or an encoding label such as utf-8, utf-16le or windows-1252, got "${encoding}"`
    )
  }
  let maxInputBytes = DEFAULT_MAX_INPUT_BYTES
  if (raw.maxInputBytes && Option.isSome(raw.maxInputBytes)) {
    const parsed = parseByteSize(raw.maxInputBytes.value)
    if (parsed === undefined) {
      return yield* usage(
        `--max-input-bytes must be a positive size such as 1048576, 512K, 64M or 1G, got "${raw.maxInputBytes.value}"`
      )
    }
    maxInputBytes = parsed
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
        ? `extract: using the llm extractor (${Option.getOrElse(raw.model, () => DEFAULT_MODEL)}${
          Option.match(raw.baseUrl, { onNone: () => "", onSome: (u) => ` at ${redactUrl(u)}` })
        })`
        : "extract: no OPENAI_API_KEY or --base-url configured; using the embedded offline extractor (nlp)"
    )
  } else extractor = raw.extractor
  if (extractor === "llm" && Option.isNone(apiKey) && Option.isNone(raw.baseUrl)) {
    return yield* usage("--extractor llm needs OPENAI_API_KEY (or --base-url / OPENAI_BASE_URL for a local server)")
  }
  const llmRaw = raw.llm ?? DEFAULT_RAW_LLM_SETTINGS
  const llm = extractor === "llm" ? yield* resolveLlmSettings(llmRaw) : null
  if (extractor !== "llm") {
    const given = [
      Option.isSome(llmRaw.entityTypes) && "--entity-types",
      Option.isSome(llmRaw.relationTypes) && "--relation-types",
      Option.isSome(llmRaw.ontology) && "--ontology",
      llmRaw.passes !== 1 && "--passes"
    ].filter((f): f is string => typeof f === "string")
    if (given.length > 0) notices.push(`extract: ${given.join(", ")} only apply to the llm extractor; ignored`)
  }
  const config = new RunConfig({
    extractor,
    model: extractor === "llm" ? Option.getOrElse(raw.model, () => DEFAULT_MODEL) : null,
    baseUrl: extractor === "llm" ? Option.getOrNull(Option.map(raw.baseUrl, redactUrl)) : null,
    chunkSize: raw.chunkSize,
    chunkOverlap: raw.chunkOverlap,
    tokenizer,
    concurrency: raw.concurrency,
    llm: llm?.config ?? null,
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
    notices,
    wait: !(raw.noWait ?? false),
    encoding,
    maxInputBytes,
    guidance: llm?.guidance ?? null,
    dryRun: raw.dryRun ?? false,
    database: yield* parseDatabaseUrl(Option.getOrUndefined(raw.database ?? Option.none()), raw.outputDir)
  } satisfies ExtractSettings
})

/** A comma-separated list of names, trimmed, without blanks or repeats. */
const nameList = (
  value: string
): Array<string> => [...new Set(value.split(",").map((n) => n.trim()).filter((n) => n !== ""))]

/**
 * Validates the llm extractor's flags and resolves its entity types and
 * predicates: `--entity-types` / `--relation-types` when given, else the
 * ontology's classes / object properties (`--ontology`), else the default
 * types and free predicates. Fails with UsageError for out-of-range values
 * and unreadable or invalid ontologies.
 */
export const resolveLlmSettings = Effect.fn("Settings.resolveLlm")(function*(raw: RawLlmSettings) {
  const usage = (message: string) => Effect.fail(new UsageError({ message }))
  const positiveInt = (flag: string, value: Option.Option<number>, max: number) =>
    Option.isSome(value) && (!Number.isInteger(value.value) || value.value < 1 || value.value > max)
      ? usage(`${flag} must be an integer from 1 to ${max}, got ${value.value}`)
      : Effect.succeed(Option.getOrNull(value))
  if (!Number.isInteger(raw.passes) || raw.passes < 1 || raw.passes > 10) {
    return yield* usage(`--passes must be an integer from 1 to 10, got ${raw.passes}`)
  }
  if (!Number.isFinite(raw.requestTimeout) || raw.requestTimeout <= 0 || raw.requestTimeout > 3600) {
    return yield* usage(
      `--request-timeout must be a number of seconds above 0 and at most 3600, got ${raw.requestTimeout}`
    )
  }
  if (!Number.isInteger(raw.maxRetries) || raw.maxRetries < 0 || raw.maxRetries > 100) {
    return yield* usage(`--max-retries must be an integer from 0 to 100, got ${raw.maxRetries}`)
  }
  if (!Number.isInteger(raw.maxReasks) || raw.maxReasks < 0 || raw.maxReasks > 20) {
    return yield* usage(`--max-reasks must be an integer from 0 to 20, got ${raw.maxReasks}`)
  }
  const rpm = yield* positiveInt("--rpm", raw.rpm, 10_000_000)
  const tpm = yield* positiveInt("--tpm", raw.tpm, 1_000_000_000)
  for (const [flag, value] of [["--price-input", raw.priceInput], ["--price-output", raw.priceOutput]] as const) {
    if (Option.isSome(value) && (!Number.isFinite(value.value) || value.value < 0)) {
      return yield* usage(`${flag} must be a non-negative number (USD per million tokens), got ${value.value}`)
    }
  }
  if (
    Option.isSome(raw.temperature) &&
    (!Number.isFinite(raw.temperature.value) || raw.temperature.value < 0 || raw.temperature.value > 2)
  ) {
    return yield* usage(`--temperature must be a number from 0 to 2, got ${raw.temperature.value}`)
  }
  if (raw.api === "responses" && raw.structuredOutput !== "json-schema") {
    return yield* usage(
      `--structured-output ${raw.structuredOutput} needs --api chat (the Responses API is used with json-schema)`
    )
  }

  let ontologyTypes: Ontology | null = null
  let ontology: { path: string; sha256: string } | null = null
  if (Option.isSome(raw.ontology)) {
    const file = raw.ontology.value
    const fs = yield* FileSystem.FileSystem
    const bytes = yield* fs.readFile(file).pipe(
      Effect.mapError((e) =>
        new UsageError({
          message: `--ontology ${file}: cannot read it (${e._tag === "SystemError" ? e.reason : e.message})`
        })
      )
    )
    const parsed = yield* Effect.try({
      try: () => parseOntology(new TextDecoder().decode(bytes)),
      catch: (e) =>
        new UsageError({
          message: `--ontology ${file}: not valid Turtle: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`
        })
    })
    if (parsed.classes.length === 0 && Option.isNone(raw.entityTypes)) {
      return yield* usage(`--ontology ${file}: no named classes (rdfs:Class or owl:Class) to use as entity types`)
    }
    ontologyTypes = parsed
    ontology = { path: file, sha256: sha256Hex(bytes) }
  }

  const listed = (flag: string, value: Option.Option<string>) =>
    Option.match(value, {
      onNone: () => Effect.succeed(null),
      onSome: (v) => {
        const names = nameList(v)
        if (names.length === 0) {
          return usage(
            `${flag} needs at least one name, e.g. ${
              flag === "--entity-types" ? "Person,Organization" : "worksFor,founded"
            }`
          )
        }
        if (names.length > 200) return usage(`${flag} takes at most 200 names, got ${names.length}`)
        return Effect.succeed(names)
      }
    })
  const entityNames = yield* listed("--entity-types", raw.entityTypes)
  const relationNames = yield* listed("--relation-types", raw.relationTypes)
  const described = (names: ReadonlyArray<string>, known: ReadonlyArray<TypeSpec>): Array<TypeSpec> =>
    names.map((name) => known.find((t) => t.name === name) ?? { name, description: null })
  const entityTypes: ReadonlyArray<TypeSpec> = entityNames !== null
    ? described(entityNames, [...(ontologyTypes?.classes ?? []), ...DEFAULT_LLM_ENTITY_TYPES])
    : ontologyTypes !== null
    ? ontologyTypes.classes
    : DEFAULT_LLM_ENTITY_TYPES
  const relationTypes: ReadonlyArray<TypeSpec> | null = relationNames !== null
    ? described(relationNames, ontologyTypes?.properties ?? [])
    : ontologyTypes !== null && ontologyTypes.properties.length > 0
    ? ontologyTypes.properties
    : null
  const guidance: Guidance = { entityTypes, relationTypes }
  // The offered names that are ontology terms keep their IRIs in the RDF outputs.
  const iris = (
    terms: ReadonlyArray<{ readonly name: string; readonly iri: string }>,
    names: ReadonlyArray<TypeSpec>
  ) =>
    Object.fromEntries(names.flatMap((t) => {
      const term = terms.find((o) => o.name === t.name)
      return term ? [[t.name, term.iri] as const] : []
    }))
  const vocabulary = ontologyTypes === null ? null : new Vocabulary({
    types: iris(ontologyTypes.classes, entityTypes),
    predicates: iris(ontologyTypes.properties, relationTypes ?? [])
  })
  const config = new LlmRunConfig({
    api: raw.api,
    structuredOutput: raw.structuredOutput,
    promptVersion: PROMPT_VERSION,
    entityTypes: entityTypes.map((t) => t.name),
    relationTypes: relationTypes === null ? null : relationTypes.map((t) => t.name),
    ontology,
    vocabulary,
    passes: raw.passes,
    keepUngrounded: raw.keepUngrounded,
    temperature: Option.getOrNull(raw.temperature),
    cache: !raw.noCache,
    requestTimeoutMs: Math.round(raw.requestTimeout * 1000),
    maxRetries: raw.maxRetries,
    maxReasks: raw.maxReasks,
    rpm,
    tpm,
    priceInput: Option.getOrNull(raw.priceInput),
    priceOutput: Option.getOrNull(raw.priceOutput)
  })
  return { config, guidance }
})

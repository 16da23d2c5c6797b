/**
 * Declares the command line: `extract <file...>`, `extract runs
 * list|show|timeline|errors|verify`, `extract db migrate|sync|verify|query`
 * and `extract search`. Handlers only parse and delegate: extraction to
 * {@link BatchRunner}, run inspection to {@link RunsReport}, the SQL mirror
 * to {@link DbCommands}.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { createRequire } from "node:module"
import { type ArgvSpec, normalizeArgv } from "./Argv.js"
import { BatchRunner } from "./BatchRunner.js"
import { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE } from "./Chunker.js"
import { ExitStatus } from "./ExitStatus.js"
import { type RunSource, RunsReport } from "./RunsReport.js"
import { DEFAULT_CONCURRENCY, resolveSettings } from "./Settings.js"
import { DbCommands, type DbTarget } from "./Sql/DbCommands.js"
import { ExtractionRunService, RunStoreConfig } from "./Store/ExtractionRunService.js"
import { RunVerifier } from "./Store/RunVerifier.js"
import { Tokenizer } from "./Tokenizer.js"

/** The package version, for `--version`. */
export const VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version

const outputDirOption = Options.text("output-dir").pipe(
  Options.withAlias("o"),
  Options.withDescription("Directory that holds runs/ (env EXTRACT_OUTPUT_DIR; default ./output)"),
  Options.withFallbackConfig(Config.string("EXTRACT_OUTPUT_DIR")),
  Options.withDefault("./output")
)

const files = Args.text({ name: "file" }).pipe(
  Args.withDescription("Plain-text documents to extract from; - reads stdin"),
  Args.repeated
)

const extractor = Options.choice("extractor", ["auto", "llm", "nlp"]).pipe(
  Options.withDescription("auto: llm when OPENAI_API_KEY or a base URL is set, otherwise the embedded nlp extractor"),
  Options.withFallbackConfig(Config.literal("auto", "llm", "nlp")("EXTRACT_EXTRACTOR")),
  Options.withDefault("auto" as const)
)
const model = Options.text("model").pipe(
  Options.withDescription("Model for the llm extractor (env EXTRACT_MODEL; default gpt-4o-mini)"),
  Options.withFallbackConfig(Config.string("EXTRACT_MODEL")),
  Options.optional
)
const baseUrl = Options.text("base-url").pipe(
  Options.withDescription(
    "OpenAI-compatible API base URL, e.g. http://localhost:11434/v1 for Ollama (env OPENAI_BASE_URL)"
  ),
  Options.withFallbackConfig(Config.string("OPENAI_BASE_URL")),
  Options.optional
)
const chunkSize = Options.integer("chunk-size").pipe(
  Options.withDescription(`Most tokens per chunk (env EXTRACT_CHUNK_SIZE; default ${DEFAULT_CHUNK_SIZE})`),
  Options.withFallbackConfig(Config.integer("EXTRACT_CHUNK_SIZE")),
  Options.withDefault(DEFAULT_CHUNK_SIZE)
)
const chunkOverlap = Options.integer("chunk-overlap").pipe(
  Options.withDescription(
    `Tokens repeated between consecutive chunks (env EXTRACT_CHUNK_OVERLAP; default ${DEFAULT_CHUNK_OVERLAP})`
  ),
  Options.withFallbackConfig(Config.integer("EXTRACT_CHUNK_OVERLAP")),
  Options.withDefault(DEFAULT_CHUNK_OVERLAP)
)
const concurrency = Options.integer("concurrency").pipe(
  Options.withDescription(`Chunks extracted at once (env EXTRACT_CONCURRENCY; default ${DEFAULT_CONCURRENCY})`),
  Options.withFallbackConfig(Config.integer("EXTRACT_CONCURRENCY")),
  Options.withDefault(DEFAULT_CONCURRENCY)
)
// --- llm extractor: wire API, schema guidance, failure handling, throttling, cache, accounting (README, "Using a model")
const llmOptions = {
  api: Options.choice("api", ["responses", "chat"]).pipe(
    Options.withDescription(
      "Wire API: responses (/v1/responses) or chat (/v1/chat/completions) (env EXTRACT_API; default responses)"
    ),
    Options.withFallbackConfig(Config.literal("responses", "chat")("EXTRACT_API")),
    Options.withDefault("responses" as const)
  ),
  structuredOutput: Options.choice("structured-output", ["json-schema", "json-object", "tool"]).pipe(
    Options.withDescription(
      "How to ask for JSON: json-schema, or with --api chat json-object or tool (env EXTRACT_STRUCTURED_OUTPUT)"
    ),
    Options.withFallbackConfig(Config.literal("json-schema", "json-object", "tool")("EXTRACT_STRUCTURED_OUTPUT")),
    Options.withDefault("json-schema" as const)
  ),
  entityTypes: Options.text("entity-types").pipe(
    Options.withDescription(
      "Comma-separated entity types the model must use, e.g. Person,Organization (env EXTRACT_ENTITY_TYPES)"
    ),
    Options.withFallbackConfig(Config.string("EXTRACT_ENTITY_TYPES")),
    Options.optional
  ),
  relationTypes: Options.text("relation-types").pipe(
    Options.withDescription(
      "Comma-separated predicates the model must use, e.g. worksFor,founded (env EXTRACT_RELATION_TYPES)"
    ),
    Options.withFallbackConfig(Config.string("EXTRACT_RELATION_TYPES")),
    Options.optional
  ),
  ontology: Options.text("ontology").pipe(
    Options.withDescription(
      "RDF ontology (Turtle) whose classes and object properties are the types and predicates (env EXTRACT_ONTOLOGY)"
    ),
    Options.withFallbackConfig(Config.string("EXTRACT_ONTOLOGY")),
    Options.optional
  ),
  passes: Options.integer("passes").pipe(
    Options.withDescription(
      "Extraction passes per chunk; above 1 re-asks for missed facts (gleaning) (env EXTRACT_PASSES; default 1)"
    ),
    Options.withFallbackConfig(Config.integer("EXTRACT_PASSES")),
    Options.withDefault(1)
  ),
  keepUngrounded: Options.boolean("keep-ungrounded").pipe(
    Options.withDescription("Keep facts not found in the text, flagged grounding: ungrounded")
  ),
  temperature: Options.float("temperature").pipe(
    Options.withDescription(
      "Sampling temperature sent to the model (env EXTRACT_TEMPERATURE; default: the provider's)"
    ),
    Options.withFallbackConfig(Config.number("EXTRACT_TEMPERATURE")),
    Options.optional
  ),
  noCache: Options.boolean("no-cache").pipe(
    Options.withDescription("Neither read nor write the response cache in <output-dir>/cache/")
  ),
  requestTimeout: Options.float("request-timeout").pipe(
    Options.withDescription("Seconds allowed for one model request (env EXTRACT_REQUEST_TIMEOUT; default 120)"),
    Options.withFallbackConfig(Config.number("EXTRACT_REQUEST_TIMEOUT")),
    Options.withDefault(120)
  ),
  maxRetries: Options.integer("max-retries").pipe(
    Options.withDescription(
      "Retries of a request after HTTP 408/429/5xx, resets and timeouts (env EXTRACT_MAX_RETRIES; default 6)"
    ),
    Options.withFallbackConfig(Config.integer("EXTRACT_MAX_RETRIES")),
    Options.withDefault(6)
  ),
  maxReasks: Options.integer("max-reasks").pipe(
    Options.withDescription(
      "Re-asks after invalid model output before the chunk fails (env EXTRACT_MAX_REASKS; default 2)"
    ),
    Options.withFallbackConfig(Config.integer("EXTRACT_MAX_REASKS")),
    Options.withDefault(2)
  ),
  rpm: Options.integer("rpm").pipe(
    Options.withDescription("Most model requests per minute (env EXTRACT_RPM; default unlimited)"),
    Options.withFallbackConfig(Config.integer("EXTRACT_RPM")),
    Options.optional
  ),
  tpm: Options.integer("tpm").pipe(
    Options.withDescription(
      "Most tokens per minute, estimated with the tokenizer (env EXTRACT_TPM; default unlimited)"
    ),
    Options.withFallbackConfig(Config.integer("EXTRACT_TPM")),
    Options.optional
  ),
  priceInput: Options.float("price-input").pipe(
    Options.withDescription("USD per million input tokens, for stats.llm.costUsd (env EXTRACT_PRICE_INPUT)"),
    Options.withFallbackConfig(Config.number("EXTRACT_PRICE_INPUT")),
    Options.optional
  ),
  priceOutput: Options.float("price-output").pipe(
    Options.withDescription("USD per million output tokens, for stats.llm.costUsd (env EXTRACT_PRICE_OUTPUT)"),
    Options.withFallbackConfig(Config.number("EXTRACT_PRICE_OUTPUT")),
    Options.optional
  )
}
const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("Print chunk count, estimated input tokens and model calls per input; run nothing")
)
// --- end llm extractor
// --- outputs (issue 5) ---
const formats = Options.text("formats").pipe(
  Options.withDescription(
    "Output formats, comma-separated: json, resolution, mermaid, turtle, jsonld, graphml, neo4j, jsonl; default, all (env EXTRACT_FORMATS; default: json,resolution,mermaid,turtle)"
  ),
  Options.withFallbackConfig(Config.string("EXTRACT_FORMATS")),
  Options.optional
)
const baseIri = Options.text("base-iri").pipe(
  Options.withDescription("Base IRI of minted RDF IRIs (env EXTRACT_BASE_IRI; default http://example.org/extract/)"),
  Options.withFallbackConfig(Config.string("EXTRACT_BASE_IRI")),
  Options.optional
)

// --- SQL mirror (issue 10) ---
const database = Options.text("database").pipe(
  Options.withDescription(
    "Mirror runs into sqlite:PATH, postgres://USER@HOST:PORT/DB, or none (env EXTRACT_DATABASE_URL; default sqlite:<output-dir>/extract.db)"
  ),
  Options.withFallbackConfig(Config.string("EXTRACT_DATABASE_URL")),
  Options.optional
)

const force = Options.boolean("force").pipe(
  Options.withDescription("Re-run even if a completed run with the same config exists")
)
const json = Options.boolean("json").pipe(Options.withDescription("Print one JSON object per line on stdout"))
const quiet = Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("No progress on stderr"))

// --- run store and input options (issue 6) ---
const noWait = Options.boolean("no-wait", { negationNames: ["wait"] }).pipe(
  Options.withDescription(
    "If another extract is writing the same run, fail at once (exit 5) instead of waiting for it (--wait, the default)"
  )
)
const encoding = Options.text("encoding").pipe(
  Options.withDescription(
    "auto (default: UTF-8, or UTF-16/UTF-8 by byte-order mark; invalid UTF-8 is refused), or an encoding label such as utf-8, windows-1252, utf-16le: invalid bytes become U+FFFD (env EXTRACT_ENCODING)"
  ),
  Options.withFallbackConfig(Config.string("EXTRACT_ENCODING")),
  Options.withDefault("auto")
)
const maxInputBytes = Options.text("max-input-bytes").pipe(
  Options.withDescription("Refuse inputs larger than this, e.g. 64M (env EXTRACT_MAX_INPUT_BYTES; default 32M)"),
  Options.withFallbackConfig(Config.string("EXTRACT_MAX_INPUT_BYTES")),
  Options.optional
)

const extractCommand = Command.make(
  "extract",
  {
    files,
    outputDir: outputDirOption,
    extractor,
    model,
    baseUrl,
    chunkSize,
    chunkOverlap,
    concurrency,
    force,
    json,
    quiet,
    noWait,
    encoding,
    maxInputBytes,
    llm: llmOptions,
    dryRun,
    formats,
    baseIri,
    database
  },
  (raw) =>
    Effect.gen(function*() {
      const tokenizer = yield* Tokenizer
      const settings = yield* resolveSettings(raw, tokenizer.encoding)
      const runner = yield* BatchRunner
      const exitStatus = yield* ExitStatus
      yield* exitStatus.set(yield* runner.run(settings))
    })
).pipe(
  Command.withDescription(
    "Turn plain-text documents into knowledge graphs; each run is kept under <output-dir>/runs/<runId>/"
  )
)

const runsOutputDir = Options.text("output-dir").pipe(
  Options.withAlias("o"),
  Options.withDescription("Directory that holds runs/ (env EXTRACT_OUTPUT_DIR; default ./output)"),
  Options.optional
)
const runId = Args.text({ name: "runId" }).pipe(Args.withDescription("A run id, doc- and 12 hex digits"))

/** Runs `f` with the RunsReport of the output directory given here or on `extract`. */
const withReport = <A, E, R>(
  own: Option.Option<string>,
  f: (report: RunsReport) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const parent = yield* extractCommand
    const dir = Option.getOrElse(own, () => parent.outputDir)
    return yield* Effect.flatMap(RunsReport, f).pipe(
      Effect.provide(RunsReport.Default.pipe(
        Layer.provide(ExtractionRunService.Default),
        Layer.provide(RunStoreConfig.layer(dir))
      ))
    )
  })

// --- read cutover (issue 10): runs list|show --from db read the SQL mirror
const from = Options.choice("from", ["fs", "db"]).pipe(
  Options.withDescription("Read runs from the run store on disk (fs, default) or the database mirror (db)"),
  Options.withDefault("fs" as const)
)
const dbDatabase = Options.text("database").pipe(
  Options.withDescription(
    "sqlite:PATH or postgres://… (env EXTRACT_DATABASE_URL; default sqlite:<output-dir>/extract.db)"
  ),
  Options.optional
)
/** Runs a db command with its output directory and database, given here or on `extract` (or by env). */
const withDb = <A, E, R>(
  own: { readonly outputDir: Option.Option<string>; readonly database: Option.Option<string> },
  f: (target: DbTarget, commands: DbCommands) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const parent = yield* extractCommand
    const target: DbTarget = {
      outputDir: Option.getOrElse(own.outputDir, () => parent.outputDir),
      database: Option.getOrUndefined(Option.orElse(own.database, () => parent.database))
    }
    return yield* Effect.flatMap(DbCommands, (c) => f(target, c)).pipe(Effect.provide(DbCommands.Default))
  })
const fromSource = <A, E, R>(
  o: {
    readonly outputDir: Option.Option<string>
    readonly database: Option.Option<string>
    readonly from: "fs" | "db"
  },
  f: (report: RunsReport, source?: RunSource) => Effect.Effect<A, E, R>
) =>
  o.from === "fs"
    ? withReport(o.outputDir, (r) => f(r))
    : withReport(o.outputDir, (r) => withDb(o, (target, c) => c.withRunSource(target, (source) => f(r, source))))

const listCommand = Command.make(
  "list",
  { outputDir: runsOutputDir, json, from, database: dbDatabase },
  (o) => fromSource(o, (r, source) => r.list(o.json, source))
).pipe(Command.withDescription("List runs, oldest first"))
const showCommand = Command.make(
  "show",
  { outputDir: runsOutputDir, json, runId, from, database: dbDatabase },
  (o) => fromSource(o, (r, source) => r.show(o.runId, o.json, source))
).pipe(Command.withDescription("Show one run (--json: its metadata.json)"))
const timelineCommand = Command.make(
  "timeline",
  { outputDir: runsOutputDir, json, runId },
  (o) => withReport(o.outputDir, (r) => r.timeline(o.runId, o.json))
).pipe(Command.withDescription("A run's events in order"))
const errorsCommand = Command.make(
  "errors",
  { outputDir: runsOutputDir, json, runId },
  (o) => withReport(o.outputDir, (r) => r.errors(o.runId, o.json))
).pipe(Command.withDescription("A run's recorded errors"))

// --- runs verify (issue 6) ---
const repair = Options.boolean("repair").pipe(
  Options.withDescription(
    "Rebuild a damaged metadata.json from the journal and re-render missing or corrupt outputs from extractions/"
  )
)
const optionalRunId = Args.text({ name: "runId" }).pipe(
  Args.withDescription("A run id (default: every run)"),
  Args.optional
)
const verifyCommand = Command.make(
  "verify",
  { outputDir: runsOutputDir, json, repair, runId: optionalRunId },
  (o) =>
    Effect.gen(function*() {
      const parent = yield* extractCommand
      const dir = Option.getOrElse(o.outputDir, () => parent.outputDir)
      const code = yield* Effect.flatMap(RunVerifier, (v) => v.run(o.runId, o.repair, o.json)).pipe(
        Effect.provide(RunVerifier.Default.pipe(
          Layer.provideMerge(ExtractionRunService.Default),
          Layer.provide(RunStoreConfig.layer(dir))
        ))
      )
      yield* (yield* ExitStatus).set(code)
    })
).pipe(
  Command.withDescription("Check every output's size and SHA-256 against metadata.json; --repair fixes what it can")
)

const runsCommand = Command.make("runs").pipe(
  Command.withDescription("Inspect runs in the output directory"),
  Command.withSubcommands([listCommand, showCommand, timelineCommand, errorsCommand, verifyCommand])
)

// --- SQL mirror (issue 10): extract db migrate|sync|verify|query, extract search
const dbOptions = { outputDir: runsOutputDir, database: dbDatabase }
const migrateCommand = Command.make(
  "migrate",
  dbOptions,
  (o) => withDb(o, (target, c) => c.migrate(target))
).pipe(Command.withDescription("Create or upgrade the database schema (first use does it too)"))
const rebuild = Options.boolean("rebuild").pipe(
  Options.withDescription("Delete the database (even a corrupt SQLite file) and recreate it from the runs")
)
const syncRunIds = Args.text({ name: "runId" }).pipe(
  Args.withDescription("Runs to mirror (default: every run that differs from the database)"),
  Args.repeated
)
const syncCommand = Command.make(
  "sync",
  { ...dbOptions, rebuild, quiet, runIds: syncRunIds },
  (o) => withDb(o, (target, c) => c.sync(target, o.runIds, o.rebuild, o.quiet))
).pipe(Command.withDescription("Mirror existing runs into the database (backfill); idempotent"))
const dbVerifyCommand = Command.make(
  "verify",
  { ...dbOptions, json },
  (o) =>
    withDb(o, (target, c) => c.verify(target, o.json)).pipe(
      Effect.flatMap((code) => Effect.flatMap(ExitStatus, (s) => s.set(code)))
    )
).pipe(
  Command.withDescription(
    "Compare every run's counts and output checksums between disk and database; exit 1 on any difference"
  )
)
const statement = Args.text({ name: "sql" }).pipe(Args.withDescription("One read-only SQL statement"))
const queryCommand = Command.make(
  "query",
  { ...dbOptions, json, statement },
  (o) => withDb(o, (target, c) => c.query(target, o.statement, o.json))
).pipe(Command.withDescription("Run read-only SQL over the mirror; a table, or --json one object per row"))
const dbCommand = Command.make("db").pipe(
  Command.withDescription("The SQL mirror of the run store (docs/database.md)"),
  Command.withSubcommands([migrateCommand, syncCommand, dbVerifyCommand, queryCommand])
)
const searchText = Args.text({ name: "text" }).pipe(Args.withDescription("A name or the start of one"))
const entityType = Options.text("type").pipe(
  Options.withDescription("Only entities of this type, e.g. Person"),
  Options.optional
)
const searchCommand = Command.make(
  "search",
  { ...dbOptions, json, type: entityType, text: searchText },
  (o) => withDb(o, (target, c) => c.search(target, o.text, Option.getOrUndefined(o.type), o.json))
).pipe(Command.withDescription("Find entities across all runs by label or alias, ignoring case and diacritics"))

/** The whole command line. */
export const command = extractCommand.pipe(Command.withSubcommands([runsCommand, dbCommand, searchCommand]))

/** What {@link normalizeArgv} needs to know about the options and subcommands declared above. */
export const ARGV_SPEC: ArgvSpec = {
  valueOptions: new Set([
    "-o",
    "--output-dir",
    "--extractor",
    "--model",
    "--base-url",
    "--chunk-size",
    "--chunk-overlap",
    "--concurrency",
    "--log-level",
    "--completions",
    // run store and input
    "--encoding",
    "--max-input-bytes",
    // llm extractor
    "--api",
    "--structured-output",
    "--entity-types",
    "--relation-types",
    "--ontology",
    "--passes",
    "--temperature",
    "--request-timeout",
    "--max-retries",
    "--max-reasks",
    "--rpm",
    "--tpm",
    "--price-input",
    "--price-output",
    // outputs
    "--formats",
    "--base-iri",
    // SQL mirror
    "--database",
    "--from",
    "--type"
  ]),
  subcommands: new Map([
    ["runs", new Set(["list", "show", "timeline", "errors", "verify"])],
    ["db", new Set(["migrate", "sync", "verify", "query"])],
    ["search", new Set<string>()]
  ])
}

const run = Command.run(command, { name: "extract", version: VERSION })

/** Parses `argv` (as `process.argv`, options anywhere) and runs the chosen command. */
export const cli = (argv: ReadonlyArray<string>) => run(normalizeArgv(argv, ARGV_SPEC))

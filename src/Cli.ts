/**
 * Declares the command line: `extract <file...>`, `extract runs
 * list|show|timeline|errors|verify`, `extract db migrate|sync|verify|query`,
 * `extract search`, `extract graph …`, `extract view`, `extract eval`,
 * `extract serve|submit|watch|worker` and `extract completions`. Handlers
 * only parse and delegate: extraction to {@link BatchRunner}, run inspection
 * to {@link RunsReport}, the SQL mirror to `DbCommands`, the context graphs
 * to `GraphCommands`, the viewer to `RunViewer`, evaluation to `EvalRunner`,
 * serving to `src/Server/` and `src/Workflow/`.
 *
 * Start-up (issue 14): this module is loaded by every invocation, including
 * `--version` and `--help`, so it imports only @effect/cli, effect and
 * modules without heavy dependencies. A handler loads the services it runs
 * when it runs: `const { X } = yield* Effect.promise(() => import("./X.js"))`
 * (a type-only `import type` is free). The bundle turns each such import into
 * a chunk of its own; `npm run bench:startup` and test/Bundle.test.ts check it.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import pkg from "../package.json" with { type: "json" }
import { type ArgvSpec, normalizeArgv } from "./Argv.js"
import { runCommandLine } from "./CommandLine.js"
import {
  DEFAULT_CHUNK_OVERLAP,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_OUTPUT_DIR,
  OUTPUT_DIR_ENV
} from "./Defaults.js"
import { contextProblem, DEFAULT_CONTEXT } from "./Domain/ContextGraph.js"
import { UsageError } from "./Domain/Errors.js"
import { ExitStatus } from "./ExitStatus.js"
import type { GraphCommands } from "./Graph/GraphCommands.js"
import type { RunSource, RunsReport } from "./RunsReport.js"
import type { DbCommands, DbTarget } from "./Sql/DbCommands.js"

/** The package version, for `--version` (inlined by the bundler). */
export const VERSION: string = pkg.version

const outputDirOption = Options.text("output-dir").pipe(
  Options.withAlias("o"),
  Options.withDescription("Directory that holds runs/ (env EXTRACT_OUTPUT_DIR; default ./output)"),
  Options.withFallbackConfig(Config.string(OUTPUT_DIR_ENV)),
  Options.withDefault(DEFAULT_OUTPUT_DIR)
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
    "Output formats, comma-separated: json, resolution, mermaid, turtle, html, jsonld, graphml, neo4j, jsonl; default, all (env EXTRACT_FORMATS; default: json,resolution,mermaid,turtle,html)"
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

// --- context graphs (issue 12) ---
const contextOption = Options.text("context").pipe(
  Options.withDescription(
    "Add each completed run to this context graph, <output-dir>/graphs/<context>/ (env EXTRACT_CONTEXT; see extract graph)"
  ),
  Options.withFallbackConfig(Config.string("EXTRACT_CONTEXT")),
  Options.optional
)
/** Checks a context name; UsageError (exit 2) when it is invalid. */
const checkContext = (name: string) =>
  Effect.suspend(() => {
    const problem = contextProblem(name)
    return problem === null ? Effect.succeed(name) : Effect.fail(new UsageError({ message: problem }))
  })

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
    context: contextOption,
    database
  },
  (raw) =>
    Effect.gen(function*() {
      const { BatchRunner } = yield* Effect.promise(() => import("./BatchRunner.js"))
      const { resolveSettings } = yield* Effect.promise(() => import("./Settings.js"))
      const { Tokenizer } = yield* Effect.promise(() => import("./Tokenizer.js"))
      const context = Option.isSome(raw.context) ? yield* checkContext(raw.context.value) : undefined
      const code = yield* Effect.gen(function*() {
        const tokenizer = yield* Tokenizer
        const settings = yield* resolveSettings(raw, tokenizer.encoding)
        return yield* (yield* BatchRunner).run(settings, context === undefined ? undefined : { context })
      }).pipe(Effect.provide(Layer.merge(BatchRunner.Default, Tokenizer.Default)))
      yield* (yield* ExitStatus).set(code)
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
    const { RunsReport } = yield* Effect.promise(() => import("./RunsReport.js"))
    const { ExtractionRunService, RunStoreConfig } = yield* Effect.promise(() =>
      import("./Store/ExtractionRunService.js")
    )
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
    const { DbCommands } = yield* Effect.promise(() => import("./Sql/DbCommands.js"))
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
      const { RunVerifier } = yield* Effect.promise(() => import("./Store/RunVerifier.js"))
      const { ExtractionRunService, RunStoreConfig } = yield* Effect.promise(() =>
        import("./Store/ExtractionRunService.js")
      )
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

// --- durable workflows (issue 11) ---
const workerCommand = Command.make(
  "worker",
  {
    outputDir: outputDirOption,
    database,
    host: Options.text("host").pipe(
      Options.withDescription("Address other runners reach this one at, with Postgres (default 127.0.0.1)"),
      Options.withDefault("127.0.0.1")
    ),
    port: Options.integer("port").pipe(
      Options.withDescription("Runner port, with Postgres (default 0: a free port)"),
      Options.withDefault(0)
    ),
    extractor,
    model,
    baseUrl,
    chunkSize,
    chunkOverlap,
    concurrency,
    llm: llmOptions,
    formats,
    baseIri
  },
  (o) =>
    Effect.flatMap(Effect.promise(() => import("./Workflow/Worker.js")), (m) =>
      m.runWorker({
        outputDir: o.outputDir,
        database: Option.getOrUndefined(o.database),
        host: o.host,
        port: o.port,
        settings: { ...o, files: [], force: false, json: false, quiet: true }
      }))
).pipe(
  Command.withDescription(
    "Run extraction workflows from the database until stopped: SQLite (one runner) or Postgres (several); SIGTERM drains"
  )
)

const runsCommand = Command.make("runs").pipe(
  Command.withDescription("Inspect runs in the output directory"),
  Command.withSubcommands([listCommand, showCommand, timelineCommand, errorsCommand, verifyCommand])
)

// --- extract eval ner|relations (issue 15); logic in src/Eval/EvalRunner.ts, imported on demand ---
const evalOptions = {
  outputDir: outputDirOption,
  extractor,
  model,
  baseUrl,
  chunkSize,
  chunkOverlap,
  concurrency,
  json: Options.boolean("json").pipe(Options.withDescription("Print one JSON object on stdout instead of a table")),
  quiet,
  llm: llmOptions,
  limit: Options.integer("limit").pipe(
    Options.withDescription("Score only the first N sentences (CoNLL04) or documents (LitBank)"),
    Options.optional
  ),
  errors: Options.text("errors").pipe(
    Options.withDescription("Write every false positive and false negative, with its sentence, to FILE (JSON lines)"),
    Options.optional
  )
}
const evalCommandOf = (task: "ner" | "relations", gold: Args.Args<string>, description: string) =>
  Command.make(task, { ...evalOptions, gold }, ({ errors, gold, limit, ...o }) =>
    Effect.gen(function*() {
      const { EvalRunner } = yield* Effect.promise(() => import("./Eval/EvalRunner.js"))
      const code = yield* Effect.flatMap(EvalRunner, (r) =>
        r.run(task, { ...o, files: [gold], force: false }, {
          limit: Option.getOrNull(limit),
          errors: Option.getOrNull(errors)
        })).pipe(Effect.provide(EvalRunner.Default))
      yield* (yield* ExitStatus).set(code)
    })).pipe(Command.withDescription(description))
const evalNerCommand = evalCommandOf(
  "ner",
  Args.text({ name: "gold" }).pipe(
    Args.withDescription("A CoNLL04 file (e.g. ../shared/data/conll04/dev.txt) or a LitBank entities directory")
  ),
  "Score entities (P/R/F1 by type) of the chosen extractor on CoNLL04 or LitBank gold data (docs/evaluation.md)"
)
const evalRelationsCommand = evalCommandOf(
  "relations",
  Args.text({ name: "gold" }).pipe(Args.withDescription("A CoNLL04 file, e.g. ../shared/data/conll04/dev.txt")),
  "Score relations (P/R/F1 by CoNLL04 label) of the chosen extractor on CoNLL04 gold data (docs/evaluation.md)"
)
// --- eval resolution (issue 15) ---
const evalResolutionCommand = Command.make(
  "resolution",
  {
    file: Args.text({ name: "re-docred.json" }).pipe(Args.withDescription("A Re-DocRED split, e.g. dev.json")),
    json,
    limit: Options.integer("limit").pipe(Options.withDescription("Score the first N documents"), Options.optional),
    folds: Options.integer("folds").pipe(
      Options.withDescription("Also score K folds (document i in fold i mod K) and their mean and minimum"),
      Options.optional
    ),
    baseline: Options.boolean("baseline").pipe(
      Options.withDescription("Score the exact-name baseline instead of the resolver")
    ),
    errors: Options.text("errors").pipe(
      Options.withDescription("Write every wrong merge and missed pair (JSON Lines) to this file"),
      Options.optional
    )
  },
  (o) =>
    Effect.gen(function*() {
      if (Option.exists(o.folds, (k) => k < 2) || Option.exists(o.limit, (n) => n < 0)) {
        const { UsageError } = yield* Effect.promise(() => import("./Domain/Errors.js"))
        return yield* new UsageError({ message: "--folds must be at least 2 and --limit at least 0" })
      }
      const { runResolutionEval } = yield* Effect.promise(() => import("./Eval/Resolution.js"))
      const { Resolver } = yield* Effect.promise(() => import("./Resolver.js"))
      yield* runResolutionEval({
        path: o.file,
        json: o.json,
        baseline: o.baseline,
        ...Option.match(o.limit, { onNone: () => ({}), onSome: (limit) => ({ limit }) }),
        ...Option.match(o.folds, { onNone: () => ({}), onSome: (folds) => ({ folds }) }),
        ...Option.match(o.errors, { onNone: () => ({}), onSome: (errorsFile) => ({ errorsFile }) })
      }).pipe(Effect.provide(Resolver.Default))
    })
).pipe(Command.withDescription("Entity resolution on Re-DocRED gold mentions: pairwise and B-cubed P/R/F1"))
const evalCommand = Command.make("eval").pipe(
  Command.withDescription("Measure an extractor or model on gold data (docs/evaluation.md)"),
  Command.withSubcommands([evalNerCommand, evalRelationsCommand, evalResolutionCommand])
)
// --- end extract eval

// --- view (issue 13) ---
const openViewer = Options.boolean("open").pipe(
  Options.withDescription("Also open it with xdg-open (open on macOS) when stdout is a terminal")
)
const viewCommand = Command.make(
  "view",
  { outputDir: runsOutputDir, open: openViewer, runId },
  (o) =>
    Effect.gen(function*() {
      const parent = yield* extractCommand
      const dir = Option.getOrElse(o.outputDir, () => parent.outputDir)
      const { RunViewer } = yield* Effect.promise(() => import("./Viewer/RunViewer.js"))
      const { ExtractionRunService, RunStoreConfig } = yield* Effect.promise(() =>
        import("./Store/ExtractionRunService.js")
      )
      yield* Effect.flatMap(RunViewer, (v) => v.view(o.runId, o.open)).pipe(
        Effect.provide(RunViewer.Default.pipe(
          Layer.provide(ExtractionRunService.Default),
          Layer.provide(RunStoreConfig.layer(dir))
        ))
      )
    })
).pipe(Command.withDescription("Print the path of a run's viewer.html (outputs/viewer.html); --open opens it"))

// --- graph (issue 12) ---
const graphContext = Options.text("context").pipe(
  Options.withDescription(`Context graph to use (env EXTRACT_CONTEXT; default ${DEFAULT_CONTEXT})`),
  Options.withFallbackConfig(Config.string("EXTRACT_CONTEXT")),
  Options.withDefault(DEFAULT_CONTEXT)
)
const positionalContext = Args.text({ name: "context" }).pipe(
  Args.withDescription("A context name (default: every context)"),
  Args.optional
)

/** Runs `f` with the GraphCommands of the output directory given here or on `extract`; sets the exit code. */
const withGraph = <E, R>(
  own: Option.Option<string>,
  f: (commands: GraphCommands) => Effect.Effect<number, E, R>
) =>
  Effect.gen(function*() {
    const parent = yield* extractCommand
    const dir = Option.getOrElse(own, () => parent.outputDir)
    const { GraphCommands } = yield* Effect.promise(() => import("./Graph/GraphCommands.js"))
    const { GraphStore, GraphStoreConfig } = yield* Effect.promise(() => import("./Graph/GraphStore.js"))
    const { ExtractionRunService, RunStoreConfig } = yield* Effect.promise(() =>
      import("./Store/ExtractionRunService.js")
    )
    const code = yield* Effect.flatMap(GraphCommands, f).pipe(
      Effect.provide(GraphCommands.Default.pipe(
        Layer.provideMerge(Layer.mergeAll(GraphStore.Default, ExtractionRunService.Default)),
        Layer.provide(Layer.mergeAll(RunStoreConfig.layer(dir), GraphStoreConfig.layer(dir)))
      ))
    )
    yield* (yield* ExitStatus).set(code)
  })

const graphAddCommand = Command.make(
  "add",
  {
    outputDir: runsOutputDir,
    json,
    context: graphContext,
    runIds: Args.text({ name: "runId" }).pipe(Args.withDescription("Completed run ids"), Args.repeated)
  },
  (o) => withGraph(o.outputDir, (g) => Effect.flatMap(checkContext(o.context), (c) => g.add(c, o.runIds, o.json)))
).pipe(Command.withDescription("Add completed runs to a context graph (adding a run twice changes nothing)"))
const graphListCommand = Command.make(
  "list",
  { outputDir: runsOutputDir, json },
  (o) => withGraph(o.outputDir, (g) => g.list(o.json))
).pipe(Command.withDescription("List context graphs with their counts"))
const graphShowCommand = Command.make(
  "show",
  { outputDir: runsOutputDir, json, context: graphContext, entity: Args.text({ name: "name|id" }) },
  (o) => withGraph(o.outputDir, (g) => g.show(o.context, o.entity, o.json))
).pipe(Command.withDescription("Show one entity with all its mentions across documents"))
const graphSearchCommand = Command.make(
  "search",
  { outputDir: runsOutputDir, json, context: graphContext, text: Args.text({ name: "text" }) },
  (o) => withGraph(o.outputDir, (g) => g.search(o.context, o.text, o.json))
).pipe(Command.withDescription("Find entities by name (label or alias, case-insensitive)"))
const graphExportCommand = Command.make(
  "export",
  {
    outputDir: runsOutputDir,
    context: graphContext,
    formats,
    baseIri,
    out: Options.text("out").pipe(
      Options.withDescription("Directory to write to (default <output-dir>/graphs/<context>/export/)"),
      Options.optional
    )
  },
  (o) =>
    withGraph(o.outputDir, (g) =>
      g.exportGraph(o.context, {
        formats: Option.getOrUndefined(o.formats),
        out: Option.getOrUndefined(o.out),
        baseIri: Option.getOrUndefined(o.baseIri)
      }))
).pipe(
  Command.withDescription("Write the context graph in the run output formats (--formats), with per-document provenance")
)
const graphVerifyCommand = Command.make(
  "verify",
  { outputDir: runsOutputDir, json, context: positionalContext },
  (o) => withGraph(o.outputDir, (g) => g.verify(Option.getOrUndefined(o.context), o.json))
).pipe(Command.withDescription("Check log checksums, relation endpoints, runs, and that graph.jsonl equals a replay"))
const graphRepairCommand = Command.make(
  "repair",
  { outputDir: runsOutputDir, json, context: positionalContext },
  (o) => withGraph(o.outputDir, (g) => g.repair(Option.getOrUndefined(o.context), o.json))
).pipe(Command.withDescription("Rebuild graph.jsonl from the log (and the newest valid backup); see .recovery/"))
const graphUnmergeCommand = Command.make(
  "unmerge",
  { outputDir: runsOutputDir, json, context: graphContext, entity: Args.text({ name: "name|id" }) },
  (o) => withGraph(o.outputDir, (g) => g.unmerge(o.context, o.entity, o.json))
).pipe(Command.withDescription("Undo an entity's latest cross-document merge (appends a split record)"))

const graphCommand = Command.make("graph").pipe(
  Command.withDescription("One knowledge graph across documents, per context: <output-dir>/graphs/<context>/"),
  Command.withSubcommands([
    graphAddCommand,
    graphListCommand,
    graphShowCommand,
    graphSearchCommand,
    graphExportCommand,
    graphVerifyCommand,
    graphRepairCommand,
    graphUnmergeCommand
  ])
)

// --- serve, submit, watch (issue 11): handlers load src/Server/ and src/Client/ lazily ---
const serveHost = Options.text("host").pipe(
  Options.withDescription(
    "Address to listen on (env EXTRACT_SERVER_HOST; default 127.0.0.1; any other needs --token)"
  ),
  Options.withFallbackConfig(Config.string("EXTRACT_SERVER_HOST")),
  Options.withDefault("127.0.0.1")
)
const servePort = Options.integer("port").pipe(
  Options.withDescription("Port to listen on, 0 for any free one (env EXTRACT_SERVER_PORT; default 8787)"),
  Options.withFallbackConfig(Config.integer("EXTRACT_SERVER_PORT")),
  Options.withDefault(8787)
)
const inputRoot = Options.text("input-root").pipe(
  Options.withDescription(
    "Directory that {\"path\": …} submissions must stay inside (env EXTRACT_INPUT_ROOT; default: refuse paths)"
  ),
  Options.withFallbackConfig(Config.string("EXTRACT_INPUT_ROOT")),
  Options.optional
)
const serverToken = Options.redacted("token").pipe(
  Options.withDescription("Bearer token every request must carry (env EXTRACT_SERVER_TOKEN)"),
  Options.withFallbackConfig(Config.redacted("EXTRACT_SERVER_TOKEN")),
  Options.optional
)
const drainTimeout = Options.float("drain-timeout").pipe(
  Options.withDescription(
    "Seconds a SIGTERM waits for in-flight runs before interrupting them (env EXTRACT_DRAIN_TIMEOUT; default 10)"
  ),
  Options.withFallbackConfig(Config.number("EXTRACT_DRAIN_TIMEOUT")),
  Options.withDefault(10)
)
const serverUrl = Options.text("server").pipe(
  Options.withDescription("URL of an extract serve (env EXTRACT_SERVER_URL; default http://127.0.0.1:8787)"),
  Options.withFallbackConfig(Config.string("EXTRACT_SERVER_URL")),
  Options.withDefault("http://127.0.0.1:8787")
)
const submitWait = Options.boolean("wait").pipe(
  Options.withDescription("Follow each run's progress on stderr and exit with its exit code")
)
const submitContext = Options.text("context").pipe(
  Options.withDescription("Name of a context graph the runs are added to"),
  Options.optional
)

const serveCommand = Command.make(
  "serve",
  {
    outputDir: outputDirOption,
    extractor,
    model,
    baseUrl,
    chunkSize,
    chunkOverlap,
    concurrency,
    encoding,
    maxInputBytes,
    llm: llmOptions,
    formats,
    baseIri,
    database,
    host: serveHost,
    port: servePort,
    inputRoot,
    token: serverToken,
    drainTimeout
  },
  (raw) => Effect.flatMap(Effect.promise(() => import("./Server/Server.js")), (m) => m.runServe(raw))
).pipe(Command.withDescription("Serve the HTTP API (OpenAPI at /openapi.json, docs at /docs) on the workflow engine"))

const submitCommand = Command.make(
  "submit",
  {
    files,
    server: serverUrl,
    token: serverToken,
    wait: submitWait,
    json,
    quiet,
    chunkSize,
    chunkOverlap,
    concurrency,
    encoding,
    maxInputBytes,
    entityTypes: llmOptions.entityTypes,
    relationTypes: llmOptions.relationTypes,
    passes: llmOptions.passes,
    keepUngrounded: llmOptions.keepUngrounded,
    temperature: llmOptions.temperature,
    formats,
    baseIri,
    force,
    context: submitContext
  },
  (raw) =>
    Effect.gen(function*() {
      const m = yield* Effect.promise(() => import("./Client/ServerClient.js"))
      yield* (yield* ExitStatus).set(yield* m.runSubmit(raw))
    })
).pipe(Command.withDescription("Submit documents to an extract serve; prints <runId>\t<runDir> per input"))

const watchCommand = Command.make(
  "watch",
  {
    server: serverUrl,
    token: serverToken,
    json,
    quiet,
    id: Args.text({ name: "id" }).pipe(Args.withDescription("A run id (doc-…) or a batch id (batch-…)"))
  },
  (raw) =>
    Effect.gen(function*() {
      const m = yield* Effect.promise(() => import("./Client/ServerClient.js"))
      yield* (yield* ExitStatus).set(yield* m.runWatch(raw))
    })
).pipe(Command.withDescription("Follow a run's or a batch's progress on an extract serve"))

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

// --- completions (issue 14) ---
const shell = Args.choice([["bash", "bash"], ["zsh", "zsh"], ["fish", "fish"]] as const, { name: "shell" }).pipe(
  Args.withDescription("bash, zsh or fish")
)
const completionsCommand = Command.make("completions", { shell }, ({ shell }) => printCompletions(shell)).pipe(
  Command.withDescription("Print a completion script for bash, zsh or fish (README, \"Shell completion\")")
)

/** The whole command line. */
export const command = extractCommand.pipe(
  Command.withSubcommands([
    runsCommand,
    dbCommand,
    searchCommand,
    graphCommand,
    viewCommand,
    evalCommand,
    serveCommand,
    submitCommand,
    watchCommand,
    workerCommand,
    completionsCommand
  ])
)

/** Prints @effect/cli's completion script of {@link command} for `shell`. */
function printCompletions(shell: "bash" | "zsh" | "fish"): Effect.Effect<void> {
  const lines = shell === "bash"
    ? Command.getBashCompletions(command, "extract")
    : shell === "zsh"
    ? Command.getZshCompletions(command, "extract")
    : Command.getFishCompletions(command, "extract")
  return Effect.flatMap(lines, (l) => Console.log(l.join("\n")))
}

/**
 * The option groups of the one-screen `extract --help` (issue 14), by long
 * name; each shows its description's first sentence. Every option, in any
 * group or none, shows in `extract --help-all` and `extract <command> --help`.
 */
export const HELP_GROUPS: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["Input and output", ["<file>", "--output-dir", "--encoding", "--max-input-bytes", "--json", "--quiet", "--force"]],
  ["Extractor", ["--extractor", "--chunk-size", "--chunk-overlap", "--concurrency", "--dry-run"]],
  ["Model", ["--model", "--base-url", "--api", "--entity-types", "--relation-types", "--ontology", "--passes"]],
  ["Outputs", ["--formats", "--base-iri"]],
  ["Help", ["--help", "--version"]]
]

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
    // extract eval
    "--limit",
    "--folds",
    "--errors",
    // context graphs
    "--context",
    "--out",
    // SQL mirror
    "--database",
    "--from",
    "--type",
    // worker, serve, submit, watch (issue 11)
    "--host",
    "--port",
    "--input-root",
    "--token",
    "--drain-timeout",
    "--server"
  ]),
  subcommands: new Map([
    ["runs", new Set(["list", "show", "timeline", "errors", "verify"])],
    ["db", new Set(["migrate", "sync", "verify", "query"])],
    ["search", new Set<string>()],
    ["graph", new Set(["add", "list", "show", "search", "export", "verify", "repair", "unmerge"])],
    ["view", new Set<string>()],
    ["eval", new Set(["ner", "relations", "resolution"])],
    ["worker", new Set<string>()],
    ["serve", new Set<string>()],
    ["submit", new Set<string>()],
    ["watch", new Set<string>()],
    ["completions", new Set<string>()]
  ])
}

/**
 * Parses `argv` (as `process.argv`, options anywhere) and runs the chosen
 * command; help, `--version` and usage errors as CommandLine.ts describes.
 */
export const cli = (argv: ReadonlyArray<string>) =>
  runCommandLine(
    {
      name: "extract",
      version: VERSION,
      command,
      groups: HELP_GROUPS,
      subcommands: ARGV_SPEC.subcommands,
      valueOptions: ARGV_SPEC.valueOptions
    },
    normalizeArgv(argv, ARGV_SPEC)
  )

/**
 * Declares the command line: `extract <file...>` and `extract runs
 * list|show|timeline|errors`. Handlers only parse and delegate: extraction
 * to {@link BatchRunner}, run inspection to {@link RunsReport}.
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
import { ExtractionRunService, RunStoreConfig } from "./ExtractionRunService.js"
import { ExitStatus } from "./ExitStatus.js"
import { RunsReport } from "./RunsReport.js"
import { DEFAULT_CONCURRENCY, resolveSettings } from "./Settings.js"
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
  Options.withDescription("OpenAI-compatible API base URL, e.g. http://localhost:11434/v1 for Ollama (env OPENAI_BASE_URL)"),
  Options.withFallbackConfig(Config.string("OPENAI_BASE_URL")),
  Options.optional
)
const chunkSize = Options.integer("chunk-size").pipe(
  Options.withDescription(`Most tokens per chunk (env EXTRACT_CHUNK_SIZE; default ${DEFAULT_CHUNK_SIZE})`),
  Options.withFallbackConfig(Config.integer("EXTRACT_CHUNK_SIZE")),
  Options.withDefault(DEFAULT_CHUNK_SIZE)
)
const chunkOverlap = Options.integer("chunk-overlap").pipe(
  Options.withDescription(`Tokens repeated between consecutive chunks (env EXTRACT_CHUNK_OVERLAP; default ${DEFAULT_CHUNK_OVERLAP})`),
  Options.withFallbackConfig(Config.integer("EXTRACT_CHUNK_OVERLAP")),
  Options.withDefault(DEFAULT_CHUNK_OVERLAP)
)
const concurrency = Options.integer("concurrency").pipe(
  Options.withDescription(`Chunks extracted at once (env EXTRACT_CONCURRENCY; default ${DEFAULT_CONCURRENCY})`),
  Options.withFallbackConfig(Config.integer("EXTRACT_CONCURRENCY")),
  Options.withDefault(DEFAULT_CONCURRENCY)
)
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

const force = Options.boolean("force").pipe(Options.withDescription("Re-run even if a completed run with the same config exists"))
const json = Options.boolean("json").pipe(Options.withDescription("Print one JSON object per line on stdout"))
const quiet = Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("No progress on stderr"))

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
    formats,
    baseIri
  },
  (raw) =>
    Effect.gen(function*() {
      const tokenizer = yield* Tokenizer
      const settings = yield* resolveSettings(raw, tokenizer.encoding)
      const runner = yield* BatchRunner
      const exitStatus = yield* ExitStatus
      yield* exitStatus.set(yield* runner.run(settings))
    })
).pipe(Command.withDescription("Turn plain-text documents into knowledge graphs; each run is kept under <output-dir>/runs/<runId>/"))

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

const listCommand = Command.make("list", { outputDir: runsOutputDir, json }, (o) =>
  withReport(o.outputDir, (r) => r.list(o.json))).pipe(Command.withDescription("List runs, oldest first"))
const showCommand = Command.make("show", { outputDir: runsOutputDir, json, runId }, (o) =>
  withReport(o.outputDir, (r) => r.show(o.runId, o.json))).pipe(Command.withDescription("Show one run (--json: its metadata.json)"))
const timelineCommand = Command.make("timeline", { outputDir: runsOutputDir, json, runId }, (o) =>
  withReport(o.outputDir, (r) => r.timeline(o.runId, o.json))).pipe(Command.withDescription("A run's events in order"))
const errorsCommand = Command.make("errors", { outputDir: runsOutputDir, json, runId }, (o) =>
  withReport(o.outputDir, (r) => r.errors(o.runId, o.json))).pipe(Command.withDescription("A run's recorded errors"))

const runsCommand = Command.make("runs").pipe(
  Command.withDescription("Inspect runs in the output directory"),
  Command.withSubcommands([listCommand, showCommand, timelineCommand, errorsCommand])
)

/** The whole command line. */
export const command = extractCommand.pipe(Command.withSubcommands([runsCommand]))

/** What {@link normalizeArgv} needs to know about the options and subcommands declared above. */
export const ARGV_SPEC: ArgvSpec = {
  valueOptions: new Set([
    "-o", "--output-dir", "--extractor", "--model", "--base-url", "--chunk-size", "--chunk-overlap", "--concurrency",
    "--log-level", "--completions",
    "--formats", "--base-iri"
  ]),
  subcommands: new Map([["runs", new Set(["list", "show", "timeline", "errors"])]])
}

const run = Command.run(command, { name: "extract", version: VERSION })

/** Parses `argv` (as `process.argv`, options anywhere) and runs the chosen command. */
export const cli = (argv: ReadonlyArray<string>) => run(normalizeArgv(argv, ARGV_SPEC))

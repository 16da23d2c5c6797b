/**
 * The shape of a run's `metadata.json`: status, input, redacted config,
 * stats, the output files with their checksums, and the audit trail of
 * events and errors.
 */
import * as Schema from "effect/Schema"
import { LlmUsage } from "./Extraction.js"
import { Vocabulary } from "./Graph.js"
import { DEFAULT_BASE_IRI, SKELETON_FORMATS } from "./Output.js"

/** Version of the `metadata.json` shape; readers accept every older version. */
export const METADATA_SCHEMA_VERSION = 1

export const RunStatus = Schema.Literal("running", "completed", "failed", "interrupted")
export type RunStatus = typeof RunStatus.Type

/** Which extractor a run uses. */
export const ExtractorKind = Schema.Literal("nlp", "llm")
export type ExtractorKind = typeof ExtractorKind.Type

/** An audit event: `type` is dotted (`run.created`, `chunking.complete`, …). */
export class RunEvent extends Schema.Class<RunEvent>("RunEvent")({
  /** ISO-8601 UTC timestamp with milliseconds. */
  timestamp: Schema.String,
  type: Schema.String,
  data: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/** An error recorded against a run: `type` is the error's tag or a dotted name. */
export class RunError extends Schema.Class<RunError>("RunError")({
  timestamp: Schema.String,
  type: Schema.String,
  message: Schema.String,
  context: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/** A file written under the run directory, with its checksum. */
export class OutputFile extends Schema.Class<OutputFile>("OutputFile")({
  /** Output kind, e.g. `knowledge-graph`, `rdf-turtle`. */
  type: Schema.String,
  /** Path relative to the run directory, `/`-separated. */
  path: Schema.String,
  sha256: Schema.String,
  bytes: Schema.Int
}) {}

/** How the llm extractor talks to the model and what it asks for (see README, "Using a model"). */
export class LlmRunConfig extends Schema.Class<LlmRunConfig>("LlmRunConfig")({
  /** `responses` (OpenAI Responses API, `/v1/responses`) or `chat` (Chat Completions, `/v1/chat/completions`). */
  api: Schema.Literal("responses", "chat"),
  /** How structured output is requested: a strict JSON schema, JSON mode, or a forced tool call. */
  structuredOutput: Schema.Literal("json-schema", "json-object", "tool"),
  /** Version of the prompt; a new version invalidates cached answers. */
  promptVersion: Schema.Int,
  /** Entity types the model must choose from. */
  entityTypes: Schema.Array(Schema.String),
  /** Predicates the model must choose from; null lets it name its own. */
  relationTypes: Schema.NullOr(Schema.Array(Schema.String)),
  /** The ontology the types came from (`--ontology`), with the SHA-256 of its bytes. */
  ontology: Schema.NullOr(Schema.Struct({ path: Schema.String, sha256: Schema.String })),
  /**
   * IRIs of the ontology's terms among the offered types and predicates
   * (name → IRI), for the RDF outputs; null without `--ontology`. Runs
   * recorded before this field read as null.
   */
  vocabulary: Schema.optionalWith(Schema.NullOr(Vocabulary), { default: () => null }),
  /** Extraction passes per chunk (1 + gleaning passes). */
  passes: Schema.Int,
  /** Keep items that cannot be grounded, flagged `ungrounded`. */
  keepUngrounded: Schema.Boolean,
  /** Sampling temperature sent to the model; null sends none (the provider's default). */
  temperature: Schema.NullOr(Schema.Number),
  // Below: how the run talks to the provider; they do not change what it produces.
  /** Answers are read from and written to `<output-dir>/cache/`. */
  cache: Schema.Boolean,
  /** Time allowed for one request, in milliseconds. */
  requestTimeoutMs: Schema.Int,
  /** Most retries of one request after transient failures. */
  maxRetries: Schema.Int,
  /** Most re-asks of one request after invalid output. */
  maxReasks: Schema.Int,
  /** Client-side limit of requests per minute; null for none. */
  rpm: Schema.NullOr(Schema.Int),
  /** Client-side limit of tokens per minute (input estimate + output budget); null for none. */
  tpm: Schema.NullOr(Schema.Int),
  /** USD per million input tokens, for `stats.llm.costUsd`; null for no cost. */
  priceInput: Schema.NullOr(Schema.Number),
  /** USD per million output tokens, for `stats.llm.costUsd`; null for no cost. */
  priceOutput: Schema.NullOr(Schema.Number)
}) {}

/**
 * The settings a run was made with. Never holds a secret: the API key is not
 * recorded and a base URL loses any user-info part.
 */
export class RunConfig extends Schema.Class<RunConfig>("RunConfig")({
  extractor: ExtractorKind,
  /** Model name for `llm`, null for `nlp`. */
  model: Schema.NullOr(Schema.String),
  /** OpenAI-compatible base URL for `llm` (credentials removed), null for the default or `nlp`. */
  baseUrl: Schema.NullOr(Schema.String),
  /** Chunk budget, in tokens. */
  chunkSize: Schema.Int,
  /** Overlap between consecutive chunks, in tokens. */
  chunkOverlap: Schema.Int,
  /** Tokenizer the budgets are counted with. */
  tokenizer: Schema.String,
  /** Chunks extracted at once. Does not change results. */
  concurrency: Schema.Int,
  /** Settings of the llm extractor; null for `nlp`. */
  llm: Schema.optionalWith(Schema.NullOr(LlmRunConfig), { default: () => null }),
  // --- outputs (issue 5) ---
  /**
   * Output formats written (`--formats`; names in docs/outputs.md), in
   * canonical order. Runs recorded before the option existed wrote the four
   * formats that were the defaults then ({@link SKELETON_FORMATS}).
   */
  formats: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [...SKELETON_FORMATS] }),
  /** Base IRI of the minted RDF IRIs (`--base-iri`), ending in `/`. */
  baseIri: Schema.optionalWith(Schema.String, { default: () => DEFAULT_BASE_IRI })
}) {}

/** The RunConfig fields that change what a run produces (everything but how fast it runs). */
export const resultAffectingConfig = (config: RunConfig) => {
  const { concurrency: _concurrency, llm, ...rest } = config
  if (llm === null) return { ...rest, llm }
  const {
    cache: _cache,
    requestTimeoutMs: _timeout,
    maxRetries: _retries,
    maxReasks: _reasks,
    rpm: _rpm,
    tpm: _tpm,
    priceInput: _priceInput,
    priceOutput: _priceOutput,
    ...llmRest
  } = llm
  return { ...rest, llm: llmRest }
}

/** What a run spent on a language model: the sums of its chunks' {@link LlmUsage}, and their cost. */
export class LlmStats extends Schema.Class<LlmStats>("LlmStats")({
  ...LlmUsage.fields,
  /** Cost in USD from `--price-input`/`--price-output`, or null when no price was given. */
  costUsd: Schema.NullOr(Schema.Number)
}) {}

/** Figures about a run. Counts are after overlap de-duplication and resolution. */
export class RunStats extends Schema.Class<RunStats>("RunStats")({
  chunkCount: Schema.Int,
  mentionCount: Schema.Int,
  entityCount: Schema.Int,
  relationCount: Schema.Int,
  /** Wall time of the run, in milliseconds. */
  durationMs: Schema.Number,
  /** Extracted items that could not be tied to the text (dropped, or kept flagged with `--keep-ungrounded`). */
  ungrounded: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  /** Chunks that could not be extracted (see the run's `errors`); their facts are missing. */
  failedChunks: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  /** True when the run completed without some chunks (`failedChunks` > 0); exit code 3. */
  partial: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Calls, tokens, cache use and cost of the llm extractor; null for `nlp`. */
  llm: Schema.optionalWith(Schema.NullOr(LlmStats), { default: () => null })
}) {}

export const emptyStats = (): RunStats =>
  new RunStats({ chunkCount: 0, mentionCount: 0, entityCount: 0, relationCount: 0, durationMs: 0, ungrounded: 0 })

/** Content of `metadata.json`. Older files without `events`/`errors` read as empty arrays. */
export class RunMetadata extends Schema.Class<RunMetadata>("RunMetadata")({
  schemaVersion: Schema.optionalWith(Schema.Int, { default: () => METADATA_SCHEMA_VERSION }),
  /**
   * How many records of the run's journal (`journal.jsonl`) this file
   * includes; the store replays later records over it. 0 for files written
   * before the journal existed.
   */
  revision: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  runId: Schema.String,
  status: RunStatus,
  createdAt: Schema.String,
  updatedAt: Schema.String,
  completedAt: Schema.NullOr(Schema.String),
  input: Schema.Struct({
    /** Path as given on the command line (`-` for stdin). */
    path: Schema.String,
    /** Size of the input in bytes. */
    bytes: Schema.Int,
    /** SHA-256 of the input bytes, lower-case hex. */
    sha256: Schema.String,
    /** How the bytes were decoded. */
    encoding: Schema.optionalWith(Schema.String, { default: () => "utf-8" }),
    /** SHA-256 of `input/document.txt` (the decoded text as UTF-8), lower-case hex; `extract runs verify` checks it. */
    textSha256: Schema.optional(Schema.String)
  }),
  config: RunConfig,
  stats: Schema.optionalWith(RunStats, { default: emptyStats }),
  outputs: Schema.optionalWith(Schema.Array(OutputFile), { default: () => [] }),
  events: Schema.optionalWith(Schema.Array(RunEvent), { default: () => [] }),
  errors: Schema.optionalWith(Schema.Array(RunError), { default: () => [] })
}) {}

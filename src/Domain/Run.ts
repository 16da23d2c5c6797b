/**
 * The shape of a run's `metadata.json`: status, input, redacted config,
 * stats, the output files with their checksums, and the audit trail of
 * events and errors.
 */
import * as Schema from "effect/Schema"
import { DEFAULT_BASE_IRI, DEFAULT_FORMATS } from "./Output.js"

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
  // --- outputs (issue 5) ---
  /**
   * Output formats written (`--formats`; names in docs/outputs.md), in
   * canonical order. Runs recorded before the option existed wrote the defaults.
   */
  formats: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [...DEFAULT_FORMATS] }),
  /** Base IRI of the minted RDF IRIs (`--base-iri`), ending in `/`. */
  baseIri: Schema.optionalWith(Schema.String, { default: () => DEFAULT_BASE_IRI })
}) {}

/** The RunConfig fields that change what a run produces (everything but how fast it runs). */
export const resultAffectingConfig = (config: RunConfig) => {
  const { concurrency: _concurrency, ...rest } = config
  return rest
}

/** Figures about a run. Counts are after overlap de-duplication and resolution. */
export class RunStats extends Schema.Class<RunStats>("RunStats")({
  chunkCount: Schema.Int,
  mentionCount: Schema.Int,
  entityCount: Schema.Int,
  relationCount: Schema.Int,
  /** Wall time of the run, in milliseconds. */
  durationMs: Schema.Number,
  /** Extracted items that could not be tied to the text and were dropped. */
  ungrounded: Schema.optionalWith(Schema.Int, { default: () => 0 })
}) {}

export const emptyStats = (): RunStats =>
  new RunStats({ chunkCount: 0, mentionCount: 0, entityCount: 0, relationCount: 0, durationMs: 0, ungrounded: 0 })

/** Content of `metadata.json`. Older files without `events`/`errors` read as empty arrays. */
export class RunMetadata extends Schema.Class<RunMetadata>("RunMetadata")({
  schemaVersion: Schema.optionalWith(Schema.Int, { default: () => METADATA_SCHEMA_VERSION }),
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
    encoding: Schema.optionalWith(Schema.String, { default: () => "utf-8" })
  }),
  config: RunConfig,
  stats: Schema.optionalWith(RunStats, { default: emptyStats }),
  outputs: Schema.optionalWith(Schema.Array(OutputFile), { default: () => [] }),
  events: Schema.optionalWith(Schema.Array(RunEvent), { default: () => [] }),
  errors: Schema.optionalWith(Schema.Array(RunError), { default: () => [] })
}) {}

/**
 * What the extract stage produces per chunk: mentions of entities and the
 * relations stated between them, each grounded in exact document spans.
 */
import * as Schema from "effect/Schema"
import { Span } from "./Span.js"

/**
 * Default entity types. Extractors may emit other type names (the LLM with
 * `--entity-types`, an ontology's classes); these are the ones the embedded
 * extractor knows.
 */
export const DEFAULT_ENTITY_TYPES = [
  "Person",
  "Organization",
  "Location",
  "Date",
  "Money",
  "Other"
] as const

/** How a mention was tied to the text. `exact` for spans taken from the text itself. */
export const Grounding = Schema.Literal("exact", "normalized", "fuzzy", "ungrounded")
export type Grounding = typeof Grounding.Type

/** One occurrence of an entity in the document. */
export class Mention extends Schema.Class<Mention>("Mention")({
  /** Unique within a run, e.g. `c3-m12` (chunk 3, 12th mention). */
  id: Schema.String,
  /** Entity type, e.g. `Person`. */
  type: Schema.String,
  /** Where the mention is, in document code points; `span.text` is its surface form. */
  span: Span,
  /** Index of the chunk it was extracted from. */
  chunk: Schema.Int.pipe(Schema.nonNegative()),
  /** How the span was found in the text. */
  grounding: Grounding,
  /** Short description given by the extractor, or null. */
  description: Schema.NullOr(Schema.String),
  /**
   * The extractor's name for an `ungrounded` mention (kept with
   * `--keep-ungrounded`), whose span is then empty at the chunk's start.
   * Absent for grounded mentions, whose surface form is `span.text`.
   */
  name: Schema.optional(Schema.String),
  /**
   * How strongly the extractor's evidence supports `type`, in [0, 1]; absent
   * when the extractor does not say. The embedded extractor sets it from its
   * rules (e.g. 0.95 after a title, 0.2 for a capitalised word with no cue)
   * and uses it to make types agree across the document.
   */
  confidence: Schema.optional(Schema.Number)
}) {}

/** The surface form of a mention: `span.text`, or the extractor's name when it is ungrounded. */
export const surfaceOf = (mention: Mention): string => mention.name ?? mention.span.text

/** A relation stated in one chunk between two mentions of it. */
export class ExtractedRelation extends Schema.Class<ExtractedRelation>("ExtractedRelation")({
  /** Mention id of the subject. */
  subject: Schema.String,
  /** Predicate name in lowerCamelCase, e.g. `worksFor`. */
  predicate: Schema.String,
  /** Mention id of the object. */
  object: Schema.String,
  /** The text that states the relation (typically its sentence), in document code points. */
  evidence: Span,
  chunk: Schema.Int.pipe(Schema.nonNegative()),
  grounding: Grounding
}) {}

/**
 * What extracting one chunk cost with a language model. `calls` counts HTTP
 * requests (every retry and re-ask is one); tokens are as the provider
 * reported them, or counted with the tokenizer when an answer could not be
 * read; a cache hit costs no call and no tokens.
 */
export class LlmUsage extends Schema.Class<LlmUsage>("LlmUsage")({
  calls: Schema.Int,
  /** Requests repeated after a transient failure (HTTP 408/429/5xx, reset connection, timeout). */
  retries: Schema.Int,
  /** Requests repeated with the validation error fed back after invalid output. */
  reasks: Schema.Int,
  inputTokens: Schema.Int,
  outputTokens: Schema.Int,
  /** Model answers (one per pass) served from the response cache. */
  cacheHits: Schema.Int,
  /** Model answers not in the cache (asked for, or looked up for a dry run). */
  cacheMisses: Schema.Int
}) {}

/** The extract stage's result for one chunk; persisted so runs can resume and re-render. */
export class ChunkExtraction extends Schema.Class<ChunkExtraction>("ChunkExtraction")({
  chunk: Schema.Int.pipe(Schema.nonNegative()),
  /** `nlp` or `llm`. */
  extractor: Schema.String,
  mentions: Schema.Array(Mention),
  relations: Schema.Array(ExtractedRelation),
  /** Items the extractor produced that could not be tied to the text (dropped, or kept flagged `ungrounded`). */
  ungrounded: Schema.Int.pipe(Schema.nonNegative()),
  /** LLM calls, tokens and cache use for this chunk; null for extractors that use no model. */
  usage: Schema.optionalWith(Schema.NullOr(LlmUsage), { default: () => null })
}) {}

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
   * How strongly the extractor's evidence supports `type`, in [0, 1]; absent
   * when the extractor does not say. The embedded extractor sets it from its
   * rules (e.g. 0.95 after a title, 0.2 for a capitalised word with no cue)
   * and uses it to make types agree across the document.
   */
  confidence: Schema.optional(Schema.Number)
}) {}

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

/** The extract stage's result for one chunk; persisted so runs can resume and re-render. */
export class ChunkExtraction extends Schema.Class<ChunkExtraction>("ChunkExtraction")({
  chunk: Schema.Int.pipe(Schema.nonNegative()),
  /** `nlp` or `llm`. */
  extractor: Schema.String,
  mentions: Schema.Array(Mention),
  relations: Schema.Array(ExtractedRelation),
  /** Items the extractor produced that could not be tied to the text and were dropped. */
  ungrounded: Schema.Int.pipe(Schema.nonNegative())
}) {}

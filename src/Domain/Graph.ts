/**
 * The resolved knowledge graph and the entity-resolution graph that explains
 * it. These are the shapes of `knowledge-graph.json` and
 * `entity-resolution-graph.json` (see docs/outputs.md).
 */
import * as Schema from "effect/Schema"
import { Grounding } from "./Extraction.js"
import { Span } from "./Span.js"

/** Version of the JSON output shapes; bumped on incompatible change. */
export const GRAPH_SCHEMA_VERSION = 1

/** A mention as listed under its entity. */
export class EntityMention extends Schema.Class<EntityMention>("EntityMention")({
  id: Schema.String,
  span: Span,
  chunk: Schema.Int,
  grounding: Grounding,
  /**
   * Run id of the document the span is in, when the graph spans several
   * documents (a context graph, src/Graph/); absent in a run's own graph,
   * whose spans are all over its `input/document.txt`.
   */
  source: Schema.optional(Schema.String)
}) {}

/** A resolved entity: every mention the resolver judged to be the same thing. */
export class Entity extends Schema.Class<Entity>("Entity")({
  /** Stable id: a slug of the label, with a short hash where two would collide. */
  id: Schema.String,
  /** Canonical label: the most informative surface form. */
  label: Schema.String,
  type: Schema.String,
  /** Other surface forms, sorted. */
  aliases: Schema.Array(Schema.String),
  /** Mentions in document order. */
  mentions: Schema.Array(EntityMention),
  /** Description from the extractor, if any. */
  description: Schema.NullOr(Schema.String)
}) {}

/** One piece of evidence for a relation: the span that states it and its chunk. */
export class Evidence extends Schema.Class<Evidence>("Evidence")({
  span: Span,
  chunk: Schema.Int,
  grounding: Grounding,
  /** Run id of the span's document in a multi-document graph (see {@link EntityMention.source}). */
  source: Schema.optional(Schema.String)
}) {}

/** A relation between two entities (a triple), with every span that states it. */
export class Relation extends Schema.Class<Relation>("Relation")({
  /** Stable id, `r-` + a short hash of (subject, predicate, object). */
  id: Schema.String,
  subject: Schema.String,
  predicate: Schema.String,
  object: Schema.String,
  /** Evidence in document order; at least one. */
  evidence: Schema.NonEmptyArray(Evidence)
}) {}

/**
 * IRIs for entity types and predicates taken from an ontology (`--ontology`):
 * the hook through which RDF outputs use the ontology's classes and
 * properties instead of minting their own. Names not listed get IRIs minted
 * under the base IRI. Every value is an absolute IRI.
 */
export class Vocabulary extends Schema.Class<Vocabulary>("Vocabulary")({
  /** Entity type name (as in `Entity.type`) → class IRI. */
  types: Schema.Record({ key: Schema.String, value: Schema.String }),
  /** Predicate name (as in `Relation.predicate`) → property IRI. */
  predicates: Schema.Record({ key: Schema.String, value: Schema.String })
}) {}

/** Content of `knowledge-graph.json`. */
export class KnowledgeGraph extends Schema.Class<KnowledgeGraph>("KnowledgeGraph")({
  schemaVersion: Schema.Int,
  runId: Schema.String,
  document: Schema.Struct({
    /** Path of the document inside the run directory. */
    path: Schema.String,
    sha256: Schema.String,
    /** Length in code points. */
    length: Schema.Int
  }),
  entities: Schema.Array(Entity),
  relations: Schema.Array(Relation),
  /** Ontology IRIs for types and predicates; absent when no ontology was given. */
  vocabulary: Schema.optional(Vocabulary),
  /**
   * The documents of a multi-document graph (a context graph, src/Graph/),
   * by the run made from each: input path, SHA-256, length in code points.
   * Mentions and evidence name theirs in `source`. Absent in a run's graph.
   */
  sources: Schema.optional(Schema.Array(Schema.Struct({
    runId: Schema.String,
    path: Schema.String,
    sha256: Schema.String,
    length: Schema.Int
  })))
}) {}

/** How a mention came to belong to its entity. */
export class ResolutionEdge extends Schema.Class<ResolutionEdge>("ResolutionEdge")({
  mention: Schema.String,
  entity: Schema.String,
  /** Rule that made the link, e.g. `exact`, `singleton`, `acronym`. */
  method: Schema.String,
  /** Confidence in [0, 1]. */
  score: Schema.Number,
  /** Human-readable explanation. */
  reason: Schema.String,
  /**
   * Id of the mention this one was linked to by the rule (its merge
   * partner); absent for an entity's first mention and for singletons.
   * Removing the link undoes the merge.
   */
  via: Schema.optional(Schema.String),
  /**
   * The package whose alias knowledge made the link (method `alias`, e.g.
   * `i18n-iso-countries`); absent for every other method.
   */
  source: Schema.optional(Schema.String)
}) {}

/** Content of `entity-resolution-graph.json`. */
export class ResolutionGraph extends Schema.Class<ResolutionGraph>("ResolutionGraph")({
  schemaVersion: Schema.Int,
  runId: Schema.String,
  mentions: Schema.Array(Schema.Struct({ id: Schema.String, type: Schema.String, span: Span, chunk: Schema.Int })),
  entities: Schema.Array(Schema.Struct({ id: Schema.String, label: Schema.String, type: Schema.String })),
  edges: Schema.Array(ResolutionEdge)
}) {}

/** One mention's assignment to a cluster, with the rule that made it. */
export class Assignment extends Schema.Class<Assignment>("Assignment")({
  mention: Schema.String,
  /** Index into {@link Resolution.clusters}. */
  cluster: Schema.Int,
  method: Schema.String,
  score: Schema.Number,
  reason: Schema.String,
  /** Mention id of the merge partner (see {@link ResolutionEdge.via}). */
  via: Schema.optional(Schema.String),
  /** Package that supplied the alias (see {@link ResolutionEdge.source}). */
  source: Schema.optional(Schema.String)
}) {}

/** A group of mentions judged to be one entity, before ids are minted. */
export class Cluster extends Schema.Class<Cluster>("Cluster")({
  label: Schema.String,
  type: Schema.String,
  /** Mention ids, in document order. */
  mentions: Schema.Array(Schema.String)
}) {}

/** What the resolver returns: clusters, and one assignment per input mention. */
export class Resolution extends Schema.Class<Resolution>("Resolution")({
  clusters: Schema.Array(Cluster),
  assignments: Schema.Array(Assignment)
}) {}

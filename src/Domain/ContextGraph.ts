/**
 * One knowledge graph across documents: the records of a context's
 * append-only log (`<output-dir>/graphs/<context>/log.jsonl`) and the names
 * the graph commands take. docs/graph.md describes the files.
 *
 * The graph is made of *contributions*: one contribution is one entity of
 * one run (its `knowledge-graph.json` entity, already resolved within its
 * document). A context entity is a set of contributions; cross-document
 * entity resolution decides which set a new contribution joins, and every
 * such decision is a record with its evidence. Relations are recorded
 * between contributions (run + local entity id), so they follow their
 * endpoints through merges, splits and run replacements.
 */
import * as Schema from "effect/Schema"

/** Version of the log and snapshot line shapes; bumped on incompatible change. */
export const GRAPH_LOG_VERSION = 1

/** Context names: lower-case letters, digits, `_` and `-`, starting with a letter or digit, at most 64. */
export const CONTEXT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/

/** The context used when `--context` is not given. */
export const DEFAULT_CONTEXT = "default"

/** A mention of a contribution: its id in the run, its span (code points, end exclusive) and chunk. */
export const ContributionMention = Schema.Struct({
  id: Schema.String,
  start: Schema.Int,
  end: Schema.Int,
  text: Schema.String,
  chunk: Schema.Int
})
export type ContributionMention = typeof ContributionMention.Type

/** Why a contribution or entity was joined to another across documents. */
export const MergeEvidence = Schema.Struct({
  /** The rule: `same-name` (equal full names), `alias` (a name of one is an alias of the other), `acronym`, `name-variant`. */
  rule: Schema.String,
  score: Schema.Number,
  /** One line, naming both names and the runs they come from. */
  reason: Schema.String,
  /** The blocking key the two shared. */
  key: Schema.String
})
export type MergeEvidence = typeof MergeEvidence.Type

/** The document behind a run, as the run store records it. */
export const RunDocument = Schema.Struct({
  /** The input path as given to `extract` (or `-` for stdin). */
  path: Schema.String,
  sha256: Schema.String,
  /** Length in code points. */
  length: Schema.Int
})
export type RunDocument = typeof RunDocument.Type

/** A run's contribution was added (or added again after `run.removed`). */
export const RunAdded = Schema.TaggedStruct("run.added", {
  runId: Schema.String,
  document: RunDocument,
  /** SHA-256 of the run's `knowledge-graph.json`: adding the same graph again changes nothing. */
  digest: Schema.String,
  /** True when it replaces an earlier contribution of the same run (a re-run). */
  replaces: Schema.Boolean
})

/** A run's contribution was withdrawn (before a replacement). */
export const RunRemoved = Schema.TaggedStruct("run.removed", { runId: Schema.String })

/** A new context entity, founded by one contribution. */
export const EntityCreated = Schema.TaggedStruct("entity.created", {
  entity: Schema.String,
  label: Schema.String,
  type: Schema.String
})

/**
 * One run's entity joined a context entity: its mentions, names and
 * blocking keys. `evidence` is null for the founding contribution and set
 * when it joined an entity made from other documents (a cross-document merge).
 */
export const MentionsAttached = Schema.TaggedStruct("mentions.attached", {
  entity: Schema.String,
  runId: Schema.String,
  /** The entity's id in the run's `knowledge-graph.json`. */
  local: Schema.String,
  label: Schema.String,
  type: Schema.String,
  /** Every surface form: label and aliases. */
  names: Schema.Array(Schema.String),
  /** Cross-document blocking keys (see src/Graph/CrossResolver.ts); persisted so no replay re-analyses names. */
  keys: Schema.Array(Schema.String),
  /** Honorific genders seen (bit 1 male, bit 2 female) and a generation suffix, for coherence. */
  genders: Schema.Int,
  generation: Schema.NullOr(Schema.String),
  mentions: Schema.Array(ContributionMention),
  evidence: Schema.NullOr(MergeEvidence)
})

/** Two context entities became one: `from`'s contributions moved to `into`. */
export const EntitiesMerged = Schema.TaggedStruct("entities.merged", {
  into: Schema.String,
  from: Schema.String,
  /** The contributions that moved, as `runId/local`. */
  moved: Schema.Array(Schema.String),
  evidence: MergeEvidence
})

/** A relation of one run, between two of its entities (local ids). */
export const RelationAdded = Schema.TaggedStruct("relation.added", {
  runId: Schema.String,
  subject: Schema.String,
  predicate: Schema.String,
  object: Schema.String,
  /** Evidence spans (code points) with their chunks. */
  evidence: Schema.Array(Schema.Struct({ start: Schema.Int, end: Schema.Int, text: Schema.String, chunk: Schema.Int }))
})

/** A merge was reversed (`graph unmerge`): the contributions it brought in form `entity` again. */
export const MergeUndone = Schema.TaggedStruct("merge.undone", {
  /** The entity the merge went into. */
  from: Schema.String,
  /** Seq of the record that made the merge. */
  undoes: Schema.Int,
  /** The entity the split-off contributions now form. */
  entity: Schema.String,
  moved: Schema.Array(Schema.String)
})

/** Ends a transaction: the `count` records before it (seq `first` on) apply together or not at all. */
export const Commit = Schema.TaggedStruct("commit", { first: Schema.Int, count: Schema.Int })

/** What a record does. */
export const GraphChange = Schema.Union(
  RunAdded,
  RunRemoved,
  EntityCreated,
  MentionsAttached,
  EntitiesMerged,
  RelationAdded,
  MergeUndone,
  Commit
)
export type GraphChange = typeof GraphChange.Type

/** One record of `log.jsonl`: a change, its sequence number (from 1, no gaps) and time (ISO-8601 UTC). */
export type GraphRecord = GraphChange & { readonly seq: number; readonly at: string }

/** A contribution's key: `runId/local`. */
export const contributionKey = (runId: string, local: string) => `${runId}/${local}`

/** A context name is fine, or the one-line reason it is not. */
export const contextProblem = (name: string): string | null =>
  CONTEXT_PATTERN.test(name)
    ? null
    : `invalid context name "${name}": use 1 to 64 lower-case letters, digits, _ or -, starting with a letter or digit`

/** A context graph cannot be used as asked: no such context or entity, or nothing to undo. Exit code 1. */
export class GraphError extends Schema.TaggedError<GraphError>()("GraphError", {
  context: Schema.String,
  message: Schema.String
}) {}

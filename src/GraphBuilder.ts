/**
 * Assembles the knowledge graph and the entity-resolution graph from the
 * extract stage's mentions and relations and the resolver's clusters: mints
 * stable entity ids, maps relations onto entities and merges duplicates.
 * Pure functions; deterministic for the same inputs.
 */
import { type ExtractedRelation, type Mention, surfaceOf } from "./Domain/Extraction.js"
import {
  Entity,
  EntityMention,
  Evidence,
  GRAPH_SCHEMA_VERSION,
  KnowledgeGraph,
  Relation,
  type Resolution,
  ResolutionEdge,
  ResolutionGraph
} from "./Domain/Graph.js"
import { sha256Hex } from "./Digest.js"

/**
 * A readable id from a label: ASCII letters and digits in lower case joined
 * by `-` (diacritics folded), at most 60 characters; empty when nothing
 * Latin is left (the caller then falls back to a hash).
 */
export const slugify = (label: string): string =>
  label
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/g, "")

const shortHash = (s: string, n = 8) => sha256Hex(s).slice(0, n)

export interface GraphInput {
  readonly runId: string
  readonly documentSha256: string
  /** Document length in code points. */
  readonly documentLength: number
  readonly mentions: ReadonlyArray<Mention>
  readonly relations: ReadonlyArray<ExtractedRelation>
  readonly resolution: Resolution
}

/**
 * Builds both graphs.
 *
 * Entity ids are the slug of the label; where two entities would share one
 * (or the slug is empty), each gets `<slug>-<8 hex>` from a hash of its type,
 * label and first mention offset. Relations are re-pointed from mentions to
 * entities; relations with the same (subject, predicate, object) become one
 * relation with all their evidence; relations whose subject and object
 * resolved to the same entity are dropped. Entities are ordered by first
 * mention, relations by first evidence, ties by id.
 */
export const buildGraphs = (input: GraphInput): { readonly graph: KnowledgeGraph; readonly resolution: ResolutionGraph } => {
  const byId = new Map(input.mentions.map((m) => [m.id, m] as const))
  const clusters = input.resolution.clusters.map((c, index) => {
    const mentions = c.mentions
      .map((id) => byId.get(id))
      .filter((m): m is Mention => m !== undefined)
      .sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end)
    return { index, cluster: c, mentions }
  }).filter((c) => c.mentions.length > 0)

  const slugCount = new Map<string, number>()
  for (const c of clusters) {
    const slug = slugify(c.cluster.label)
    slugCount.set(slug, (slugCount.get(slug) ?? 0) + 1)
  }
  const entityIdOf = new Map<number, string>()
  for (const c of clusters) {
    const slug = slugify(c.cluster.label)
    const unique = slug !== "" && slugCount.get(slug) === 1
    const id = unique
      ? slug
      : `${slug || "entity"}-${shortHash(`${c.cluster.type}\u0000${c.cluster.label}\u0000${c.mentions[0]!.span.start}`)}`
    entityIdOf.set(c.index, id)
  }

  const entities = clusters.map((c) => {
    const aliases = [...new Set(c.mentions.map(surfaceOf))]
      .filter((a) => a !== c.cluster.label)
      .sort()
    const description = c.mentions.find((m) => m.description !== null)?.description ?? null
    return new Entity({
      id: entityIdOf.get(c.index)!,
      label: c.cluster.label,
      type: c.cluster.type,
      aliases,
      mentions: c.mentions.map((m) =>
        new EntityMention({ id: m.id, span: m.span, chunk: m.chunk, grounding: m.grounding }, { disableValidation: true })
      ),
      description
    }, { disableValidation: true })
  }).sort((a, b) => a.mentions[0]!.span.start - b.mentions[0]!.span.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

  const entityOfMention = new Map<string, string>()
  for (const a of input.resolution.assignments) {
    const id = entityIdOf.get(a.cluster)
    if (id !== undefined) entityOfMention.set(a.mention, id)
  }

  const grouped = new Map<string, { subject: string; predicate: string; object: string; evidence: Array<Evidence> }>()
  for (const r of input.relations) {
    const subject = entityOfMention.get(r.subject)
    const object = entityOfMention.get(r.object)
    if (subject === undefined || object === undefined || subject === object) continue
    const key = `${subject}\u0000${r.predicate}\u0000${object}`
    const group = grouped.get(key) ?? { subject, predicate: r.predicate, object, evidence: [] }
    if (!group.evidence.some((e) => e.span.start === r.evidence.start && e.span.end === r.evidence.end)) {
      group.evidence.push(new Evidence({ span: r.evidence, chunk: r.chunk, grounding: r.grounding }, { disableValidation: true }))
    }
    grouped.set(key, group)
  }
  const relations = [...grouped.entries()].map(([key, g]) => {
    const evidence = g.evidence.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end)
    return new Relation({
      id: `r-${shortHash(key, 10)}`,
      subject: g.subject,
      predicate: g.predicate,
      object: g.object,
      evidence: evidence as [Evidence, ...Array<Evidence>]
    }, { disableValidation: true })
  }).sort((a, b) => a.evidence[0].span.start - b.evidence[0].span.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

  const graph = new KnowledgeGraph({
    schemaVersion: GRAPH_SCHEMA_VERSION,
    runId: input.runId,
    document: { path: "input/document.txt", sha256: input.documentSha256, length: input.documentLength },
    entities,
    relations
  }, { disableValidation: true })

  const sortedMentions = [...input.mentions].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end)
  const resolution = new ResolutionGraph({
    schemaVersion: GRAPH_SCHEMA_VERSION,
    runId: input.runId,
    mentions: sortedMentions.map((m) => ({ id: m.id, type: m.type, span: m.span, chunk: m.chunk })),
    entities: entities.map((e) => ({ id: e.id, label: e.label, type: e.type })),
    edges: input.resolution.assignments
      .filter((a) => entityIdOf.has(a.cluster))
      .map((a) =>
        new ResolutionEdge({
          mention: a.mention,
          entity: entityIdOf.get(a.cluster)!,
          method: a.method,
          score: a.score,
          reason: a.reason,
          ...(a.via === undefined ? {} : { via: a.via })
        })
      )
      .sort((a, b) => {
        const ma = byId.get(a.mention)!
        const mb = byId.get(b.mention)!
        return ma.span.start - mb.span.start || ma.span.end - mb.span.end || (a.mention < b.mention ? -1 : 1)
      })
  }, { disableValidation: true })
  return { graph, resolution }
}

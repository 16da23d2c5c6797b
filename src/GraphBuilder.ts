/**
 * Assembles the knowledge graph and the entity-resolution graph from the
 * extract stage's mentions and relations and the resolver's clusters: mints
 * stable entity ids, maps relations onto entities and merges duplicates.
 * Pure functions; deterministic for the same inputs.
 */
import { sha256Hex } from "./Digest.js"
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
  ResolutionGraph,
  Vocabulary
} from "./Domain/Graph.js"
import { wellFormed } from "./Renderer/Text.js"

/**
 * A readable id from a label: its words (runs of letters, combining marks
 * and digits, in any script) in lower case joined by `-`, at most 60 code
 * points. Latin, Greek and Cyrillic diacritics are folded (`Émile` →
 * `emile`); other scripts are kept as they are (`東京` → `東京`), so ids stay
 * readable, and IRIs percent-encode them. Empty when the label has no
 * letter or digit (the caller then falls back to a hash).
 */
export const slugify = (label: string): string => {
  const folded = wellFormed(label)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]+/g, "")
    .normalize("NFC")
    .toLowerCase()
  const words = folded.match(/[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu) ?? []
  const cps = Array.from(words.join("-")).slice(0, 60)
  return cps.join("").replace(/-+$/, "")
}

const sortRecord = (r: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** The vocabulary with its keys in code-unit order, so the JSON is the same however it was built. */
const sortedVocabulary = (v: Vocabulary) =>
  new Vocabulary({ types: sortRecord(v.types), predicates: sortRecord(v.predicates) })

const shortHash = (s: string, n = 8) => sha256Hex(s).slice(0, n)

export interface GraphInput {
  readonly runId: string
  readonly documentSha256: string
  /** Document length in code points. */
  readonly documentLength: number
  readonly mentions: ReadonlyArray<Mention>
  readonly relations: ReadonlyArray<ExtractedRelation>
  readonly resolution: Resolution
  /** IRIs of types and predicates from an ontology, if one was given; copied into the graph with keys sorted. */
  readonly vocabulary?: Vocabulary
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
 * mention, relations by first evidence, ties by id. Labels, types,
 * predicates and descriptions (which come from a model and may hold lone
 * surrogates) have lone surrogates replaced by U+FFFD, so every output
 * agrees on them; spans come from the document and need no such care.
 */
export const buildGraphs = (
  input: GraphInput
): { readonly graph: KnowledgeGraph; readonly resolution: ResolutionGraph } => {
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
      : `${slug || "entity"}-${
        shortHash(`${c.cluster.type}\u0000${c.cluster.label}\u0000${c.mentions[0]!.span.start}`)
      }`
    entityIdOf.set(c.index, id)
  }

  const entities = clusters.map((c) => {
    const label = wellFormed(c.cluster.label)
    const aliases = [...new Set(c.mentions.map(surfaceOf))]
      .filter((a) => a !== label)
      .sort()
    const description = c.mentions.find((m) => m.description !== null)?.description ?? null
    return new Entity({
      id: entityIdOf.get(c.index)!,
      label,
      type: wellFormed(c.cluster.type),
      aliases,
      mentions: c.mentions.map((m) =>
        new EntityMention({ id: m.id, span: m.span, chunk: m.chunk, grounding: m.grounding }, {
          disableValidation: true
        })
      ),
      description: description === null ? null : wellFormed(description)
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
    const predicate = wellFormed(r.predicate)
    const key = `${subject}\u0000${predicate}\u0000${object}`
    const group = grouped.get(key) ?? { subject, predicate, object, evidence: [] }
    if (!group.evidence.some((e) => e.span.start === r.evidence.start && e.span.end === r.evidence.end)) {
      group.evidence.push(
        new Evidence({ span: r.evidence, chunk: r.chunk, grounding: r.grounding }, { disableValidation: true })
      )
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
    relations,
    ...(input.vocabulary ? { vocabulary: sortedVocabulary(input.vocabulary) } : {})
  }, { disableValidation: true })

  const sortedMentions = [...input.mentions].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end)
  const resolution = new ResolutionGraph({
    schemaVersion: GRAPH_SCHEMA_VERSION,
    runId: input.runId,
    mentions: sortedMentions.map((m) => ({ id: m.id, type: wellFormed(m.type), span: m.span, chunk: m.chunk })),
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
          ...(a.via === undefined ? {} : { via: a.via }),
          ...(a.source === undefined ? {} : { source: a.source })
        }, { disableValidation: true }) // from assignments the resolver built and validated
      )
      .sort((a, b) => {
        const ma = byId.get(a.mention)!
        const mb = byId.get(b.mention)!
        return ma.span.start - mb.span.start || ma.span.end - mb.span.end || (a.mention < b.mention ? -1 : 1)
      })
  }, { disableValidation: true })
  return { graph, resolution }
}

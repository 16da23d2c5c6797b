/**
 * `knowledge-graph.jsonl`: the graph in the line format of the Model
 * Context Protocol's knowledge-graph memory server
 * (https://github.com/modelcontextprotocol/servers/tree/main/src/memory):
 * one JSON object per line, `{"type":"entity","name","entityType","observations"}`
 * for entities, then `{"type":"relation","from","to","relationType"}`
 * for relations. Point the server's `MEMORY_FILE_PATH` at the file (or
 * append it to an existing memory file) and its tools see the graph.
 *
 * The server keys entities by `name`, so names must be unique: an entity's
 * name is its label, and where labels repeat, `label (type)`, and where
 * that repeats too, `label (type, id)` (numbered in the unlikely case that
 * still collides with another entity's label).
 */
import type { KnowledgeGraph } from "../Domain/Graph.js"
import { wellFormed } from "./Text.js"

/** At most this many mentions are listed as observations per entity; the count is always given. */
export const JSONL_MAX_MENTION_OBSERVATIONS = 5

/**
 * Unique memory-server names for the graph's entities, by entity id
 * (see the module comment for the rule).
 */
export const memoryNames = (graph: KnowledgeGraph): ReadonlyMap<string, string> => {
  const count = <K>(keys: ReadonlyArray<K>) => {
    const m = new Map<K, number>()
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1)
    return m
  }
  const labels = graph.entities.map((e) => wellFormed(e.label))
  const byLabel = count(labels)
  const typed = graph.entities.map((
    e,
    i
  ) => (byLabel.get(labels[i]!)! > 1 ? `${labels[i]} (${wellFormed(e.type)})` : labels[i]!))
  const byTyped = count(typed)
  const names = new Map<string, string>()
  const taken = new Set<string>()
  graph.entities.forEach((e, i) => {
    let name = byTyped.get(typed[i]!)! > 1 ? `${labels[i]} (${wellFormed(e.type)}, ${e.id})` : typed[i]!
    // Only a label that itself reads like "X (T, id)" can still collide; number such names.
    for (let n = 2; taken.has(name); n++) name = `${labels[i]} (${wellFormed(e.type)}, ${e.id}, ${n})`
    taken.add(name)
    names.set(e.id, name)
  })
  return names
}

/**
 * Renders the graph as memory-server lines, each ending in `\n`.
 * Observations of an entity, in this order: its description; `Also called
 * "<alias>"` per alias; `Mentioned N times in <runId> (input/document.txt)`;
 * and for its first few mentions `Mention at code points <start>–<end>:
 * "<text>"`. Deterministic.
 */
export const renderJsonl = (graph: KnowledgeGraph): string => {
  const names = memoryNames(graph)
  const lines: Array<string> = []
  for (const e of graph.entities) {
    const observations: Array<string> = []
    if (e.description !== null) observations.push(wellFormed(e.description))
    for (const alias of e.aliases) observations.push(`Also called "${wellFormed(alias)}"`)
    observations.push(
      `Mentioned ${e.mentions.length} time${
        e.mentions.length === 1 ? "" : "s"
      } in ${graph.runId} (${graph.document.path})`
    )
    for (const m of e.mentions.slice(0, JSONL_MAX_MENTION_OBSERVATIONS)) {
      observations.push(`Mention at code points ${m.span.start}–${m.span.end}: "${wellFormed(m.span.text)}"`)
    }
    lines.push(JSON.stringify({ type: "entity", name: names.get(e.id)!, entityType: wellFormed(e.type), observations }))
  }
  for (const r of graph.relations) {
    lines.push(
      JSON.stringify({
        type: "relation",
        from: names.get(r.subject)!,
        to: names.get(r.object)!,
        relationType: wellFormed(r.predicate)
      })
    )
  }
  return lines.map((l) => l + "\n").join("")
}

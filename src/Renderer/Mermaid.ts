/**
 * `mermaid-diagram.md`: the graph as a fenced Mermaid flowchart
 * (https://mermaid.js.org/syntax/flowchart.html).
 */
import type { KnowledgeGraph } from "../Domain/Graph.js"

/** Most entities drawn; the rest are listed as left out in a comment. */
export const MERMAID_MAX_ENTITIES = 100

/**
 * Escapes a label for a double-quoted Mermaid string: every character other
 * than ASCII letters, digits, space and `.,:-_'()/` becomes an entity code
 * `#<decimal code point>;`, which Mermaid decodes when it renders. Line
 * breaks become spaces. Lone surrogates become U+FFFD.
 */
export const escapeMermaidLabel = (label: string): string => {
  let out = ""
  for (const ch of label.replace(/[\r\n]+/g, " ")) {
    const cp = ch.codePointAt(0)!
    if (/^[A-Za-z0-9 .,:\-_'()/]$/.test(ch)) out += ch
    else out += `#${cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp};`
  }
  return out
}

/**
 * Renders the graph. Nodes are the entities with the most relations (ties:
 * most mentions, then id), at most {@link MERMAID_MAX_ENTITIES}; node ids are
 * `e1`, `e2`, … in that order. Edges are the relations among drawn nodes.
 */
export const renderMermaid = (graph: KnowledgeGraph, maxEntities = MERMAID_MAX_ENTITIES): string => {
  const degree = new Map<string, number>()
  for (const r of graph.relations) {
    degree.set(r.subject, (degree.get(r.subject) ?? 0) + 1)
    degree.set(r.object, (degree.get(r.object) ?? 0) + 1)
  }
  const ranked = [...graph.entities].sort((a, b) =>
    (degree.get(b.id) ?? 0) - (degree.get(a.id) ?? 0) ||
    b.mentions.length - a.mentions.length ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  )
  const shown = ranked.slice(0, maxEntities)
  const nodeId = new Map(shown.map((e, i) => [e.id, `e${i + 1}`] as const))
  const lines = ["```mermaid", "flowchart LR"]
  const omitted = graph.entities.length - shown.length
  if (omitted > 0) {
    lines.push(`  %% ${omitted} of ${graph.entities.length} entities left out: only the ${maxEntities} with the most relations are drawn`)
  }
  for (const e of shown) {
    lines.push(`  ${nodeId.get(e.id)}["${escapeMermaidLabel(e.label)}<br/><i>${escapeMermaidLabel(e.type)}</i>"]`)
  }
  let hidden = 0
  for (const r of graph.relations) {
    const s = nodeId.get(r.subject)
    const o = nodeId.get(r.object)
    if (s === undefined || o === undefined) {
      hidden++
      continue
    }
    lines.push(`  ${s} -->|"${escapeMermaidLabel(r.predicate)}"| ${o}`)
  }
  if (hidden > 0) lines.push(`  %% ${hidden} relations left out with their entities`)
  lines.push("```")
  return lines.join("\n") + "\n"
}

/**
 * `mermaid-diagram.md`: the graph as a fenced Mermaid flowchart
 * (https://mermaid.js.org/syntax/flowchart.html) that Mermaid's own parser
 * accepts whatever the names contain, and that stays within Mermaid's
 * default limits so it renders in GitHub, GitLab, Obsidian and mermaid.live.
 */
import type { Entity, KnowledgeGraph, Relation } from "../Domain/Graph.js"
import { compareStrings, truncateCodePoints, wellFormed } from "./Text.js"

/** Most entities drawn; the rest are left out, and a comment says how many. */
export const MERMAID_MAX_ENTITIES = 100

/**
 * Most edges drawn: Mermaid's default `maxEdges` is 500, past which its
 * parser refuses the diagram ("Edge limit exceeded").
 */
export const MERMAID_MAX_EDGES = 500

/**
 * Most characters of diagram text: Mermaid's default `maxTextSize` is
 * 50,000 UTF-16 code units, past which it shows an error instead of the
 * diagram; we stay under it with room to spare.
 */
export const MERMAID_MAX_TEXT = 45_000

/** Labels are cut to this many code points (with `…`); the full names are in the other outputs. */
export const MERMAID_MAX_LABEL = 80

/**
 * Escapes text for a double-quoted Mermaid label. Letters, marks and digits
 * of every script, spaces, `…` and the ASCII punctuation
 * `. , : - _ ' ( ) / ! ? @ $ * + = ~ ^` stay as they are; a line break becomes `<br/>`; every other character
 * becomes Mermaid's entity code `#<decimal code point>;`, which Mermaid
 * decodes when it draws. So no label can end the string (`"`), open a
 * markdown string (`` ` ``), inject HTML (`<`, `>`, `&`), start an entity
 * code or a directive (`#`, `%`), or break the line. Lone surrogates become
 * U+FFFD. Input is not truncated here.
 */
export const escapeMermaidLabel = (label: string): string => {
  let out = ""
  for (const line of wellFormed(label).split(/\r\n|\r|\n/).entries()) {
    if (line[0] > 0) out += "<br/>"
    for (const ch of line[1]) {
      if (/^[\p{L}\p{M}\p{N} .,:\-_'()/!?@$*+=~^…]$/u.test(ch)) out += ch
      else out += `#${ch.codePointAt(0)!};`
    }
  }
  return out
}

/** A label for a node: the entity's label, then its type on a second line, each cut to {@link MERMAID_MAX_LABEL}. */
const nodeLabel = (e: Entity) =>
  `${escapeMermaidLabel(truncateCodePoints(e.label, MERMAID_MAX_LABEL))}<br/>(${
    escapeMermaidLabel(truncateCodePoints(e.type, MERMAID_MAX_LABEL))
  })`

/** Limits of one rendering; the defaults are the exported constants. */
export interface MermaidLimits {
  readonly maxEntities?: number
  readonly maxEdges?: number
  readonly maxText?: number
}

/**
 * Renders the graph.
 *
 * Entities are ranked by degree (relations they take part in), then by
 * mention count, then by id; they are drawn in that order while at most
 * `maxEntities` are drawn and the diagram text stays within `maxText`
 * characters. Node ids are `e1`, `e2`, … in rank order. Each drawn entity
 * brings the relations between it and the entities drawn before it (in the
 * graph's relation order), while at most `maxEdges` are drawn. A `%%`
 * comment at the top says how many entities and relations were left out.
 * Deterministic.
 */
export const renderMermaid = (graph: KnowledgeGraph, limits: MermaidLimits = {}): string => {
  const maxEntities = limits.maxEntities ?? MERMAID_MAX_ENTITIES
  const maxEdges = limits.maxEdges ?? MERMAID_MAX_EDGES
  const maxText = limits.maxText ?? MERMAID_MAX_TEXT

  const degree = new Map<string, number>()
  for (const r of graph.relations) {
    degree.set(r.subject, (degree.get(r.subject) ?? 0) + 1)
    degree.set(r.object, (degree.get(r.object) ?? 0) + 1)
  }
  const ranked = [...graph.entities].sort((a, b) =>
    (degree.get(b.id) ?? 0) - (degree.get(a.id) ?? 0) ||
    b.mentions.length - a.mentions.length ||
    compareStrings(a.id, b.id)
  )
  const relationIndex = new Map(graph.relations.map((r, i) => [r, i] as const))
  const touching = new Map<string, Array<Relation>>()
  for (const r of graph.relations) {
    for (const id of new Set([r.subject, r.object])) {
      const list = touching.get(id)
      if (list) list.push(r)
      else touching.set(id, [r])
    }
  }

  // Room for the header, the comments and the fence, which are short.
  let used = 400
  const nodeId = new Map<string, string>()
  const nodeLines: Array<string> = []
  const edgeLines: Array<string> = []
  for (const e of ranked) {
    if (nodeLines.length >= maxEntities) break
    const id = `e${nodeLines.length + 1}`
    const nodeLine = `  ${id}["${nodeLabel(e)}"]`
    const edges: Array<string> = []
    const links = (touching.get(e.id) ?? [])
      .filter((r) => (r.subject === e.id || nodeId.has(r.subject)) && (r.object === e.id || nodeId.has(r.object)))
      .sort((a, b) => relationIndex.get(a)! - relationIndex.get(b)!)
    for (const r of links) {
      if (edgeLines.length + edges.length >= maxEdges) break
      const s = r.subject === e.id ? id : nodeId.get(r.subject)!
      const o = r.object === e.id ? id : nodeId.get(r.object)!
      const label = escapeMermaidLabel(truncateCodePoints(r.predicate, MERMAID_MAX_LABEL))
      // Mermaid refuses an empty quoted label; an unnamed predicate gets a bare arrow.
      edges.push(label === "" ? `  ${s} --> ${o}` : `  ${s} -->|"${label}"| ${o}`)
    }
    const cost = nodeLine.length + 1 + edges.reduce((n, l) => n + l.length + 1, 0)
    if (used + cost > maxText) break
    used += cost
    nodeId.set(e.id, id)
    nodeLines.push(nodeLine)
    for (const edge of edges) edgeLines.push(edge)
  }

  const lines = [
    "```mermaid",
    "flowchart LR",
    `  %% extract ${graph.runId}: ${graph.entities.length} entities, ${graph.relations.length} relations`
  ]
  const omittedEntities = graph.entities.length - nodeLines.length
  const omittedRelations = graph.relations.length - edgeLines.length
  if (omittedEntities > 0) {
    lines.push(
      `  %% ${omittedEntities} of ${graph.entities.length} entities left out: drawn are the ${nodeLines.length} with the most relations (at most ${maxEntities} entities, ${maxEdges} edges, ${maxText} characters)`
    )
  }
  if (omittedRelations > 0) {
    lines.push(
      `  %% ${omittedRelations} of ${graph.relations.length} relations left out: drawn are those between drawn entities, at most ${maxEdges}`
    )
  }
  if (nodeLines.length === 0) lines.push("  %% no entities")
  for (const line of nodeLines) lines.push(line)
  for (const line of edgeLines) lines.push(line)
  lines.push("```")
  return lines.join("\n") + "\n"
}

/**
 * `graph.graphml`: the graph as GraphML 1.0
 * (http://graphml.graphdrawing.org/specification.html), for Gephi, yEd,
 * NetworkX (`networkx.read_graphml`), igraph and Cytoscape.
 *
 * Nodes are entities (`id` = entity id) and edges are relations
 * (`id` = relation id), with their fields as typed `<data>` attributes; the
 * attribute named `label` is the one Gephi shows. Lists (aliases, spans)
 * are JSON arrays in a string attribute, since GraphML has no list type.
 */
import type { KnowledgeGraph } from "../Domain/Graph.js"
import { xmlSafe } from "./Text.js"

/**
 * Escapes text for XML character data: `&`, `<`, `>` as entities and CR as
 * `&#13;` (a raw CR would be normalised away); characters XML 1.0 forbids
 * become U+FFFD.
 */
export const escapeXmlText = (s: string): string =>
  xmlSafe(s).replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;"))

/**
 * Escapes text for a double-quoted XML attribute value: as
 * {@link escapeXmlText}, plus `"` and tab / LF as references (attribute
 * values normalise raw whitespace to spaces).
 */
export const escapeXmlAttribute = (s: string): string =>
  escapeXmlText(s).replace(/["\t\n]/g, (c) => (c === "\"" ? "&quot;" : `&#${c.charCodeAt(0)};`))

interface Key {
  /** The key's XML id, used by `<data key=…>`. */
  readonly id: string
  readonly for: "node" | "edge" | "graph"
  /** The attribute name tools show. */
  readonly name: string
  readonly type: "string" | "int"
}

const KEYS: ReadonlyArray<Key> = [
  { id: "label", for: "node", name: "label", type: "string" },
  { id: "type", for: "node", name: "type", type: "string" },
  { id: "aliases", for: "node", name: "aliases", type: "string" },
  { id: "description", for: "node", name: "description", type: "string" },
  { id: "mentionCount", for: "node", name: "mentionCount", type: "int" },
  { id: "mentions", for: "node", name: "mentions", type: "string" },
  { id: "edgeLabel", for: "edge", name: "label", type: "string" },
  { id: "predicate", for: "edge", name: "predicate", type: "string" },
  { id: "evidenceCount", for: "edge", name: "evidenceCount", type: "int" },
  { id: "evidence", for: "edge", name: "evidence", type: "string" },
  { id: "runId", for: "graph", name: "runId", type: "string" },
  { id: "documentSha256", for: "graph", name: "documentSha256", type: "string" }
]

/** Spans as a JSON array of `[start, end, text]` triples (code points over input/document.txt). */
const spansJson = (spans: ReadonlyArray<{ readonly start: number; readonly end: number; readonly text: string }>) =>
  JSON.stringify(spans.map((s) => [s.start, s.end, s.text]))

/**
 * Renders the graph as GraphML, directed, with a final newline. Every
 * string is escaped for XML ({@link escapeXmlText},
 * {@link escapeXmlAttribute}), so values read back exactly (characters XML
 * forbids aside). Deterministic.
 */
export const renderGraphMl = (graph: KnowledgeGraph): string => {
  const out: Array<string> = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">`
  ]
  for (const k of KEYS) out.push(`  <key id="${k.id}" for="${k.for}" attr.name="${k.name}" attr.type="${k.type}"/>`)
  out.push(`  <graph id="${escapeXmlAttribute(graph.runId)}" edgedefault="directed">`)
  const data = (indent: string, key: string, value: string | number) =>
    `${indent}<data key="${key}">${escapeXmlText(String(value))}</data>`
  out.push(data("    ", "runId", graph.runId), data("    ", "documentSha256", graph.document.sha256))
  for (const e of graph.entities) {
    out.push(`    <node id="${escapeXmlAttribute(e.id)}">`)
    out.push(data("      ", "label", e.label))
    out.push(data("      ", "type", e.type))
    out.push(data("      ", "aliases", JSON.stringify(e.aliases)))
    if (e.description !== null) out.push(data("      ", "description", e.description))
    out.push(data("      ", "mentionCount", e.mentions.length))
    out.push(data("      ", "mentions", spansJson(e.mentions.map((m) => m.span))))
    out.push(`    </node>`)
  }
  for (const r of graph.relations) {
    out.push(
      `    <edge id="${escapeXmlAttribute(r.id)}" source="${escapeXmlAttribute(r.subject)}" target="${
        escapeXmlAttribute(r.object)
      }">`
    )
    out.push(data("      ", "edgeLabel", r.predicate))
    out.push(data("      ", "predicate", r.predicate))
    out.push(data("      ", "evidenceCount", r.evidence.length))
    out.push(data("      ", "evidence", spansJson(r.evidence.map((ev) => ev.span))))
    out.push(`    </edge>`)
  }
  out.push(`  </graph>`, `</graphml>`)
  return out.join("\n") + "\n"
}

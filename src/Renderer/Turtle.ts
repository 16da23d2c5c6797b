/**
 * `rdf-turtle.ttl`: the graph's RDF ({@link rdfDataset}) as RDF 1.1 Turtle,
 * written with n3's Writer (https://github.com/rdfjs/N3.js), which escapes
 * literals and IRIs.
 */
import { Writer } from "n3"
import type { Quad_Object } from "n3"
import type { KnowledgeGraph } from "../Domain/Graph.js"
import { nestBlankNodes, type RdfDataset, rdfDataset, type RdfOptions } from "./Rdf.js"

/**
 * Renders the graph as Turtle, with prefixes for the standard and minted
 * namespaces and blank nodes written nested (`[ … ]`, see
 * {@link nestBlankNodes}). Deterministic: the same graph and options give
 * the same bytes.
 * Throws only if n3's writer reports an error, which it does not for the
 * named nodes and literals {@link rdfDataset} builds.
 */
export const renderTurtle = (graph: KnowledgeGraph, options: RdfOptions): string => turtleOf(rdfDataset(graph, options))

/** Writes an RDF dataset as Turtle (see {@link renderTurtle}). */
export const turtleOf = (dataset: RdfDataset): string => {
  const writer = new Writer({ prefixes: Object.fromEntries(dataset.prefixes) })
  const { nested, top } = nestBlankNodes(dataset.quads)
  const object = (o: Quad_Object): Quad_Object => {
    const children = o.termType === "BlankNode" ? nested.get(o.value) : undefined
    if (!children) return o
    return writer.blank(
      children.map((q) => ({ predicate: q.predicate, object: object(q.object) }))
    ) as unknown as Quad_Object
  }
  for (const q of top) writer.addQuad(q.subject, q.predicate, object(q.object))
  let output: string | undefined
  let failure: unknown
  // With no output stream, n3 collects the document in memory and calls back synchronously.
  writer.end((error, result: string) => {
    failure = error
    output = result
  })
  if (failure || output === undefined) throw new Error(`n3 Writer failed: ${String(failure ?? "no output")}`)
  return indentNested(output)
}

/**
 * Re-indents n3's output so nested blank nodes read as a tree: each level
 * of `[ … ]` four spaces deeper than the line that opened it. Only the
 * spaces at the start of lines change. n3 escapes line breaks inside
 * literals, so every line break in its output is structural; brackets are
 * counted outside string literals and IRIs.
 */
export const indentNested = (turtle: string): string => {
  let depth = 0
  const lines = turtle.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    let lead = 0
    while (line.charCodeAt(lead) === SPACE) lead++
    if (depth > 0) {
      const level = line.charCodeAt(lead) === CLOSE ? depth - 1 : depth
      lines[i] = " ".repeat(4 * (level + 1)) + (lead > 0 ? line.slice(lead) : line)
    }
    // Only `"`, `<`, `[` and `]` matter outside literals and IRIs; jump between them.
    let inString = false
    let inIri = false
    for (let j = lead; j < line.length; j++) {
      const c = line.charCodeAt(j)
      if (inString) {
        if (c === BACKSLASH) j++
        else if (c === QUOTE) inString = false
      } else if (inIri) {
        if (c === GT) inIri = false
        else {
          const close = line.indexOf(">", j)
          if (close < 0) break
          j = close - 1
        }
      } else if (c === QUOTE) inString = true
      else if (c === LT) inIri = true
      else if (c === OPEN) depth++
      else if (c === CLOSE) depth--
    }
  }
  return lines.join("\n")
}

const SPACE = 0x20
const QUOTE = 0x22
const BACKSLASH = 0x5c
const LT = 0x3c
const GT = 0x3e
const OPEN = 0x5b
const CLOSE = 0x5d

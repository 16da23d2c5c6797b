/**
 * `knowledge-graph.jsonld`: the same triples as `rdf-turtle.ttl`
 * ({@link rdfDataset}) as JSON-LD 1.1 (https://www.w3.org/TR/json-ld11/),
 * with an inline `@context`, so it loads without fetching anything.
 *
 * The context names the common properties with short terms borrowed from
 * the Web Annotation JSON-LD context (`label`, `body`, `target`, `selector`,
 * `start`, `end`, `exact`, …), aliases `@id`/`@type` as `id`/`type`, and
 * declares the prefixes of the Turtle file; any other IRI is written as a
 * compact IRI (`kg:worksFor`) or in full. Blank nodes used once (an
 * annotation's target and selectors, the document's checksum) are nested
 * inside the node that uses them; every other node is an entry of `@graph`.
 */
import type { Literal, Quad } from "n3"
import type { KnowledgeGraph } from "../Domain/Graph.js"
import { nestBlankNodes, NS, type RdfDataset, rdfDataset, type RdfOptions } from "./Rdf.js"

/** A term of the context: its IRI and, for properties, how its values are coerced. */
interface TermDefinition {
  readonly term: string
  readonly iri: string
  /** `@id` for IRI values, a datatype IRI for typed literals, absent for plain strings and integers. */
  readonly coerce?: string
}

/** Properties with short names; a value uses the term only when it matches the coercion. */
const PROPERTY_TERMS: ReadonlyArray<TermDefinition> = [
  { term: "label", iri: `${NS.rdfs}label` },
  { term: "altLabel", iri: `${NS.skos}altLabel` },
  { term: "comment", iri: `${NS.rdfs}comment` },
  { term: "motivation", iri: `${NS.oa}motivatedBy`, coerce: "@id" },
  { term: "body", iri: `${NS.oa}hasBody`, coerce: "@id" },
  { term: "target", iri: `${NS.oa}hasTarget`, coerce: "@id" },
  { term: "source", iri: `${NS.oa}hasSource`, coerce: "@id" },
  { term: "selector", iri: `${NS.oa}hasSelector`, coerce: "@id" },
  { term: "start", iri: `${NS.oa}start` },
  { term: "end", iri: `${NS.oa}end` },
  { term: "exact", iri: `${NS.oa}exact` },
  { term: "subject", iri: `${NS.rdf}subject`, coerce: "@id" },
  { term: "predicate", iri: `${NS.rdf}predicate`, coerce: "@id" },
  { term: "object", iri: `${NS.rdf}object`, coerce: "@id" },
  { term: "wasGeneratedBy", iri: `${NS.prov}wasGeneratedBy`, coerce: "@id" },
  { term: "wasDerivedFrom", iri: `${NS.prov}wasDerivedFrom`, coerce: "@id" },
  { term: "used", iri: `${NS.prov}used`, coerce: "@id" },
  { term: "identifier", iri: `${NS.dcterms}identifier` },
  { term: "checksum", iri: `${NS.spdx}checksum`, coerce: "@id" },
  { term: "algorithm", iri: `${NS.spdx}algorithm`, coerce: "@id" },
  { term: "checksumValue", iri: `${NS.spdx}checksumValue`, coerce: `${NS.xsd}hexBinary` }
]

/** Classes with short names, for `type` values. */
const CLASS_TERMS: ReadonlyArray<readonly [string, string]> = [
  ["Annotation", `${NS.oa}Annotation`],
  ["SpecificResource", `${NS.oa}SpecificResource`],
  ["TextPositionSelector", `${NS.oa}TextPositionSelector`],
  ["TextQuoteSelector", `${NS.oa}TextQuoteSelector`],
  ["Statement", `${NS.rdf}Statement`],
  ["Class", `${NS.rdfs}Class`],
  ["Property", `${NS.rdf}Property`],
  ["Activity", `${NS.prov}Activity`],
  ["Checksum", `${NS.spdx}Checksum`]
]

const RDF_TYPE = `${NS.rdf}type`
const XSD_STRING = `${NS.xsd}string`
const XSD_INTEGER = `${NS.xsd}integer`

type JsonValue = string | number | boolean | null | ReadonlyArray<JsonValue> | { readonly [k: string]: JsonValue }
type NodeObject = Record<string, JsonValue>

/** Canonical xsd:integer lexical forms that JSON numbers represent exactly (and JSON-LD turns back into the same literal). */
const JSON_INTEGER = /^(?:0|-?[1-9][0-9]{0,14})$/

/**
 * Renders the graph as JSON-LD, two-space indented, with a final newline.
 * Expanding it (any JSON-LD 1.1 processor) gives exactly the triples of
 * `renderTurtle` for the same graph and options (blank nodes aside, which
 * get fresh labels). Deterministic.
 */
export const renderJsonLd = (graph: KnowledgeGraph, options: RdfOptions): string => jsonLdOf(rdfDataset(graph, options))

/** Writes an RDF dataset as JSON-LD (see {@link renderJsonLd}). */
export const jsonLdOf = (dataset: RdfDataset): string => {
  // Longest namespace first, so the most specific prefix wins.
  const prefixes = [...dataset.prefixes].sort((a, b) => b[1].length - a[1].length)
  const namespacePrefix = new Map<string, string>()
  for (const [prefix, ns] of [...prefixes].reverse()) namespacePrefix.set(ns, prefix)
  const compacted = new Map<string, string>()
  const compact = (iri: string): string => {
    // Most IRIs are a namespace plus a local name without / or #: look the namespace up directly.
    const cut = Math.max(iri.lastIndexOf("/"), iri.lastIndexOf("#")) + 1
    const direct = namespacePrefix.get(iri.slice(0, cut))
    if (direct !== undefined && cut < iri.length && !iri.startsWith("//", cut)) return `${direct}:${iri.slice(cut)}`
    const cached = compacted.get(iri)
    if (cached !== undefined) return cached
    const result = compactSlow(iri)
    if (compacted.size < 10_000) compacted.set(iri, result)
    return result
  }
  const compactSlow = (iri: string): string => {
    for (const [prefix, ns] of prefixes) {
      if (iri.startsWith(ns) && iri.length > ns.length) {
        const local = iri.slice(ns.length)
        // A suffix starting with // would make the compact IRI read as an absolute one.
        if (!local.startsWith("//")) return `${prefix}:${local}`
      }
    }
    return iri
  }
  const classTerm = new Map(CLASS_TERMS.map(([term, iri]) => [iri, term] as const))
  const propertyTerm = new Map(PROPERTY_TERMS.map((t) => [t.iri, t] as const))

  const context: Record<string, JsonValue> = { id: "@id", type: "@type" }
  for (const [prefix, ns] of dataset.prefixes) context[prefix] = ns
  for (const [term, iri] of CLASS_TERMS) context[term] = compact(iri)
  for (const t of PROPERTY_TERMS) {
    context[t.term] = t.coerce === undefined
      ? compact(t.iri)
      : { "@id": compact(t.iri), "@type": t.coerce === "@id" ? "@id" : compact(t.coerce) }
  }

  const { nested, top } = nestBlankNodes(dataset.quads)
  const subjects = new Map<string, { readonly term: Quad["subject"]; readonly quads: Array<Quad> }>()
  for (const q of top) {
    const key = `${q.subject.termType}:${q.subject.value}`
    const entry = subjects.get(key)
    if (entry) entry.quads.push(q)
    else subjects.set(key, { term: q.subject, quads: [q] })
  }

  /** The value of a literal, and whether a term without coercion can carry it. */
  const literalValue = (lit: Literal): { readonly value: JsonValue; readonly plain: boolean } => {
    const datatype = lit.datatype.value
    if (lit.language) return { value: { "@value": lit.value, "@language": lit.language }, plain: false }
    if (datatype === XSD_STRING) return { value: lit.value, plain: true }
    if (datatype === XSD_INTEGER && JSON_INTEGER.test(lit.value)) return { value: Number(lit.value), plain: true }
    return { value: { "@value": lit.value, "@type": compact(datatype) }, plain: false }
  }

  const nodeObject = (subject: Quad["subject"] | null, quads: ReadonlyArray<Quad>): NodeObject => {
    const node: NodeObject = {}
    if (subject !== null) node.id = subject.termType === "BlankNode" ? `_:${subject.value}` : compact(subject.value)
    const types: Array<string> = []
    const props = new Map<string, Array<JsonValue>>()
    for (const q of quads) {
      const p = q.predicate.value
      const o = q.object
      if (p === RDF_TYPE && o.termType === "NamedNode") {
        types.push(classTerm.get(o.value) ?? compact(o.value))
        continue
      }
      const term = propertyTerm.get(p)
      let key: string
      let value: JsonValue
      if (o.termType === "NamedNode" || o.termType === "BlankNode") {
        const children = o.termType === "BlankNode" ? nested.get(o.value) : undefined
        const ref = o.termType === "BlankNode" ? `_:${o.value}` : compact(o.value)
        if (children) {
          key = term?.coerce === "@id" ? term.term : compact(p)
          value = nodeObject(null, children)
        } else if (term?.coerce === "@id") {
          key = term.term
          value = ref
        } else {
          key = compact(p)
          value = { "@id": ref }
        }
      } else {
        const lit = o as Literal
        const { plain, value: v } = literalValue(lit)
        if (
          term !== undefined && term.coerce !== undefined && term.coerce !== "@id" && !lit.language &&
          lit.datatype.value === term.coerce
        ) {
          key = term.term
          value = lit.value // the term's coercion supplies the datatype
        } else if (term !== undefined && term.coerce === undefined && plain) {
          key = term.term
          value = v
        } else {
          key = compact(p)
          value = v
        }
      }
      const list = props.get(key)
      if (list) list.push(value)
      else props.set(key, [value])
    }
    if (types.length > 0) node.type = types.length === 1 ? types[0]! : types
    for (const [key, values] of props) node[key] = values.length === 1 ? values[0]! : values
    return node
  }

  const entries = [...subjects.values()].map((s) => nodeObject(s.term, s.quads))
  return JSON.stringify({ "@context": context, "@graph": entries }, null, 2) + "\n"
}

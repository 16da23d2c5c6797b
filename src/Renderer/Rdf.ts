/**
 * The knowledge graph as RDF: one list of triples that both `rdf-turtle.ttl`
 * and `knowledge-graph.jsonld` serialise, so the two always hold the same
 * triples. The model (docs/outputs.md, "RDF model"):
 *
 * - Entities are `<base><runId>/entity/<id>`, typed with their class,
 *   labelled with `rdfs:label`, aliases as `skos:altLabel`, the extractor's
 *   description as `rdfs:comment`.
 * - Relations are asserted as plain triples, and each is also described by
 *   an `rdf:Statement` (RDF 1.1 reification, https://www.w3.org/TR/rdf11-mt/#reification)
 *   `<base><runId>/relation/<relationId>` that carries its provenance.
 * - Provenance uses the W3C Web Annotation vocabulary
 *   (https://www.w3.org/TR/annotation-vocab/) and PROV-O
 *   (https://www.w3.org/TR/prov-o/): every mention is an `oa:Annotation`
 *   `<base><runId>/mention/<mentionId>` (motivation `oa:identifying`) whose
 *   body is its entity and whose target is a span of the document, selected
 *   by an `oa:TextPositionSelector` (code point offsets, end exclusive —
 *   exactly our spans) and an `oa:TextQuoteSelector` (the text); every
 *   relation's evidence span is an `oa:Annotation`
 *   `<base><runId>/evidence/<relationId>-<n>` (motivation `oa:describing`)
 *   whose body is the relation's statement. Annotations and statements are
 *   `prov:wasGeneratedBy` the run's `prov:Activity`, which `prov:used` the
 *   document; statements are `prov:wasDerivedFrom` the document.
 * - The document `<base><runId>/document` carries its SHA-256 as an SPDX
 *   checksum (https://spdx.github.io/spdx-spec/v2.3/), its length in code
 *   points and the id of the run made from it (`extract:runId`).
 * - Types and predicates use the ontology's IRIs when the graph has a
 *   {@link Vocabulary} entry for them; otherwise they are minted under
 *   `<base>ontology/` and declared (`rdfs:Class` / `rdf:Property` with an
 *   `rdfs:label`).
 *
 * Every minted local name is percent-encoded (RFC 3986 unreserved
 * characters stay as they are), so IRIs are valid and ASCII whatever the
 * names contain; the encoding is injective, so distinct names never share
 * an IRI. Entities, annotations, statements, the document and the run have
 * IRIs; the parts of an annotation (target, selectors) and the document's
 * checksum are blank nodes used exactly once, which Turtle writes nested
 * (`[ … ]`) and JSON-LD as embedded objects.
 */
import { type BlankNode, DataFactory, type NamedNode, type Quad, type Quad_Object } from "n3"
import type { KnowledgeGraph } from "../Domain/Graph.js"
import { wellFormed } from "./Text.js"

const { blankNode, literal, namedNode, quad } = DataFactory

/** Standard namespaces used by the RDF outputs. */
export const NS = {
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
  skos: "http://www.w3.org/2004/02/skos/core#",
  prov: "http://www.w3.org/ns/prov#",
  oa: "http://www.w3.org/ns/oa#",
  dcterms: "http://purl.org/dc/terms/",
  spdx: "http://spdx.org/rdf/terms#"
} as const

/** Options of the RDF outputs. */
export interface RdfOptions {
  /** Absolute IRI ending in `/` (see `validateBaseIri`). */
  readonly baseIri: string
}

/** Triples plus the prefixes to write them with. */
export interface RdfDataset {
  /** `[prefix, namespace IRI]`, in the order they are declared. */
  readonly prefixes: ReadonlyArray<readonly [string, string]>
  readonly quads: ReadonlyArray<Quad>
}

/**
 * A name as one IRI path segment: UTF-8 percent-encoding of everything but
 * RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`). Lone surrogates
 * become U+FFFD first. The empty name is `_` (and `_` itself `%5F`), so the
 * mapping stays injective and no segment is empty.
 */
export const iriSegment = (name: string): string => {
  if (name === "") return "_"
  if (name === "_") return "%5F"
  return encodeURIComponent(wellFormed(name)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

/** Absolute http(s) or urn IRIs with no character Turtle's IRIREF forbids: the only ontology IRIs used as given. */
const USABLE_IRI = /^(?:https?|urn):[^\u0000-\u0020<>"{}|\\^`\ud800-\udfff]+$/

/** IRIs of the namespaces minted for one run. */
export const namespacesOf = (baseIri: string, runId: string) => {
  const run = `${baseIri}${iriSegment(runId)}/`
  return {
    /** Minted classes and predicates. */
    kg: `${baseIri}ontology/`,
    /** The tool's own terms (`grounding`, `length`, `runId`). */
    extract: `${baseIri}vocab/`,
    run,
    entity: `${run}entity/`,
    mention: `${run}mention/`,
    relation: `${run}relation/`,
    evidence: `${run}evidence/`
  } as const
}

/** The IRI of an entity of the run: `<base><runId>/entity/<percent-encoded id>`. */
export const entityIri = (baseIri: string, runId: string, entityId: string): string =>
  `${namespacesOf(baseIri, runId).entity}${iriSegment(entityId)}`

/**
 * Builds the triples of the graph. Deterministic: the same graph and
 * options give the same triples in the same order (document, run, classes
 * and properties sorted by name, then entities in graph order each with its
 * outgoing relations and its mentions, then relation statements with their
 * evidence).
 */
export const rdfDataset = (graph: KnowledgeGraph, options: RdfOptions): RdfDataset => {
  const ns = namespacesOf(options.baseIri, graph.runId)
  const iri = (value: string) => namedNode(value)
  // Vocabulary terms recur in every annotation: one object each, not one per triple, looked up by
  // their local name (a literal in this file, so no string is built per triple).
  const vocabulary = (namespace: string) => {
    const terms = new Map<string, NamedNode>()
    return (local: string) => {
      let node = terms.get(local)
      if (!node) terms.set(local, node = namedNode(namespace + local))
      return node
    }
  }
  const rdf = vocabulary(NS.rdf)
  const rdfs = vocabulary(NS.rdfs)
  const xsd = vocabulary(NS.xsd)
  const prov = vocabulary(NS.prov)
  const oa = vocabulary(NS.oa)
  const spdx = vocabulary(NS.spdx)
  const ext = vocabulary(ns.extract)
  const term = vocabulary("")
  const text = (value: string) => literal(wellFormed(value))
  const count = (n: number) => literal(String(n), xsd("integer"))
  const a = rdf("type")

  const quads: Array<Quad> = []
  const add = (s: NamedNode | BlankNode, p: NamedNode, o: Quad_Object) => quads.push(quad(s, p, o))
  let blanks = 0
  /** A fresh blank node, labelled in creation order so the triples are the same on every run. */
  const blank = () => blankNode(`b${blanks++}`)

  /**
   * IRIs of names of one kind (types or predicates): the ontology's IRI when
   * the vocabulary has a usable one, otherwise minted under `kg:` and
   * remembered in `minted`, to be declared.
   */
  const namesOf = (given: Readonly<Record<string, string>> | undefined) => {
    const iris = new Map<string, NamedNode>()
    const minted = new Set<string>()
    const iriOf = (name: string) => {
      let node = iris.get(name)
      if (!node) {
        const known = given?.[name]
        if (known !== undefined && USABLE_IRI.test(known)) node = term(known)
        else {
          node = term(ns.kg + iriSegment(name))
          minted.add(name)
        }
        iris.set(name, node)
      }
      return node
    }
    return { iriOf, minted }
  }
  const { iriOf: typeIri, minted: mintedTypes } = namesOf(graph.vocabulary?.types)
  const { iriOf: predicateIri, minted: mintedPredicates } = namesOf(graph.vocabulary?.predicates)
  const entity = (id: string) => iri(ns.entity + iriSegment(id))

  // Resolve every type and predicate first, so declarations can come before use.
  for (const e of graph.entities) typeIri(e.type)
  for (const r of graph.relations) predicateIri(r.predicate)

  const document = term(`${ns.run}document`)
  const checksum = blank()
  const activity = term(`${ns.run}extraction`)
  add(document, a, prov("Entity"))
  add(document, spdx("checksum"), checksum)
  add(document, ext("length"), count(graph.document.length))
  add(document, ext("runId"), text(graph.runId))
  add(checksum, a, spdx("Checksum"))
  add(checksum, spdx("algorithm"), spdx("checksumAlgorithm_sha256"))
  add(checksum, spdx("checksumValue"), literal(graph.document.sha256, xsd("hexBinary")))
  add(activity, a, prov("Activity"))
  add(activity, term(`${NS.dcterms}identifier`), text(graph.runId))
  add(activity, prov("used"), document)
  // A multi-document graph (a context graph): each source document as a run's document, used by the activity.
  const sourceDocuments = new Map<string, NamedNode>()
  for (const source of graph.sources ?? []) {
    const doc = term(`${namespacesOf(options.baseIri, source.runId).run}document`)
    const sum = blank()
    sourceDocuments.set(source.runId, doc)
    add(doc, a, prov("Entity"))
    add(doc, spdx("checksum"), sum)
    add(doc, ext("length"), count(source.length))
    add(doc, ext("runId"), text(source.runId))
    add(doc, term(`${NS.dcterms}source`), text(source.path))
    add(sum, a, spdx("Checksum"))
    add(sum, spdx("algorithm"), spdx("checksumAlgorithm_sha256"))
    add(sum, spdx("checksumValue"), literal(source.sha256, xsd("hexBinary")))
    add(activity, prov("used"), doc)
  }
  const documentOf = (source: string | undefined) =>
    (source === undefined ? undefined : sourceDocuments.get(source)) ?? document

  const byName = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)
  for (const name of [...mintedTypes].sort(byName)) {
    add(typeIri(name), a, rdfs("Class"))
    add(typeIri(name), rdfs("label"), text(name))
  }
  for (const name of [...mintedPredicates].sort(byName)) {
    add(predicateIri(name), a, rdf("Property"))
    add(predicateIri(name), rdfs("label"), text(name))
  }

  /** An annotation of a span of the document: target, position and quote selectors. */
  const annotate = (
    node: NamedNode,
    motivation: "identifying" | "describing",
    body: NamedNode,
    span: { readonly start: number; readonly end: number; readonly text: string },
    grounding: string,
    source?: string
  ) => {
    const target = blank()
    const position = blank()
    const quote = blank()
    add(node, a, oa("Annotation"))
    add(node, oa("motivatedBy"), oa(motivation))
    add(node, oa("hasBody"), body)
    add(node, oa("hasTarget"), target)
    add(node, prov("wasGeneratedBy"), activity)
    add(node, ext("grounding"), text(grounding))
    add(target, a, oa("SpecificResource"))
    add(target, oa("hasSource"), documentOf(source))
    add(target, oa("hasSelector"), position)
    add(target, oa("hasSelector"), quote)
    add(position, a, oa("TextPositionSelector"))
    add(position, oa("start"), count(span.start))
    add(position, oa("end"), count(span.end))
    add(quote, a, oa("TextQuoteSelector"))
    add(quote, oa("exact"), text(span.text))
  }

  const outgoing = new Map<string, Array<KnowledgeGraph["relations"][number]>>()
  for (const r of graph.relations) {
    const list = outgoing.get(r.subject)
    if (list) list.push(r)
    else outgoing.set(r.subject, [r])
  }
  for (const e of graph.entities) {
    const s = entity(e.id)
    add(s, a, typeIri(e.type))
    add(s, rdfs("label"), text(e.label))
    for (const alias of e.aliases) add(s, term(`${NS.skos}altLabel`), text(alias))
    if (e.description !== null) add(s, rdfs("comment"), text(e.description))
    for (const r of outgoing.get(e.id) ?? []) add(s, predicateIri(r.predicate), entity(r.object))
    for (const m of e.mentions) {
      annotate(iri(ns.mention + iriSegment(m.id)), "identifying", s, m.span, m.grounding, m.source)
    }
  }
  for (const r of graph.relations) {
    const statement = iri(ns.relation + iriSegment(r.id))
    add(statement, a, rdf("Statement"))
    add(statement, rdf("subject"), entity(r.subject))
    add(statement, rdf("predicate"), predicateIri(r.predicate))
    add(statement, rdf("object"), entity(r.object))
    add(statement, prov("wasDerivedFrom"), document)
    add(statement, prov("wasGeneratedBy"), activity)
    r.evidence.forEach((ev, i) =>
      annotate(
        iri(`${ns.evidence}${iriSegment(r.id)}-${i + 1}`),
        "describing",
        statement,
        ev.span,
        ev.grounding,
        ev.source
      )
    )
  }

  return {
    prefixes: [
      ["rdf", NS.rdf],
      ["rdfs", NS.rdfs],
      ["xsd", NS.xsd],
      ["skos", NS.skos],
      ["prov", NS.prov],
      ["oa", NS.oa],
      ["dcterms", NS.dcterms],
      ["spdx", NS.spdx],
      ["kg", ns.kg],
      ["extract", ns.extract],
      ["run", ns.run],
      ["entity", ns.entity],
      ["mention", ns.mention],
      ["relation", ns.relation],
      ["evidence", ns.evidence]
    ],
    quads
  }
}

/** Triples arranged for nested writing: see {@link nestBlankNodes}. */
export interface NestedTriples {
  /** Triples whose subject is written at top level, in dataset order. */
  readonly top: ReadonlyArray<Quad>
  /** The triples of each nestable blank node (by label), in dataset order. */
  readonly nested: ReadonlyMap<string, ReadonlyArray<Quad>>
}

/**
 * Splits triples into those written at top level and the blank nodes that
 * can be written nested inside the one triple that refers to them (a blank
 * node that is the object of exactly one triple). Other blank nodes stay at
 * top level.
 */
export const nestBlankNodes = (quads: ReadonlyArray<Quad>): NestedTriples => {
  const references = new Map<string, number>()
  for (const q of quads) {
    if (q.object.termType === "BlankNode") references.set(q.object.value, (references.get(q.object.value) ?? 0) + 1)
  }
  const nested = new Map<string, Array<Quad>>()
  const top: Array<Quad> = []
  for (const q of quads) {
    if (q.subject.termType === "BlankNode" && references.get(q.subject.value) === 1) {
      const list = nested.get(q.subject.value)
      if (list) list.push(q)
      else nested.set(q.subject.value, [q])
    } else top.push(q)
  }
  return { top, nested }
}

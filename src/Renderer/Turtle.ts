/**
 * `rdf-turtle.ttl`: the graph as RDF 1.1 Turtle, written with n3's Writer
 * (https://github.com/rdfjs/N3.js).
 */
import * as Effect from "effect/Effect"
import { DataFactory, Writer } from "n3"
import type { KnowledgeGraph } from "../Domain/Graph.js"

const { literal, namedNode, quad } = DataFactory

/** Default base IRI. `example.org` is reserved for examples (RFC 2606), so minted IRIs never clash with real ones. */
export const DEFAULT_BASE_IRI = "http://example.org/extract/"

const RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
const RDFS = "http://www.w3.org/2000/01/rdf-schema#"
const XSD = "http://www.w3.org/2001/XMLSchema#"
const PROV = "http://www.w3.org/ns/prov#"
const SKOS = "http://www.w3.org/2004/02/skos/core#"

/** Percent-encodes anything outside the IRI-safe unreserved set, so a local name is always a valid IRI segment. */
const iriSegment = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * Renders the graph as Turtle. Entities are `<base><runId>/entity/<id>`,
 * typed with `<base>ontology/<Type>`, labelled with `rdfs:label` and
 * `skos:altLabel`, and `prov:wasDerivedFrom` the document resource
 * `<base><runId>/document`. Relations are plain triples with predicate
 * `<base>ontology/<predicate>`, each predicate declared an `rdf:Property`.
 * Fails only if n3's writer reports an error.
 */
export const renderTurtle = (graph: KnowledgeGraph, baseIri = DEFAULT_BASE_IRI) =>
  Effect.async<string, Error>((resume) => {
    const vocab = `${baseIri}ontology/`
    const run = `${baseIri}${graph.runId}/`
    const writer = new Writer({
      prefixes: { rdf: RDF, rdfs: RDFS, xsd: XSD, prov: PROV, skos: SKOS, kg: vocab, ent: `${run}entity/` }
    })
    const doc = namedNode(`${run}document`)
    writer.addQuad(quad(doc, namedNode(`${RDF}type`), namedNode(`${PROV}Entity`)))
    writer.addQuad(quad(doc, namedNode(`${vocab}sha256`), literal(graph.document.sha256)))
    writer.addQuad(quad(doc, namedNode(`${vocab}runId`), literal(graph.runId)))
    const types = new Set<string>()
    for (const e of graph.entities) {
      const s = namedNode(`${run}entity/${iriSegment(e.id)}`)
      types.add(e.type)
      writer.addQuad(quad(s, namedNode(`${RDF}type`), namedNode(`${vocab}${iriSegment(e.type)}`)))
      writer.addQuad(quad(s, namedNode(`${RDFS}label`), literal(e.label)))
      for (const alias of e.aliases) writer.addQuad(quad(s, namedNode(`${SKOS}altLabel`), literal(alias)))
      writer.addQuad(quad(s, namedNode(`${PROV}wasDerivedFrom`), doc))
      writer.addQuad(quad(s, namedNode(`${vocab}mentionCount`), literal(String(e.mentions.length), namedNode(`${XSD}integer`))))
    }
    const predicates = new Set<string>()
    for (const r of graph.relations) {
      predicates.add(r.predicate)
      writer.addQuad(
        quad(
          namedNode(`${run}entity/${iriSegment(r.subject)}`),
          namedNode(`${vocab}${iriSegment(r.predicate)}`),
          namedNode(`${run}entity/${iriSegment(r.object)}`)
        )
      )
    }
    for (const t of [...types].sort()) {
      writer.addQuad(quad(namedNode(`${vocab}${iriSegment(t)}`), namedNode(`${RDF}type`), namedNode(`${RDFS}Class`)))
      writer.addQuad(quad(namedNode(`${vocab}${iriSegment(t)}`), namedNode(`${RDFS}label`), literal(t)))
    }
    for (const p of [...predicates].sort()) {
      writer.addQuad(quad(namedNode(`${vocab}${iriSegment(p)}`), namedNode(`${RDF}type`), namedNode(`${RDF}Property`)))
      writer.addQuad(quad(namedNode(`${vocab}${iriSegment(p)}`), namedNode(`${RDFS}label`), literal(p)))
    }
    writer.end((error, result: string) => resume(error ? Effect.fail(error) : Effect.succeed(result)))
  })

/**
 * Reads an ontology (`--ontology file.ttl`) into the entity types and
 * predicates the llm extractor offers the model. Parsing is n3's (Turtle,
 * TriG, N-Triples, N-Quads, N3).
 */
import { Parser, type Quad } from "n3"
import type { TypeSpec } from "./Prompt.js"

const RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
const RDFS = "http://www.w3.org/2000/01/rdf-schema#"
const OWL = "http://www.w3.org/2002/07/owl#"

const CLASS_TYPES = new Set([`${RDFS}Class`, `${OWL}Class`])
const PROPERTY_TYPES = new Set([`${RDF}Property`, `${OWL}ObjectProperty`])

/** A class or property of the ontology as offered to the model. */
export interface OntologyTerm extends TypeSpec {
  /** The term's IRI. */
  readonly iri: string
}

export interface Ontology {
  /** Named classes (`rdfs:Class`, `owl:Class`), in document order. */
  readonly classes: ReadonlyArray<OntologyTerm>
  /** Named object properties (`rdf:Property`, `owl:ObjectProperty`), in document order. */
  readonly properties: ReadonlyArray<OntologyTerm>
}

/**
 * The name a term is offered under: the IRI's local name (after the last
 * `#`, else the last `/` or `:`), e.g. `Person` for
 * `http://schema.org/Person`; empty when the IRI ends with a separator.
 */
export const localName = (iri: string): string => {
  const cut = Math.max(iri.lastIndexOf("#"), iri.lastIndexOf("/"), iri.lastIndexOf(":"))
  return iri.slice(cut + 1)
}

/** The best literal among `quads` objects: English, then untagged, then any. */
const pick = (quads: ReadonlyArray<Quad>): string | null => {
  const literals = quads.filter((q) => q.object.termType === "Literal")
  const lang = (q: Quad) => (q.object as { language?: string }).language ?? ""
  const best = literals.find((q) => lang(q).toLowerCase().startsWith("en")) ?? literals.find((q) => lang(q) === "") ??
    literals[0]
  return best ? best.object.value.replace(/\s+/g, " ").trim() : null
}

/**
 * Parses `text` and returns its named classes and object properties, each
 * with its local name and a description from its `rdfs:label` (when it is
 * not just the name) and `rdfs:comment`. Terms whose local names collide
 * keep the first. Blank-node classes (OWL restrictions) are skipped.
 *
 * @throws Error with n3's message (line number included) when `text` is not valid RDF
 */
export const parseOntology = (text: string, baseIRI = "file:///ontology"): Ontology => {
  const quads = new Parser({ baseIRI }).parse(text)
  const bySubject = new Map<string, Array<Quad>>()
  const order: Array<string> = []
  for (const q of quads) {
    if (q.subject.termType !== "NamedNode") continue
    const list = bySubject.get(q.subject.value)
    if (list) list.push(q)
    else {
      bySubject.set(q.subject.value, [q])
      order.push(q.subject.value)
    }
  }
  const classes: Array<OntologyTerm> = []
  const properties: Array<OntologyTerm> = []
  const seen = { classes: new Set<string>(), properties: new Set<string>() }
  for (const iri of order) {
    const qs = bySubject.get(iri)!
    const types = new Set(qs.filter((q) => q.predicate.value === `${RDF}type`).map((q) => q.object.value))
    const kind = [...types].some((t) => CLASS_TYPES.has(t))
      ? "classes"
      : [...types].some((t) => PROPERTY_TYPES.has(t))
      ? "properties"
      : null
    if (kind === null) continue
    const name = localName(iri)
    if (name === "" || seen[kind].has(name)) continue
    seen[kind].add(name)
    const label = pick(qs.filter((q) => q.predicate.value === `${RDFS}label`))
    const comment = pick(qs.filter((q) => q.predicate.value === `${RDFS}comment`))
    const parts = [label !== null && label.toLowerCase() !== name.toLowerCase() ? label : null, comment].filter((
      p
    ): p is string => p !== null)
    const term = { name, iri, description: parts.length > 0 ? parts.join(": ") : null }
    ;(kind === "classes" ? classes : properties).push(term)
  }
  return { classes, properties }
}

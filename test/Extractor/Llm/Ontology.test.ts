import { describe, expect, it } from "@effect/vitest"
import { localName, parseOntology } from "../../../src/Extractor/Llm/Ontology.js"

const TTL = `
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <http://example.org/onto#> .
@prefix schema: <http://schema.org/> .

ex:Scientist a owl:Class ; rdfs:label "Scientist"@en, "Wissenschaftler"@de ; rdfs:comment "A person who does science." .
schema:Organization a rdfs:Class ; rdfs:label "Research organisation" .
ex:Machine a owl:Class .
[] a owl:Class ; owl:unionOf (ex:Scientist ex:Machine) .
ex:worksFor a owl:ObjectProperty ; rdfs:comment "Employment." .
ex:designed a rdf:Property .
ex:birthYear a owl:DatatypeProperty .
ex:ada a ex:Scientist .
`

describe("parseOntology", () => {
  it("reads named classes and object properties with labels and comments, in document order", () => {
    const o = parseOntology(TTL)
    expect(o.classes).toEqual([
      { name: "Scientist", iri: "http://example.org/onto#Scientist", description: "A person who does science." },
      { name: "Organization", iri: "http://schema.org/Organization", description: "Research organisation" },
      { name: "Machine", iri: "http://example.org/onto#Machine", description: null }
    ])
    expect(o.properties.map((p) => [p.name, p.description])).toEqual([["worksFor", "Employment."], ["designed", null]])
  })

  it("throws n3's message for invalid Turtle", () => {
    expect(() => parseOntology("ex:a a ex:B")).toThrow()
  })

  it("takes local names after #, / or :", () => {
    expect(localName("http://schema.org/Person")).toBe("Person")
    expect(localName("http://example.org/o#worksFor")).toBe("worksFor")
    expect(localName("urn:x:Thing")).toBe("Thing")
  })
})

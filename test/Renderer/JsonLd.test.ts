import { describe, expect, it } from "@effect/vitest"
import { Parser } from "n3"
import { renderJsonLd } from "../../src/Renderer/JsonLd.js"
import { renderTurtle } from "../../src/Renderer/Turtle.js"
import { ADVERSARIAL_VOCABULARY, adversarialGraphs } from "../support/Adversarial.js"
import { canonicalOfJsonLd, canonicalOfQuads, expandJsonLd } from "../support/Rdf.js"

const BASE = "urn:example:kg/"

describe("renderJsonLd on adversarial names", () => {
  const { graph } = adversarialGraphs({ vocabulary: ADVERSARIAL_VOCABULARY })
  const text = renderJsonLd(graph, { baseIri: BASE })
  const doc = JSON.parse(text)

  it("expands (jsonld package) to exactly the triples of the Turtle file", async () => {
    const fromTurtle = await canonicalOfQuads(new Parser().parse(renderTurtle(graph, { baseIri: BASE })))
    const fromJsonLd = await canonicalOfJsonLd(doc)
    expect(fromJsonLd.split("\n").length).toBeGreaterThan(300)
    expect(fromJsonLd).toBe(fromTurtle)
  })

  it("has an inline context, so nothing is fetched, and readable terms", async () => {
    expect(doc["@context"].label).toBe("rdfs:label")
    expect(doc["@context"].entity).toBe(`${BASE}doc-0123456789ab/entity/`)
    const expanded = await expandJsonLd(doc, {
      documentLoader: (url: string) => Promise.reject(new Error(`tried to fetch ${url}`))
    })
    expect(expanded.length).toBe(doc["@graph"].length)
    const annotation = doc["@graph"].find((n: any) => n.type === "Annotation")
    expect(annotation.target.selector).toEqual([
      { type: "TextPositionSelector", start: expect.any(Number), end: expect.any(Number) },
      { type: "TextQuoteSelector", exact: expect.any(String) }
    ])
  })

  it("is deterministic", () => {
    expect(renderJsonLd(adversarialGraphs({ vocabulary: ADVERSARIAL_VOCABULARY }).graph, { baseIri: BASE })).toBe(text)
  })
})

import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import { DEFAULT_BASE_IRI, parseFormats, validateBaseIri } from "../../src/Domain/Output.js"
import { RunMetadata } from "../../src/Domain/Run.js"
import { schemaErrors } from "../support/Schemas.js"

describe("parseFormats", () => {
  it("always includes json and returns the canonical order without duplicates", () => {
    expect(parseFormats("turtle")).toEqual(Either.right(["json", "turtle"]))
    expect(parseFormats(" GraphML , neo4j,graphml ")).toEqual(Either.right(["json", "graphml", "neo4j"]))
    expect(parseFormats("jsonl,default")).toEqual(
      Either.right(["json", "resolution", "mermaid", "turtle", "html", "jsonl"])
    )
    expect(parseFormats("all")).toEqual(
      Either.right(["json", "resolution", "mermaid", "turtle", "html", "jsonld", "graphml", "neo4j", "jsonl"])
    )
  })

  it("refuses unknown names and empty lists with a message that lists the known ones", () => {
    expect(parseFormats("turtle,rdfxml")).toEqual(
      Either.left(
        "--formats: unknown format \"rdfxml\" (known: json, resolution, mermaid, turtle, html, jsonld, graphml, neo4j, jsonl, default, all)"
      )
    )
    expect(Either.isLeft(parseFormats(" , "))).toBe(true)
  })
})

describe("validateBaseIri", () => {
  it("accepts absolute http(s), urn and tag IRIs and adds a final /", () => {
    expect(validateBaseIri("https://data.example.com/kg")).toEqual(Either.right("https://data.example.com/kg/"))
    expect(validateBaseIri("http://example.org/extract/")).toEqual(Either.right("http://example.org/extract/"))
    expect(validateBaseIri("urn:example:kg")).toEqual(Either.right("urn:example:kg/"))
    expect(validateBaseIri("tag:example.com,2025:kg/")).toEqual(Either.right("tag:example.com,2025:kg/"))
    expect(validateBaseIri("https://ex.org/caf%C3%A9/")).toEqual(Either.right("https://ex.org/caf%C3%A9/"))
  })

  it("refuses relative IRIs, other schemes, spaces, non-ASCII, queries, fragments and bad escapes", () => {
    for (
      const bad of [
        "kg/",
        "kg:foo/",
        "file:///tmp/",
        "https://ex.org/a b/",
        "https://ex.org/café/",
        "https://ex.org/?q=1",
        "https://ex.org/#",
        "https://ex.org/%zz/",
        "https://ex.org/<x>/",
        ""
      ]
    ) {
      expect(Either.isLeft(validateBaseIri(bad)), bad).toBe(true)
    }
  })
})

describe("RunMetadata of older runs", () => {
  const old = JSON.parse(readFileSync(new URL("../golden/v1/metadata.json", import.meta.url), "utf8"))

  it("decodes a walking-skeleton metadata.json, which recorded neither formats nor base IRI, with what it wrote", () => {
    expect(old.config.formats).toBeUndefined()
    const meta = Schema.decodeUnknownSync(RunMetadata)(old)
    // the four formats the skeleton wrote (html joined the defaults later)
    expect(meta.config.formats).toEqual(["json", "resolution", "mermaid", "turtle"])
    expect(meta.config.baseIri).toBe(DEFAULT_BASE_IRI)
  })

  it("validates against docs/schemas/metadata.schema.json", () => {
    expect(schemaErrors("metadata", old)).toEqual([])
  })
})

/**
 * End-to-end: schema guidance and grounding options of the llm extractor
 * through the CLI: --entity-types, --relation-types and --ontology become
 * enums of the request schema and are recorded in the run's config;
 * --keep-ungrounded keeps what the text does not contain, flagged; --passes
 * gleans.
 */
import { describe, expect, it } from "@effect/vitest"
import { Parser } from "n3"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli } from "../support/Cli.js"
import { mockExtraction, startMockOpenAi } from "../support/MockOpenAi.js"

const TEXT =
  "Ada Lovelace worked with Charles Babbage in London. Mary Somerville introduced Ada Lovelace to Charles Babbage."
const runId = `doc-${createHash("sha256").update(TEXT).digest("hex").slice(0, 12)}`
const ONTOLOGY = `
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <http://example.org/science#> .
ex:Scientist a owl:Class ; rdfs:label "Scientist" ; rdfs:comment "A person who does research." .
ex:City a owl:Class ; rdfs:comment "A town or city." .
ex:collaboratesWith a owl:ObjectProperty ; rdfs:comment "Works together with." .
ex:introduced a rdf:Property .
`

describe("extract --extractor llm schema guidance", () => {
  const dir = mkdtempSync(join(tmpdir(), "extract-llm-schema-"))
  const input = join(dir, "ada.txt")
  writeFileSync(input, TEXT)
  const ontology = join(dir, "science.ttl")
  writeFileSync(ontology, ONTOLOGY)

  it("--ontology gives the types and predicates as enums with their comments; --entity-types overrides the classes", async () => {
    const server = await startMockOpenAi({
      // a relation only where the request allows its predicate (the narrowed run below does not)
      answer: (req) =>
        JSON.stringify({
          entities: [
            { name: "Ada Lovelace", type: "Scientist", description: null },
            { name: "Charles Babbage", type: "Scientist", description: null }
          ],
          relations: JSON.stringify(req.body).includes("collaboratesWith")
            ? [{
              subject: "Ada Lovelace",
              predicate: "collaboratesWith",
              object: "Charles Babbage",
              evidence: "Ada Lovelace worked with Charles Babbage"
            }]
            : []
        })
    })
    try {
      const out = join(dir, "onto")
      const r = await runCli([input, "-o", out, "--extractor", "llm", "--ontology", ontology], {
        env: { OPENAI_BASE_URL: server.baseUrl }
      })
      expect(r.code).toBe(0)
      const body = server.requests[0]!.body
      const schema = body.text.format.schema
      expect(schema.properties.entities.items.properties.type.enum).toEqual(["Scientist", "City"])
      expect(schema.properties.relations.items.properties.predicate.enum).toEqual(["collaboratesWith", "introduced"])
      expect(body.input[0].content).toContain("- Scientist: A person who does research.")
      expect(body.input[0].content).toContain("- collaboratesWith: Works together with.")
      const meta = JSON.parse(readFileSync(join(out, "runs", runId, "metadata.json"), "utf8"))
      expect(meta.config.llm).toMatchObject({
        entityTypes: ["Scientist", "City"],
        relationTypes: ["collaboratesWith", "introduced"],
        ontology: { path: ontology, sha256: createHash("sha256").update(ONTOLOGY).digest("hex") }
      })
      const graph = JSON.parse(readFileSync(join(out, "runs", runId, "outputs", "knowledge-graph.json"), "utf8"))
      expect(graph.entities.map((e: any) => [e.label, e.type])).toEqual([["Ada Lovelace", "Scientist"], [
        "Charles Babbage",
        "Scientist"
      ]])
      // the RDF uses the ontology's own IRIs for its terms, not minted ones
      expect(meta.config.llm.vocabulary).toEqual({
        types: { Scientist: "http://example.org/science#Scientist", City: "http://example.org/science#City" },
        predicates: {
          collaboratesWith: "http://example.org/science#collaboratesWith",
          introduced: "http://example.org/science#introduced"
        }
      })
      const quads = new Parser().parse(readFileSync(join(out, "runs", runId, "outputs", "rdf-turtle.ttl"), "utf8"))
      const ada = quads.find((q) => q.object.value === "Ada Lovelace")!.subject.value
      expect(
        quads.some((q) =>
          q.subject.value === ada && q.predicate.value.endsWith("#type") &&
          q.object.value === "http://example.org/science#Scientist"
        )
      ).toBe(true)
      expect(
        quads.some((q) =>
          q.subject.value === ada && q.predicate.value === "http://example.org/science#collaboratesWith"
        )
      ).toBe(true)
      expect(
        quads.some((q) => q.predicate.value.endsWith("/collaboratesWith") || q.object.value.endsWith("/Scientist"))
      ).toBe(false)

      const narrowed = await runCli(
        [
          input,
          "-o",
          join(dir, "narrow"),
          "--extractor",
          "llm",
          "--ontology",
          ontology,
          "--entity-types",
          "Scientist,Machine",
          "--relation-types",
          "introduced"
        ],
        { env: { OPENAI_BASE_URL: server.baseUrl } }
      )
      expect(narrowed.code).toBe(0)
      const s2 = server.requests[1]!.body.text.format.schema
      expect(s2.properties.entities.items.properties.type.enum).toEqual(["Scientist", "Machine"])
      expect(s2.properties.relations.items.properties.predicate.enum).toEqual(["introduced"])
    } finally {
      await server.close()
    }
  })

  it("refuses a broken ontology and JSON modes without --api chat with one line and exit code 2", async () => {
    const bad = join(dir, "bad.ttl")
    writeFileSync(bad, "ex:a a ex:B")
    const env = { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }
    const broken = await runCli([input, "-o", join(dir, "x"), "--extractor", "llm", "--ontology", bad], { env })
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain(`--ontology ${bad}: not valid Turtle`)
    const missing = await runCli([
      input,
      "-o",
      join(dir, "x"),
      "--extractor",
      "llm",
      "--ontology",
      join(dir, "none.ttl")
    ], { env })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("cannot read it")
    const mode = await runCli([input, "-o", join(dir, "x"), "--extractor", "llm", "--structured-output", "tool"], {
      env
    })
    expect(mode.code).toBe(2)
    expect(mode.stderr).toContain("needs --api chat")
    for (const r of [broken, missing, mode]) expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it("drops and counts ungrounded facts by default, keeps them flagged with --keep-ungrounded", async () => {
    const server = await startMockOpenAi({
      answer: (req) => {
        const x = mockExtraction(req.chunkText)
        return JSON.stringify({
          entities: [...x.entities, { name: "Isambard Brunel", type: "Person", description: "an engineer" }],
          relations: x.relations
        })
      }
    })
    try {
      const dropped = await runCli([input, "-o", join(dir, "drop"), "--extractor", "llm", "--json"], {
        env: { OPENAI_BASE_URL: server.baseUrl }
      })
      expect(JSON.parse(dropped.stdout).stats.ungrounded).toBe(1)
      const g1 = JSON.parse(readFileSync(join(dir, "drop", "runs", runId, "outputs", "knowledge-graph.json"), "utf8"))
      expect(g1.entities.map((e: any) => e.label)).not.toContain("Isambard Brunel")

      const kept = await runCli([input, "-o", join(dir, "keep"), "--extractor", "llm", "--json", "--keep-ungrounded"], {
        env: { OPENAI_BASE_URL: server.baseUrl }
      })
      expect(kept.code).toBe(0)
      expect(JSON.parse(kept.stdout).stats.ungrounded).toBe(1)
      const g2 = JSON.parse(readFileSync(join(dir, "keep", "runs", runId, "outputs", "knowledge-graph.json"), "utf8"))
      const brunel = g2.entities.find((e: any) => e.label === "Isambard Brunel")
      expect(brunel).toBeDefined()
      expect(brunel.mentions).toEqual([
        expect.objectContaining({ grounding: "ungrounded", span: { start: 0, end: 0, text: "" } })
      ])
      const grounded = g2.entities.filter((e: any) => e.label !== "Isambard Brunel")
      for (const e of grounded) {
        for (const m of e.mentions) {
          expect(Array.from(TEXT).slice(m.span.start, m.span.end).join("")).toBe(m.span.text)
        }
      }
    } finally {
      await server.close()
    }
  })

  it("--passes 2 gleans: a second request resends the first answer and asks for what was missed", async () => {
    const server = await startMockOpenAi()
    try {
      const r = await runCli([
        input,
        "-o",
        join(dir, "glean"),
        "--extractor",
        "llm",
        "--api",
        "chat",
        "--passes",
        "2",
        "--json"
      ], {
        env: { OPENAI_BASE_URL: server.baseUrl }
      })
      expect(r.code).toBe(0)
      expect(server.requests).toHaveLength(2)
      const second = server.requests[1]!.messages
      expect(second.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"])
      expect(JSON.parse(second[2]!.text).entities.length).toBe(3)
      expect(JSON.parse(r.stdout).stats.llm).toMatchObject({ calls: 2, cacheMisses: 2 })
    } finally {
      await server.close()
    }
  })
})

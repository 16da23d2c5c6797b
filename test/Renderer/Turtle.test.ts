import { describe, expect, it } from "@effect/vitest"
import { Parser, type Quad } from "n3"
import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DEFAULT_BASE_IRI } from "../../src/Domain/Output.js"
import { iriSegment, NS, rdfDataset } from "../../src/Renderer/Rdf.js"
import { indentNested, renderTurtle } from "../../src/Renderer/Turtle.js"
import { ADVERSARIAL_TEXT, ADVERSARIAL_VOCABULARY, adversarialGraphs, LONG_NAME } from "../support/Adversarial.js"
import { canonicalOfQuads } from "../support/Rdf.js"

const BASE = "https://data.example.com/kg/"
const { graph } = adversarialGraphs({ vocabulary: ADVERSARIAL_VOCABULARY })
const ttl = renderTurtle(graph, { baseIri: BASE })
const quads: Array<Quad> = new Parser().parse(ttl)
const RUN = `${BASE}doc-0123456789ab/`
const A = `${NS.rdf}type`

const objects = (s: string, p: string) =>
  quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object)
const one = (s: string, p: string) => {
  const os = objects(s, p)
  expect(os, `${s} ${p}`).toHaveLength(1)
  return os[0]!
}
/** Replaces lone surrogates the way every output must. */
const fffd = (s: string) =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")

describe("renderTurtle on adversarial names", () => {
  it("n3 parses it back to exactly the triples that were written", async () => {
    expect(quads.length).toBeGreaterThan(300)
    expect(await canonicalOfQuads(quads)).toBe(await canonicalOfQuads(rdfDataset(graph, { baseIri: BASE }).quads))
  })

  it("Debian's rapper accepts it and counts the same triples", () => {
    const file = join(mkdtempSync(join(tmpdir(), "extract-ttl-")), "graph.ttl")
    writeFileSync(file, ttl)
    const r = spawnSync("rapper", ["-i", "turtle", "-c", file], { encoding: "utf8" })
    expect(r.stderr).toContain(`returned ${quads.length} triples`)
    expect(r.status).toBe(0)
  })

  it("writes every label, alias and quote exactly (lone surrogates as U+FFFD)", () => {
    for (const e of graph.entities) {
      const s = `${RUN}entity/${iriSegment(e.id)}`
      expect(one(s, `${NS.rdfs}label`).value).toBe(fffd(e.label))
      expect(objects(s, `${NS.skos}altLabel`).map((o) => o.value).sort()).toEqual(e.aliases.map(fffd).sort())
    }
    const labels = quads.filter((q) => q.predicate.value === `${NS.rdfs}label`).map((q) => q.object.value)
    expect(labels).toContain(`O'Brien "the <elder>" \\ #1;`)
    expect(labels).toContain("line\nbreak\r\nand\rcarriage")
    expect(labels).toContain("bad\ufffdname\ufffd")
    expect(labels).toContain(LONG_NAME)
    expect(labels).toContain("\u0001\u001f\u007f ctl")
    const exact = quads.filter((q) => q.predicate.value === `${NS.oa}exact`).map((q) => q.object.value)
    expect(exact).toContain("]]> &amp; \"\"\" \\u0000")
  })

  it("mints ASCII, percent-encoded IRIs only", () => {
    for (const q of quads) {
      for (const t of [q.subject, q.predicate, q.object]) {
        if (t.termType === "NamedNode") expect(t.value).toMatch(/^[\x21-\x7e]+$/)
      }
    }
    expect(quads.some((q) => q.subject.value === `${RUN}entity/%E6%9D%B1%E4%BA%AC`)).toBe(true) // 東京
    expect(quads.some((q) => q.predicate.value === `${BASE}ontology/has%20space`)).toBe(true)
    expect(quads.some((q) => q.predicate.value === `${BASE}ontology/_`)).toBe(true) // the empty predicate
    expect(quads.some((q) => q.object.value === `${BASE}ontology/Other%20Type%2FWith%20Slash`)).toBe(true)
  })

  it("uses the ontology's IRIs where given and usable, and declares only minted terms", () => {
    const person = graph.entities.find((e) => e.type === "Person")!
    expect(one(`${RUN}entity/${iriSegment(person.id)}`, A).value).toBe("http://schema.org/Person")
    expect(quads.some((q) => q.predicate.value === "http://schema.org/homeLocation")).toBe(true)
    expect(objects("http://schema.org/Person", A)).toEqual([])
    // unusable IRIs fall back to minted ones, which are declared with a label
    const org = graph.entities.find((e) => e.type === "Organization")!
    expect(one(`${RUN}entity/${iriSegment(org.id)}`, A).value).toBe(`${BASE}ontology/Organization`)
    expect(one(`${BASE}ontology/Organization`, A).value).toBe(`${NS.rdfs}Class`)
    expect(one(`${BASE}ontology/worksFor`, A).value).toBe(`${NS.rdf}Property`)
    expect(one(`${BASE}ontology/worksFor`, `${NS.rdfs}label`).value).toBe("worksFor")
    expect(one(`${BASE}ontology/${iriSegment("a\ufffdb")}`, `${NS.rdfs}label`).value).toBe("a\ufffdb")
  })

  it("gives every entity its mentions as Web Annotations with code point spans into the document", () => {
    const cps = Array.from(ADVERSARIAL_TEXT)
    const doc = `${RUN}document`
    let checked = 0
    for (const e of graph.entities) {
      const s = `${RUN}entity/${iriSegment(e.id)}`
      const annotations = quads.filter((q) => q.predicate.value === `${NS.oa}hasBody` && q.object.value === s).map((
        q
      ) => q.subject.value)
      expect(annotations).toHaveLength(e.mentions.length)
      for (const a of annotations) {
        expect(one(a, A).value).toBe(`${NS.oa}Annotation`)
        expect(one(a, `${NS.oa}motivatedBy`).value).toBe(`${NS.oa}identifying`)
        expect(one(a, `${NS.prov}wasGeneratedBy`).value).toBe(`${RUN}extraction`)
        const target = one(a, `${NS.oa}hasTarget`).value
        expect(one(target, `${NS.oa}hasSource`).value).toBe(doc)
        const selectors = objects(target, `${NS.oa}hasSelector`).map((o) => o.value)
        const position = selectors.find((x) => one(x, A).value === `${NS.oa}TextPositionSelector`)!
        const quote = selectors.find((x) => one(x, A).value === `${NS.oa}TextQuoteSelector`)!
        const start = Number(one(position, `${NS.oa}start`).value)
        const end = Number(one(position, `${NS.oa}end`).value)
        expect(cps.slice(start, end).join("")).toBe(one(quote, `${NS.oa}exact`).value)
        checked++
      }
    }
    expect(checked).toBe(graph.entities.reduce((n, e) => n + e.mentions.length, 0))
  })

  it("asserts each relation and describes it as a statement with its evidence and provenance", () => {
    for (const r of graph.relations) {
      const st = `${RUN}relation/${iriSegment(r.id)}`
      expect(one(st, A).value).toBe(`${NS.rdf}Statement`)
      const s = one(st, `${NS.rdf}subject`).value
      const p = one(st, `${NS.rdf}predicate`).value
      const o = one(st, `${NS.rdf}object`).value
      expect(quads.some((q) => q.subject.value === s && q.predicate.value === p && q.object.value === o)).toBe(true)
      expect(one(st, `${NS.prov}wasDerivedFrom`).value).toBe(`${RUN}document`)
      const evidence = quads.filter((q) => q.predicate.value === `${NS.oa}hasBody` && q.object.value === st)
      expect(evidence).toHaveLength(r.evidence.length)
    }
  })

  it("describes the document with its SHA-256 and the run with its id", () => {
    const checksum = one(`${RUN}document`, `${NS.spdx}checksum`).value
    expect(one(checksum, `${NS.spdx}checksumValue`).value).toBe(graph.document.sha256)
    expect(one(checksum, `${NS.spdx}algorithm`).value).toBe(`${NS.spdx}checksumAlgorithm_sha256`)
    expect(one(`${RUN}document`, `${BASE}vocab/runId`).value).toBe("doc-0123456789ab")
    expect(one(`${RUN}document`, `${BASE}vocab/length`).value).toBe(String(Array.from(ADVERSARIAL_TEXT).length))
    expect(one(`${RUN}extraction`, `${NS.dcterms}identifier`).value).toBe("doc-0123456789ab")
    expect(one(`${RUN}extraction`, `${NS.prov}used`).value).toBe(`${RUN}document`)
  })

  it("is deterministic and defaults to the documented base IRI", () => {
    expect(renderTurtle(adversarialGraphs({ vocabulary: ADVERSARIAL_VOCABULARY }).graph, { baseIri: BASE })).toBe(ttl)
    expect(renderTurtle(graph, { baseIri: DEFAULT_BASE_IRI })).toContain(
      `@prefix entity: <${DEFAULT_BASE_IRI}doc-0123456789ab/entity/>.`
    )
  })
})

describe("indentNested", () => {
  it("indents nested blank nodes and leaves brackets in literals and IRIs alone", () => {
    const input = "ex:a ex:p [\n  ex:q \"x [ \\\" ] y\";\n  ex:r <http://e/[>;\n  ex:s [\n  ex:t 1\n]\n].\n"
    expect(indentNested(input)).toBe(
      "ex:a ex:p [\n        ex:q \"x [ \\\" ] y\";\n        ex:r <http://e/[>;\n        ex:s [\n            ex:t 1\n        ]\n    ].\n"
    )
  })
})

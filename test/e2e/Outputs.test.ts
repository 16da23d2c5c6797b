/**
 * End to end: the built CLI with the embedded extractor on a real novel,
 * every output format, checked with the tools people load them with.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { JSDOM } from "jsdom"
import { Parser } from "n3"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CliResult, runCli, SHARED } from "../support/Cli.js"
import { parseMermaid, unfence } from "../support/MermaidParser.js"
import { canonicalOfJsonLd, canonicalOfQuads } from "../support/Rdf.js"
import { schemaErrors } from "../support/Schemas.js"

const USHER = join(SHARED, "data/litbank/texts/932_the_fall_of_the_house_of_usher.txt")
const runIdOf = (path: string) => `doc-${createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 12)}`
const BASE = "https://kg.example.com/usher/"

describe("extract --formats all (nlp, end to end)", () => {
  const out = mkdtempSync(join(tmpdir(), "extract-outputs-"))
  const runDir = join(out, "runs", runIdOf(USHER))
  const outputs = join(runDir, "outputs")
  const read = (p: string) => readFileSync(join(outputs, p), "utf8")
  let first: CliResult

  beforeAll(async () => {
    first = await runCli([USHER, "-o", out, "--formats", "all", "--base-iri", BASE, "-q"])
  }, 120_000)

  it("writes every format, and records each with its checksum", () => {
    expect(first.code).toBe(0)
    const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
    expect(meta.config).toMatchObject({
      formats: ["json", "resolution", "mermaid", "turtle", "html", "jsonld", "graphml", "neo4j", "jsonl"],
      baseIri: BASE
    })
    expect(meta.outputs.map((o: { path: string }) => o.path)).toEqual([
      "outputs/knowledge-graph.json",
      "outputs/entity-resolution-graph.json",
      "outputs/mermaid-diagram.md",
      "outputs/rdf-turtle.ttl",
      "outputs/viewer.html",
      "outputs/knowledge-graph.jsonld",
      "outputs/graph.graphml",
      "outputs/neo4j/nodes.csv",
      "outputs/neo4j/relationships.csv",
      "outputs/neo4j/load.cypher",
      "outputs/knowledge-graph.jsonl"
    ])
    for (const o of meta.outputs) {
      expect(createHash("sha256").update(readFileSync(join(runDir, o.path))).digest("hex")).toBe(o.sha256)
    }
  })

  it("writes JSON that validates against docs/schemas, metadata.json included", () => {
    expect(schemaErrors("knowledgeGraph", JSON.parse(read("knowledge-graph.json")))).toEqual([])
    expect(schemaErrors("resolutionGraph", JSON.parse(read("entity-resolution-graph.json")))).toEqual([])
    expect(schemaErrors("metadata", JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8")))).toEqual([])
  })

  it("writes Turtle under the chosen base IRI that rapper accepts, and JSON-LD with the same triples", async () => {
    const ttl = read("rdf-turtle.ttl")
    const quads = new Parser().parse(ttl)
    expect(quads.length).toBeGreaterThan(1000)
    expect(ttl).toContain(`@prefix entity: <${BASE}${runIdOf(USHER)}/entity/>.`)
    const r = spawnSync("rapper", ["-i", "turtle", "-c", join(outputs, "rdf-turtle.ttl")], { encoding: "utf8" })
    expect(r.status).toBe(0)
    expect(r.stderr).toContain(`returned ${quads.length} triples`)
    expect(await canonicalOfJsonLd(JSON.parse(read("knowledge-graph.jsonld")))).toBe(await canonicalOfQuads(quads))
  })

  it("writes a Mermaid diagram Mermaid parses, GraphML that parses as XML, CSV and JSON lines that parse", async () => {
    await expect(parseMermaid(unfence(read("mermaid-diagram.md")))).resolves.toBeDefined()
    const xml = new new JSDOM("").window.DOMParser().parseFromString(read("graph.graphml"), "application/xml")
    expect(xml.getElementsByTagName("parsererror")).toHaveLength(0)
    const graph = JSON.parse(read("knowledge-graph.json"))
    expect(xml.getElementsByTagName("node")).toHaveLength(graph.entities.length)
    expect(parse(read("neo4j/nodes.csv"), { columns: true })).toHaveLength(graph.entities.length)
    expect(parse(read("neo4j/relationships.csv"), { columns: true })).toHaveLength(graph.relations.length)
    const lines = read("knowledge-graph.jsonl").trimEnd().split("\n").map((l) => JSON.parse(l))
    expect(lines).toHaveLength(graph.entities.length + graph.relations.length)
  })

  it("gives byte-identical outputs when run again (--force); only metadata.json differs", async () => {
    const before = Object.fromEntries(
      readdirSync(outputs, { recursive: true }).map(String).filter((f) => f.includes(".")).map((
        f
      ) => [f, readFileSync(join(outputs, f))])
    )
    const again = await runCli([USHER, "-o", out, "--formats", "all", "--base-iri", BASE, "-q", "--force"])
    expect(again.code).toBe(0)
    for (const [f, bytes] of Object.entries(before)) expect(readFileSync(join(outputs, f)).equals(bytes), f).toBe(true)
  }, 120_000)

  it(
    "takes --formats and --base-iri from EXTRACT_FORMATS and EXTRACT_BASE_IRI, and removes outputs no longer asked for",
    async () => {
      const r = await runCli([USHER, "-o", out, "-q", "--json"], {
        env: { EXTRACT_FORMATS: "turtle", EXTRACT_BASE_IRI: "urn:example:usher" }
      })
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout)).toMatchObject({ status: "completed", reused: false })
      expect(readdirSync(outputs).sort()).toEqual(["knowledge-graph.json", "rdf-turtle.ttl"])
      expect(existsSync(join(outputs, "neo4j", "nodes.csv"))).toBe(false)
      expect(read("rdf-turtle.ttl")).toContain(`@prefix entity: <urn:example:usher/${runIdOf(USHER)}/entity/>.`)
    },
    120_000
  )

  it("refuses an unknown format or a bad base IRI with exit code 2 and one line", async () => {
    const file = join(out, "tiny.txt")
    writeFileSync(file, "Ada Lovelace met Charles Babbage in London.\n")
    const bad = await runCli([file, "-o", out, "--formats", "turtle,svg"])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split("\n")).toHaveLength(1)
    expect(bad.stderr).toContain("unknown format \"svg\"")
    const iri = await runCli([file, "-o", out, "--base-iri", "not an iri"])
    expect(iri.code).toBe(2)
    expect(iri.stderr).toContain("--base-iri must be")
  })
})

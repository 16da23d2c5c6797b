/**
 * Context graphs end to end, through the built CLI: `extract --context`,
 * `graph show/search/export/list`, 8 processes adding to one context at
 * once, SIGKILL during `graph add`, and a damaged graph.jsonl.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli, startCli } from "../support/Cli.js"

const root = mkdtempSync(join(tmpdir(), "extract-graph-e2e-"))
const out = join(root, "out")
const NAMES = ["Ada Lovelace", "Charles Babbage", "Mary Somerville", "Michael Faraday", "Grace Hopper", "Alan Turing"]
/** Document i names Ada Lovelace (except document 7) and two others; "Lovelace" alone in document 7. */
const docs = Array.from({ length: 8 }, (_, i) => {
  const a = NAMES[1 + (i % 5)]!
  const b = NAMES[1 + ((i + 2) % 5)]!
  const text = i === 7
    ? `Lovelace wrote to ${a} in London.\n\n${b} answered from Paris.\n`
    : `Ada Lovelace met ${a} in London in 18${40 + i}.\n\n${b} wrote to Ada Lovelace from Paris. Lovelace replied.\n`
  const file = join(root, `letter-${i}.txt`)
  writeFileSync(file, text)
  return file
})
let runIds: Array<string> = []

beforeAll(async () => {
  const r = await runCli(["-o", out, "--extractor", "nlp", "-q", "--context", "letters", ...docs])
  expect(r.stderr).toBe("")
  expect(r.code).toBe(0)
  runIds = r.stdout.trim().split("\n").map((l) => l.split("\t")[0]!)
  expect(runIds).toHaveLength(8)
}, 120_000)

describe("extract --context and the graph commands", () => {
  it("makes one entity of a full name across documents, with every mention's run, document and span", async () => {
    const show = await runCli(["graph", "show", "Ada Lovelace", "--context", "letters", "--json", "-o", out])
    expect(show.code).toBe(0)
    const entity = JSON.parse(show.stdout.trim().split("\n")[0]!)
    expect(entity.label).toBe("Ada Lovelace")
    // documents 0-6 name her in full; document 7 only says "Lovelace": a lone surname stays apart
    expect(new Set(entity.mentions.map((m: { runId: string }) => m.runId))).toEqual(new Set(runIds.slice(0, 7)))
    for (const m of entity.mentions) {
      const doc = docs[runIds.indexOf(m.runId)]!
      expect(m.document).toBe(doc)
      expect(Array.from(readFileSync(doc, "utf8")).slice(m.start, m.end).join("")).toBe(m.text)
    }
    expect(entity.merges.length).toBe(6)
    expect(entity.merges[0].evidence.rule).toBe("same-name")
    const search = await runCli(["graph", "search", "lovelace", "--context", "letters", "-o", out])
    expect(search.stdout).toMatch(/Ada Lovelace/)
    expect(search.stdout.trim().split("\n").length).toBeGreaterThanOrEqual(3) // header, Ada Lovelace, Lovelace
    const list = await runCli(["graph", "list", "--json", "-o", out])
    expect(JSON.parse(list.stdout.trim()).runs).toBe(8)
  }, 60_000)

  it("exports with the run renderers, Turtle with per-document provenance", async () => {
    const dir = join(root, "export")
    const r = await runCli(["graph", "export", "--context", "letters", "--formats", "all", "--out", dir, "-o", out])
    expect(r.code).toBe(0)
    for (
      const f of [
        "knowledge-graph.json",
        "rdf-turtle.ttl",
        "knowledge-graph.jsonld",
        "graph.graphml",
        "knowledge-graph.jsonl",
        "mermaid-diagram.md",
        "neo4j/nodes.csv"
      ]
    ) {
      expect(existsSync(join(dir, f))).toBe(true)
    }
    const ttl = readFileSync(join(dir, "rdf-turtle.ttl"), "utf8")
    for (const id of runIds) expect(ttl).toContain(`${id}/document`)
    expect(ttl).toContain(docs[0]!)
  }, 60_000)

  it("8 processes adding to one context at once: every run recorded, verify passes", async () => {
    const results = await Promise.all(
      runIds.map((id) => runCli(["graph", "add", id, "--context", "together", "-o", out]))
    )
    for (const r of results) expect(r.code).toBe(0)
    const verify = await runCli(["graph", "verify", "together", "--json", "-o", out])
    expect(verify.code).toBe(0)
    const report = JSON.parse(verify.stdout)
    expect(report.runs).toBe(8)
    // the same graph as adding them in one process, up to the order of runs: same entity count
    const one = await runCli(["graph", "add", ...runIds, "--context", "sequential", "-o", out])
    expect(one.code).toBe(0)
    const seq = JSON.parse((await runCli(["graph", "verify", "sequential", "--json", "-o", out])).stdout)
    expect(report.entities).toBe(seq.entities)
  }, 120_000)

  it("SIGKILL during graph add, 10 times: verify passes or repair restores, and re-adding completes", async () => {
    let whileLocked = 0
    for (let i = 0; i < 10; i++) {
      const context = `killed-${i}`
      const lock = join(out, "graphs", context, ".lock")
      const cli = startCli(["graph", "add", ...runIds, "--context", context, "-o", out])
      // kill at a random moment while it holds the lock (the add is under way), or at once if it finished
      for (let t = 0; t < 400 && !existsSync(lock) && cli.child.exitCode === null; t++) {
        await new Promise((r) => setTimeout(r, 5))
      }
      if (existsSync(lock)) whileLocked++
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 120)))
      cli.child.kill("SIGKILL")
      await cli.done
      if (!existsSync(join(out, "graphs", context))) continue
      const verify = await runCli(["graph", "verify", context, "-o", out])
      if (verify.code !== 0) {
        expect(verify.code).toBe(1)
        expect((await runCli(["graph", "repair", context, "-o", out])).code).toBe(0)
        expect((await runCli(["graph", "verify", context, "-o", out])).code).toBe(0)
      }
      if (i === 0 || i === 9) {
        // re-adding completes: every run recorded, verify passes (the dead writer's lock is broken)
        expect((await runCli(["graph", "add", ...runIds, "--context", context, "-o", out])).code).toBe(0)
        const after = await runCli(["graph", "verify", context, "--json", "-o", out])
        expect(after.code).toBe(0)
        expect(JSON.parse(after.stdout).runs).toBe(8)
      }
    }
    expect(whileLocked).toBeGreaterThanOrEqual(5)
  }, 240_000)

  it("a garbled graph.jsonl fails verify (exit 1); repair restores the same content", async () => {
    const file = join(out, "graphs", "letters", "graph.jsonl")
    const good = readFileSync(file, "utf8")
    expect((await runCli(["graph", "verify", "letters", "-o", out])).code).toBe(0)
    writeFileSync(file, good.replace(/"Ada Lovelace"/, `"Ada Lovelace\\u0000"`).slice(0, good.length - 10))
    const bad = await runCli(["graph", "verify", "letters", "-o", out])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/graph\.jsonl differs from a replay/)
    const repair = await runCli(["graph", "repair", "letters", "-o", out])
    expect(repair.code).toBe(0)
    expect(readFileSync(file, "utf8")).toBe(good)
    expect((await runCli(["graph", "verify", "letters", "-o", out])).code).toBe(0)
    const bad2 = await runCli(["graph", "show", "x", "--context", "Bad Name", "-o", out])
    expect(bad2.code).toBe(2)
    expect(bad2.stderr).toMatch(/^extract: invalid context name/)
  }, 120_000)
})

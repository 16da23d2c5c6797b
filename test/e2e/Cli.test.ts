/**
 * End-to-end: the built CLI as a child process on a real novel with the
 * embedded extractor.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Parser } from "n3"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CliResult, runCli, SHARED } from "../support/Cli.js"

const SLEEPY = join(SHARED, "data/litbank/texts/41_the_legend_of_sleepy_hollow.txt")
const runIdOf = (path: string) => `doc-${createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 12)}`
const cpSlice = (cps: ReadonlyArray<string>, start: number, end: number) => cps.slice(start, end).join("")

describe("extract <file> (nlp, end to end)", () => {
  const out = mkdtempSync(join(tmpdir(), "extract-e2e-"))
  const runId = runIdOf(SLEEPY)
  const runDir = join(out, "runs", runId)
  let first: CliResult

  beforeAll(async () => {
    first = await runCli([SLEEPY, "-o", out])
  }, 120_000)

  it("exits 0 and prints <runId>\\t<runDir> on stdout, progress on stderr", () => {
    expect(first.code).toBe(0)
    expect(first.stdout).toBe(`${runId}\t${runDir}\n`)
    expect(first.stderr).toContain("embedded offline extractor")
    expect(first.stderr).toContain("completed")
  })

  it("leaves the documented run layout", () => {
    expect(readFileSync(join(runDir, "input", "document.txt"))).toEqual(readFileSync(SLEEPY))
    const chunks = readdirSync(join(runDir, "input", "chunks"))
    const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
    expect(chunks).toHaveLength(meta.stats.chunkCount)
    expect(chunks.sort()).toEqual(Array.from({ length: chunks.length }, (_, i) => `chunk-${i}.txt`).sort())
    for (const f of ["knowledge-graph.json", "entity-resolution-graph.json", "mermaid-diagram.md", "rdf-turtle.ttl"]) {
      expect(existsSync(join(runDir, "outputs", f))).toBe(true)
    }
    expect(meta).toMatchObject({
      runId,
      status: "completed",
      input: { path: SLEEPY, bytes: readFileSync(SLEEPY).length }
    })
    expect(meta.config.extractor).toBe("nlp")
    for (const o of meta.outputs) {
      const bytes = readFileSync(join(runDir, o.path))
      expect(bytes.length).toBe(o.bytes)
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(o.sha256)
    }
    expect(meta.stats.entityCount).toBeGreaterThan(20)
  })

  it("records the stage events in order, and one chunk.extracted per chunk", () => {
    const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
    const perChunk = meta.events.filter((e: any) => e.type === "chunk.extracted")
    expect(perChunk.map((e: any) => e.data.chunk).sort((a: number, b: number) => a - b)).toEqual(
      Array.from({ length: meta.stats.chunkCount }, (_, i) => i)
    )
    expect(meta.stats.chunkCount).toBeGreaterThan(1)
    expect(meta.events.filter((e: any) => e.type !== "chunk.extracted").map((e: any) => e.type)).toEqual([
      "run.created",
      "run.started",
      "chunking.complete",
      "extraction.complete",
      "resolution.complete",
      "rendering.complete",
      "run.completed"
    ])
  })

  it("gives spans that slice back to their text in input/document.txt, in code points", () => {
    const cps = Array.from(readFileSync(join(runDir, "input", "document.txt"), "utf8"))
    const graph = JSON.parse(readFileSync(join(runDir, "outputs", "knowledge-graph.json"), "utf8"))
    let checked = 0
    for (const e of graph.entities) {
      for (const m of e.mentions) {
        expect(cpSlice(cps, m.span.start, m.span.end)).toBe(m.span.text)
        checked++
      }
    }
    for (const r of graph.relations) {
      for (const ev of r.evidence) expect(cpSlice(cps, ev.span.start, ev.span.end)).toBe(ev.span.text)
    }
    for (let i = 0;; i++) {
      const f = join(runDir, "input", "chunks", `chunk-${i}.txt`)
      if (!existsSync(f)) break
      expect(cps.join("")).toContain(readFileSync(f, "utf8"))
    }
    const erg = JSON.parse(readFileSync(join(runDir, "outputs", "entity-resolution-graph.json"), "utf8"))
    for (const m of erg.mentions) expect(cpSlice(cps, m.span.start, m.span.end)).toBe(m.span.text)
    expect(checked).toBeGreaterThan(100)
    expect(graph.entities.some((e: any) => e.label === "Ichabod Crane" && e.type === "Person")).toBe(true)
  })

  it("writes Turtle that n3 parses and Debian's rapper accepts", () => {
    const file = join(runDir, "outputs", "rdf-turtle.ttl")
    const quads = new Parser().parse(readFileSync(file, "utf8"))
    expect(quads.length).toBeGreaterThan(100)
    // rapper -c counts triples and exits non-zero on any syntax error
    const counted = spawnSync("rapper", ["-i", "turtle", "-c", file], { encoding: "utf8" })
    expect(counted.status).toBe(0)
    expect(counted.stderr).toContain(`returned ${quads.length} triples`)
  })

  it("reuses a completed run with the same config, and re-runs it with --force", async () => {
    const again = await runCli([SLEEPY, "-o", out, "--json"])
    expect(again.code).toBe(0)
    const line = JSON.parse(again.stdout)
    expect(line).toMatchObject({ runId, status: "completed", reused: true, runDir })
    const forced = await runCli([SLEEPY, "-o", out, "--json", "--force", "-q"])
    expect(JSON.parse(forced.stdout)).toMatchObject({ runId, status: "completed", reused: false })
    expect(forced.stderr).not.toContain("chunk:")
  }, 120_000)

  it("lists, shows and explains runs", async () => {
    const list = await runCli(["runs", "list", "-o", out, "--json"])
    expect(list.code).toBe(0)
    expect(list.stdout.trim().split("\n").map((l) => JSON.parse(l).runId)).toEqual([runId])
    const show = await runCli(["runs", "show", runId, "--json", "-o", out])
    expect(JSON.parse(show.stdout).runId).toBe(runId)
    const timeline = await runCli(["runs", "timeline", runId, "-o", out])
    expect(timeline.stdout).toMatch(/run\.created[\s\S]*chunking\.complete[\s\S]*run\.completed/)
    const errors = await runCli(["runs", "errors", runId, "-o", out])
    expect(errors.code).toBe(0)
    expect(errors.stdout).toBe("")
    const viaEnv = await runCli(["runs", "list"], { env: { EXTRACT_OUTPUT_DIR: out } })
    expect(viaEnv.stdout).toContain(runId)
  }, 60_000)

  it("reads stdin with -", async () => {
    const text = "Grace Hopper worked for the United States Navy in Washington.\n"
    const r = await runCli(["-", "-o", out, "-q"], { input: text })
    expect(r.code).toBe(0)
    const id = `doc-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`
    expect(r.stdout).toBe(`${id}\t${join(out, "runs", id)}\n`)
  })
})

describe("exit codes and messages", () => {
  const out = mkdtempSync(join(tmpdir(), "extract-e2e-"))

  it("2 for unknown flags, invalid values and a malformed run id", async () => {
    expect((await runCli(["--no-such-flag", SLEEPY, "-o", out])).code).toBe(2)
    const bad = await runCli([SLEEPY, "--chunk-size", "3", "-o", out])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--chunk-size")
    const traversal = await runCli(["runs", "show", "../../etc", "-o", out])
    expect(traversal.code).toBe(2)
    expect(traversal.stderr).toContain("invalid run id")
    expect((await runCli(["-o", out])).code).toBe(2)
  }, 60_000)

  it("4 for a missing file, with a one-line message and no stack trace", async () => {
    const r = await runCli([join(out, "missing.txt"), "-o", out])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain("missing.txt: no such file")
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stdout).toBe("")
  })

  it("1 for a run id that does not exist", async () => {
    const r = await runCli(["runs", "show", "doc-0123456789ab", "-o", out])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("no run doc-0123456789ab")
  })

  it("--version prints the package version", async () => {
    const r = await runCli(["--version"])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(
      JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version
    )
  })
})

/**
 * `extract runs verify [runId] [--repair]`, end to end on a real run of the
 * embedded extractor: damage from outside is found, and repaired back to
 * the recorded bytes.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ROOT, runCli } from "../support/Cli.js"

const SAMPLE = join(ROOT, "docs", "samples", "analytical-engine.txt")
const runId = `doc-${createHash("sha256").update(readFileSync(SAMPLE)).digest("hex").slice(0, 12)}`

describe("extract runs verify", () => {
  const out = mkdtempSync(join(tmpdir(), "extract-verify-"))
  const runDir = join(out, "runs", runId)
  let outputs: Map<string, Buffer>

  beforeAll(async () => {
    const r = await runCli([SAMPLE, "-o", out, "-q"])
    expect(r.code).toBe(0)
    outputs = new Map(readdirSync(join(runDir, "outputs")).map((f) => [f, readFileSync(join(runDir, "outputs", f))]))
  }, 60_000)

  it("passes an intact run, finds damage from outside, and --repair restores the recorded bytes", async () => {
    const clean = await runCli(["runs", "verify", runId, "-o", out])
    expect(clean.code).toBe(0)
    expect(clean.stdout).toMatch(new RegExp(`^${runId}  ok  completed, \\d+ files checked\\n$`))

    appendFileSync(join(runDir, "outputs", "rdf-turtle.ttl"), "# tampered\n")
    rmSync(join(runDir, "outputs", "mermaid-diagram.md"))
    rmSync(join(runDir, "outputs", "viewer.html"))
    writeFileSync(join(runDir, "notes.txt"), "mine")
    const meta = readFileSync(join(runDir, "metadata.json"), "utf8")
    writeFileSync(join(runDir, "metadata.json"), meta.slice(0, 300))

    const damaged = await runCli(["runs", "verify", "-o", out, "--json"])
    expect(damaged.code).toBe(1)
    const v = JSON.parse(damaged.stdout)
    expect(v).toMatchObject({ runId, ok: false, status: "completed", metadataRepaired: false })
    expect(v.metadataRecovered).toContain("not valid JSON")
    const byPath = Object.fromEntries(v.findings.map((f: any) => [f.path, f.status]))
    expect(byPath).toEqual({
      "outputs/rdf-turtle.ttl": "corrupt",
      "outputs/mermaid-diagram.md": "missing",
      "outputs/viewer.html": "missing",
      "notes.txt": "unknown"
    })

    const repaired = await runCli(["runs", "verify", runId, "--repair", "-o", out])
    expect(repaired.code, repaired.stdout + repaired.stderr).toBe(0)
    expect(repaired.stdout).toContain("repaired  outputs/rdf-turtle.ttl")
    expect(repaired.stdout).toContain("repaired  outputs/mermaid-diagram.md")
    // viewer.html re-renders from the stored extractions and document to the same bytes
    expect(repaired.stdout).toContain("repaired  outputs/viewer.html")
    expect(repaired.stdout).toContain("repaired  metadata.json")
    for (const [f, bytes] of outputs) expect(readFileSync(join(runDir, "outputs", f)).equals(bytes), f).toBe(true)
    const after = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
    expect(after.events.map((e: any) => e.type).slice(-2)).toEqual(["metadata.recovered", "run.repaired"])
    expect(after.events.at(-1).data.files.sort()).toEqual([
      "outputs/mermaid-diagram.md",
      "outputs/rdf-turtle.ttl",
      "outputs/viewer.html"
    ])
    expect(readFileSync(join(runDir, "notes.txt"), "utf8")).toBe("mine") // never deleted

    const again = await runCli(["runs", "verify", "-o", out])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("unknown  notes.txt")
  }, 60_000)

  it("says what it cannot repair: outputs without their stored extraction results", async () => {
    rmSync(join(runDir, "outputs", "knowledge-graph.json"))
    rmSync(join(runDir, "extractions", "chunk-0.json"))
    const r = await runCli(["runs", "verify", runId, "--repair", "-o", out])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      "unrepairable  outputs/knowledge-graph.json  missing: extractions/chunk-0.json is missing or corrupt; re-run extract --force"
    )
    expect(r.stdout).toContain("missing  extractions/chunk-0.json")
  }, 60_000)

  it("refuses malformed ids (2) and unknown runs (1)", async () => {
    expect((await runCli(["runs", "verify", "../x", "-o", out])).code).toBe(2)
    const missing = await runCli(["runs", "verify", "doc-000000000000", "-o", out])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("no run doc-000000000000")
  }, 60_000)
})

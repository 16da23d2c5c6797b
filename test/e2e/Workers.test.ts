/**
 * The embedded extractor in worker threads (Extractor/Nlp.ts pooledLayer,
 * issue 14): a run with workers writes the same bytes as a run in one thread.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { runCli, SHARED } from "../support/Cli.js"

/** Every file under `dir`, by path relative to it, except the run's timings (metadata.json, journal.jsonl). */
const files = (dir: string): Map<string, Buffer> => {
  const out = new Map<string, Buffer>()
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (name !== "metadata.json" && name !== "journal.jsonl") out.set(relative(dir, p), readFileSync(p))
    }
  }
  walk(dir)
  return out
}

describe("extract --extractor nlp with worker threads", () => {
  it("writes byte-identical chunks, extractions and outputs to a single-threaded run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-workers-"))
    try {
      // the last six State of the Union addresses: about 300 KB, some 250 chunks at 200 tokens
      const sotu = join(SHARED, "data/sotu")
      const doc = join(dir, "sotu.txt")
      writeFileSync(
        doc,
        readdirSync(sotu).filter((f) => f.endsWith(".txt")).sort().slice(-6)
          .map((f) => readFileSync(join(sotu, f), "utf8")).join("\n\n")
      )
      const args = (
        out: string
      ) => [doc, "--output-dir", join(dir, out), "--database", "none", "--chunk-size", "200", "--chunk-overlap", "20"]
      const [one, two] = await Promise.all([
        runCli(args("one"), { env: { EXTRACT_WORKERS: "0" } }),
        runCli([...args("two"), "--log-level", "debug"], { env: { EXTRACT_WORKERS: "2" } })
      ])
      expect(one.code, one.stderr).toBe(0)
      expect(two.code, two.stderr).toBe(0)
      expect(two.stderr).toContain("nlp extractor: 2 worker threads")
      expect(one.stderr).not.toContain("worker thread")
      const runId = one.stdout.split("\t")[0]!
      expect(two.stdout.split("\t")[0]).toBe(runId)
      const a = files(join(dir, "one", "runs", runId))
      const b = files(join(dir, "two", "runs", runId))
      expect(a.size).toBeGreaterThan(500) // chunk texts and extractions, some 250 of each
      expect([...b.keys()]).toEqual([...a.keys()])
      const differing = [...a.keys()].filter((k) => !a.get(k)!.equals(b.get(k)!))
      expect(differing).toEqual([])
      const stats = (out: string) => {
        const { durationMs: _, ...rest } = JSON.parse(
          readFileSync(join(dir, out, "runs", runId, "metadata.json"), "utf8")
        ).stats
        return rest
      }
      expect(stats("two")).toEqual(stats("one"))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

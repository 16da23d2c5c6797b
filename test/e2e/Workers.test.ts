/**
 * The embedded extractor in worker threads (Extractor/Nlp.ts pooledLayer,
 * issue 14): a run with workers writes the same bytes as a run in one thread.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli } from "../support/Cli.js"
import { resultFiles, sha } from "../support/RunFiles.js"
import { sotuText } from "../support/Sotu.js"

describe("extract --extractor nlp with worker threads", () => {
  it("writes byte-identical chunks, extractions and outputs to a single-threaded run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-workers-"))
    try {
      // the last six State of the Union addresses: about 300 KB, some 250 chunks at 200 tokens
      const doc = join(dir, "sotu.txt")
      writeFileSync(doc, sotuText({ from: "last", files: 6 }))
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
      const runA = join(dir, "one", "runs", runId)
      const runB = join(dir, "two", "runs", runId)
      const a = resultFiles(runA)
      expect(a.length).toBeGreaterThan(500) // chunk texts and extractions, some 250 of each
      expect(resultFiles(runB)).toEqual(a)
      const differing = a.filter((f) => sha(join(runA, f)) !== sha(join(runB, f)))
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

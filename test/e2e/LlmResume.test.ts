/**
 * End-to-end: the response cache makes runs resumable and re-runs free. A
 * run killed with SIGKILL mid-extraction and started again asks the model
 * only for the chunks whose answers were not cached, and ends with outputs
 * identical to an uninterrupted run; a re-run of a completed document makes
 * no request at all; `--dry-run` spends nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli, startCli } from "../support/Cli.js"
import { ONE_PARAGRAPH_PER_CHUNK, paragraphs } from "../support/Documents.js"
import { startMockOpenAi } from "../support/MockOpenAi.js"

const CHUNKS = 40
const TEXT = paragraphs(CHUNKS)
const runId = `doc-${createHash("sha256").update(TEXT).digest("hex").slice(0, 12)}`

/** Cache entries on disk (whole files only; a write cut off by the kill leaves a `.tmp` file, which is not an entry). */
const cacheEntries = (out: string): Array<string> => {
  const dir = join(out, "cache", "llm")
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => /[0-9a-f]{64}\.json$/.test(f))
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** An extraction file without its usage (which says whether it came from the cache). */
const extraction = (runDir: string, file: string) => {
  const { usage: _usage, ...rest } = JSON.parse(readFileSync(join(runDir, "extractions", file), "utf8"))
  return rest
}

describe("extract --extractor llm: cache, resume, re-run", () => {
  const dir = mkdtempSync(join(tmpdir(), "extract-llm-resume-"))
  const input = join(dir, "letters.txt")
  writeFileSync(input, TEXT)
  const args = (
    out: string,
    ...more: Array<string>
  ) => [input, "-o", out, "--extractor", "llm", ...ONE_PARAGRAPH_PER_CHUNK, "--concurrency", "2", "--json", ...more]

  it("resumes a run killed with SIGKILL, asking only for uncached chunks, with outputs identical to an uninterrupted run", async () => {
    const server = await startMockOpenAi({ latencyMs: 60 })
    try {
      const reference = join(dir, "reference")
      const ref = await runCli(args(reference), { env: { OPENAI_BASE_URL: server.baseUrl } })
      expect(ref.code).toBe(0)
      const referenceCalls = server.requests.length
      expect(referenceCalls).toBe(CHUNKS)

      const out = join(dir, "killed")
      const { child, done } = startCli(args(out), { env: { OPENAI_BASE_URL: server.baseUrl } })
      for (let i = 0; i < 3000 && cacheEntries(out).length < 10; i++) await sleep(10)
      child.kill("SIGKILL")
      const killed = await done
      expect(killed.signal).toBe("SIGKILL")
      const cached = cacheEntries(out).length
      expect(cached).toBeGreaterThanOrEqual(10)
      expect(cached).toBeLessThan(CHUNKS)
      const meta = JSON.parse(readFileSync(join(out, "runs", runId, "metadata.json"), "utf8"))
      expect(meta.status).toBe("running")

      const before = server.requests.length
      const resumed = await runCli(args(out), { env: { OPENAI_BASE_URL: server.baseUrl } })
      expect(resumed.code).toBe(0)
      const line = JSON.parse(resumed.stdout)
      expect(line).toMatchObject({ runId, status: "completed", stats: { partial: false } })
      // Every cached answer was reused; every other chunk was asked exactly once.
      const asked = server.requests.slice(before).map((q) => q.chunkText)
      expect(asked).toHaveLength(CHUNKS - cached)
      expect(new Set(asked).size).toBe(asked.length)
      expect(line.stats.llm).toMatchObject({ calls: CHUNKS - cached, cacheHits: cached, cacheMisses: CHUNKS - cached })

      const runDir = join(out, "runs", runId)
      const refDir = join(reference, "runs", runId)
      for (const f of readdirSync(join(refDir, "outputs"))) {
        expect(readFileSync(join(runDir, "outputs", f), "utf8"), f).toBe(
          readFileSync(join(refDir, "outputs", f), "utf8")
        )
      }
      // A write cut off by the kill may leave a temporary `.chunk-N.json.<pid>-<n>.tmp` beside them (the run store's to sweep).
      const chunkFiles = (d: string) =>
        readdirSync(join(d, "extractions")).filter((f) => /^chunk-\d+\.json$/.test(f)).sort()
      const files = chunkFiles(refDir)
      expect(files).toHaveLength(CHUNKS)
      expect(chunkFiles(runDir)).toEqual(files)
      for (const f of files) expect(extraction(runDir, f), f).toEqual(extraction(refDir, f))
    } finally {
      await server.close()
    }
  })

  it("re-runs a completed document with zero requests, reused or forced", async () => {
    const server = await startMockOpenAi()
    try {
      const out = join(dir, "rerun")
      const first = await runCli(args(out), { env: { OPENAI_BASE_URL: server.baseUrl } })
      expect(first.code).toBe(0)
      expect(server.requests).toHaveLength(CHUNKS)

      const reused = await runCli(args(out), { env: { OPENAI_BASE_URL: server.baseUrl } })
      expect(reused.code).toBe(0)
      expect(JSON.parse(reused.stdout)).toMatchObject({ status: "completed", reused: true })

      const forced = await runCli(args(out, "--force"), { env: { OPENAI_BASE_URL: server.baseUrl } })
      expect(forced.code).toBe(0)
      expect(JSON.parse(forced.stdout)).toMatchObject({
        reused: false,
        stats: { llm: { calls: 0, cacheHits: CHUNKS, cacheMisses: 0, inputTokens: 0, outputTokens: 0 } }
      })
      expect(server.requests).toHaveLength(CHUNKS)

      // --no-cache asks again.
      const uncached = await runCli(args(out, "--force", "--no-cache"), { env: { OPENAI_BASE_URL: server.baseUrl } })
      expect(uncached.code).toBe(0)
      expect(server.requests).toHaveLength(2 * CHUNKS)
    } finally {
      await server.close()
    }
  })

  it("--dry-run prints chunks, input tokens and calls without a request or a run directory", async () => {
    const server = await startMockOpenAi()
    try {
      const out = join(dir, "dry")
      const plan = await runCli(args(out, "--dry-run", "--price-input", "0.15"), {
        env: { OPENAI_BASE_URL: server.baseUrl }
      })
      expect(plan.code).toBe(0)
      const p = JSON.parse(plan.stdout)
      expect(p).toMatchObject({ dryRun: true, runId, chunkCount: CHUNKS, calls: CHUNKS, cached: 0 })
      // Each request carries the system prompt and the schema besides its ~45-token chunk.
      expect(p.inputTokens).toBeGreaterThan(CHUNKS * 200)
      expect(p.inputCostUsd).toBeCloseTo((p.inputTokens * 0.15) / 1e6, 10)
      expect(server.requests).toHaveLength(0)
      expect(existsSync(join(out, "runs"))).toBe(false)

      const text = await runCli(args(out, "--dry-run").filter((a) => a !== "--json"), {
        env: { OPENAI_BASE_URL: server.baseUrl }
      })
      expect(text.stdout).toBe(
        `${input}\t${CHUNKS} chunks\t${p.inputTokens} input tokens\t${CHUNKS} calls\t0 cached answers\n`
      )

      expect((await runCli(args(out), { env: { OPENAI_BASE_URL: server.baseUrl } })).code).toBe(0)
      const after = JSON.parse(
        (await runCli(args(out, "--dry-run"), { env: { OPENAI_BASE_URL: server.baseUrl } })).stdout
      )
      expect(after).toMatchObject({ calls: 0, inputTokens: 0, cached: CHUNKS })
    } finally {
      await server.close()
    }
  })
})

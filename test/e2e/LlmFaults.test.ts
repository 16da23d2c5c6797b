/**
 * End-to-end: the built CLI against a loopback OpenAI server that fails in
 * every way the issue names. Transient faults cost retries but no fact;
 * persistent ones fail their chunks, and the run ends completed, partial,
 * exit code 3.
 */
import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli } from "../support/Cli.js"
import { ONE_PARAGRAPH_PER_CHUNK, paragraphs } from "../support/Documents.js"
import { answerWith, httpError, resetConnection, startMockOpenAi } from "../support/MockOpenAi.js"

const runIdOf = (text: string) => `doc-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`
const CHUNKS = 12
const TEXT = paragraphs(CHUNKS)

/** Per chunk text, the first request fails with fault `index % 7` (the chunk's paragraph number). */
const FAULTS = ["429", "500", "503", "reset", "hang", "malformed", "schema"] as const
const transientFaults = () => {
  const seen = new Set<string>()
  return (req: Parameters<typeof answerWith>[0], res: Parameters<typeof answerWith>[1]) => {
    if (req.api === null || seen.has(req.chunkText)) return false
    seen.add(req.chunkText)
    const n = Number(/Paragraph (\d+)/.exec(req.chunkText)?.[1] ?? 0)
    switch (FAULTS[n % FAULTS.length]) {
      case "429":
        httpError(res, 429, "Rate limit reached for requests", { "retry-after": "1" })
        return true
      case "500":
        httpError(res, 500, "The server had an error while processing your request")
        return true
      case "503":
        httpError(res, 503, "The engine is currently overloaded")
        return true
      case "reset":
        resetConnection(res)
        return true
      case "hang":
        return true // never answered: the client's --request-timeout ends it
      case "malformed":
        answerWith(req, res, "{\"entities\": [{\"name\": \"Ada")
        return true
      case "schema":
        answerWith(req, res, JSON.stringify({ entities: [{ name: "Ada Lovelace", type: "Human" }], relations: "none" }))
        return true
    }
  }
}

describe("extract --extractor llm under provider faults", () => {
  const dir = mkdtempSync(join(tmpdir(), "extract-llm-faults-"))
  const input = join(dir, "letters.txt")
  writeFileSync(input, TEXT)
  const runId = runIdOf(TEXT)
  const args = (
    out: string,
    ...more: Array<string>
  ) => [input, "-o", out, "--extractor", "llm", ...ONE_PARAGRAPH_PER_CHUNK, "--json", ...more]

  for (const api of ["responses", "chat"] as const) {
    it(`${api}: completes with every chunk extracted when faults are transient, as a fault-free run would`, async () => {
      const clean = await startMockOpenAi()
      const faulty = await startMockOpenAi({ fault: transientFaults() })
      try {
        const cleanOut = join(dir, `clean-${api}`)
        const c = await runCli(args(cleanOut, "--api", api), { env: { OPENAI_BASE_URL: clean.baseUrl } })
        expect(c.code).toBe(0)

        const out = join(dir, `faulty-${api}`)
        const started = Date.now()
        const r = await runCli(args(out, "--api", api, "--request-timeout", "1", "--concurrency", "4"), {
          env: { OPENAI_BASE_URL: faulty.baseUrl }
        })
        expect(r.stderr).not.toMatch(/\n\s+at /)
        expect(r.code).toBe(0)
        expect(Date.now() - started).toBeLessThan(40_000)
        const line = JSON.parse(r.stdout)
        expect(line).toMatchObject({
          runId,
          status: "completed",
          stats: { chunkCount: CHUNKS, failedChunks: 0, partial: false }
        })
        // 12 chunks; chunks 0–4 and 7–11 hit a transient fault (retried), 5 and 6 an invalid answer (re-asked).
        expect(line.stats.llm).toMatchObject({
          calls: 2 * CHUNKS,
          retries: 10,
          reasks: 2,
          cacheMisses: CHUNKS,
          cacheHits: 0
        })

        const runDir = join(out, "runs", runId)
        expect(readdirSync(join(runDir, "extractions")).sort()).toEqual(
          Array.from({ length: CHUNKS }, (_, i) => `chunk-${i}.json`).sort()
        )
        for (const f of readdirSync(join(runDir, "outputs"))) {
          expect(readFileSync(join(runDir, "outputs", f), "utf8"), f).toBe(
            readFileSync(join(cleanOut, "runs", runId, "outputs", f), "utf8")
          )
        }
        const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
        const retries = meta.events.filter((e: any) => e.type === "llm.retry").map((e: any) => e.data)
        expect(retries.map((d: any) => d.status).filter((s: any) => s !== null).sort()).toEqual([
          429,
          429,
          500,
          500,
          503,
          503
        ])
        expect(retries.map((d: any) => d.reason)).toEqual(
          expect.arrayContaining(["request timed out", expect.stringMatching(/connection/)])
        )
        const after429 = retries.find((d: any) => d.status === 429)
        expect(after429.delayMs).toBeGreaterThanOrEqual(1000)
        const reasks = meta.events.filter((e: any) => e.type === "llm.reask").map((e: any) => e.data.error)
        expect(reasks).toEqual(
          expect.arrayContaining([
            expect.stringContaining("not valid JSON"),
            expect.stringContaining("; relations: Expected")
          ])
        )
        expect(reasks.join("\n")).toContain(`entities[0].type: Expected "Person" | "Organization"`)
        expect(meta.errors).toEqual([])
      } finally {
        await clean.close()
        await faulty.close()
      }
    })
  }

  it("records chunks that keep failing, completes partially with exit code 3, and retries only them next time", async () => {
    const broken = await startMockOpenAi({
      fault: (req, res) => {
        if (req.chunkText.startsWith("Paragraph 3:")) {
          answerWith(req, res, "Sorry, I can only answer in prose.")
          return true
        }
        if (req.chunkText.startsWith("Paragraph 8:")) {
          httpError(res, 500, "upstream failure")
          return true
        }
        return false
      }
    })
    try {
      const out = join(dir, "partial")
      const r = await runCli(args(out, "--max-retries", "1", "--max-reasks", "1"), {
        env: { OPENAI_BASE_URL: broken.baseUrl }
      })
      expect(r.code).toBe(3)
      const line = JSON.parse(r.stdout)
      expect(line).toMatchObject({
        runId,
        status: "completed",
        stats: { chunkCount: CHUNKS, failedChunks: 2, partial: true }
      })
      expect(r.stderr).toContain("completed partially")
      const runDir = join(out, "runs", runId)
      const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
      expect(meta.status).toBe("completed")
      expect(meta.stats.partial).toBe(true)
      const failed = meta.errors.filter((e: any) => e.type === "chunk.failed")
      expect(failed.map((e: any) => e.context.chunk).sort()).toEqual([3, 8])
      expect(failed.find((e: any) => e.context.chunk === 3).message).toContain("unusable model output after 1 re-asks")
      expect(failed.find((e: any) => e.context.chunk === 8).message).toContain("HTTP 500")
      expect(existsSync(join(runDir, "extractions", "chunk-3.json"))).toBe(false)
      expect(existsSync(join(runDir, "outputs", "knowledge-graph.json"))).toBe(true)
      expect(meta.events.find((e: any) => e.type === "run.completed").data).toMatchObject({ partial: true })

      // The next run is not reused (it was partial) and asks only for the two failed chunks: the rest is cached.
      const before = broken.requests.length
      const again = await runCli(args(out, "--max-retries", "1", "--max-reasks", "1"), {
        env: { OPENAI_BASE_URL: broken.baseUrl }
      })
      expect(again.code).toBe(3)
      expect(JSON.parse(again.stdout)).toMatchObject({
        reused: false,
        stats: { failedChunks: 2, llm: { cacheHits: CHUNKS - 2 } }
      })
      const asked = new Set(broken.requests.slice(before).map((q) => q.chunkText.slice(0, 12)))
      expect([...asked].sort()).toEqual(["Paragraph 3:", "Paragraph 8:"])
    } finally {
      await broken.close()
    }
  })

  it("re-asks only the failed chunks when the same provider recovers", async () => {
    let failing = true
    const server = await startMockOpenAi({
      fault: (req, res) => {
        if (failing && req.chunkText.startsWith("Paragraph 4:")) {
          httpError(res, 503, "overloaded")
          return true
        }
        return false
      }
    })
    try {
      const out = join(dir, "recover")
      const first = await runCli(args(out, "--max-retries", "0"), { env: { OPENAI_BASE_URL: server.baseUrl } })
      expect(first.code).toBe(3)
      failing = false
      const before = server.requests.length
      const second = await runCli(args(out), { env: { OPENAI_BASE_URL: server.baseUrl } })
      expect(second.code).toBe(0)
      expect(JSON.parse(second.stdout).stats.llm).toMatchObject({ calls: 1, cacheHits: CHUNKS - 1, cacheMisses: 1 })
      expect(server.requests.slice(before).map((q) => q.chunkText.slice(0, 12))).toEqual(["Paragraph 4:"])
    } finally {
      await server.close()
    }
  })

  it("ends promptly with one line when the provider cannot be reached", async () => {
    const gone = await startMockOpenAi()
    const url = gone.baseUrl
    await gone.close()
    const started = Date.now()
    const r = await runCli(args(join(dir, "unreachable")), { env: { OPENAI_BASE_URL: url } })
    expect(r.code).toBe(1)
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: "failed",
      error: `cannot reach the provider at ${new URL(url).host}: connection refused`
    })
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

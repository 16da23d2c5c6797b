/**
 * End-to-end: chunking is streamed into extraction. On a long document the
 * first model request leaves while the chunker is still splitting the rest,
 * and the streamed run gives the same chunks and outputs as before.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli } from "../support/Cli.js"
import { startMockOpenAi } from "../support/MockOpenAi.js"
import { sotuText } from "../support/Sotu.js"

describe("extract --extractor llm, streamed chunking", () => {
  it("sends the first request before chunking completes, and every chunk is asked exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-llm-stream-"))
    // about 600 KB of real prose: several hundred chunks at 600 tokens
    const text = sotuText({ from: "first", bytes: 600_000 })
    const input = join(dir, "sotu.txt")
    writeFileSync(input, text)
    const server = await startMockOpenAi({ latencyMs: 20, record: false })
    try {
      const r = await runCli(
        [
          input,
          "-o",
          join(dir, "out"),
          "--extractor",
          "llm",
          "--chunk-size",
          "600",
          "--chunk-overlap",
          "0",
          "--concurrency",
          "16",
          "--json",
          "-q"
        ],
        { env: { OPENAI_BASE_URL: server.baseUrl } }
      )
      expect(r.code).toBe(0)
      const line = JSON.parse(r.stdout)
      const meta = JSON.parse(readFileSync(join(line.runDir, "metadata.json"), "utf8"))
      const chunking = meta.events.find((e: { type: string }) => e.type === "chunking.complete")
      expect(chunking.data.chunkCount).toBeGreaterThan(150)
      const firstRequest = Math.min(...server.requests.map((q) => q.receivedAt))
      expect(firstRequest).toBeLessThan(Date.parse(chunking.timestamp))
      // each chunk asked once, and every chunk file on disk
      expect(server.requests).toHaveLength(chunking.data.chunkCount)
      expect(new Set(server.requests.map((q) => q.chunkText)).size).toBe(chunking.data.chunkCount)
      const chunkFiles = readdirSync(join(line.runDir, "input", "chunks"))
      expect(chunkFiles).toHaveLength(chunking.data.chunkCount)
      const events = meta.events.map((e: { type: string }) => e.type)
      expect(events.indexOf("chunking.complete")).toBeLessThan(events.indexOf("extraction.complete"))
    } finally {
      await server.close()
    }
  }, 120_000)
})

/**
 * SIGKILL resume, end to end, on SQLite: a process runs a batch of 3
 * documents against the loopback mock LLM (with latency) and is killed
 * with SIGKILL mid-batch; `extract worker` started on the same database and
 * output directory resumes every workflow by itself. Each chunk is asked
 * once, plus at most the chunks in flight at the kill; the outputs are
 * byte-identical to `extract`'s uninterrupted runs; no event is lost; and
 * SIGTERM drains the worker with exit code 143.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli, startCli } from "../support/Cli.js"
import { peopleDocument } from "../support/Documents.js"
import { type MockOpenAi, startMockOpenAi } from "../support/MockOpenAi.js"
import { filesUnder, sha } from "../support/RunFiles.js"
import { startSubmit, until } from "../support/WorkflowProcesses.js"

const CHUNK = ["--chunk-size", "48", "--chunk-overlap", "0"]
const CONCURRENCY = 2
/** Documents of a batch extracted at once (BatchWorkflow's default) times chunks per document at once. */
const MOST_IN_FLIGHT = 4 * CONCURRENCY

describe("SIGKILL in the middle of a batch", () => {
  let server: MockOpenAi
  const root = mkdtempSync(join(tmpdir(), "extract-wf-resume-"))
  const documents = [1, 2, 3].map((seed) => {
    const file = join(root, `letters-${seed}.txt`)
    writeFileSync(file, peopleDocument(seed, 8))
    return file
  })
  const env = () => ({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: "sk-resume-test" })
  /** The uninterrupted runs: run id → run directory. */
  const baseline = new Map<string, string>()
  let chunkCount = 0

  beforeAll(async () => {
    server = await startMockOpenAi({ latencyMs: 250 })
    const cli = await runCli(
      [...documents, "-o", join(root, "cli"), ...CHUNK, "--concurrency", String(CONCURRENCY), "--no-cache", "-q"],
      { env: env() }
    )
    expect(cli.code, cli.stderr).toBe(0)
    for (const line of cli.stdout.trim().split("\n")) {
      const [runId, runDir] = line.split("\t")
      baseline.set(runId!, runDir!)
    }
    chunkCount = server.requests.length
    expect(chunkCount).toBeGreaterThan(12)
    server.requests.length = 0
    server.answered.length = 0
  }, 120_000)
  afterAll(() => server.close())

  it(
    "resumes every workflow in a new process: chunks asked once plus those in flight, same bytes, no event lost",
    async () => {
      const out = join(root, "engine")
      const database = `sqlite:${join(out, "extract.db")}`
      const submit = startSubmit({
        outputDir: out,
        database,
        mode: "single",
        baseUrl: server.baseUrl,
        concurrency: CONCURRENCY,
        chunkSize: 48,
        chunkOverlap: 0,
        documents
      }, env())
      // kill once a third of the chunks are answered: every document is under way
      await until("a third of the chunks", () => server.answered.length >= Math.ceil(chunkCount / 3), 60_000)
      submit.child.kill("SIGKILL")
      expect((await submit.done).signal).toBe("SIGKILL")
      const started = JSON.parse(submit.lines()[0]!)
      const inFlight = server.requests.length - server.answered.length
      const beforeKill = server.requests.length
      expect(beforeKill).toBeLessThan(chunkCount)

      const worker = startCli(
        [
          "worker",
          "-o",
          out,
          "--database",
          database,
          ...CHUNK,
          "--concurrency",
          String(CONCURRENCY),
          "--no-cache",
          "--extractor",
          "llm"
        ],
        { env: env() }
      )
      const stateFile = join(out, "batches", started.batchId, "state.json")
      await until("the batch to complete", () => {
        try {
          return JSON.parse(readFileSync(stateFile, "utf8"))._tag === "Complete"
        } catch {
          return false
        }
      }, 90_000).catch((e) => {
        worker.child.kill("SIGKILL")
        throw e
      })
      worker.child.kill("SIGTERM")
      const drained = await worker.done
      expect(drained.code, drained.stderr).toBe(143)

      const state = JSON.parse(readFileSync(stateFile, "utf8"))
      expect(state.stats.completed).toBe(3)
      expect(new Set(state.stats.runs.map((r: { runId: string }) => r.runId))).toEqual(new Set(baseline.keys()))

      // each chunk asked once, plus at most the chunks in flight at the kill
      const extra = server.requests.length - chunkCount
      console.log(
        `resume test: ${chunkCount} chunks, ${beforeKill} asked before the kill (${inFlight} unanswered), ${server.requests.length} in all (${extra} asked again)`
      )
      expect(extra).toBeGreaterThanOrEqual(0)
      expect(extra).toBeLessThanOrEqual(MOST_IN_FLIGHT)
      const asked = new Map<string, number>()
      for (const r of server.requests) asked.set(r.chunkText, (asked.get(r.chunkText) ?? 0) + 1)
      expect([...asked.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(MOST_IN_FLIGHT)

      for (const [runId, cliDir] of baseline) {
        const runDir = join(out, "runs", runId)
        const files = filesUnder(runDir).filter((f) => /^(input\/|extractions\/|outputs\/)/.test(f))
        expect(files).toEqual(filesUnder(cliDir).filter((f) => /^(input\/|extractions\/|outputs\/)/.test(f)))
        for (const f of files) expect(sha(join(runDir, f)), `${runId}/${f}`).toBe(sha(join(cliDir, f)))
        // no event lost: the CLI's events all appear, in the same order, around the resume
        const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
        const cliMeta = JSON.parse(readFileSync(join(cliDir, "metadata.json"), "utf8"))
        expect(meta.status).toBe("completed")
        // (chunk.extracted aside: extract streams, so its order differs, and a chunk in flight at the kill
        // may be recorded twice; every chunk is recorded, as by extract)
        type Event = { type: string; data: { chunk?: number } }
        const stageTypes = (m: { events: Array<Event> }) =>
          m.events.map((e) => e.type).filter((t) => t !== "run.resumed" && t !== "chunk.extracted")
        const perChunk = (m: { events: Array<Event> }) =>
          [...new Set(m.events.filter((e) => e.type === "chunk.extracted").map((e) => e.data.chunk!))].sort((a, b) =>
            a - b
          )
        expect(stageTypes(meta)).toEqual(stageTypes(cliMeta))
        expect(perChunk(meta)).toEqual(perChunk(cliMeta))
        expect(perChunk(meta)).toHaveLength(meta.stats.chunkCount)
        const timeline = await runCli(["runs", "timeline", runId, "-o", out])
        expect(timeline.code, timeline.stderr).toBe(0)
        expect(timeline.stdout).toContain("run.completed")
      }
    },
    240_000
  )
})

/**
 * Concurrent runs, end to end: 8 CLI processes at once on 4 documents (two
 * per document) into one output directory, with the llm extractor against a
 * loopback server; then two processes on one document with --no-wait, and
 * interrupts (SIGINT, SIGTERM).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli, startCli } from "../support/Cli.js"
import { peopleDocument } from "../support/Documents.js"
import { type MockOpenAi, startMockOpenAi } from "../support/MockOpenAi.js"

const filesUnder = (dir: string, base = dir): Array<string> =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? filesUnder(p, base) : [p.slice(base.length + 1)]
  })
const idOf = (text: string) => `doc-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`
const STAGES = [
  "run.started",
  "chunking.complete",
  "extraction.complete",
  "resolution.complete",
  "rendering.complete",
  "run.completed"
]

describe("8 processes, 4 documents, one output directory", () => {
  let server: MockOpenAi
  const root = mkdtempSync(join(tmpdir(), "extract-concurrent-"))
  const out = join(root, "out")
  const docs = [1, 2, 3, 4].map((seed) => {
    const text = peopleDocument(seed + 10, 6)
    const file = join(root, `doc-${seed}.txt`)
    writeFileSync(file, text)
    return { file, runId: idOf(text) }
  })
  const env = () => ({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: "sk-concurrency" })

  beforeAll(async () => {
    server = await startMockOpenAi({ latencyMs: 30 })
  })
  afterAll(() => server.close())

  it("all complete, no file is corrupt, every process's events are present and not interleaved", async () => {
    const procs = docs.flatMap((d) =>
      [0, 1].map(() =>
        startCli([d.file, "-o", out, "--force", "--json", "--chunk-size", "40", "--chunk-overlap", "0"], { env: env() })
      )
    )
    const results = await Promise.all(procs.map((p) => p.done))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    for (const d of docs) {
      const runDir = join(out, "runs", d.runId)
      const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
      expect(meta.status).toBe("completed")
      const types: Array<string> = meta.events.map((e: any) => e.type)
      // one creation, then each process's whole sequence, one after the other (the lock serialises them);
      // each sequence has one chunk.extracted per chunk between run.started and extraction.complete
      expect(types.filter((t) => t !== "chunk.extracted")).toEqual(["run.created", ...STAGES, ...STAGES])
      const second = types.lastIndexOf("run.started")
      const perChunk = (from: number, to: number) => types.slice(from, to).filter((t) => t === "chunk.extracted")
      expect(perChunk(0, second)).toHaveLength(meta.stats.chunkCount)
      expect(perChunk(second, types.length)).toHaveLength(meta.stats.chunkCount)
      const pids = meta.events.filter((e: any) => e.type === "run.started").map((e: any) => e.data.pid).sort()
      const mine = procs.filter((_, i) => docs[Math.floor(i / 2)] === d).map((p) => p.child.pid).sort()
      expect(pids).toEqual(mine)
      const stamps = meta.events.map((e: any) => e.timestamp)
      expect(stamps).toEqual([...stamps].sort())
      expect(new Set(stamps).size).toBe(stamps.length)
      // the journal holds the same events
      const journal = readFileSync(join(runDir, "journal.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
      const journaled = journal.flatMap((
        r: any
      ) => (r.op === "event" ? [r.event.type] : r.op === "base" ? r.metadata.events.map((e: any) => e.type) : []))
      expect(journaled).toEqual(types)
      for (const o of meta.outputs) {
        const bytes = readFileSync(join(runDir, o.path))
        expect(bytes.length).toBe(o.bytes)
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(o.sha256)
        if (o.path.endsWith(".json")) JSON.parse(bytes.toString("utf8"))
      }
      expect(filesUnder(runDir).filter((f) => f.endsWith(".tmp") || f.includes(".lock"))).toEqual([])
    }
    const verify = await runCli(["runs", "verify", "-o", out])
    expect(verify.code, verify.stdout).toBe(0)
    expect(verify.stdout.trim().split("\n")).toHaveLength(4)
  }, 180_000)
})

describe("a run another process is writing", () => {
  let server: MockOpenAi
  const root = mkdtempSync(join(tmpdir(), "extract-lockcli-"))
  const text = peopleDocument(30, 24)
  const input = join(root, "slow.txt")
  writeFileSync(input, text)
  const runId = idOf(text)
  const args = (
    out: string,
    ...more: Array<string>
  ) => [input, "-o", out, "--chunk-size", "40", "--chunk-overlap", "0", "--concurrency", "1", ...more]
  const env = () => ({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: "sk-lock" })

  /** While closed, the server holds every request: the first run stays in its extract stage. */
  let open: () => void = () => undefined
  let gate: Promise<void> = Promise.resolve()
  const closeGate = () => (gate = new Promise<void>((resolve) => (open = resolve)))

  beforeAll(async () => {
    server = await startMockOpenAi({ latencyMs: 150, gate: () => gate })
  })
  afterAll(() => server.close())

  it("--no-wait fails at once with exit code 5 naming the holder; the default waits, then runs", async () => {
    const out = join(root, "wait")
    closeGate()
    const first = startCli(args(out), { env: env() })
    await first.waitForStderr(/chunk: \d+ chunks/)
    const refused = await runCli(args(out, "--no-wait"), { env: env() })
    expect(refused.code).toBe(5)
    expect(refused.stderr).toContain(`run ${runId} is locked by pid ${first.child.pid} on `)
    expect(refused.stderr).not.toMatch(/\n\s+at /)
    const waiting = startCli(args(out, "--json"), { env: env() })
    await waiting.waitForStderr(/waiting for run .* locked by pid/)
    open()
    const [a, b] = await Promise.all([first.done, waiting.done])
    expect(a.code).toBe(0)
    expect(b.code).toBe(0)
    expect(JSON.parse(b.stdout)).toMatchObject({ runId, status: "completed", reused: true })
  }, 120_000)

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(
      `${signal} stops the run, records run.interrupted with the progress so far, releases the lock, exits ${code}`,
      async () => {
        const out = join(root, signal)
        const before = server.requests.length
        const cli = startCli(args(out), { env: env() })
        await cli.waitForStderr(/chunk: \d+ chunks/)
        // a few chunks get extracted (polled: a fixed wait is too short on a loaded machine)
        const extractions = join(out, "runs", runId, "extractions")
        for (let i = 0; i < 600; i++) {
          if (existsSync(extractions) && readdirSync(extractions).some((f) => /^chunk-\d+\.json$/.test(f))) break
          await new Promise((r) => setTimeout(r, 50))
        }
        cli.child.kill(signal)
        const r = await cli.done
        const chunkCount = Number(/chunk: (\d+) chunks/.exec(r.stderr)![1])
        expect(r.code).toBe(code)
        expect(r.stderr).toContain("interrupted during extract")
        expect(r.stderr).not.toMatch(/\n\s+at /)
        const runDir = join(out, "runs", runId)
        const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
        expect(meta.status).toBe("interrupted")
        const last = meta.events.at(-1)
        expect(last.type).toBe("run.interrupted")
        expect(last.data.stage).toBe("extract")
        expect(last.data.percent).toBeGreaterThan(0)
        expect(last.data.extractionsSaved).toBeGreaterThan(0)
        expect(last.data.extractionsSaved).toBe(
          readdirSync(join(runDir, "extractions")).filter((f) => /^chunk-\d+\.json$/.test(f)).length
        )
        expect(existsSync(join(runDir, ".lock"))).toBe(false)
        // it stopped: far fewer model calls than chunks were made
        expect(server.requests.length - before).toBeLessThan(chunkCount / 2)
        expect(filesUnder(runDir).filter((f) => f.endsWith(".tmp"))).toEqual([])
      },
      60_000
    )
  }
})

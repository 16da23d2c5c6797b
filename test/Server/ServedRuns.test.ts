/**
 * End to end: the built CLI's `extract serve` on the real workflow engine
 * (SQLite, SingleRunner) with the llm extractor against the loopback mock
 * model, driven over HTTP: the SSE progress of a served run advances chunk
 * by chunk, and an interrupt stops a running extraction promptly.
 */
import * as Sse from "@effect/experimental/Sse"
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type RunningCli, startCli } from "../support/Cli.js"
import { paragraphs } from "../support/Documents.js"
import { type MockOpenAi, startMockOpenAi } from "../support/MockOpenAi.js"
import { until } from "../support/WorkflowProcesses.js"

interface Message {
  readonly event: string
  readonly id: string | undefined
  readonly data: string
  /** When the client received it (Date.now()). */
  readonly at: number
}

/** Starts `extract serve` on a free port with the llm extractor against `mock`; resolves with its URL. */
const serve = async (mock: MockOpenAi, args: ReadonlyArray<string>) => {
  const cli = startCli(["serve", "--port", "0", "--extractor", "llm", "--no-cache", ...args], {
    env: { OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: "sk-served-runs" }
  })
  let stderr = ""
  cli.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")))
  await cli.waitForStderr(/serving on http:\/\/\S+ /)
  return { cli, url: /serving on (http:\/\/\S+) /.exec(stderr)![1]! }
}

/** Reads a run's SSE stream to its end, calling `onMessage` as each message arrives. */
const readEvents = async (url: string, onMessage: (m: Message) => void = () => {}) => {
  const response = await fetch(url)
  expect(response.status).toBe(200)
  const messages: Array<Message> = []
  const parser = Sse.makeParser((e) => {
    if (e._tag !== "Event") return
    const m = { event: e.event, id: e.id, data: e.data, at: Date.now() }
    messages.push(m)
    onMessage(m)
  })
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  while (true) {
    const { done, value } = await reader.read()
    if (done) break
    parser.feed(decoder.decode(value, { stream: true }))
  }
  return messages
}

const submit = async (url: string, text: string, options: Record<string, unknown>) => {
  const r = await fetch(`${url}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text, options })
  })
  expect(r.status).toBe(202)
  return (await r.json()) as { runId: string; executionId: string; runDir: string }
}

const percentsOf = (messages: ReadonlyArray<Message>) =>
  messages.filter((m) => m.event === "progress").map((m) => (JSON.parse(m.data) as { percent: number }).percent)

/** The stop-request files under `<out>/control/` (src/Workflow/ExtractionWorkflow.ts `stopFile`). */
const stopRequests = (out: string) =>
  existsSync(join(out, "control")) ? readdirSync(join(out, "control")).filter((f) => f.endsWith(".stop")) : []

describe("extract serve (llm, real engine)", () => {
  let mock: MockOpenAi | undefined
  let server: RunningCli | undefined
  afterEach(async () => {
    server?.child.kill("SIGKILL")
    await server?.done
    await mock?.close()
    server = undefined
    mock = undefined
  })

  it("streams progress over SSE chunk by chunk: monotonic, with a value per chunk between 5 % and 85 %", async () => {
    mock = await startMockOpenAi({ latencyMs: 120 })
    const out = join(mkdtempSync(join(tmpdir(), "extract-served-")), "out")
    const started = await serve(mock, ["-o", out])
    server = started.cli
    const chunks = 10
    const { runId } = await submit(started.url, paragraphs(chunks), {
      chunkSize: 64,
      chunkOverlap: 0,
      concurrency: 2,
      passes: 1
    })
    const messages = await readEvents(`${started.url}/runs/${runId}/events`)
    const chunking = messages.find((m) => m.event === "chunking.complete")!
    expect((JSON.parse(chunking.data) as { data: { chunkCount: number } }).data.chunkCount).toBe(chunks)
    expect(messages.filter((m) => m.event === "chunk.extracted")).toHaveLength(chunks)
    const p = percentsOf(messages)
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeGreaterThanOrEqual(p[i - 1]!)
    expect(p.at(-1)).toBe(100)
    // 5 % is the end of chunking, 85 % the end of extraction: one distinct value per chunk but the last between
    const between = [...new Set(p.filter((x) => x > 5 && x < 85))]
    expect(between).toHaveLength(chunks - 1)
    // and they arrived as the chunks were extracted (the mock answers in 120 ms, two at a time), not at once
    const times = messages.filter((m) => m.event === "chunk.extracted").map((m) => m.at)
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(300)
    // an interrupt after the end changes nothing
    expect((await fetch(`${started.url}/runs/${runId}/interrupt`, { method: "POST" })).status).toBe(202)
    await new Promise((r) => setTimeout(r, 500))
    expect(((await (await fetch(`${started.url}/runs/${runId}`)).json()) as { status: string }).status).toBe(
      "completed"
    )
    // and leaves no stop request behind for the ended execution
    expect(stopRequests(out)).toEqual([])
  }, 60_000)

  it(
    "an interrupt stops a running extraction at once, abandoning the model requests in flight: status interrupted, what was saved kept",
    async () => {
      // each answer takes 4 s, two chunks at a time: 16 chunks would take 32 s
      mock = await startMockOpenAi({ latencyMs: 4000 })
      const dir = mkdtempSync(join(tmpdir(), "extract-interrupt-"))
      const started = await serve(mock, ["-o", join(dir, "out")])
      server = started.cli
      const chunks = 16
      const { runDir, runId } = await submit(started.url, paragraphs(chunks), {
        chunkSize: 64,
        chunkOverlap: 0,
        concurrency: 2,
        passes: 1
      })
      let interruptedAt = 0
      const messages = await readEvents(`${started.url}/runs/${runId}/events`, (m) => {
        if (m.event === "chunk.extracted" && interruptedAt === 0) {
          interruptedAt = Date.now()
          void fetch(`${started.url}/runs/${runId}/interrupt`, { method: "POST" }).then((r) =>
            expect(r.status).toBe(202)
          )
        }
      })
      const end = messages.find((m) => m.event === "run.interrupted")
      expect(end, messages.map((m) => m.event).join(" ")).toBeDefined()
      // the model requests in flight (4 s each) are abandoned, not waited for (the bound leaves room for a loaded machine)
      console.log(`interrupt test: run.interrupted ${end!.at - interruptedAt} ms after the interrupt was sent`)
      expect(end!.at - interruptedAt).toBeLessThan(2500)
      expect(messages.some((m) => m.event === "run.completed" || m.event === "extraction.complete")).toBe(false)

      const api = (await (await fetch(`${started.url}/runs/${runId}`)).json()) as { status: string }
      expect(api.status).toBe("interrupted")
      // metadata.json is the snapshot written once the journal has the record the stream showed
      type Metadata = { status: string; events: Array<{ type: string; data: Record<string, unknown> }> }
      const snapshot = () => JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8")) as Metadata
      await until("metadata.json to say interrupted", () => snapshot().status !== "running", 5000)
      const metadata = snapshot()
      expect(metadata.status).toBe("interrupted")
      const interrupted = metadata.events.find((e) => e.type === "run.interrupted")!
      expect(interrupted.data["stage"]).toBe("extract")
      // nothing already written is lost: every chunk.extracted has its extraction file, and no more
      const extracted = metadata.events.filter((e) => e.type === "chunk.extracted").map((e) => e.data["chunk"])
      const files = readdirSync(join(runDir, "extractions")).sort()
      expect(files).toEqual(extracted.map((c) => `chunk-${c}.json`).sort())
      expect(extracted.length).toBeGreaterThan(0)
      expect(extracted.length).toBeLessThan(chunks)
      expect(readdirSync(join(runDir, "input", "chunks"))).toHaveLength(chunks)
      // no further model request leaves after the interrupt has been seen
      const asked = mock.requests.length
      await new Promise((r) => setTimeout(r, 2000))
      expect(mock.requests.length).toBe(asked)
      expect(asked).toBeLessThan(chunks)
      // the stop request has done its work and is gone
      expect(stopRequests(join(dir, "out"))).toEqual([])
    },
    60_000
  )
})

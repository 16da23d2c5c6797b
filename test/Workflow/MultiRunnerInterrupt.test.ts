/**
 * Interrupting across processes on Postgres: `extract serve` as a client
 * (it runs no workflow) in front of one `extract worker`; the interrupt
 * reaches the run on the worker, which stops at once (its model requests in flight abandoned) and records
 * `run.interrupted`, with every chunk it extracted kept.
 */
import * as Sse from "@effect/experimental/Sse"
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningCli, startCli } from "../support/Cli.js"
import { paragraphs } from "../support/Documents.js"
import { type MockOpenAi, startMockOpenAi } from "../support/MockOpenAi.js"
import { dropDatabase, freshDatabase, postgresUrl } from "../support/Postgres.js"

describe.skipIf(postgresUrl === undefined)("interrupt on Postgres: a server in front of a worker", () => {
  let mock: MockOpenAi
  let database: string
  const processes: Array<RunningCli> = []
  const out = join(mkdtempSync(join(tmpdir(), "extract-wf-interrupt-")), "out")
  const common = () => ["-o", out, "--database", database, "--extractor", "llm", "--no-cache"]
  const env = () => ({ OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: "sk-interrupt-test" })

  beforeAll(async () => {
    mock = await startMockOpenAi({ latencyMs: 4000 })
    database = freshDatabase("wf_interrupt")
  })
  afterAll(async () => {
    for (const p of processes) p.child.kill("SIGKILL")
    await Promise.all(processes.map((p) => p.done))
    await mock.close()
    dropDatabase(database)
  })

  it(
    "the worker's run stops at once on POST /runs/{runId}/interrupt to the server, abandoning its model requests",
    async () => {
      const worker = startCli(["worker", ...common()], { env: env() })
      processes.push(worker)
      await worker.waitForStderr(/running workflows/)
      const server = startCli(["serve", "--port", "0", ...common()], { env: env() })
      processes.push(server)
      let stderr = ""
      server.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")))
      await server.waitForStderr(/serving on http:\/\/\S+ /)
      const url = /serving on (http:\/\/\S+) /.exec(stderr)![1]!

      const chunks = 16
      const submitted = await fetch(`${url}/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          text: paragraphs(chunks),
          options: { chunkSize: 64, chunkOverlap: 0, concurrency: 2, passes: 1 }
        })
      })
      expect(submitted.status).toBe(202)
      const { runDir, runId } = (await submitted.json()) as { runId: string; runDir: string }

      // follow the run's events; interrupt at its first extracted chunk
      const events: Array<{ event: string; data: string; at: number }> = []
      let interruptedAt = 0
      let interrupt: Promise<Response> | undefined
      const parser = Sse.makeParser((e) => {
        if (e._tag !== "Event" || e.event === "progress") return
        events.push({ event: e.event, data: e.data, at: Date.now() })
        if (e.event === "chunk.extracted" && interrupt === undefined) {
          interruptedAt = Date.now()
          interrupt = fetch(`${url}/runs/${runId}/interrupt`, { method: "POST" })
        }
      })
      const stream = await fetch(`${url}/runs/${runId}/events`)
      const reader = stream.body!.getReader()
      const decoder = new TextDecoder()
      while (true) {
        const { done, value } = await reader.read()
        if (done) break
        parser.feed(decoder.decode(value, { stream: true }))
      }
      expect((await interrupt!).status).toBe(202)
      const end = events.find((e) => e.event === "run.interrupted")
      expect(end, events.map((e) => e.event).join(" ")).toBeDefined()
      console.log(`interrupt test: run.interrupted ${end!.at - interruptedAt} ms after the interrupt was sent`)
      expect(end!.at - interruptedAt).toBeLessThan(2500)
      // the worker ran it, not the server
      const started = JSON.parse(events.find((e) => e.event === "run.started")!.data) as { data: { pid: number } }
      expect(started.data.pid).toBe(worker.child.pid)

      const run = (await (await fetch(`${url}/runs/${runId}`)).json()) as {
        status: string
        events: Array<{ type: string; data: { chunk?: number } }>
      }
      expect(run.status).toBe("interrupted")
      const extracted = run.events.filter((e) => e.type === "chunk.extracted").map((e) => `chunk-${e.data.chunk}.json`)
      expect(readdirSync(join(runDir, "extractions")).sort()).toEqual(extracted.sort())
      expect(extracted.length).toBeLessThan(chunks)
    },
    120_000
  )
})

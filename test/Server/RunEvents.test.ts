/**
 * Server-Sent Events of runs and batches, read by a real client (fetch and
 * @effect/experimental's SSE parser) from a loopback server; the journal
 * the stream comes from is written by the real run store (fake engine).
 */
import * as Sse from "@effect/experimental/Sse"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { initialProgress, messagesOf, progressAfter, type ProgressState } from "../../src/Server/RunEvents.js"
import type { JournalRecord } from "../../src/Store/RunJournal.js"
import { FAKE_CHUNKS, type FakeServer, startFakeServer } from "./support/FakeServer.js"

interface Message {
  readonly event: string
  readonly id: string | undefined
  readonly data: string
}

/**
 * Reads an SSE stream until it ends, or until `stopAfter` says so (then
 * the connection is dropped, as a client losing its network would).
 * Returns the messages and the raw text (comments included).
 */
const readEvents = async (
  url: string,
  options: { readonly lastEventId?: string; readonly stopAfter?: (m: Message) => boolean } = {}
) => {
  const controller = new AbortController()
  const response = await fetch(url, {
    headers: options.lastEventId === undefined ? {} : { "last-event-id": options.lastEventId },
    signal: controller.signal
  })
  expect(response.status).toBe(200)
  expect(response.headers.get("content-type")).toContain("text/event-stream")
  const messages: Array<Message> = []
  let raw = ""
  let stop = false
  const parser = Sse.makeParser((e) => {
    if (e._tag !== "Event" || stop) return
    messages.push({ event: e.event, id: e.id, data: e.data })
    if (options.stopAfter?.(messages.at(-1)!)) stop = true
  })
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  while (!stop) {
    const { done, value } = await reader.read()
    if (done) break
    const text = decoder.decode(value, { stream: true })
    raw += text
    parser.feed(text)
  }
  if (stop) controller.abort()
  return { messages, raw, ended: !stop }
}

const post = async (url: string, body: unknown) => {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body)
  })
  expect(r.status).toBe(202)
  return (await r.json()) as { runId: string; runDir: string; batchId: string }
}

/** Seqs of the journal records that become messages (events, errors, outputs). */
const journalSeqs = (runDir: string) =>
  readFileSync(join(runDir, "journal.jsonl"), "utf8").split("\n").filter((l) => l !== "").map((l) =>
    JSON.parse(l) as JournalRecord
  ).filter((r) => r.op === "event" || r.op === "error" || r.op === "output").map((r) => String(r.seq))

const percents = (messages: ReadonlyArray<Message>) =>
  messages.filter((m) => m.event === "progress").map((m) => (JSON.parse(m.data) as { percent: number }).percent)

describe("run events (SSE)", () => {
  let server: FakeServer
  beforeAll(async () => {
    server = await startFakeServer({ stepMs: 60 })
  })
  afterAll(() => server.close())

  it("streams every journal event with its seq as id, progress monotonic to 100, and ends after run.completed", async () => {
    const { runDir, runId } = await post(`${server.url}/runs`, { text: "A document for the event stream.\n" })
    const { ended, messages } = await readEvents(`${server.url}/runs/${runId}/events`)
    expect(ended).toBe(true)
    const events = messages.filter((m) => m.event !== "progress")
    expect(events.map((m) => m.event)).toEqual([
      "run.created",
      "run.started",
      "chunking.complete",
      ...Array.from({ length: FAKE_CHUNKS }, () => "chunk.extracted"),
      "extraction.complete",
      "resolution.complete",
      "output",
      "rendering.complete",
      "run.completed"
    ].filter((e) => e !== "run.created" || events[0]?.event === "run.created"))
    // one message per journal record, ids = the records' seqs, in order
    expect(events.map((m) => m.id)).toEqual(journalSeqs(runDir))
    for (const m of events.filter((x) => x.event !== "output")) {
      expect((JSON.parse(m.data) as { type: string; seq: number }).seq).toBe(Number(m.id))
    }
    const p = percents(messages)
    expect(p.length).toBeGreaterThan(FAKE_CHUNKS)
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeGreaterThanOrEqual(p[i - 1]!)
    expect(p.at(-1)).toBe(100)
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0)
    // per-chunk facts move the extract stage: 3 distinct percents between 5 and 85
    const extracting = messages.filter((m) => m.event === "progress").map((m) => JSON.parse(m.data) as ProgressState)
      .filter((s) => s.stage === "extract")
    expect(extracting.map((s) => s.done)).toEqual(Array.from({ length: FAKE_CHUNKS + 1 }, (_, i) => i))
    expect(messages.at(-1)!.event).toBe("progress")
    expect(messages.at(-2)!.event).toBe("run.completed")
  })

  it("a client that reconnects with Last-Event-ID gets the rest: no gaps, no duplicates", async () => {
    const { runDir, runId } = await post(`${server.url}/runs`, { text: "Reconnecting clients get every event once.\n" })
    const url = `${server.url}/runs/${runId}/events`
    // drop the connection in the middle of the extract stage
    const first = await readEvents(url, { stopAfter: (m) => m.event === "chunk.extracted" })
    expect(first.ended).toBe(false)
    const lastId = first.messages.at(-1)!.id!
    // the message sent after chunk.extracted (its progress) shares its id: a resume re-sends neither
    const second = await readEvents(url, { lastEventId: lastId })
    expect(second.ended).toBe(true)
    expect(Number(second.messages[0]!.id)).toBeGreaterThan(Number(lastId))
    const joined = [
      ...first.messages.filter((m) => m.event !== "progress"),
      ...second.messages.filter((m) => m.event !== "progress")
    ]
    const ids = joined.map((m) => m.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(journalSeqs(runDir))
    // a fresh client after the end replays the same messages
    const replay = await readEvents(url)
    expect(replay.messages.filter((m) => m.event !== "progress").map((m) => m.id)).toEqual(ids)
    // resuming at the end sends nothing and closes
    const atEnd = await readEvents(url, { lastEventId: ids.at(-1)! })
    expect(atEnd.ended).toBe(true)
    expect(atEnd.messages).toEqual([])
  })

  it("batch events: one message per state change, ids increasing, ends at Complete; Last-Event-ID resumes", async () => {
    const { batchId } = await post(`${server.url}/batches`, {
      documents: [{ text: "Batch document one.\n" }, { text: "Batch document two.\n" }]
    })
    const all = await readEvents(`${server.url}/batches/${batchId}/events`)
    expect(all.ended).toBe(true)
    const states = all.messages.map((m) => (JSON.parse(m.data) as { state: { _tag: string } }).state._tag)
    expect(states.at(-1)).toBe("Complete")
    expect(states).toContain("Resolving")
    const ids = all.messages.map((m) => Number(m.id))
    for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!)
    const resumed = await readEvents(`${server.url}/batches/${batchId}/events`, { lastEventId: String(ids[0]) })
    expect(resumed.messages.every((m) => Number(m.id) > ids[0]!)).toBe(true)
    expect(resumed.messages.at(-1)!.data).toBe(all.messages.at(-1)!.data)
  })
})

describe("run events: keep-alive", () => {
  it("an idle stream gets keep-alive comments", async () => {
    const server = await startFakeServer({ stepMs: 400, keepAliveMs: 100 })
    try {
      const { runId } = await post(`${server.url}/runs`, { text: "A slow run.\n" })
      const { raw } = await readEvents(`${server.url}/runs/${runId}/events`, {
        stopAfter: (m) => m.event === "chunk.extracted"
      })
      expect(raw).toContain(": keep-alive\n\n")
    } finally {
      await server.close()
    }
  })
})

describe("progressAfter", () => {
  const event = (seq: number, type: string, data: Record<string, unknown> = {}): JournalRecord => ({
    seq,
    at: "2026-01-01T00:00:00.000Z",
    op: "event",
    event: { timestamp: "2026-01-01T00:00:00.000Z", type, data }
  })
  const run = (records: ReadonlyArray<JournalRecord>) => {
    let state = initialProgress
    const out: Array<number> = []
    for (const r of records) {
      const next = progressAfter(state, r)
      if (next) {
        state = next
        out.push(next.percent)
      }
    }
    return out
  }

  it("follows the stage weights of src/Progress.ts and ends at 100", () => {
    expect(run([
      event(1, "run.started"),
      event(2, "chunking.complete", { chunkCount: 4 }),
      event(3, "chunk.extracted"),
      event(4, "chunk.extracted"),
      event(5, "extraction.complete"),
      event(6, "resolution.complete"),
      event(7, "rendering.complete", { files: ["a"] }),
      event(8, "run.completed")
    ])).toEqual([0, 5, 25, 45, 85, 90, 100, 100])
  })

  it("is monotonic and clamped when facts arrive out of order or overflow", () => {
    const p = run([
      event(1, "run.started"),
      event(2, "chunking.complete", { chunkCount: 1 }),
      event(3, "chunk.extracted"),
      event(4, "chunk.extracted"),
      event(5, "chunk.extracted"),
      event(6, "chunking.complete", { chunkCount: 10 }),
      event(7, "run.completed"),
      event(8, "rendering.complete", { files: [] })
    ])
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeGreaterThanOrEqual(p[i - 1]!)
    expect(Math.max(...p)).toBe(100)
    expect(p[2]).toBe(85)
    expect(p[3]).toBe(85)
  })

  it("counts chunks extracted before chunking.complete (extract streams) once the chunk count is known", () => {
    let state = initialProgress
    const shown: Array<number> = []
    for (
      const r of [
        event(1, "run.started"),
        event(2, "chunk.extracted", { chunk: 0 }),
        event(3, "chunk.extracted", { chunk: 1 }),
        event(4, "chunking.complete", { chunkCount: 4 }),
        event(5, "chunk.extracted", { chunk: 2 })
      ]
    ) {
      const step = messagesOf(r, state)
      state = step.progress
      for (const m of step.messages) {
        const data = /^data: (.*)$/m.exec(m)![1]!
        if (/^event: progress$/m.test(m)) shown.push((JSON.parse(data) as { percent: number }).percent)
        expect(data).not.toContain("chunksDone")
      }
    }
    // 2 of 4 chunks done when the count arrives: 5 + 80 * 2/4; then 3 of 4
    expect(shown).toEqual([0, 45, 65])
    expect(state.done).toBe(3)
  })

  it("a chunk.failed error counts as a finished chunk; other records do not move progress", () => {
    const state = progressAfter(progressAfter(initialProgress, event(1, "chunking.complete", { chunkCount: 2 }))!, {
      seq: 2,
      at: "x",
      op: "error",
      error: { type: "chunk.failed", message: "m", timestamp: "x", context: {} }
    })!
    expect(state.done).toBe(1)
    expect(state.percent).toBe(45)
    expect(progressAfter(state, { seq: 3, at: "x", op: "set", fields: { status: "running" } })).toBeUndefined()
  })

  it("messagesOf gives every message of a record the record's seq as id", () => {
    const { messages, terminal } = messagesOf(event(42, "run.completed"), initialProgress)
    expect(terminal).toBe(true)
    expect(messages).toHaveLength(2)
    for (const m of messages) expect(m).toMatch(/^id: 42$/m)
  })
})

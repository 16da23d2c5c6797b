import { describe, expect, it } from "@effect/vitest"
import { encodeRecord, type JournalRecord, parseJournal, replay } from "../../src/Store/RunJournal.js"

const base = (seq: number): JournalRecord => ({
  seq,
  at: "2026-01-01T00:00:00.000Z",
  op: "base",
  metadata: {
    runId: "doc-0123456789ab",
    status: "running",
    events: [{ type: "run.created" }],
    errors: [],
    outputs: [],
    revision: 0
  }
})
const event = (seq: number, type: string): JournalRecord => ({
  seq,
  at: `2026-01-01T00:00:0${seq}.000Z`,
  op: "event",
  event: { type }
})

describe("RunJournal", () => {
  it("replays records over a base: events, errors, outputs by path, fields; revision and updatedAt follow", () => {
    const records: Array<JournalRecord> = [
      base(1),
      event(2, "a"),
      { seq: 3, at: "t3", op: "output", output: { path: "outputs/x.json", sha256: "1" } },
      { seq: 4, at: "t4", op: "output", output: { path: "outputs/x.json", sha256: "2" } },
      { seq: 5, at: "t5", op: "error", error: { type: "e" } },
      { seq: 6, at: "t6", op: "set", fields: { status: "completed" } }
    ]
    const state = replay(undefined, records)!
    expect(state.events).toEqual([{ type: "run.created" }, { type: "a" }])
    expect(state.outputs).toEqual([{ path: "outputs/x.json", sha256: "2" }])
    expect(state.errors).toEqual([{ type: "e" }])
    expect(state.status).toBe("completed")
    expect(state.revision).toBe(6)
    expect(state.updatedAt).toBe("t6")
  })

  it("skips records a snapshot already includes, and never changes the snapshot it was given", () => {
    const snapshot = replay(undefined, [base(1), event(2, "a")])!
    const frozen = JSON.stringify(snapshot)
    const state = replay(snapshot, [base(1), event(2, "a"), event(3, "b")])!
    expect(state.events.map((e: any) => e.type)).toEqual(["run.created", "a", "b"])
    expect(JSON.stringify(snapshot)).toBe(frozen)
    expect(replay(undefined, [event(2, "a")])).toBeUndefined() // no base, no snapshot: nothing to build on
  })

  it("parses a journal with a torn last line and a damaged middle line", () => {
    const text = encodeRecord(base(1)) + "{not json\n" + encodeRecord(event(3, "b")) + "{\"seq\":4,\"at\":\"20"
    const parsed = parseJournal(text)
    expect(parsed.records.map((r) => r.seq)).toEqual([1, 3])
    expect(parsed.corruptLines).toBe(1)
    expect(parsed.tornTail).toBe(true)
    expect(parseJournal(encodeRecord(base(1))).tornTail).toBe(false)
    expect(
      parseJournal("{\"seq\":0,\"at\":\"x\",\"op\":\"event\"}\n{\"seq\":2,\"at\":\"x\",\"op\":\"nope\"}\n").corruptLines
    ).toBe(2)
  })
})

/**
 * Server-Sent Events of runs and batches.
 *
 * A run's stream comes from its journal (`journal.jsonl` in the run
 * directory, {@link parseJournal}), the run store's durable log of every
 * change, so it works for a run written by any process on any runner that
 * shares the output directory. Each journal record becomes messages whose
 * `id:` is the record's `seq`:
 *
 * - an audit event: `event: <type>` (`run.started`, `chunking.complete`, …),
 *   `data: {"seq","timestamp","type","data"}`;
 * - a recorded error: `event: run.error`, `data: {"seq","timestamp","type","message","context"}`;
 * - a saved output: `event: output`, `data: {"seq","path","type","sha256","bytes"}`;
 * - after any record that moves the run on: `event: progress`,
 *   `data: {"seq","percent","stage","done","total","unit"}`, with `percent`
 *   monotonic and clamped to 0–100 ({@link overallPercent}, the weights of
 *   src/Progress.ts).
 *
 * A client that reconnects with `Last-Event-ID: N` gets exactly the
 * messages of records after N: no gaps (records are never dropped), no
 * duplicates (a record's messages all carry its seq and are sent together).
 * Idle streams get a `: keep-alive` comment every `keepAliveMs`. The stream
 * ends after a terminal event (`run.completed`, `run.failed`,
 * `run.interrupted`) once nothing follows it, or when the server drains.
 *
 * A batch's stream polls the engine's persisted {@link BatchState}: one
 * `event: batch` message per change, `id:` its position in the state
 * machine (Pending 0, Extracting done+1, Resolving total+2, Complete/Failed
 * total+3), so Last-Event-ID resumes it too; it ends at Complete or Failed.
 */
import * as Sse from "@effect/experimental/Sse"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type BatchId, BatchState } from "../Domain/Workflow.js"
import { overallPercent, type Stage } from "../Progress.js"
import { ExtractionRunService, RUN_FILES } from "../Store/ExtractionRunService.js"
import type { JournalRecord } from "../Store/RunJournal.js"
import { WorkflowOrchestrator } from "../Workflow/WorkflowOrchestrator.js"
import { Drain } from "./Drain.js"
import { ServerConfig } from "./ServerConfig.js"

/** Audit events after which a run is over (unless more records follow). */
export const TERMINAL_EVENTS: ReadonlySet<string> = new Set(["run.completed", "run.failed", "run.interrupted"])

/** Where a run is, as far as its journal tells. */
export interface ProgressState {
  readonly stage: Stage
  readonly done: number
  readonly total: number
  readonly unit: string
  /** 0–100 with two decimals, never lower than before. */
  readonly percent: number
  /** True after a terminal event. */
  readonly finished: boolean
  /**
   * Chunks finished (`chunk.extracted`, `chunk.failed`) since the attempt
   * started, also those before `chunking.complete`: `extract` streams, so
   * its first chunks are extracted while the rest is being split. Not sent.
   */
  readonly chunksDone: number
}

export const initialProgress: ProgressState = {
  stage: "chunk",
  done: 0,
  total: 0,
  unit: "chunks",
  percent: 0,
  finished: false,
  chunksDone: 0
}

const num = (x: unknown): number | undefined => (typeof x === "number" && Number.isFinite(x) ? x : undefined)

/**
 * The progress after one journal record, or undefined when the record does
 * not move it. Stage boundaries come from the pipeline's audit events
 * (`chunking.complete` gives the chunk count, `extraction.complete`, …);
 * chunks done come from per-chunk facts (`chunk.extracted` events, written
 * by the pipeline's `extractChunk` for `extract` and for the workflow's
 * `extract/<index>` activities alike, and `chunk.failed` errors); facts
 * before `chunking.complete` are counted once the chunk count is known.
 * Percent is {@link overallPercent}, clamped to 0–100 and never below the
 * previous.
 */
export const progressAfter = (state: ProgressState, record: JournalRecord): ProgressState | undefined => {
  const at = (
    stage: Stage,
    done: number,
    total: number,
    unit: string,
    finished = state.finished
  ): ProgressState => {
    const fraction = total === 0 ? (done > 0 ? 1 : 0) : done / total
    // two decimals: 85, not 85.00000000000001
    const percent = Math.min(100, Math.max(state.percent, Math.round(overallPercent(stage, fraction) * 100) / 100))
    return { ...state, stage, done, total, unit, percent, finished }
  }
  if (isChunkFact(record)) {
    const counted = { ...state, chunksDone: state.chunksDone + 1 }
    if (state.stage === "chunk") return counted
    if (state.stage !== "extract") return undefined
    return { ...counted, ...at("extract", Math.min(state.total, state.done + 1), state.total, "chunks") }
  }
  if (record.op !== "event") return undefined
  const event = record.event as { type?: unknown; data?: Record<string, unknown> }
  const data = event.data ?? {}
  switch (event.type) {
    case "run.started":
      // a new attempt after a finished one starts from the beginning
      return state.finished ? { ...initialProgress } : { ...at("chunk", 0, 0, "chunks", false), chunksDone: 0 }
    case "chunking.complete": {
      const chunks = num(data["chunkCount"]) ?? 0
      return at("extract", Math.min(chunks, state.chunksDone), chunks, "chunks")
    }
    case "extraction.complete":
      return at("resolve", 0, num(data["mentionCount"]) ?? 0, "mentions")
    case "resolution.complete":
      return at("render", 0, 0, "files")
    case "rendering.complete": {
      const files = Array.isArray(data["files"]) ? data["files"].length : 0
      return at("render", files, files, "files")
    }
    case "run.completed":
      return { ...at("render", state.total, state.total, state.unit, true), percent: 100 }
    case "run.failed":
    case "run.interrupted":
      return { ...state, finished: true }
    default:
      return undefined
  }
}

/** A per-chunk fact: a `chunk.extracted` event or a `chunk.failed` error. */
const isChunkFact = (record: JournalRecord): boolean =>
  (record.op === "event" && (record.event as { type?: unknown }).type === "chunk.extracted") ||
  (record.op === "error" && (record.error as { type?: unknown }).type === "chunk.failed")

/** The SSE messages of one journal record (all with `id:` = its seq), and the progress after it. */
export const messagesOf = (
  record: JournalRecord,
  progress: ProgressState
): { readonly messages: ReadonlyArray<string>; readonly progress: ProgressState; readonly terminal: boolean } => {
  const id = String(record.seq)
  const out: Array<string> = []
  const send = (event: string, data: unknown) =>
    out.push(Sse.encoder.write({ _tag: "Event", event, id, data: JSON.stringify(data) }))
  let terminal = false
  switch (record.op) {
    case "event": {
      const e = record.event as { timestamp?: string; type?: string; data?: unknown }
      const type = typeof e.type === "string" && e.type !== "" ? e.type : "event"
      send(type, { seq: record.seq, timestamp: e.timestamp, type, data: e.data ?? {} })
      terminal = TERMINAL_EVENTS.has(type)
      break
    }
    case "error":
      send("run.error", { seq: record.seq, ...(record.error as object) })
      break
    case "output":
      send("output", { seq: record.seq, ...record.output })
      break
  }
  const next = progressAfter(progress, record)
  // a chunk finished before the chunk count is known is counted, not shown
  if (next !== undefined && !(next.stage === "chunk" && isChunkFact(record))) {
    const { chunksDone: _chunksDone, finished: _finished, ...shown } = next
    send("progress", { seq: record.seq, ...shown })
  }
  return { messages: out, progress: next ?? progress, terminal }
}

/** The `Last-Event-ID` header as a sequence number (0: from the start). */
export const parseLastEventId = (header: string | undefined): number => {
  if (header === undefined) return 0
  const n = Number(header.trim())
  return Number.isSafeInteger(n) && n > 0 ? n : 0
}

/** The position of a batch state in the state machine (its SSE id). */
export const batchStateRank = (state: BatchState): number => {
  switch (state._tag) {
    case "Pending":
      return 0
    case "Extracting":
      return state.done + 1
    case "Resolving":
      return 1_000_000_000
    case "Complete":
    case "Failed":
      return 1_000_000_001
  }
}

const encodeBatchState = Schema.encodeSync(BatchState)
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const KEEP_ALIVE = ": keep-alive\n\n"

interface TailState {
  /** Bytes of the journal consumed (up to the last complete line). */
  readonly offset: number
  /** Highest seq sent or skipped. */
  readonly lastSeq: number
  readonly progress: ProgressState
  readonly lastSentAt: number
  readonly started: boolean
}

export class RunEvents extends Effect.Service<RunEvents>()("RunEvents", {
  effect: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const store = yield* ExtractionRunService
    const orchestrator = yield* WorkflowOrchestrator
    const config = yield* ServerConfig
    const drain = yield* Drain

    /** Complete journal lines from `offset` on: the records and the new offset. A missing file reads as nothing. */
    const readFrom = (file: string, offset: number) =>
      Effect.scoped(Effect.gen(function*() {
        const info = yield* fs.stat(file)
        const size = Number(info.size)
        // a journal rewritten from outside (smaller than before): read it again; seqs keep out duplicates
        const from = size < offset ? 0 : offset
        if (size === from) return { records: [] as Array<JournalRecord>, offset: from }
        const handle = yield* fs.open(file, { flag: "r" })
        yield* handle.seek(FileSystem.Size(from), "start")
        const bytes = yield* handle.readAlloc(FileSystem.Size(size - from))
        const buffer = Option.getOrElse(bytes, () => new Uint8Array(0))
        const end = buffer.lastIndexOf(0x0a)
        if (end === -1) return { records: [] as Array<JournalRecord>, offset: from }
        const records: Array<JournalRecord> = []
        for (const line of decoder.decode(buffer.subarray(0, end + 1)).split("\n")) {
          if (line.trim() === "") continue
          try {
            const r = JSON.parse(line) as JournalRecord
            if (Number.isSafeInteger(r?.seq) && typeof r.op === "string") records.push(r)
          } catch {
            // a damaged line: the store skips it too
          }
        }
        return { records, offset: from + end + 1 }
      })).pipe(Effect.orElseSucceed(() => ({ records: [] as Array<JournalRecord>, offset })))

    /**
     * The SSE body of a run's events after `lastEventId` (0: all), as
     * UTF-8 chunks. See the module docstring for the messages.
     */
    const runStream = (runId: string, lastEventId: number): Stream.Stream<Uint8Array> => {
      const file = path.join(store.runDirOf(runId), RUN_FILES.journal)
      const initial: TailState = {
        offset: 0,
        lastSeq: 0,
        progress: initialProgress,
        lastSentAt: Date.now(),
        started: false
      }
      return Stream.paginateChunkEffect(initial, (state) =>
        Effect.gen(function*() {
          if (!state.started) {
            // tell EventSource clients to reconnect after 1 s
            return [Chunk.of("retry: 1000\n\n"), Option.some({ ...state, started: true })] as const
          }
          if (yield* drain.isDraining) return [Chunk.of(": server draining\n\n"), Option.none()] as const
          const { offset, records } = yield* readFrom(file, state.offset)
          const out: Array<string> = []
          let { lastSeq, progress } = state
          let terminalAt = -1
          for (const record of records) {
            if (record.seq <= lastSeq) continue
            const step = messagesOf(record, progress)
            progress = step.progress
            lastSeq = record.seq
            if (record.seq > lastEventId) { for (const m of step.messages) out.push(m) }
            if (step.terminal) terminalAt = record.seq
          }
          const now = Date.now()
          // over once the last record read is a terminal event (a re-run appends after it)
          const over = terminalAt !== -1 && terminalAt === lastSeq
          if (out.length === 0 && !over) {
            yield* Effect.sleep(config.pollMs)
            const idle = now - state.lastSentAt >= config.keepAliveMs
            return [
              idle ? Chunk.of(KEEP_ALIVE) : Chunk.empty<string>(),
              Option.some({ offset, lastSeq, progress, lastSentAt: idle ? now : state.lastSentAt, started: true })
            ] as const
          }
          return [
            Chunk.fromIterable(out),
            over ? Option.none() : Option.some({ offset, lastSeq, progress, lastSentAt: now, started: true })
          ] as const
        })).pipe(Stream.map((s) => encoder.encode(s)))
    }

    /** The SSE body of a batch's state changes after `lastEventId` (see the module docstring). */
    const batchStream = (batchId: BatchId, lastEventId: number): Stream.Stream<Uint8Array> => {
      interface BatchTail {
        readonly last: number
        readonly lastSentAt: number
        readonly started: boolean
      }
      const initial: BatchTail = { last: lastEventId > 0 ? lastEventId : -1, lastSentAt: Date.now(), started: false }
      return Stream.paginateChunkEffect(initial, (state) =>
        Effect.gen(function*() {
          if (!state.started) return [Chunk.of("retry: 1000\n\n"), Option.some({ ...state, started: true })] as const
          if (yield* drain.isDraining) return [Chunk.of(": server draining\n\n"), Option.none()] as const
          const current = yield* orchestrator.batchState(batchId).pipe(Effect.orElseSucceed(() => Option.none()))
          const now = Date.now()
          if (Option.isSome(current)) {
            const rank = batchStateRank(current.value)
            const over = current.value._tag === "Complete" || current.value._tag === "Failed"
            if (rank > state.last) {
              const message = Sse.encoder.write({
                _tag: "Event",
                event: "batch",
                id: String(rank),
                data: JSON.stringify({ batchId, state: encodeBatchState(current.value) })
              })
              return [
                Chunk.of(message),
                over ? Option.none() : Option.some({ last: rank, lastSentAt: now, started: true })
              ] as const
            }
            if (over) return [Chunk.empty<string>(), Option.none()] as const
          }
          yield* Effect.sleep(Math.max(config.pollMs, 250))
          const idle = now - state.lastSentAt >= config.keepAliveMs
          return [
            idle ? Chunk.of(KEEP_ALIVE) : Chunk.empty<string>(),
            Option.some({ ...state, lastSentAt: idle ? now : state.lastSentAt })
          ] as const
        })).pipe(Stream.map((s) => encoder.encode(s)))
    }

    return { runStream, batchStream } as const
  })
}) {}

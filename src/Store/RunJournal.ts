/**
 * The run journal: `journal.jsonl` in a run directory, an append-only log of
 * every change to the run's metadata, one JSON record per line. Together
 * with the snapshot (`metadata.json`, which says how many records it
 * includes in `revision`) it is the run store's durable state:
 *
 * - metadata = snapshot + the journal's records after `revision`, so an
 *   event costs one appended line (flushed with fsync) instead of a rewrite
 *   of the whole metadata file;
 * - the journal starts with a `base` record holding a whole metadata, so a
 *   damaged `metadata.json` is rebuilt from the journal alone, losing
 *   nothing that was recorded;
 * - a record cut short by a crash (the last line, without its newline) is
 *   ignored: it was never acknowledged to its writer.
 *
 * Records (`seq` counts from 1, `at` is the ISO-8601 time of the change):
 *
 * | op | fields | effect |
 * |---|---|---|
 * | `base` | `metadata` | replaces the whole metadata |
 * | `set` | `fields` | sets top-level fields (status, completedAt, input, config, stats) |
 * | `event` | `event` | appends to `events` |
 * | `error` | `error` | appends to `errors` |
 * | `output` | `output` | adds to `outputs`, replacing any record with the same `path` |
 */
import type { RunMetadata } from "../Domain/Run.js"

/** The JSON form of a metadata (as in `metadata.json`). */
export type MetadataJson = Omit<typeof RunMetadata.Encoded, "events" | "errors" | "outputs"> & {
  events: Array<unknown>
  errors: Array<unknown>
  outputs: Array<{ readonly path: string } & Record<string, unknown>>
  revision: number
  updatedAt: string
}

/** One journal record. */
export type JournalRecord =
  & { readonly seq: number; readonly at: string }
  & (
    | { readonly op: "base"; readonly metadata: unknown }
    | { readonly op: "set"; readonly fields: Record<string, unknown> }
    | { readonly op: "event"; readonly event: unknown }
    | { readonly op: "error"; readonly error: unknown }
    | { readonly op: "output"; readonly output: { readonly path: string } & Record<string, unknown> }
  )

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** A change to record: a journal record before it gets its `seq` and `at`. */
export type JournalChange = DistributiveOmit<JournalRecord, "seq" | "at">

/** What {@link parseJournal} found. */
export interface ParsedJournal {
  /** Well-formed records in file order. */
  readonly records: ReadonlyArray<JournalRecord>
  /** Lines that were not well-formed records, other than a cut-short last line. */
  readonly corruptLines: number
  /** True when the file ends in a partial line (a write cut short by a crash). */
  readonly tornTail: boolean
}

const OPS = new Set(["base", "set", "event", "error", "output"])

const isRecord = (x: any): x is JournalRecord =>
  x !== null && typeof x === "object" && Number.isInteger(x.seq) && x.seq > 0 && typeof x.at === "string" &&
  OPS.has(x.op) &&
  (x.op !== "base" || (x.metadata !== null && typeof x.metadata === "object")) &&
  (x.op !== "set" || (x.fields !== null && typeof x.fields === "object")) &&
  (x.op !== "output" || (x.output !== null && typeof x.output === "object" && typeof x.output.path === "string"))

/** Parses journal text; tolerant of a cut-short last line and of damaged lines (counted, skipped). */
export const parseJournal = (text: string): ParsedJournal => {
  const lines = text.split("\n")
  const last = lines.pop() ?? ""
  const records: Array<JournalRecord> = []
  let corruptLines = 0
  for (const line of lines) {
    if (line.trim() === "") continue
    try {
      const parsed = JSON.parse(line)
      if (isRecord(parsed)) records.push(parsed)
      else corruptLines++
    } catch {
      corruptLines++
    }
  }
  return { records, corruptLines, tornTail: last.trim() !== "" }
}

/** One line of journal text for `record`, newline included. */
export const encodeRecord = (record: JournalRecord): string => JSON.stringify(record) + "\n"

/**
 * Applies `record` to `state` in place (when its `seq` is past
 * `state.revision`) and returns the state; a `base` record replaces it.
 */
export const applyRecord = (state: MetadataJson | undefined, record: JournalRecord): MetadataJson | undefined => {
  if (record.op === "base") {
    const base = structuredClone(record.metadata) as MetadataJson
    base.events ??= []
    base.errors ??= []
    base.outputs ??= []
    base.revision = record.seq
    return base
  }
  if (state === undefined || record.seq <= state.revision) return state
  switch (record.op) {
    case "set":
      Object.assign(state, record.fields)
      break
    case "event":
      state.events.push(record.event)
      break
    case "error":
      state.errors.push(record.error)
      break
    case "output":
      state.outputs = [...state.outputs.filter((o) => o.path !== record.output.path), record.output]
      break
  }
  state.revision = record.seq
  state.updatedAt = record.at
  return state
}

/**
 * The metadata after replaying `records` over `snapshot` (records at or
 * before its revision are skipped; a `base` record later than it restarts
 * from that base). Undefined when there is neither a snapshot nor a base.
 */
export const replay = (
  snapshot: MetadataJson | undefined,
  records: ReadonlyArray<JournalRecord>
): MetadataJson | undefined => {
  let state = snapshot === undefined ? undefined : structuredClone(snapshot)
  for (const r of records) {
    if (state !== undefined && r.seq <= state.revision) continue
    state = applyRecord(state, r)
  }
  return state
}

/**
 * The line format of a context's `log.jsonl` (docs/graph.md, "The log"):
 * one record per line, wrapped with the SHA-256 of its exact JSON text,
 *
 *   {"sha256":"<64 hex>","record":{"_tag":"run.added","seq":1,"at":"…",…}}
 *
 * so a reader can tell a damaged line (cut short, garbled, edited) from a
 * good one without trusting anything inside it. The checksum covers the
 * bytes between `"record":` and the final `}`, so it does not depend on how
 * a JSON parser would re-serialise the record.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { sha256Hex } from "../Digest.js"
import { GraphChange, type GraphRecord } from "../Domain/ContextGraph.js"

const decodeChange = Schema.decodeUnknownEither(GraphChange)

const LINE = /^\{"sha256":"([0-9a-f]{64})","record":(.*)\}$/s

/** One record as its log line, ending in `\n`. */
export const encodeLine = (record: GraphRecord): string => {
  const body = JSON.stringify(record)
  return `{"sha256":"${sha256Hex(body)}","record":${body}}\n`
}

/** A line that could not be used, with its 1-based line number and why. */
export interface DamagedLine {
  readonly line: number
  readonly reason: string
}

/** What {@link parseLog} found. */
export interface ParsedLog {
  /** Records of good lines, in file order. */
  readonly records: ReadonlyArray<GraphRecord>
  readonly damaged: ReadonlyArray<DamagedLine>
  /** True when the file does not end in `\n`: a write cut short (its partial line is counted in `damaged`). */
  readonly torn: boolean
  /** Bytes (UTF-8) up to and including the last `\n`: where the next append must start. */
  readonly completeBytes: number
  /** Bytes up to and including the last good `commit` line (0 if none): the end of the last whole transaction. */
  readonly committedBytes: number
}

/**
 * Checks one line (without its `\n`): its checksum, its JSON and its shape.
 * Returns the record or the reason it is damaged.
 */
export const parseLine = (line: string): Either.Either<GraphRecord, string> => {
  const m = LINE.exec(line)
  if (!m) return Either.left("not a log line")
  if (sha256Hex(m[2]!) !== m[1]) return Either.left("checksum mismatch")
  let value: unknown
  try {
    value = JSON.parse(m[2]!)
  } catch {
    return Either.left("invalid JSON")
  }
  const v = value as { seq?: unknown; at?: unknown }
  if (typeof v !== "object" || v === null || !Number.isSafeInteger(v.seq) || typeof v.at !== "string") {
    return Either.left("record without seq or time")
  }
  const decoded = decodeChange(value)
  if (Either.isLeft(decoded)) return Either.left(`unknown record (${decoded.left.message.split("\n")[0]})`)
  return Either.right(value as GraphRecord)
}

/** Parses a whole log. Blank lines are ignored; every other bad line is counted, never thrown on. */
export const parseLog = (text: string): ParsedLog => {
  const records: Array<GraphRecord> = []
  const damaged: Array<DamagedLine> = []
  const lines = text.split("\n")
  const torn = text.length > 0 && !text.endsWith("\n")
  let offset = 0
  let committedBytes = 0
  lines.forEach((line, i) => {
    const end = offset + Buffer.byteLength(line) + 1
    offset = end
    if (line.trim() === "") return
    const parsed = parseLine(line)
    if (Either.isRight(parsed)) {
      // a line cut short can still be valid JSON only by accident; its checksum would not match
      if (torn && i === lines.length - 1) damaged.push({ line: i + 1, reason: "cut short (no end of line)" })
      else {
        records.push(parsed.right)
        if (parsed.right._tag === "commit") committedBytes = end
      }
    } else damaged.push({ line: i + 1, reason: torn && i === lines.length - 1 ? "cut short" : parsed.left })
  })
  const lastNewline = text.lastIndexOf("\n")
  return { records, damaged, torn, completeBytes: Buffer.byteLength(text.slice(0, lastNewline + 1)), committedBytes }
}

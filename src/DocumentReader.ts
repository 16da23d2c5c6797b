/**
 * Reads an input document (a file path, or `-` for stdin), checks that it is
 * text, and decodes it.
 *
 * Memory: the input is read as a stream (1 MiB chunks), hashed and decoded
 * chunk by chunk, so reading holds the decoded text plus one chunk — never
 * the raw bytes and the text at once. Inputs larger than `maxBytes`
 * ({@link DEFAULT_MAX_INPUT_BYTES} unless `--max-input-bytes`) are refused
 * before they are read (files: by their size; stdin: as soon as more has
 * arrived), so a 200 MB file costs no more memory than an empty one.
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { TextDecoder } from "node:util"
import { SourceDocument } from "./Domain/Document.js"
import { InputError } from "./Domain/Errors.js"

/**
 * Largest input read by default, in bytes (32 MiB). A run holds the text
 * and its chunks, mentions and graphs in memory: measured peak RSS with the
 * nlp extractor was 314 MB for a 2 MB input and 684 MB for 10.7 MB, about
 * 230 MB plus 45 bytes per input byte (docs/reliability.md), so 32 MiB
 * stays under 2 GB and well inside V8's default heap limit.
 */
export const DEFAULT_MAX_INPUT_BYTES = 32 * 1024 * 1024

/** How to decode input bytes. */
export interface ReadOptions {
  /**
   * `auto` (default): a byte-order mark selects UTF-8 or UTF-16 LE/BE,
   * anything else must be valid UTF-8 (invalid input is refused). Any other
   * value is a WHATWG encoding label (`utf-8`, `utf-16le`, `windows-1252`,
   * `latin1`, `shift_jis`, …): the bytes are decoded as that encoding and
   * invalid sequences become U+FFFD, counted in `replacements`.
   */
  readonly encoding?: string
  /** Refuse inputs larger than this many bytes. */
  readonly maxBytes?: number
}

const CHUNK_BYTES = 1024 * 1024

const asInputError = (path: string) => (e: unknown): InputError =>
  e instanceof InputError
    ? e
    : new InputError({ path, problem: "unreadable", message: `${path}: cannot read (${String(e)})` })

const formatBytes = (n: number) =>
  n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`

/** True when `label` names an encoding this Node's TextDecoder knows. */
export const isKnownEncoding = (label: string): boolean => {
  try {
    new TextDecoder(label)
    return true
  } catch {
    return false
  }
}

/** Occurrences of the UTF-8 encoding of U+FFFD (EF BF BD) in `bytes`. */
const countEncodedReplacement = (bytes: Uint8Array): number => {
  let n = 0
  for (let i = bytes.indexOf(0xef); i !== -1 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) n++
  }
  return n
}

/**
 * Index of the first byte of `bytes` that starts an invalid UTF-8 sequence
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). Leading
 * continuation bytes are skipped (they finish a sequence from the previous
 * chunk). Returns `bytes.length` when a sequence is only cut short at the end.
 */
export const firstInvalidUtf8 = (bytes: Uint8Array): number => {
  let i = 0
  while (i < 3 && i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i++
  while (i < bytes.length) {
    const b = bytes[i]!
    const need = b < 0x80
      ? 0
      : b >= 0xc2 && b <= 0xdf
      ? 1
      : b >= 0xe0 && b <= 0xef
      ? 2
      : b >= 0xf0 && b <= 0xf4
      ? 3
      : -1
    if (need < 0) return i
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return bytes.length
      const c = bytes[i + k]!
      const lo = k === 1 && b === 0xe0 ? 0xa0 : k === 1 && b === 0xf0 ? 0x90 : 0x80
      const hi = k === 1 && b === 0xed ? 0x9f : k === 1 && b === 0xf4 ? 0x8f : 0xbf
      if (c < lo || c > hi) return i
    }
    i += need + 1
  }
  return bytes.length
}

const countChar = (text: string, ch: string) => {
  let n = 0
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++
  return n
}

/**
 * An incremental decoder: feed it byte chunks, then finish. Detects the
 * byte-order mark in `auto` mode, refuses NUL bytes (binary content) as
 * soon as they arrive, hashes the bytes (SHA-256) as they pass.
 */
class IncrementalDecoder {
  private decoder: TextDecoder | undefined
  private readonly parts: Array<string> = []
  private readonly hash = createHash("sha256")
  private head = new Uint8Array(0)
  private encodedReplacements = 0
  private tail = new Uint8Array(0)
  bytes = 0
  encoding = "utf-8"

  constructor(private readonly path: string, private readonly label: string) {}

  private fail(problem: InputError["problem"], message: string): never {
    throw new InputError({ path: this.path, problem, message: `${this.path}: ${message}` })
  }

  /** Adds a chunk; throws InputError for binary or undecodable content. */
  push(chunk: Uint8Array) {
    this.hash.update(chunk)
    const offset = this.bytes
    this.bytes += chunk.length
    if (this.decoder === undefined) {
      // wait for 3 bytes to see a byte-order mark
      const joined = new Uint8Array(this.head.length + chunk.length)
      joined.set(this.head)
      joined.set(chunk, this.head.length)
      if (joined.length < 3) {
        this.head = joined
        return
      }
      this.head = new Uint8Array(0)
      this.start(joined)
      return
    }
    this.decode(chunk, offset)
  }

  private start(first: Uint8Array) {
    let body = first
    if (this.label === "auto") {
      if (first[0] === 0xff && first[1] === 0xfe) {
        this.encoding = "utf-16le"
        body = first.subarray(2)
      } else if (first[0] === 0xfe && first[1] === 0xff) {
        this.encoding = "utf-16be"
        body = first.subarray(2)
      } else if (first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf) {
        body = first.subarray(3)
      }
      this.decoder = new TextDecoder(this.encoding, { fatal: true, ignoreBOM: true })
    } else {
      this.decoder = new TextDecoder(this.label, { fatal: false })
      this.encoding = this.decoder.encoding
    }
    this.decode(body, first.length - body.length)
  }

  private decode(chunk: Uint8Array, offset: number) {
    if (this.label === "auto" && this.encoding === "utf-8") {
      const nul = chunk.indexOf(0)
      if (nul !== -1) this.fail("binary", `binary content (NUL byte at offset ${offset + nul}); expected plain text`)
    }
    if (this.label !== "auto" && this.encoding === "utf-8") {
      // count EF BF BD sequences in the input, across chunk boundaries, to tell replacements from real U+FFFD
      const joined = new Uint8Array(this.tail.length + chunk.length)
      joined.set(this.tail)
      joined.set(chunk, this.tail.length)
      this.encodedReplacements += countEncodedReplacement(joined.subarray(0, Math.max(0, joined.length - 2)))
      this.tail = joined.subarray(Math.max(0, joined.length - 2))
    }
    try {
      this.parts.push(this.decoder!.decode(chunk, { stream: true }))
    } catch {
      const at = this.encoding === "utf-8" ? offset + firstInvalidUtf8(chunk) : offset
      this.fail(
        "encoding",
        `not valid ${this.encoding.toUpperCase()} text (at byte ${at}); --encoding utf-8 decodes it with U+FFFD for invalid bytes, --encoding windows-1252 reads Latin-1 text`
      )
    }
  }

  /** The decoded document; throws InputError for empty, binary or undecodable content. */
  finish(): SourceDocument {
    if (this.bytes === 0) this.fail("empty", "the file is empty")
    if (this.decoder === undefined) this.start(this.head)
    try {
      this.parts.push(this.decoder!.decode())
    } catch {
      this.fail("encoding", `not valid ${this.encoding.toUpperCase()} text (cut short at the end)`)
    }
    if (this.label !== "auto" && this.encoding === "utf-8") {
      this.encodedReplacements += countEncodedReplacement(this.tail)
    }
    const text = this.parts.join("")
    this.parts.length = 0
    if (text.includes("\u0000")) this.fail("binary", "binary content (NUL characters); expected plain text")
    if (text.trim().length === 0) this.fail("empty", "the file holds only whitespace")
    const replacements = this.label === "auto" ? 0 : Math.max(0, countChar(text, "\uFFFD") - this.encodedReplacements)
    return new SourceDocument(text, this.path, this.bytes, this.hash.digest("hex"), this.encoding, replacements)
  }
}

export class DocumentReader extends Effect.Service<DocumentReader>()("DocumentReader", {
  effect: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem

    const unreadable =
      (path: string) => (e: { readonly _tag: string; readonly reason?: string; readonly message: string }) =>
        new InputError(
          e.reason === "NotFound"
            ? { path, problem: "missing", message: `${path}: no such file` }
            : e.reason === "PermissionDenied"
            ? { path, problem: "unreadable", message: `${path}: permission denied` }
            : { path, problem: "unreadable", message: `${path}: cannot read (${e.message.split("\n")[0]})` }
        )

    /** `size` in bytes when known (a file), undefined for a stream that went past the limit. */
    const tooLarge = (path: string, size: number | undefined, max: number) =>
      new InputError({
        path,
        problem: "too-large",
        message: size === undefined
          ? `${path}: the input is larger than the limit of ${formatBytes(max)} (--max-input-bytes raises it)`
          : `${path}: ${formatBytes(size)} is more than the input limit of ${
            formatBytes(max)
          } (--max-input-bytes raises it)`
      })

    const source = (path: string, maxBytes: number): Effect.Effect<Stream.Stream<Uint8Array, InputError>, InputError> =>
      path === "-"
        ? Effect.succeed(
          NodeStream.fromReadable<InputError, Uint8Array>(
            () => process.stdin,
            (e) => new InputError({ path, problem: "unreadable", message: `stdin: ${(e as Error).message}` }),
            { chunkSize: CHUNK_BYTES }
          )
        )
        : Effect.gen(function*() {
          const info = yield* fs.stat(path).pipe(Effect.mapError(unreadable(path)))
          if (info.type === "Directory") {
            return yield* new InputError({ path, problem: "directory", message: `${path}: is a directory, not a file` })
          }
          if (info.type === "File" && Number(info.size) > maxBytes) {
            return yield* tooLarge(path, Number(info.size), maxBytes)
          }
          return fs.stream(path, { chunkSize: CHUNK_BYTES }).pipe(Stream.mapError(unreadable(path)))
        })

    return {
      /**
       * Reads and decodes one input (see {@link ReadOptions}). Fails with
       * InputError (`missing`, `directory`, `unreadable`, `empty`,
       * `binary`, `encoding`, `too-large`).
       */
      read: Effect.fn("DocumentReader.read")(function*(path: string, options: ReadOptions = {}) {
        const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES
        const decoder = new IncrementalDecoder(path, options.encoding ?? "auto")
        const stream = yield* source(path, maxBytes)
        yield* stream.pipe(
          Stream.runForEach((chunk) =>
            Effect.suspend(() => {
              if (decoder.bytes + chunk.length > maxBytes) return Effect.fail(tooLarge(path, undefined, maxBytes))
              return Effect.try({ try: () => decoder.push(chunk), catch: asInputError(path) })
            })
          )
        )
        return yield* Effect.try({ try: () => decoder.finish(), catch: asInputError(path) })
      })
    } as const
  })
}) {}

/**
 * Reads an input document (a file path, or `-` for stdin), checks that it is
 * text, and decodes it.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { sha256Hex } from "./Digest.js"
import { SourceDocument } from "./Domain/Document.js"
import { InputError } from "./Domain/Errors.js"

/**
 * Decodes input bytes. A UTF-8 byte-order mark is dropped; a UTF-16 LE/BE
 * byte-order mark selects UTF-16. Anything else must be valid UTF-8. Line
 * ends are kept as they are (CRLF, CR, LF), so offsets stay exact.
 *
 * Fails with InputError: `empty` for no bytes or whitespace only, `binary`
 * for NUL characters, `encoding` for invalid UTF-8 / UTF-16.
 */
export const decodeDocument = (bytes: Uint8Array, path: string): Effect.Effect<SourceDocument, InputError> =>
  Effect.gen(function*() {
    const fail = (problem: InputError["problem"], message: string) =>
      Effect.fail(new InputError({ path, problem, message: `${path}: ${message}` }))
    if (bytes.length === 0) return yield* fail("empty", "the file is empty")
    let encoding = "utf-8"
    let body = bytes
    if (bytes[0] === 0xff && bytes[1] === 0xfe) {
      encoding = "utf-16le"
      body = bytes.subarray(2)
    } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
      encoding = "utf-16be"
      body = bytes.subarray(2)
    } else if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      body = bytes.subarray(3)
    }
    if (encoding === "utf-8" && body.indexOf(0) !== -1) {
      return yield* fail("binary", `binary content (NUL byte at offset ${body.indexOf(0)}); expected plain text`)
    }
    let text: string
    try {
      text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body)
    } catch {
      return yield* fail("encoding", `not valid ${encoding.toUpperCase()} text`)
    }
    if (text.includes("\u0000")) return yield* fail("binary", "binary content (NUL characters); expected plain text")
    if (text.trim().length === 0) return yield* fail("empty", "the file holds only whitespace")
    return new SourceDocument(text, path, bytes.length, sha256Hex(bytes), encoding)
  })

export class DocumentReader extends Effect.Service<DocumentReader>()("DocumentReader", {
  effect: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem

    const readBytes = (path: string) =>
      path === "-"
        ? NodeStream.fromReadable<Error, Uint8Array>(() => process.stdin, (e) => e as Error).pipe(
          Stream.runCollect,
          Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks))),
          Effect.mapError((e) => new InputError({ path, problem: "unreadable", message: `stdin: ${e.message}` }))
        )
        : Effect.gen(function*() {
          const info = yield* fs.stat(path)
          if (info.type === "Directory") {
            return yield* new InputError({ path, problem: "directory", message: `${path}: is a directory, not a file` })
          }
          return yield* fs.readFile(path)
        }).pipe(
          Effect.catchTag("SystemError", (e) =>
            Effect.fail(
              e.reason === "NotFound"
                ? new InputError({ path, problem: "missing", message: `${path}: no such file` })
                : e.reason === "PermissionDenied"
                ? new InputError({ path, problem: "unreadable", message: `${path}: permission denied` })
                : new InputError({ path, problem: "unreadable", message: `${path}: cannot read (${e.message})` })
            )),
          Effect.catchTag("BadArgument", (e) =>
            Effect.fail(new InputError({ path, problem: "unreadable", message: `${path}: cannot read (${e.message})` })))
        )

    return {
      /**
       * Reads and decodes one input. Fails with InputError (`missing`,
       * `directory`, `unreadable`, `empty`, `binary`, `encoding`).
       */
      read: Effect.fn("DocumentReader.read")(function*(path: string) {
        const bytes = yield* readBytes(path)
        return yield* decodeDocument(bytes, path)
      })
    } as const
  })
}) {}

import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it as vit, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createHash } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DocumentReader, firstInvalidUtf8 } from "../src/DocumentReader.js"

const dir = mkdtempSync(join(tmpdir(), "extract-reader-"))
const file = (name: string, content: Buffer | string) => {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}

layer(DocumentReader.Default.pipe(Layer.provide(NodeContext.layer)))("DocumentReader", (it) => {
  const problem = (path: string) =>
    Effect.gen(function*() {
      const reader = yield* DocumentReader
      const e = yield* Effect.flip(reader.read(path))
      return e.problem
    })

  it.effect("refuses missing paths, directories, empty, whitespace-only, binary and invalid UTF-8 input", () =>
    Effect.gen(function*() {
      expect(yield* problem(join(dir, "nope.txt"))).toBe("missing")
      expect(yield* problem(dir)).toBe("directory")
      expect(yield* problem(file("empty.txt", ""))).toBe("empty")
      expect(yield* problem(file("blank.txt", " \n\t \r\n"))).toBe("empty")
      expect(yield* problem(file("bin.dat", Buffer.from([0x41, 0x00, 0x42])))).toBe("binary")
      expect(yield* problem(file("latin1.txt", Buffer.from([0x63, 0x61, 0x66, 0xe9])))).toBe("encoding")
    }))

  it.effect("decodes UTF-16 with a byte-order mark and keeps CRLF line ends", () =>
    Effect.gen(function*() {
      const reader = yield* DocumentReader
      const text = "Ada Lovelace\r\nwrote 😀 notes.\r"
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])
      const doc = yield* reader.read(file("utf16.txt", le))
      expect(doc.text).toBe(text)
      expect(doc.encoding).toBe("utf-16le")
      expect(doc.bytes).toBe(le.length)
      const bom8 = yield* reader.read(
        file("bom8.txt", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))
      )
      expect(bom8.text).toBe(text)
    }))

  it.effect("names the run after the SHA-256 of the bytes as read", () =>
    Effect.gen(function*() {
      const reader = yield* DocumentReader
      const doc = yield* reader.read(file("plain.txt", "hello world\n"))
      // sha256("hello world\n") = a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447
      expect(doc.runId).toBe("doc-a948904f2f0f")
    }))
})

layer(DocumentReader.Default.pipe(Layer.provide(NodeContext.layer)))(
  "DocumentReader streaming and --encoding",
  (it) => {
    it.effect("decodes a character split across the 1 MiB read chunks, and hashes the bytes as read", () =>
      Effect.gen(function*() {
        const reader = yield* DocumentReader
        const head = "a".repeat(1024 * 1024 - 2) // the 4-byte 😀 straddles the first chunk boundary
        const text = `${head}😀 Ada Lovelace\r\n`
        const doc = yield* reader.read(file("straddle.txt", text))
        expect(doc.text).toBe(text)
        expect(doc.sha256).toBe(createHash("sha256").update(text).digest("hex"))
        expect(doc.bytes).toBe(Buffer.byteLength(text))
      }))

    it.effect("refuses input over the limit before reading it, and reports where invalid UTF-8 starts", () =>
      Effect.gen(function*() {
        const reader = yield* DocumentReader
        const big = yield* Effect.flip(reader.read(file("limit.txt", "x".repeat(5000)), { maxBytes: 4096 }))
        expect(big.problem).toBe("too-large")
        expect(big.message).toContain("4.9 KiB is more than the input limit of 4.0 KiB")
        const bad = Buffer.concat([
          Buffer.from("ok ".repeat(10)),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from(" tail")
        ]) // an encoded surrogate
        const e = yield* Effect.flip(reader.read(file("surrogate.txt", bad)))
        expect(e.problem).toBe("encoding")
        expect(e.message).toContain("(at byte 30)")
      }))

    it.effect("--encoding decodes with U+FFFD and counts only real replacements", () =>
      Effect.gen(function*() {
        const reader = yield* DocumentReader
        // one genuine U+FFFD in the input, two invalid bytes
        const bytes = Buffer.concat([
          Buffer.from("keep \uFFFD and "),
          Buffer.from([0xff]),
          Buffer.from(" and "),
          Buffer.from([0xc3])
        ])
        const doc = yield* reader.read(file("mixed.txt", bytes), { encoding: "utf-8" })
        expect(doc.text).toBe("keep \uFFFD and \uFFFD and \uFFFD")
        expect(doc.replacements).toBe(2)
        const latin = yield* reader.read(file("latin.txt", Buffer.from([0x63, 0x61, 0x66, 0xe9])), {
          encoding: "latin1"
        })
        expect(latin.text).toBe("café")
        expect(latin.encoding).toBe("windows-1252")
        const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("Ada 😀", "utf16le").swap16()])
        const utf16be = yield* reader.read(file("be.txt", be))
        expect(utf16be.text).toBe("Ada 😀")
        expect(utf16be.encoding).toBe("utf-16be")
      }))
  }
)

describe("firstInvalidUtf8", () => {
  vit("finds overlongs, stray continuations, surrogates and out-of-range lead bytes", () => {
    expect(firstInvalidUtf8(Buffer.from("plain ascii"))).toBe(11)
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0x80]))).toBe(1) // overlong
    expect(firstInvalidUtf8(Buffer.from([0x41, 0x42, 0x80, 0x43]))).toBe(2) // stray continuation after ASCII
    expect(firstInvalidUtf8(Buffer.from([0x80, 0x80, 0x41]))).toBe(3) // leading continuations belong to the previous chunk
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0) // above U+10FFFF
    expect(firstInvalidUtf8(Buffer.from("é😀"))).toBe(6)
  })
})

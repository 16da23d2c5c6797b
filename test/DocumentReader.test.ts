import * as NodeContext from "@effect/platform-node/NodeContext"
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DocumentReader } from "../src/DocumentReader.js"

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
      const bom8 = yield* reader.read(file("bom8.txt", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])))
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

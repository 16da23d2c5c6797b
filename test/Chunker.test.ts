import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readFileSync } from "node:fs"
import { Chunker } from "../src/Chunker.js"
import { SourceDocument } from "../src/Domain/Document.js"
import { Tokenizer } from "../src/Tokenizer.js"
import { SHARED } from "./support/Cli.js"

const doc = (text: string) => new SourceDocument(text, "test.txt", Buffer.byteLength(text), "0".repeat(64), "utf-8")
const cpSlice = (s: string, start: number, end: number) => Array.from(s).slice(start, end).join("")

layer(Layer.merge(Chunker.Default, Tokenizer.Default))("Chunker", (it) => {
  it.effect("keeps every chunk's span an exact slice of the document, in code points", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const sentence = "Émile met 😀 Ada Lovelace in London on 3 March 1843. "
      const text = Array.from({ length: 60 }, (_, i) => sentence + (i % 7 === 6 ? "\n\n" : "")).join("")
      const chunks = yield* chunker.chunk(doc(text), { size: 64, overlap: 16 })
      expect(chunks.length).toBeGreaterThan(5)
      for (const c of chunks) {
        expect(cpSlice(text, c.span.start, c.span.end)).toBe(c.span.text)
        expect(c.tokens).toBeLessThanOrEqual(64)
      }
    }))

  it.effect("stays within the token budget and overlaps by whole sentences", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const tokenizer = yield* Tokenizer
      const text = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} talks about Grace Hopper.`).join(" ")
      const chunks = yield* chunker.chunk(doc(text), { size: 50, overlap: 12 })
      for (const c of chunks) expect(tokenizer.count(c.span.text)).toBeLessThanOrEqual(50)
      for (let i = 1; i < chunks.length; i++) {
        const prev = chunks[i - 1]!
        const next = chunks[i]!
        expect(next.span.start).toBeGreaterThan(prev.span.start)
        // overlap: the next chunk starts inside the previous one, at a sentence start
        expect(next.span.start).toBeLessThan(prev.span.end)
        expect(next.span.text).toMatch(/^Sentence number \d+/)
        expect(tokenizer.count(text.slice(next.span.start, prev.span.end))).toBeLessThanOrEqual(12 + 2)
      }
      // every sentence is in some chunk
      const covered = chunks.map((c) => c.span.text).join(" ")
      for (let i = 0; i < 40; i++) expect(covered).toContain(`Sentence number ${i} talks`)
    }))

  it.effect("without overlap, chunks tile the document's sentences in order", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const text = Array.from({ length: 30 }, (_, i) => `This is sentence ${i}.`).join(" ")
      const chunks = yield* chunker.chunk(doc(text), { size: 20, overlap: 0 })
      for (let i = 1; i < chunks.length; i++) {
        expect(chunks[i]!.span.start).toBeGreaterThanOrEqual(chunks[i - 1]!.span.end)
      }
      expect(chunks.map((c) => c.span.text).join(" ")).toBe(text)
    }))

  it.effect("prefers a paragraph break to a sentence break once a chunk is half full", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const para = (p: number) => Array.from({ length: 4 }, (_, i) => `Paragraph ${p} has sentence ${i}.`).join(" ")
      const text = [para(1), para(2), para(3)].join("\n\n")
      // each paragraph is ~28 tokens; a 60-token budget fits two only if it ignores paragraph breaks poorly
      const chunks = yield* chunker.chunk(doc(text), { size: 45, overlap: 0 })
      for (const c of chunks) {
        const paragraphs = new Set([...c.span.text.matchAll(/Paragraph (\d)/g)].map((m) => m[1]))
        expect(paragraphs.size).toBe(1)
      }
    }))

  it.effect("splits a sentence longer than the budget, even one with no spaces", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const tokenizer = yield* Tokenizer
      const long = "word ".repeat(300).trim() + ". " + "x".repeat(5000) + "😀".repeat(50)
      const chunks = yield* chunker.chunk(doc(long), { size: 40, overlap: 0 })
      expect(chunks.length).toBeGreaterThan(10)
      for (const c of chunks) {
        expect(tokenizer.count(c.span.text)).toBeLessThanOrEqual(40)
        expect(cpSlice(long, c.span.start, c.span.end)).toBe(c.span.text)
      }
    }))

  it.effect("gives no chunks for whitespace and handles CRLF line ends", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      expect(yield* chunker.chunk(doc(" \n\t\r\n "), { size: 100, overlap: 10 })).toHaveLength(0)
      const text = "First line here.\r\nSecond line.\r\n\r\nNew paragraph.\r\n"
      const chunks = yield* chunker.chunk(doc(text), { size: 100, overlap: 0 })
      expect(chunks).toHaveLength(1)
      expect(chunks[0]!.span.text).toBe("First line here.\r\nSecond line.\r\n\r\nNew paragraph.")
    }))

  it.effect("chunks a real novel: ordered, in budget, exact, covering the text", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const text = readFileSync(`${SHARED}/data/litbank/texts/41_the_legend_of_sleepy_hollow.txt`, "utf8")
      const chunks = yield* chunker.chunk(doc(text), { size: 400, overlap: 40 })
      const d = doc(text)
      let lastEnd = 0
      for (const c of chunks) {
        expect(c.tokens).toBeLessThanOrEqual(400)
        expect(d.index.slice(c.span.start, c.span.end)).toBe(c.span.text)
        expect(c.span.end).toBeGreaterThan(lastEnd)
        // no gap between chunks except whitespace
        if (c.index > 0) expect(d.index.slice(lastEnd, Math.max(lastEnd, c.span.start)).trim()).toBe("")
        lastEnd = c.span.end
      }
      expect(d.index.slice(lastEnd, d.length).trim()).toBe("")
    }))
})

describe("Chunker defaults", () => {
  it("follows GraphRAG's 1200/100", async () => {
    const { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE } = await import("../src/Chunker.js")
    expect([DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_OVERLAP]).toEqual([1200, 100])
  })
})

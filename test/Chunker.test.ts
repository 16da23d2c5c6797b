import { describe, expect, it, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { readFileSync } from "node:fs"
import { Chunker, MAX_SENTENCE } from "../src/Chunker.js"
import { Tokenizer } from "../src/Tokenizer.js"
import { SHARED } from "./support/Cli.js"
import { documentOf } from "./support/GoldenRun.js"

const doc = (text: string) => documentOf(text, "test.txt")
/** How far the chunker had read (UTF-16 units, by its progress) when it emitted the first chunk; fails if none came. */
const readAtFirstChunk = (
  chunker: Chunker,
  text: string,
  budgets: { readonly size: number; readonly overlap: number }
) =>
  Effect.gen(function*() {
    let read = 0
    const first = yield* Stream.runHead(chunker.stream(doc(text), { ...budgets, onProgress: (done) => (read = done) }))
    expect(first._tag).toBe("Some")
    return read
  })
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
  it.effect("streams the same chunks, in order, as chunking the whole document first (a novel, three budgets)", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const text = readFileSync(`${SHARED}/data/litbank/texts/1661_the_adventures_of_sherlock_holmes.txt`, "utf8")
        .slice(0, 120_000) + "\n\nA last line with 😀 outside the BMP."
      for (const [size, overlap] of [[1200, 100], [600, 0], [64, 20]] as const) {
        const whole = yield* chunker.chunk(doc(text), { size, overlap })
        const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(chunker.stream(doc(text), { size, overlap })))
        expect(streamed.length).toBe(whole.length)
        expect(streamed.map((c) => [c.index, c.span.start, c.span.end, c.tokens])).toEqual(
          whole.map((c) => [c.index, c.span.start, c.span.end, c.tokens])
        )
      }
    }))

  it.effect("emits the first chunk of a one-paragraph document after one window, not the whole paragraph", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const tokenizer = yield* Tokenizer
      // a book on one line (no blank lines): it used to be split whole before its first chunk
      const sentence = "Ada Lovelace wrote the first program. Charles Babbage built the engine. "
      const text = sentence.repeat(8000)
      const read = yield* readAtFirstChunk(chunker, text, { size: 200, overlap: 20 })
      expect(read).toBeGreaterThan(0)
      expect(read).toBeLessThan(text.length / 10)
      const chunks = yield* chunker.chunk(doc(text), { size: 200, overlap: 20 })
      expect(chunks.length).toBeGreaterThan(100)
      for (const c of chunks) {
        expect(c.tokens).toBeLessThanOrEqual(200)
        expect(c.tokens).toBe(tokenizer.count(c.span.text))
        expect(c.span.text).toMatch(/^(?:Ada Lovelace|Charles Babbage) .*(?:engine|program)\.$/su)
      }
    }))

  it.effect("emits the first chunk before reading the rest of a long document", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const paragraph = "Ada Lovelace wrote the first program. Charles Babbage built the engine."
      const text = Array.from({ length: 4000 }, () => paragraph).join("\n\n")
      const read = yield* readAtFirstChunk(chunker, text, { size: 200, overlap: 0 })
      // only the paragraphs up to the first chunk's end (plus one) were split
      expect(read).toBeLessThan(text.length / 100)
    }))

  it.effect("counts every chunk's tokens exactly, also where pieces of the tokenizer could join across sentences", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const tokenizer = yield* Tokenizer
      // Sentence ends before line breaks (".\n", "\"\n": one o200k piece), runs of spaces, tabs, CRLF, digits,
      // contractions, emoji, combining marks, words longer than the budget (cut between code points).
      const pieces = [
        "The",
        "the",
        "Mr.",
        "U.S.",
        "1843",
        "12,345",
        "don't",
        "I'm",
        "(",
        ")",
        "\"",
        "'",
        "—",
        "...",
        ".",
        "!",
        "?",
        ",",
        ";",
        "/",
        "😀",
        "Émile",
        "naïve",
        "e\u0301",
        "日本語",
        "Ada",
        "Lovelace",
        "\n",
        "\r\n",
        "\n\n",
        "  ",
        " ",
        "\t",
        "\u2028",
        "\f",
        "\u00a0",
        " \n",
        ".\n",
        "\"\n",
        "x".repeat(30),
        "http://a.b/c",
        "$5"
      ]
      let seed = 7
      const next = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n
      let checked = 0
      for (let k = 0; k < 60; k++) {
        let text = ""
        while (text.length < 1500) text += pieces[next(pieces.length)] + (next(3) === 0 ? " " : "")
        for (const [size, overlap] of [[16, 0], [40, 8], [100, 20]] as const) {
          for (const c of yield* chunker.chunk(doc(text), { size, overlap })) {
            expect(c.tokens, JSON.stringify(c.span.text)).toBe(tokenizer.count(c.span.text))
            checked++
          }
        }
      }
      expect(checked).toBeGreaterThan(3000)
      // A sentence whose first word is punctuation before a line break: o200k cuts " “\n" and "“\n" differently.
      const quoted = Array.from(
        { length: 40 },
        (_, i) => `He said ${i} things. “\nNext word ${i}. -\r\nThen more. !)\nOk.`
      )
        .join(" ")
      for (const c of yield* chunker.chunk(doc(quoted), { size: 48, overlap: 0 })) {
        expect(c.tokens, JSON.stringify(c.span.text)).toBe(tokenizer.count(c.span.text))
      }
      // and real prose, at the llm bench's and the default budgets
      const dir = `${SHARED}/data/sotu`
      const text = ["2009_barack_obama_d.txt", "1941_franklin_d_roosevelt_d.txt", "1862_abraham_lincoln_r.txt"]
        .map((f) => readFileSync(`${dir}/${f}`, "utf8")).join("\n\n")
      for (const [size, overlap] of [[600, 0], [1200, 100]] as const) {
        const chunks = yield* chunker.chunk(doc(text), { size, overlap })
        expect(chunks.length).toBeGreaterThan(10)
        for (const c of chunks) expect(c.tokens).toBe(tokenizer.count(c.span.text))
      }
    }))

  it.effect("chunks the same after letting go of its sentence model (release), which the next chunking loads again", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const text = "Ada Lovelace wrote notes. Charles Babbage built engines.\n\n".repeat(40)
      const shape = (cs: ReadonlyArray<{ span: { start: number; end: number }; tokens: number }>) =>
        cs.map((c) => [c.span.start, c.span.end, c.tokens])
      const before = yield* chunker.chunk(doc(text), { size: 64, overlap: 8 })
      chunker.release()
      const after = yield* chunker.chunk(doc(text), { size: 64, overlap: 8 })
      expect(before.length).toBeGreaterThan(10)
      expect(shape(after)).toEqual(shape(before))
    }))

  it.effect("loses no text after whitespace wink-nlp drops (form feeds, line separators)", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const sentence = (i: number) => `Sentence number ${i} names Ada Lovelace and Charles Babbage in London.`
      const breaks = ["\f", "\f\f\f\f", "\u2028", "\ufeff", "\u3000", " "]
      const text = Array.from({ length: 80 }, (_, i) => sentence(i) + breaks[i % breaks.length]).join("")
      const chunks = yield* chunker.chunk(doc(text), { size: 64, overlap: 0 })
      // every word is in a chunk, and no chunk starts or ends inside a word
      const covered = new Uint8Array(text.length)
      for (const c of chunks) {
        covered.fill(1, c.span.start, c.span.end)
        expect(c.span.text).toMatch(/^Sentence number \d+ .*London\.$/su)
      }
      for (let i = 0; i < text.length; i++) if (!/\s/u.test(text[i]!)) expect(covered[i], `offset ${i}`).toBe(1)
    }))

  it.effect("cuts text without sentence ends into pieces of at most MAX_SENTENCE before counting tokens", () =>
    Effect.gen(function*() {
      const chunker = yield* Chunker
      const tokenizer = yield* Tokenizer
      const words = ["government", "people", "Congress", "nation", "the", "of", "America", "tonight", "and"]
      const text = Array.from({ length: 60_000 }, (_, i) => words[(i * 7) % words.length]).join(" ")
      const chunks = yield* chunker.chunk(doc(text), { size: 1200, overlap: 100 })
      expect(chunks.length).toBeGreaterThan(10)
      for (const c of chunks) {
        expect(c.tokens).toBeLessThanOrEqual(1200)
        expect(tokenizer.count(c.span.text)).toBe(c.tokens)
        expect(c.span.text).toBe(text.slice(c.span.start, c.span.end))
      }
      // whole words only: no chunk starts or ends inside a word
      for (const c of chunks) {
        expect(c.span.start === 0 || text[c.span.start - 1] === " ").toBe(true)
        expect(c.span.end === text.length || text[c.span.end] === " ").toBe(true)
      }
      // every piece is within the cap: no chunk holds more sentences' worth of text than the budget allows
      expect(Math.max(...chunks.map((c) => c.span.end - c.span.start))).toBeLessThanOrEqual(3 * MAX_SENTENCE)
    }))
})

describe("Chunker defaults", () => {
  it("follows GraphRAG's 1200/100", async () => {
    const { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE } = await import("../src/Chunker.js")
    expect([DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_OVERLAP]).toEqual([1200, 100])
  })
})

import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Chunk } from "../../src/Domain/Chunk.js"
import { CodePointIndex, Span } from "../../src/Domain/Span.js"
import { Extractor } from "../../src/Extractor.js"
import * as Nlp from "../../src/Extractor/Nlp.js"

/** A chunk at document offset `offset` (code points), as the chunker would make it. */
const chunkOf = (text: string, index = 0, offset = 0) =>
  new Chunk({ index, span: new Span({ start: offset, end: offset + Array.from(text).length, text }), tokens: 10, sentences: 1 })

layer(Nlp.layer)("NlpExtractor", (it) => {
  it.effect("finds people, organizations, places and dates with exact document spans", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const text = "Mr. Sherlock Holmes visited the Bank of England in London on 3 March 1891. Apple Inc. hired Tim Cook."
      const x = yield* extractor.extract(chunkOf(text))
      const byText = new Map(x.mentions.map((m) => [m.span.text, m.type]))
      expect(byText.get("Sherlock Holmes")).toBe("Person")
      expect(byText.get("Bank of England")).toBe("Organization")
      expect(byText.get("London")).toBe("Location")
      expect(byText.get("3 March 1891")).toBe("Date")
      expect(byText.get("Apple Inc.")).toBe("Organization")
      for (const m of x.mentions) expect(Array.from(text).slice(m.span.start, m.span.end).join("")).toBe(m.span.text)
    }))

  it.effect("shifts spans by the chunk's offset and counts code points before them", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const prefix = "😀 intro 𝄞. "
      const body = "Ada Lovelace worked for the Analytical Society in London."
      const document = prefix + body
      const offset = Array.from(prefix).length
      const x = yield* extractor.extract(chunkOf(body, 3, offset))
      const index = new CodePointIndex(document)
      expect(x.mentions.length).toBeGreaterThan(0)
      for (const m of x.mentions) {
        expect(index.slice(m.span.start, m.span.end)).toBe(m.span.text)
        expect(m.chunk).toBe(3)
        expect(m.id).toMatch(/^c3-m\d+$/)
      }
    }))

  it.effect("states relations from patterns, with the sentence as evidence", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const text = "Bill Gates founded Microsoft Corporation. Satya Nadella works for Microsoft Corporation. It rained."
      const x = yield* extractor.extract(chunkOf(text))
      const named = new Map(x.mentions.map((m) => [m.id, m.span.text]))
      const triples = x.relations.map((r) => `${named.get(r.subject)} ${r.predicate} ${named.get(r.object)}`)
      expect(triples).toContain("Bill Gates founded Microsoft Corporation")
      expect(triples).toContain("Satya Nadella worksFor Microsoft Corporation")
      const founded = x.relations.find((r) => r.predicate === "founded")!
      expect(founded.evidence.text).toBe("Bill Gates founded Microsoft Corporation.")
    }))

  it.effect("finds nothing in text without names", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const x = yield* extractor.extract(chunkOf("it was a dark and stormy night, and the rain fell in torrents."))
      expect(x.mentions.filter((m) => m.type !== "Date")).toHaveLength(0)
      expect(x.relations).toHaveLength(0)
    }))
})

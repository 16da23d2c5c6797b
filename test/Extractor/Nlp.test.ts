import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Chunk } from "../../src/Domain/Chunk.js"
import type { ChunkExtraction } from "../../src/Domain/Extraction.js"
import { CodePointIndex, Span } from "../../src/Domain/Span.js"
import { Extractor } from "../../src/Extractor.js"
import * as Nlp from "../../src/Extractor/Nlp.js"

/** A chunk at document offset `offset` (code points), as the chunker would make it. */
const chunkOf = (text: string, index = 0, offset = 0) =>
  new Chunk({
    index,
    span: new Span({ start: offset, end: offset + Array.from(text).length, text }),
    tokens: 10,
    sentences: 1
  })

/** surface text → type */
const typesOf = (x: ChunkExtraction) => new Map(x.mentions.map((m) => [m.span.text, m.type]))

/** "subject predicate object" for every relation, by surface text. */
const triplesOf = (x: ChunkExtraction) => {
  const named = new Map(x.mentions.map((m) => [m.id, m.span.text]))
  return x.relations.map((r) => `${named.get(r.subject)} ${r.predicate} ${named.get(r.object)}`)
}

layer(Nlp.layer)("NlpExtractor", (it) => {
  it.effect("finds people, organizations, places and dates with exact document spans", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const text =
        "Mr. Sherlock Holmes visited the Bank of England in London on 3 March 1891. Apple Inc. hired Tim Cook."
      const x = yield* extractor.extract(chunkOf(text))
      const byText = typesOf(x)
      // Courtesy titles stay in the mention, as CoNLL04 and LitBank annotate them.
      expect(byText.get("Mr. Sherlock Holmes")).toBe("Person")
      expect(byText.get("Bank of England")).toBe("Organization")
      expect(byText.get("London")).toBe("Location")
      expect(byText.get("3 March 1891")).toBe("Date")
      expect(byText.get("Apple Inc.")).toBe("Organization")
      expect(byText.get("Tim Cook")).toBe("Person")
      for (const m of x.mentions) {
        expect(Array.from(text).slice(m.span.start, m.span.end).join("")).toBe(m.span.text)
        expect(m.confidence).toBeGreaterThan(0)
        expect(m.confidence).toBeLessThanOrEqual(1)
      }
    }))

  it.effect("types names by titles, legal forms, head words, gazetteers and context", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const x = yield* extractor.extract(chunkOf(
        "Sen. Dennis DeConcini met officials of the Nuclear Regulatory Commission near Yucca Mountain. " +
          "Andrew Stephens, president of Eaglebrook Plastics, grew up in Chisholm, Minn. " +
          "The NRC asked Maria Gonzalez and Peter Wong about the Gulf of Mexico and Bosnia-Herzegovina."
      ))
      const byText = typesOf(x)
      // An office title is context, not part of the name.
      expect(byText.get("Dennis DeConcini")).toBe("Person")
      expect(byText.has("Sen. Dennis DeConcini")).toBe(false)
      expect(byText.get("Nuclear Regulatory Commission")).toBe("Organization")
      expect(byText.get("Yucca Mountain")).toBe("Location")
      expect(byText.get("Andrew Stephens")).toBe("Person")
      expect(byText.get("Eaglebrook Plastics")).toBe("Organization")
      expect(byText.get("Chisholm")).toBe("Location")
      expect(byText.get("Minn.")).toBe("Location")
      expect(byText.get("NRC")).toBe("Organization")
      expect(byText.get("Maria Gonzalez")).toBe("Person")
      expect(byText.get("Peter Wong")).toBe("Person")
      expect(byText.get("Gulf of Mexico")).toBe("Location")
      expect(byText.get("Bosnia-Herzegovina")).toBe("Location")
    }))

  it.effect("reads a courtesy title as a person whatever the surname, and a place-like first name by its context", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const x = yield* extractor.extract(
        chunkOf("Mrs. Hall and Mary travelled to Washington. Mary smiled at Madame Duval.")
      )
      const byText = typesOf(x)
      expect(byText.get("Mrs. Hall")).toBe("Person")
      expect(byText.get("Madame Duval")).toBe("Person")
      expect(byText.get("Washington")).toBe("Location")
      expect(x.mentions.filter((m) => m.span.text === "Mary").map((m) => m.type)).toEqual(["Person", "Person"])
    }))

  it.effect("splits a place from the name after it: datelines and nationality before a title", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const x = yield* extractor.extract(chunkOf(
        "Tokyo YOMIURI SHIMBUN reported that U.S. Ambassador Vernon A. Walters met Soviet President Mikhail S. Gorbachev."
      ))
      const byText = typesOf(x)
      expect(byText.get("Tokyo")).toBe("Location")
      expect(byText.get("YOMIURI SHIMBUN")).toBe("Organization")
      expect(byText.get("U.S.")).toBe("Location")
      expect(byText.get("Vernon A. Walters")).toBe("Person")
      expect(byText.get("Soviet")).toBe("Location")
      expect(byText.get("President Mikhail S. Gorbachev")).toBe("Person")
      const triples = triplesOf(x)
      expect(triples).toContain("YOMIURI SHIMBUN basedIn Tokyo")
      expect(triples).toContain("Vernon A. Walters livesIn U.S.")
      expect(triples).toContain("President Mikhail S. Gorbachev livesIn Soviet")
    }))

  it.effect("makes the names of a chunk agree: a surname alone takes its full name's type", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const x = yield* extractor.extract(chunkOf(
        "The schoolmaster Ichabod Crane came to Sleepy Hollow. The villagers liked him, and Crane stayed."
      ))
      const byText = typesOf(x)
      expect(byText.get("Ichabod Crane")).toBe("Person")
      expect(byText.get("Crane")).toBe("Person")
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

  it.effect("grounds names after whitespace wink-nlp drops (form feeds, line separators, ideographic spaces)", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      // a PDF's page break, a Word line separator, a BOM inside concatenated files, an ideographic space
      for (const space of ["\f\f\f\f", "\u2028", "\ufeff", "\u3000", "\v", "\u2000"]) {
        const text =
          `Ada Lovelace met Charles Babbage in London.${space}Charles Babbage built the Analytical Engine in London.`
        const x = yield* extractor.extract(chunkOf(text))
        const names = x.mentions.map((m) => m.span.text)
        expect(names, JSON.stringify(space)).toEqual(
          expect.arrayContaining(["Ada Lovelace", "Charles Babbage", "Analytical Engine", "London"])
        )
        const cps = Array.from(text)
        for (const m of x.mentions) {
          expect(cps.slice(m.span.start, m.span.end).join("")).toBe(m.span.text)
          // whole words: nothing starts or ends inside one (the shifted offsets gave "\f\f\f\fCharles Bab")
          expect(m.span.text).toMatch(/^\p{Lu}[\p{L} .]*\p{L}$/u)
        }
        expect(names.filter((n) => n === "Charles Babbage").length).toBe(2)
      }
    }))

  it.effect("counts characters outside the BMP inside the chunk as one code point each", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const text = "𝄞𝄞 Ada Lovelace met 😀 Charles Babbage in London 🎉 with Mary Somerville."
      const x = yield* extractor.extract(chunkOf(text, 0, 7))
      const cps = Array.from(text)
      const names = x.mentions.map((m) => m.span.text)
      expect(names).toEqual(expect.arrayContaining(["Ada Lovelace", "Charles Babbage", "London", "Mary Somerville"]))
      for (const m of x.mentions) expect(cps.slice(m.span.start - 7, m.span.end - 7).join("")).toBe(m.span.text)
      const london = x.mentions.find((m) => m.span.text === "London")!
      expect(london.span.start).toBe(7 + cps.indexOf("L", cps.indexOf("😀")))
    }))

  it.effect("states relations from patterns, with the sentence as evidence", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const text = "Bill Gates founded Microsoft Corporation. Satya Nadella works for Microsoft Corporation. It rained."
      const x = yield* extractor.extract(chunkOf(text))
      const triples = triplesOf(x)
      expect(triples).toContain("Bill Gates founded Microsoft Corporation")
      expect(triples).toContain("Satya Nadella worksFor Microsoft Corporation")
      const founded = x.relations.find((r) => r.predicate === "founded")!
      expect(founded.evidence.text).toBe("Bill Gates founded Microsoft Corporation.")
    }))

  it.effect("knows the documented predicates", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["Andrew Stephens, president of Eaglebrook Plastics, said so.", "Andrew Stephens worksFor Eaglebrook Plastics"],
        ["CBS anchorman Dan Rather spoke to the governors.", "Dan Rather worksFor CBS"],
        [
          "President William McKinley was shot by anarchist Leon Czolgosz.",
          "Leon Czolgosz killed President William McKinley"
        ],
        [
          "John Wilkes Booth, the assassin of President Abraham Lincoln, was surrounded.",
          "John Wilkes Booth killed President Abraham Lincoln"
        ],
        [
          "Sirhan Sirhan was convicted of assassinating Sen. Robert F. Kennedy.",
          "Sirhan Sirhan killed Robert F. Kennedy"
        ],
        ["Republican Terry Branstad of Iowa said so.", "Terry Branstad livesIn Iowa"],
        ["Comedian Harold Lloyd was born in Burchard, Neb.", "Harold Lloyd bornIn Burchard"],
        ["The rig was leased from the Brazilian Embassy in London.", "Brazilian Embassy basedIn London"],
        ["The centennial conference was held in Stockholm, Sweden.", "Stockholm locatedIn Sweden"],
        ["Sarah Jones married Michael Brown last year.", "Sarah Jones spouse Michael Brown"],
        ["Acme Corp. acquired Widget Industries in May.", "Acme Corp. acquired Widget Industries"],
        ["Ms. Toth joined the Democratic Party in 1980.", "Ms. Toth memberOf Democratic Party"]
      ]
      for (const [text, triple] of cases) {
        const x = yield* extractor.extract(chunkOf(text))
        expect(triplesOf(x), text).toContain(triple)
      }
    }))

  it.effect("carries a relation through a chain of places (City, State)", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const x = yield* extractor.extract(chunkOf("David Cicippio is from North Wales, Pa., and works in Beirut."))
      const triples = triplesOf(x)
      expect(triples).toContain("David Cicippio livesIn North Wales")
      expect(triples).toContain("David Cicippio livesIn Pa.")
      expect(triples).toContain("North Wales locatedIn Pa.")
    }))

  it.effect("finds nothing in text without names", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const x = yield* extractor.extract(chunkOf("it was a dark and stormy night, and the rain fell in torrents."))
      expect(x.mentions.filter((m) => m.type !== "Date")).toHaveLength(0)
      expect(x.relations).toHaveLength(0)
    }))

  it.effect("takes no sentence-initial word, headline word or document number for a name", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const x = yield* extractor.extract(
        chunkOf("Meanwhile the rain fell. Officials Seen Leaving Town OW2102114194 in English 1127 GMT")
      )
      const names = x.mentions.filter((m) => m.type === "Person" || m.type === "Organization").map((m) => m.span.text)
      expect(names).toEqual([])
    }))

  it.effect("offers a document-level pass that makes types agree across chunks", () =>
    Effect.gen(function*() {
      const extractor = yield* Extractor
      const a = yield* extractor.extract(chunkOf("The schoolmaster Ichabod Crane taught the children.", 0, 0))
      const b = yield* extractor.extract(chunkOf("Then Crane left.", 1, 100))
      const before = b.mentions.find((m) => m.span.text === "Crane")
      expect(before?.type).not.toBe("Person")
      const after = extractor.harmonize!([...a.mentions, ...b.mentions])
      expect(after.find((m) => m.span.text === "Crane")?.type).toBe("Person")
    }))
})

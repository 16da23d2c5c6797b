import { describe, expect, it } from "@effect/vitest"
import { Mention } from "../../../src/Domain/Extraction.js"
import { CodePointIndex } from "../../../src/Domain/Span.js"
import { harmonizeTypes, nameKey } from "../../../src/Extractor/Nlp/Consistency.js"

const TEXT =
  "🎉 Ichabod Crane met Katrina. 𝄞 Crane left Sleepy Hollow; Hollow was quiet. On 3 May Crane's horse ran to Tarry Town. " +
  "Katrina Van Tassel smiled at Van Tassel."
const index = new CodePointIndex(TEXT)

/** A mention of the n-th occurrence of `surface` in TEXT, with code point offsets. */
const at = (id: string, surface: string, type: string, confidence?: number, nth = 0) => {
  let u = -1
  for (let i = 0; i <= nth; i++) u = TEXT.indexOf(surface, u + 1)
  if (u < 0) throw new Error(`${surface} not in text`)
  return new Mention({
    id,
    type,
    span: index.span(u, u + surface.length),
    chunk: 0,
    grounding: "exact",
    description: null,
    ...(confidence === undefined ? {} : { confidence })
  })
}

describe("harmonizeTypes", () => {
  it("types a lone surname as the Person whose full name contains it", () => {
    const out = harmonizeTypes([
      at("m1", "Ichabod Crane", "Person", 0.75),
      at("m2", "Crane", "Other", 0.2, 1),
      at("m3", "Crane's", "Location", 0.45)
    ])
    expect(out.map((m) => m.type)).toEqual(["Person", "Person", "Person"])
    expect(out[1]!.confidence).toBeCloseTo(0.6)
    // spans and ids are untouched, in code points
    for (const m of out) expect(index.slice(m.span.start, m.span.end)).toBe(m.span.text)
    expect(out.map((m) => m.id)).toEqual(["m1", "m2", "m3"])
  })

  it("types the last words of a full name as that Person", () => {
    const out = harmonizeTypes([
      at("m1", "Katrina Van Tassel", "Person", 0.75),
      at("m2", "Van Tassel", "Location", 0.45, 1)
    ])
    expect(out.map((m) => m.type)).toEqual(["Person", "Person"])
  })

  it("gives every mention of a name the type of its best-supported mention", () => {
    const out = harmonizeTypes([
      at("m1", "Sleepy Hollow", "Location", 0.8),
      at("m2", "Tarry Town", "Person", 0.35),
      at("m3", "Tarry Town", "Location", 0.75)
    ])
    expect(out.map((m) => m.type)).toEqual(["Location", "Location", "Location"])
  })

  it("keeps a strongly typed one-word name, dates, and mentions it has nothing to say about", () => {
    const input = [
      at("m1", "Ichabod Crane", "Person", 0.75),
      at("m2", "Hollow", "Location", 0.8, 1),
      at("m3", "3 May", "Date", 0.9),
      at("m4", "Katrina", "Other")
    ]
    const out = harmonizeTypes(input)
    expect(out.map((m) => m.type)).toEqual(["Person", "Location", "Date", "Other"])
    expect(out[1]).toBe(input[1])
  })

  it("compares names without case, edge punctuation or a possessive", () => {
    expect(nameKey("Crane's")).toBe("crane")
    expect(nameKey("  \"Tarry   Town,\" ")).toBe("tarry town")
    expect(nameKey("U.S.")).toBe("u.s")
  })
})

import { describe, expect, it } from "@effect/vitest"
import { scoredTypeOf, scoreEntities, trimSpan, typeTallies } from "../../src/Eval/Ner.js"
import { prf, sumTallies } from "../../src/Eval/Score.js"

// 0         1         2         3         4
// 0123456789012345678901234567890123456789012345
// "John Smith of Acme Corp. visited Boston, Mass."
const text = "John Smith of Acme Corp. visited Boston, Mass."
const at = (s: string) => [text.indexOf(s), text.indexOf(s) + s.length] as const
const gold = [
  { type: "PER", start: at("John Smith")[0], end: at("John Smith")[1] },
  { type: "ORG", start: at("Acme Corp.")[0], end: at("Acme Corp.")[1] },
  { type: "LOC", start: at("Boston")[0], end: at("Boston")[1] },
  { type: "LOC", start: at("Mass.")[0], end: at("Mass.")[1] },
  // CoNLL04's miscellaneous type is never scored
  { type: "Other", start: at("visited")[0], end: at("visited")[1] }
]

describe("scoredTypeOf", () => {
  it("maps our types and common synonyms onto PER, ORG, LOC, and nothing else", () => {
    expect(["Person", "organisation", "Location", "GPE", "Place", "per"].map(scoredTypeOf)).toEqual([
      "PER",
      "ORG",
      "LOC",
      "LOC",
      "LOC",
      "PER"
    ])
    expect(["Date", "Money", "Other", "Event"].map(scoredTypeOf)).toEqual([undefined, undefined, undefined, undefined])
  })
})

describe("trimSpan", () => {
  it("shrinks past punctuation and spaces at both ends", () => {
    expect(trimSpan(text, ...at(" Mass."))).toEqual([at("Mass")[0], at("Mass")[1]])
    expect(trimSpan("((x))", 0, 5)).toEqual([2, 3])
    expect(trimSpan("...", 0, 3)).toEqual([3, 3])
  })
})

describe("scoreEntities", () => {
  it("scores strict spans and types, with punctuation trimmed (CoNLL04)", () => {
    const byType = typeTallies()
    const misses = scoreEntities(
      { id: "1", text, entities: gold },
      [
        { id: "m1", type: "Person", start: at("John Smith")[0], end: at("John Smith")[1] }, // tp
        { id: "m2", type: "Organization", start: at("Acme Corp")[0], end: at("Acme Corp")[1] }, // tp: "." trimmed
        { id: "m3", type: "Person", start: at("Boston")[0], end: at("Boston")[1] }, // fp PER, and LOC Boston fn
        { id: "m4", type: "Location", start: at("Mass.")[0], end: at("Mass.")[1] }, // tp
        { id: "m5", type: "Location", start: at("Mass.")[0], end: at("Mass.")[1] }, // duplicate: counted once
        { id: "m6", type: "Date", start: at("visited")[0], end: at("visited")[1] } // unscored type
      ],
      { trim: true },
      byType
    )
    expect(byType).toEqual({
      PER: { tp: 1, fp: 1, fn: 0 },
      ORG: { tp: 1, fp: 0, fn: 0 },
      LOC: { tp: 1, fp: 0, fn: 1 }
    })
    // overall: tp 3, fp 1, fn 1 → P = R = F1 = 0.75
    const all = prf(sumTallies(Object.values(byType)))
    expect([all.precision, all.recall, all.f1]).toEqual([0.75, 0.75, 0.75])
    expect(misses.map((m) => `${m.kind} ${m.type} ${text.slice(m.start, m.end)}`)).toEqual([
      "fp PER Boston",
      "fn LOC Boston"
    ])
  })

  it("without trim, offsets must be equal (LitBank)", () => {
    const byType = typeTallies()
    scoreEntities(
      { id: "d", text, entities: gold },
      [
        { id: "m1", type: "Organization", start: at("Acme Corp")[0], end: at("Acme Corp")[1] }
      ],
      { trim: false },
      byType
    )
    expect(byType.ORG).toEqual({ tp: 0, fp: 1, fn: 1 })
    expect(byType.PER).toEqual({ tp: 0, fp: 0, fn: 1 })
  })
})

import { describe, expect, it } from "@effect/vitest"
import { findAll, findNearest, FUZZY_THRESHOLD, similarity } from "../src/Grounding.js"

const texts = (haystack: string, needle: string) =>
  findAll(haystack, needle).map((m) => [haystack.slice(m.start, m.end), m.grounding])

describe("findAll", () => {
  it("finds every exact occurrence, never inside a word", () => {
    const text = "Ada met Adam. Ada left; Ada."
    expect(findAll(text, "Ada")).toEqual([
      { start: 0, end: 3, grounding: "exact" },
      { start: 14, end: 17, grounding: "exact" },
      { start: 24, end: 27, grounding: "exact" }
    ])
  })

  it("falls back to case-, whitespace-, quote- and dash-insensitive matching", () => {
    const text = "Then  O’Brien\nmet the Bank of\tEngland — twice."
    expect(texts(text, "o'brien met")).toEqual([["O’Brien\nmet", "normalized"]])
    expect(texts(text, "bank of england - twice")).toEqual([["Bank of\tEngland — twice", "normalized"]])
  })

  it("prefers exact matches over normalised ones", () => {
    expect(texts("apple Apple APPLE", "Apple")).toEqual([["Apple", "exact"]])
  })

  it("aligns a paraphrased quote fuzzily, to whole words", () => {
    const text = "In 1833, Ada Lovelace was introduced to Charles Babbage by Mary Somerville at a party."
    const quote = "Ada Lovelace was introduced to Charles Babbage by Mary Somervile"
    const found = findAll(text, quote)
    expect(found).toHaveLength(1)
    expect(found[0]!.grounding).toBe("fuzzy")
    expect(text.slice(found[0]!.start, found[0]!.end)).toBe(
      "Ada Lovelace was introduced to Charles Babbage by Mary Somerville"
    )
  })

  it("drops the word the model left out and still aligns, but not below the threshold", () => {
    const text = "The engine was designed by Charles Babbage in London."
    expect(texts(text, "engine was designed by Babbage in London")).toEqual([[
      "engine was designed by Charles Babbage in London",
      "fuzzy"
    ]])
    expect(findAll(text, "The machine was built by Faraday in Paris")).toEqual([])
  })

  it("never matches short names fuzzily", () => {
    expect(findAll("Jan went home.", "Jon")).toEqual([])
    expect(findAll("Smyth went home.", "Smith")).toEqual([])
  })

  it("keeps UTF-16 positions correct around astral characters", () => {
    const text = "😀 Ada 𝄞 Lovelace wrote notes."
    const [m] = findAll(text, "ada 𝄞 lovelace")
    expect(text.slice(m!.start, m!.end)).toBe("Ada 𝄞 Lovelace")
    const [f] = findAll(text, "Ada 𝄞 Lovelaces wrote")
    expect(f!.grounding).toBe("fuzzy")
    expect(text.slice(f!.start, f!.end)).toBe("Ada 𝄞 Lovelace wrote")
  })

  it("matches nothing for an empty needle", () => {
    expect(findAll("text", "   ")).toEqual([])
  })
})

describe("similarity", () => {
  it("is 1 − Levenshtein distance / longer length, after folding case and whitespace", () => {
    expect(similarity("Babbage", "babbage")).toBe(1)
    expect(similarity("Somerville", "Somervile")).toBeCloseTo(1 - 1 / 10)
    expect(similarity("abcde", "vwxyz")).toBe(0)
    expect(FUZZY_THRESHOLD).toBe(0.8)
  })
})

describe("findNearest", () => {
  it("picks the occurrence closest to a position", () => {
    const text = "Ada. Then Babbage. Later Ada again."
    expect(findNearest(text, "Ada", 30)!.start).toBe(25)
    expect(findNearest(text, "Ada", 2)!.start).toBe(0)
    expect(findNearest(text, "Faraday", 2)).toBeUndefined()
  })
})

import { describe, expect, it } from "@effect/vitest"
import { findAmounts } from "../../../src/Extractor/Nlp/Amounts.js"
import { keyOf } from "../../../src/Extractor/Nlp/Lexicon.js"

/** Tokens of one sentence from space-separated words; amounts as "Type: words". */
const amountsIn = (text: string) => {
  const words = text.split(" ")
  const tokens = words.map((value) => ({ value, key: keyOf(value), sentence: 0 }))
  return findAmounts(tokens).map((a) => `${a.type}: ${words.slice(a.first, a.last + 1).join(" ")}`)
}

describe("findAmounts", () => {
  it("finds dates written with months, weekdays, years, decades and relative words", () => {
    expect(amountsIn("On Jan. 8 , 1935 and 3 March 1891 , in December 1955 and on Monday")).toEqual([
      "Date: Jan. 8 , 1935",
      "Date: 3 March 1891",
      "Date: December 1955",
      "Date: Monday"
    ])
    expect(amountsIn("In 1865 , in the 1960s , last week and two years ago")).toEqual([
      "Date: 1865",
      "Date: 1960s",
      "Date: last week",
      "Date: two years ago"
    ])
  })

  it("does not take a month that is a common word, or a bare number, for a date", () => {
    expect(amountsIn("You may march 2000 miles if you May")).toEqual([])
    expect(amountsIn("May 5 was sunny")).toEqual(["Date: May 5"])
  })

  it("finds money after a currency sign or before a currency word", () => {
    expect(amountsIn("He paid $ 5 million , £ 300 and 12 billion Slovak crowns , not 40 apples")).toEqual([
      "Money: $ 5 million",
      "Money: £ 300",
      "Money: 12 billion Slovak crowns"
    ])
  })

  it("keeps a date inside its sentence", () => {
    const tokens = [
      { value: "March", key: "march", sentence: 0 },
      { value: "5", key: "5", sentence: 1 }
    ]
    expect(findAmounts(tokens)).toEqual([])
  })
})

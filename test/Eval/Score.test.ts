import { describe, expect, it } from "@effect/vitest"
import { compareKeys, prf, sumTallies, tally } from "../../src/Eval/Score.js"

describe("Score", () => {
  it("counts set matches and returns the keys only one side has", () => {
    const t = tally()
    // gold {a, b, c}; predicted {b, c, d, d}: d twice counts once
    const diff = compareKeys(["a", "b", "c"], ["b", "c", "d", "d"], t)
    expect(t).toEqual({ tp: 2, fp: 1, fn: 1 })
    expect(diff).toEqual({ missed: ["a"], wrong: ["d"] })
  })

  it("computes precision, recall and F1 rounded to 4 decimals", () => {
    // P = 2/3, R = 2/5, F1 = 2·(2/3)(2/5)/((2/3)+(2/5)) = 0.5
    const s = prf({ tp: 2, fp: 1, fn: 3 })
    expect([s.precision, s.recall, s.f1]).toEqual([0.6667, 0.4, 0.5])
    expect([s.tp, s.fp, s.fn]).toEqual([2, 1, 3])
  })

  it("gives 0, not NaN, for empty denominators", () => {
    const s = prf({ tp: 0, fp: 0, fn: 0 })
    expect([s.precision, s.recall, s.f1]).toEqual([0, 0, 0])
    expect(prf({ tp: 0, fp: 3, fn: 0 }).f1).toBe(0)
  })

  it("micro-averages by summing tallies", () => {
    expect(sumTallies([{ tp: 1, fp: 2, fn: 3 }, { tp: 4, fp: 0, fn: 1 }])).toEqual({ tp: 5, fp: 2, fn: 4 })
  })
})

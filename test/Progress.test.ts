import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { overallPercent, Progress, ProgressSink } from "../src/Progress.js"

const capture = (isTTY: boolean) => {
  const written: Array<string> = []
  const layer = Progress.Default.pipe(
    Layer.provide(
      Layer.succeed(ProgressSink, { isTTY, write: (t) => void written.push(t), columns: 100, quiet: false })
    )
  )
  return { written, layer }
}

describe("Progress", () => {
  it("weights stages and clamps to 0–100", () => {
    expect(overallPercent("chunk", 0)).toBe(0)
    expect(overallPercent("extract", 0)).toBeCloseTo(5)
    expect(overallPercent("extract", 0.5)).toBeCloseTo(45)
    expect(overallPercent("render", 1)).toBeCloseTo(100)
    expect(overallPercent("render", 7)).toBe(100)
    expect(overallPercent("chunk", -1)).toBe(0)
    expect(overallPercent("chunk", Number.NaN)).toBe(0)
  })

  it.effect("never goes backwards, whatever order facts arrive in", () => {
    const { layer } = capture(false)
    return Effect.gen(function*() {
      const p = yield* Progress
      yield* p.begin("doc-0", "x.txt")
      yield* p.stageStarted("extract", 10, "chunks")
      yield* p.advanced("extract", 8)
      const high = yield* p.percent
      yield* p.advanced("extract", 3) // late, lower report
      expect(yield* p.percent).toBe(high)
      yield* p.stageStarted("chunk", 1, "%") // an earlier stage reported late
      expect(yield* p.percent).toBe(high)
      yield* p.advanced("extract", 99) // beyond total
      expect(yield* p.percent).toBeLessThanOrEqual(100)
    }).pipe(Effect.provide(layer))
  })

  it.effect("prints a few plain lines when stderr is not a terminal", () => {
    const { layer, written } = capture(false)
    return Effect.gen(function*() {
      const p = yield* Progress
      yield* p.begin("doc-0", "x.txt")
      yield* p.stageStarted("extract", 100, "chunks")
      for (let i = 1; i <= 100; i++) yield* p.advanced("extract", i)
      yield* p.stageCompleted("extract", "5 mentions")
      yield* p.end("completed")
      expect(written.join("")).not.toContain("\r")
      expect(written).toHaveLength(3)
      expect(written[1]).toMatch(/^doc-0: extract: 5 mentions \(\d+ ms\)\n$/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("redraws one line with a bar on a terminal", () => {
    const { layer, written } = capture(true)
    return Effect.gen(function*() {
      const p = yield* Progress
      yield* p.begin("doc-0", "x.txt")
      yield* p.stageStarted("extract", 4, "chunks")
      yield* p.stageCompleted("extract", "done")
      const bar = written.filter((w) => w.startsWith("\r"))
      expect(bar.length).toBeGreaterThan(0)
      expect(bar.at(-1)).toMatch(/█+░*\s+85% extract 0\/4 chunks/)
    }).pipe(Effect.provide(layer))
  })
})

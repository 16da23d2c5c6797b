import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { makeThrottle } from "../../../src/Extractor/Llm/Throttle.js"

/** Starts `costs.length` acquisitions in order and returns the virtual times (ms) they were admitted at. */
const admissionTimes = (
  throttle: Effect.Effect.Success<ReturnType<typeof makeThrottle>>,
  costs: ReadonlyArray<number>
) =>
  Effect.gen(function*() {
    const times: Array<number> = []
    const fibers: Array<Fiber.RuntimeFiber<void>> = []
    for (const cost of costs) {
      fibers.push(
        yield* Effect.fork(
          throttle.acquire(cost).pipe(
            Effect.zipRight(Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => void times.push(t))))
          )
        )
      )
      yield* Effect.yieldNow()
    }
    yield* TestClock.adjust("60 seconds")
    yield* Fiber.joinAll(fibers)
    return times
  })

describe("Throttle", () => {
  it.effect("spaces requests to the rpm limit after a one-second burst", () =>
    Effect.gen(function*() {
      const throttle = yield* makeThrottle({ rpm: 60, tpm: null })
      expect(yield* admissionTimes(throttle, [1, 1, 1, 1, 1])).toEqual([0, 0, 1000, 2000, 3000])
    }))

  it.effect("books tokens against the tpm limit and credits back what was not used", () =>
    Effect.gen(function*() {
      // 6,000 tokens a minute: 10 ms per token.
      const throttle = yield* makeThrottle({ rpm: null, tpm: 6000 })
      expect(yield* admissionTimes(throttle, [500, 500, 500])).toEqual([0, 4000, 9000])
      const other = yield* makeThrottle({ rpm: null, tpm: 6000 })
      const now = yield* Clock.currentTimeMillis
      yield* other.acquire(500)
      yield* other.settle(500, 100) // used 400 tokens fewer: the next may go 4 s earlier
      expect(yield* admissionTimes(other, [500])).toEqual([now])
    }))

  it.effect("holds every request until a pause (Retry-After) is over, even without limits", () =>
    Effect.gen(function*() {
      const throttle = yield* makeThrottle({ rpm: null, tpm: null })
      yield* throttle.pauseUntil(2500)
      expect(yield* admissionTimes(throttle, [1, 1])).toEqual([2500, 2500])
    }))
})

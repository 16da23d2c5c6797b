/**
 * Client-side rate limiting of model requests, so a long document never
 * trips the provider's limits in the first place: requests per minute
 * (`--rpm`), tokens per minute (`--tpm`), and a shared pause when the
 * provider answers 429 with Retry-After.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/**
 * Burst tolerance of both limits, in milliseconds: up to one second's worth
 * of the per-minute budget may go out at once. OpenAI documents that a
 * per-minute limit "may be enforced over shorter periods" (e.g. 60,000
 * requests/minute as 1,000 requests/second), so a limiter that released a
 * whole minute's budget in one burst would trip it.
 */
export const BURST_MS = 1000

/**
 * One rate limit as the Generic Cell Rate Algorithm (GCRA, ITU-T I.371
 * "virtual scheduling"): each unit of cost advances a theoretical arrival
 * time `tat` by `60 000 / perMinute` ms; a request may go once
 * `now ≥ tat − BURST_MS`. O(1) per request, no timers, exact at any rate.
 */
class Gcra {
  private tat = 0
  constructor(private readonly msPerUnit: number) {}

  /** Milliseconds to wait before a request of `cost` units may go at `now`. */
  waitMs(now: number): number {
    return Math.max(0, this.tat - BURST_MS - now)
  }

  /** Books `cost` units at `now` (call once {@link waitMs} is 0). */
  book(now: number, cost: number): void {
    this.tat = Math.max(this.tat, now) + cost * this.msPerUnit
  }

  /** Corrects an earlier booking by `delta` units (negative when fewer were used); never schedules before `now`. */
  adjust(now: number, delta: number): void {
    this.tat = Math.max(now, this.tat + delta * this.msPerUnit)
  }
}

/** Limits; null means unlimited. */
export interface ThrottleOptions {
  /** Most requests per minute. */
  readonly rpm: number | null
  /** Most tokens per minute (the caller's estimate of input + output tokens per request). */
  readonly tpm: number | null
}

export interface ThrottleShape {
  /**
   * Waits until a request estimated at `tokens` tokens may go, then books it
   * against both limits. Requests are admitted in the order they asked
   * (FIFO), so no request starves. Never fails; interruptible while waiting.
   */
  readonly acquire: (tokens: number) => Effect.Effect<void>
  /** Corrects the token booking of an admitted request once its real usage is known. */
  readonly settle: (estimated: number, actual: number) => Effect.Effect<void>
  /** Holds every request until epoch millisecond `until` (the provider's Retry-After). */
  readonly pauseUntil: (until: number) => Effect.Effect<void>
}

/** A throttle with the given limits. */
export const makeThrottle = (options: ThrottleOptions): Effect.Effect<ThrottleShape> =>
  Effect.gen(function*() {
    const requests = options.rpm === null ? null : new Gcra(60_000 / options.rpm)
    const tokens = options.tpm === null ? null : new Gcra(60_000 / options.tpm)
    const gate = yield* Effect.makeSemaphore(1)
    let pausedUntil = 0

    const acquire = (cost: number) =>
      gate.withPermits(1)(Effect.gen(function*() {
        for (;;) {
          const now = yield* Clock.currentTimeMillis
          const wait = Math.max(
            pausedUntil - now,
            requests?.waitMs(now) ?? 0,
            tokens?.waitMs(now) ?? 0
          )
          if (wait <= 0) {
            requests?.book(now, 1)
            tokens?.book(now, cost)
            return
          }
          yield* Effect.sleep(wait)
        }
      }))

    /** Without limits only a pause holds requests back; no gate, so no serialisation. */
    const waitForPause: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      now >= pausedUntil
        ? Effect.void
        : Effect.zipRight(
          Effect.sleep(pausedUntil - now),
          Effect.suspend(() => waitForPause)
        ))

    return {
      acquire: requests === null && tokens === null ? () => waitForPause : acquire,
      settle: (estimated, actual) =>
        Effect.map(Clock.currentTimeMillis, (now) => tokens?.adjust(now, actual - estimated)),
      pauseUntil: (until) => Effect.sync(() => void (pausedUntil = Math.max(pausedUntil, until)))
    } satisfies ThrottleShape
  })

/**
 * Worker threads: whether to use them (the `EXTRACT_WORKERS` setting and the
 * size of the input, read by Extractor/Nlp.ts `workersFor`, which also
 * decides the chunker's thread in BatchRunner.ts), how to start one on the
 * bundled or the source module (`startThread`), and how to hold one between
 * documents (`leased`): the embedded extractor's pool and the chunker's
 * thread (Chunker/Threaded.ts) share all three.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { statSync } from "node:fs"
import * as WorkerThreads from "node:worker_threads"

/**
 * `EXTRACT_WORKERS`, when set: how many worker threads the embedded
 * extractor uses, 0 meaning none at all (everything in this thread). Dies
 * on a value that is not an integer of 0 or more.
 */
export const configuredWorkers: Effect.Effect<Option.Option<number>> = Config.integer("EXTRACT_WORKERS").pipe(
  Config.validate({ message: "EXTRACT_WORKERS must be 0 or more", validation: (n) => n >= 0 }),
  Config.option,
  Effect.orDie
)

/**
 * Bytes of these input files together, counting only files of at most
 * `maxBytes` (larger ones are refused unread, DocumentReader.ts, and start
 * no thread). Stdin (`-`) and files that cannot be stat'ed count as empty
 * (the reader reports them).
 */
export const inputBytes = (files: ReadonlyArray<string>, maxBytes = Infinity): number => {
  let bytes = 0
  for (const f of files) {
    if (f === "-") continue
    try {
      const size = statSync(f).size
      if (size <= maxBytes) bytes += size
    } catch {
      // the reader reports it
    }
  }
  return bytes
}

/**
 * A resource that is made in the background and can be let go between
 * uses: worker threads, which take about 0.5 s to load their models.
 * `start` begins making it without waiting (the caller does other work
 * meanwhile); `get` waits for it, making it again if it was released;
 * `release` ends it (its finalizers run, a thread terminates) until the
 * next `get`. It is made in a scope of its own inside the caller's scope,
 * which ends it at the latest. Failures of `make` come out of `get`.
 */
export const leased = <A, E, R>(make: Effect.Effect<A, E, R | Scope.Scope>) =>
  Effect.gen(function*() {
    const outer = yield* Effect.scope
    const context = yield* Effect.context<Exclude<R, Scope.Scope>>()
    const leasing = yield* Effect.makeSemaphore(1)
    let current: { readonly value: Effect.Effect<A, E>; readonly scope: Scope.CloseableScope } | undefined
    const lease = leasing.withPermits(1)(Effect.suspend(() => {
      if (current !== undefined) return Effect.succeed(current.value)
      return Effect.gen(function*() {
        const scope = yield* Scope.fork(outer, ExecutionStrategy.sequential)
        const making = make.pipe(Scope.extend(scope), Effect.provide(context)) as Effect.Effect<A, E>
        current = { value: Fiber.join(yield* Effect.forkIn(making, scope)), scope }
        return current.value
      })
    }))
    return {
      start: Effect.asVoid(lease),
      get: Effect.flatten(lease),
      release: leasing.withPermits(1)(Effect.suspend(() => {
        const ending = current
        current = undefined
        return ending === undefined ? Effect.void : Scope.close(ending.scope, Exit.void)
      }))
    } as const
  })

/**
 * Starts a worker thread on one of two modules, whichever this process
 * runs: `bundled` (an entry point of `dist/`, scripts/build.ts) when
 * `caller` — the starting module's `import.meta.url` — is bundled JavaScript,
 * `source` (a `.ts` file, loaded through tsx) when it is TypeScript run from
 * source. Both URLs are resolved against `caller`. `maxOldGenerationSizeMb`
 * caps the thread's old generation (MiB).
 */
export const startThread = (
  caller: string,
  modules: { readonly source: string; readonly bundled: string },
  maxOldGenerationSizeMb: number
): WorkerThreads.Worker => {
  const resourceLimits = { maxOldGenerationSizeMb }
  return caller.endsWith(".ts")
    ? new WorkerThreads.Worker(new URL(modules.source, caller), { execArgv: ["--import", "tsx"], resourceLimits })
    : new WorkerThreads.Worker(new URL(modules.bundled, caller), { resourceLimits })
}

/**
 * RunPipelines.holding: a process holds a run's lock only while something
 * of the run's workflow runs in it. When the last holder ends with the run
 * still open (the workflow stopped here without ending the run, as when its
 * shard moves to another runner), the run is closed and its lock released,
 * so another process can take the run over; while any holder runs, it stays
 * open.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NoDatabase } from "../../src/Domain/DatabaseUrl.js"
import { RunConfig } from "../../src/Domain/Run.js"
import type { RawSettings } from "../../src/Settings.js"
import { ExtractionRunService, RunStoreConfig } from "../../src/Store/ExtractionRunService.js"
import { RunPipelines } from "../../src/Workflow/RunPipelines.js"
import { runServicesLayer } from "../../src/Workflow/WorkflowRuntime.js"
import { documentOf } from "../support/GoldenRun.js"

const config = new RunConfig({
  extractor: "nlp",
  model: null,
  baseUrl: null,
  chunkSize: 100,
  chunkOverlap: 10,
  tokenizer: "o200k_base",
  concurrency: 2
})
const text = "Ada Lovelace wrote to Charles Babbage.\n"
const document = documentOf(text, "doc.txt")

const servicesIn = (outputDir: string) => {
  const settings: RawSettings = {
    files: [],
    outputDir,
    extractor: "nlp",
    model: Option.none(),
    baseUrl: Option.none(),
    chunkSize: 100,
    chunkOverlap: 10,
    concurrency: 2,
    force: false,
    json: false,
    quiet: true
  }
  // the pipelines' extractors are built on demand (pipelineFor), which this test never asks for
  return runServicesLayer({ outputDir, settings }, new NoDatabase()).pipe(
    Layer.provideMerge(NodeContext.layer)
  ) as Layer.Layer<RunPipelines | ExtractionRunService>
}

/** Whether another process's store (a fresh one, not waiting) can open the run now. */
const anotherCanOpen = (outputDir: string) =>
  Effect.gen(function*() {
    const store = yield* ExtractionRunService
    return yield* store.createRun(document, config).pipe(
      Effect.zipRight(Effect.sync(() => true)),
      Effect.catchTag("RunLocked", () => Effect.succeed(false))
    )
  }).pipe(
    Effect.provide(
      ExtractionRunService.Default.pipe(
        Layer.provide(RunStoreConfig.layer(outputDir, { wait: false })),
        Layer.provide(NodeContext.layer),
        Layer.fresh
      )
    ),
    Effect.scoped
  )

describe("RunPipelines.holding", () => {
  it.live(
    "keeps the run open while any holder runs, and releases its lock when the last one ends",
    () =>
      Effect.gen(function*() {
        const outputDir = mkdtempSync(join(tmpdir(), "extract-holding-"))
        const { lockExists, runId } = yield* Effect.gen(function*() {
          const pipelines = yield* RunPipelines
          const store = yield* ExtractionRunService
          const runId = (yield* store.createRun(document, config)).runId
          yield* store.closeRun(runId)
          const lockExists = () => existsSync(join(store.runDirOf(runId), ".lock"))
          const open = pipelines.ensureOpen(runId, store.createRun(document, config))

          // without a holder, a run opened stays open (and locked) until it is ended or the process exits
          yield* open
          expect(store.isOpen(runId)).toBe(true)
          yield* store.closeRun(runId)

          // two holders (the workflow's body and one activity): the run stays open until both have ended
          const bodyMayEnd = yield* Deferred.make<void>()
          const activityMayEnd = yield* Deferred.make<void>()
          const body = yield* Effect.fork(pipelines.holding(runId, Deferred.await(bodyMayEnd)))
          const activity = yield* Effect.fork(
            pipelines.holding(runId, Effect.zipRight(open, Deferred.await(activityMayEnd)))
          )
          yield* Effect.sleep("50 millis")
          expect(store.isOpen(runId)).toBe(true)
          expect(lockExists()).toBe(true)
          yield* Deferred.succeed(bodyMayEnd, undefined)
          yield* Fiber.join(body)
          // the body is gone (its shard moved), the activity still runs: still open, still locked
          expect(store.isOpen(runId)).toBe(true)
          expect(yield* anotherCanOpen(outputDir)).toBe(false)
          yield* Deferred.succeed(activityMayEnd, undefined)
          yield* Fiber.join(activity)
          expect(store.isOpen(runId)).toBe(false)
          // released while this process goes on: another process can take the run over
          const lock = lockExists()
          expect(yield* anotherCanOpen(outputDir)).toBe(true)
          return { runId, lockExists: lock }
        }).pipe(Effect.provide(Layer.fresh(servicesIn(outputDir))), Effect.scoped)
        expect(runId).toMatch(/^doc-[0-9a-f]{12}$/)
        expect(lockExists).toBe(false)
      }),
    60_000
  )
})

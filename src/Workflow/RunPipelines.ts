/**
 * The pipelines of a process that runs workflows: one {@link Pipeline} per
 * distinct extractor setup, built on demand from the process's own settings
 * (provider, API key) with a request's {@link ExtractionOptions} over them,
 * and all sharing this process's one run store (whose open runs are the
 * locks this process holds) and progress.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { PipelineError, type UsageError } from "../Domain/Errors.js"
import type { RunConfig } from "../Domain/Run.js"
import type { ExtractionOptions } from "../Domain/Workflow.js"
import { Pipeline } from "../Pipeline.js"
import { Progress } from "../Progress.js"
import { type ExtractSettings, type RawSettings, resolveSettings } from "../Settings.js"
import { ExtractionRunService } from "../Store/ExtractionRunService.js"
import { Tokenizer } from "../Tokenizer.js"
import { configHash } from "./ExtractionWorkflow.js"

/**
 * The process's flags with a request's options over them (absent options
 * keep the flag). `files` is set to `-` (a request carries its document).
 */
export const rawSettingsFor = (base: RawSettings, options: ExtractionOptions): RawSettings => {
  const some = <A>(a: A | undefined, fallback: Option.Option<A>) => (a === undefined ? fallback : Option.some(a))
  const llm = base.llm
  return {
    ...base,
    files: ["-"],
    chunkSize: options.chunkSize ?? base.chunkSize,
    chunkOverlap: options.chunkOverlap ?? base.chunkOverlap,
    concurrency: options.concurrency ?? base.concurrency,
    force: options.force ?? base.force,
    formats: some(options.formats?.join(","), base.formats ?? Option.none()),
    baseIri: some(options.baseIri, base.baseIri ?? Option.none()),
    ...(llm === undefined ? {} : {
      llm: {
        ...llm,
        entityTypes: some(options.entityTypes?.join(","), llm.entityTypes),
        relationTypes: some(options.relationTypes?.join(","), llm.relationTypes),
        passes: options.passes ?? llm.passes,
        keepUngrounded: options.keepUngrounded ?? llm.keepUngrounded,
        temperature: some(options.temperature, llm.temperature)
      }
    })
  }
}

/** This process's own settings (flags, environment, defaults), which requests' options override. */
export class RunnerSettings extends Context.Tag("RunnerSettings")<RunnerSettings, RawSettings>() {}

export class RunPipelines extends Effect.Service<RunPipelines>()("RunPipelines", {
  scoped: Effect.gen(function*() {
    const context = yield* Effect.context<
      | ExtractionRunService
      | Progress
      | Tokenizer
      | Layer.Layer.Context<typeof Pipeline.Default>
      | FileSystem.FileSystem
      | Path.Path
    >()
    const tokenizer = yield* Tokenizer
    const base = yield* RunnerSettings
    const store = yield* ExtractionRunService
    const scope = yield* Effect.scope
    const built = new Map<string, Pipeline>()
    const lock = yield* Effect.makeSemaphore(1)

    /**
     * Resolves the process's settings with `options` over them, as
     * `extract` would (the same UsageError messages).
     */
    const settingsFor = (options: ExtractionOptions) =>
      resolveSettings(rawSettingsFor(base, options), tokenizer.encoding).pipe(Effect.provide(context))

    /**
     * The pipeline for a run recorded with `config`, from this process's
     * settings and the run's options. Fails with PipelineError when this
     * process's settings give another result-affecting config than the one
     * the run was submitted with (a runner with another model or base URL
     * would produce other results), UsageError for bad options.
     */
    const pipelineFor = Effect.fn("RunPipelines.pipelineFor")(function*(
      options: ExtractionOptions,
      config: RunConfig
    ): Effect.fn.Return<Pipeline, PipelineError | UsageError> {
      const settings = yield* settingsFor(options)
      if (configHash(settings.config) !== configHash(config)) {
        return yield* new PipelineError({
          stage: "begin",
          message:
            `this runner's settings (extractor ${settings.config.extractor}, model ${settings.config.model}) give another config than the run was submitted with (extractor ${config.extractor}, model ${config.model}); start runners with the submitter's provider settings`
        })
      }
      const key = `${configHash(config)}:${settings.config.concurrency}`
      return yield* lock.withPermits(1)(Effect.gen(function*() {
        const existing = built.get(key)
        if (existing) return existing
        const pipeline = yield* pipelineLayer(settings).pipe(
          Layer.provide(Layer.succeedContext(context)),
          Layer.buildWithScope(scope),
          Effect.provide(context),
          Effect.map((ctx) => ctx.pipe((c) => c.unsafeMap.get(Pipeline.key) as Pipeline)),
          Effect.orDie
        )
        built.set(key, pipeline)
        return pipeline
      }))
    })

    const reopening = new Map<string, Effect.Semaphore>()
    const semaphoreOf = (runId: string) => {
      let semaphore = reopening.get(runId)
      if (!semaphore) reopening.set(runId, semaphore = Effect.unsafeMakeSemaphore(1))
      return semaphore
    }
    /**
     * Runs `reopen` unless this process has the run open already; one at a
     * time per run (a resumed workflow's activities start together, and
     * each must not take the run's lock against the others).
     */
    const ensureOpen = <E>(runId: string, reopen: Effect.Effect<unknown, E>): Effect.Effect<void, E> =>
      Effect.suspend(() => {
        if (store.isOpen(runId)) return Effect.void
        return semaphoreOf(runId).withPermits(1)(
          Effect.suspend(() => (store.isOpen(runId) ? Effect.void : Effect.asVoid(reopen)))
        )
      })

    const holders = new Map<string, number>()
    /**
     * Runs `self` as part of the run's workflow in this process (its body,
     * or one of its activities). A process holds a run's lock only while
     * something of the run's workflow runs in it: when the last of these
     * ends and the run is still open (the workflow stopped here without
     * ending the run: its shard moved to another runner, or the runner is
     * draining), the run is closed, releasing its lock, so that the runner
     * that carries on with the workflow can take it. Closing and reopening
     * ({@link ensureOpen}) take turns on the run's semaphore.
     */
    const holding = <A, E, R>(runId: string, self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.acquireUseRelease(
        Effect.sync(() => void holders.set(runId, (holders.get(runId) ?? 0) + 1)),
        () => self,
        () =>
          Effect.suspend(() => {
            const left = (holders.get(runId) ?? 1) - 1
            if (left > 0) return Effect.sync(() => void holders.set(runId, left))
            holders.delete(runId)
            if (!store.isOpen(runId)) return Effect.void
            return semaphoreOf(runId).withPermits(1)(
              Effect.suspend(() =>
                holders.has(runId) || !store.isOpen(runId) ? Effect.void : store.closeRun(runId).pipe(Effect.ignore)
              )
            )
          })
      )

    return { settingsFor, pipelineFor, ensureOpen, holding } as const
  })
}) {}

/** A Pipeline with the extractor of `settings` (imported on demand, as BatchRunner does). */
const pipelineLayer = (settings: ExtractSettings) => {
  const extractor = settings.config.extractor === "llm"
    ? Layer.unwrapEffect(
      Effect.promise(() => import("../Extractor/Llm.js")).pipe(Effect.map((m) => m.layerFromSettings(settings)))
    )
    : Layer.unwrapEffect(Effect.promise(() => import("../Extractor/Nlp.js")).pipe(Effect.map((m) => m.layer)))
  return Pipeline.Default.pipe(Layer.provide(extractor))
}

/** Closes a scope, ignoring its exit (for tests building RunPipelines by hand). */
export const closeScope = (scope: Scope.CloseableScope) => Scope.close(scope, Exit.void)

/**
 * Runs the pipeline over every input of one `extract` invocation and
 * reports each result: one line per input on stdout (`<runId>\t<runDir>`,
 * or a JSON object with `--json`), messages on stderr.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { Chunker } from "./Chunker.js"
import * as Threaded from "./Chunker/Threaded.js"
import { DocumentReader } from "./DocumentReader.js"
import { ExitCode } from "./Domain/Errors.js"
import { RunStats } from "./Domain/Run.js"
import { DryRun, type DryRunPlan } from "./DryRun.js"
import { addRunsFromStore, describeAdd } from "./Graph/GraphCommands.js"
import { GraphStore, GraphStoreConfig } from "./Graph/GraphStore.js"
import { Pipeline, type RunSummary } from "./Pipeline.js"
import { Progress, ProgressSink } from "./Progress.js"
import { Renderer } from "./Renderer.js"
import { Resolver } from "./Resolver.js"
import type { ExtractSettings } from "./Settings.js"
import { storeMirror } from "./Sql/StoreMirror.js"
import { ExtractionRunService, RunStoreConfig, type RunStoreMirror } from "./Store/ExtractionRunService.js"

const encodeStats = Schema.encodeSync(RunStats)

/**
 * The exit code of a batch: 1 if any run failed, else 4 if any input was
 * refused, else 5 if any run was locked (`--no-wait`), else 3 if any run was
 * partial, else 0.
 */
export const batchExitCode = (
  outcomes: ReadonlyArray<"completed" | "partial" | "failed" | "badInput" | "locked">
): number =>
  outcomes.includes("failed")
    ? ExitCode.runFailed
    : outcomes.includes("badInput")
    ? ExitCode.badInput
    : outcomes.includes("locked")
    ? ExitCode.locked
    : outcomes.includes("partial")
    ? ExitCode.partial
    : ExitCode.ok

export class BatchRunner extends Effect.Service<BatchRunner>()("BatchRunner", {
  effect: Effect.gen(function*() {
    const reader = yield* DocumentReader

    /**
     * The layers one invocation runs with: its extractor, its output
     * directory, its progress sink. Extractor modules are imported on demand:
     * the OpenAI client and the NLP model each take a few hundred
     * milliseconds to load, and a run needs only one of them.
     */
    const layerFor = (settings: ExtractSettings) => {
      const extraction = settings.config.extractor === "llm"
        ? Layer.merge(
          Layer.unwrapEffect(
            Effect.promise(() => import("./Extractor/Llm.js")).pipe(Effect.map((m) => m.layerFromSettings(settings)))
          ),
          Chunker.Default
        )
        : Layer.unwrapEffect(
          Effect.promise(() => import("./Extractor/Nlp.js")).pipe(
            Effect.flatMap((m) =>
              Effect.map(m.workersFor(settings.files, settings.maxInputBytes), (workers) =>
                // With the embedded extractor in worker threads, the chunker works in a thread of its own too
                // (Chunker/Threaded.ts): this thread then only writes files and joins results.
                workers > 0
                  ? Layer.merge(m.pooledLayer(workers), Threaded.layer())
                  : Layer.merge(m.layer, Chunker.Default))
            )
          )
        )
      const storeConfig = (mirror: RunStoreMirror | undefined) =>
        RunStoreConfig.layer(settings.outputDir, {
          wait: settings.wait,
          // shown even with -q: the user should know why nothing happens
          onLockWait: (message) => Effect.sync(() => void process.stderr.write(`extract: ${message}\n`)),
          ...(mirror === undefined ? {} : { mirror })
        })
      const store = ExtractionRunService.Default.pipe(Layer.provide(
        // --- SQL mirror (issue 10): dual write at each status change, unless --database none or a dry run
        settings.database === undefined || settings.dryRun
          ? storeConfig(undefined)
          : Layer.unwrapScoped(Effect.map(storeMirror(settings.database, settings.outputDir), storeConfig))
      ))
      const progress = Progress.Default.pipe(Layer.provide(ProgressSink.stderr(settings.quiet)))
      // context graphs (issue 12): `--context` adds each completed run
      const graphs = GraphStore.Default.pipe(Layer.provide(GraphStoreConfig.layer(settings.outputDir, {
        wait: settings.wait,
        onLockWait: (message) => Effect.sync(() => void process.stderr.write(`extract: ${message}\n`))
      })))
      return Layer.mergeAll(Pipeline.DefaultWithoutDependencies, DryRun.DefaultWithoutDependencies).pipe(
        Layer.provideMerge(
          Layer.mergeAll(extraction, store, progress, graphs, Resolver.Default, Renderer.Default)
        )
      )
    }

    /** Prints a dry run's plan: one line per input (`--json`: one object). */
    const reportPlan = (settings: ExtractSettings, input: string, plan: DryRunPlan) =>
      settings.json
        ? Console.log(JSON.stringify({ dryRun: true, input, ...plan }))
        : Console.log(
          `${input}\t${plan.chunkCount} chunks\t${plan.inputTokens} input tokens\t${plan.calls} calls\t${plan.cached} cached answers` +
            (plan.inputCostUsd === null ? "" : `\t$${plan.inputCostUsd.toFixed(4)} input cost`)
        )

    const report = (settings: ExtractSettings, input: string, summary: RunSummary) =>
      settings.json
        ? Console.log(JSON.stringify({
          runId: summary.runId,
          status: summary.status,
          runDir: summary.runDir,
          input,
          reused: summary.reused,
          stats: encodeStats(summary.stats),
          error: summary.error
        }))
        : summary.status === "completed"
        ? Console.log(`${summary.runId}\t${summary.runDir}`).pipe(
          Effect.zipRight(
            summary.stats.partial
              ? Console.error(
                `extract: ${input}: run ${summary.runId} completed partially: ${summary.stats.failedChunks} of ${summary.stats.chunkCount} chunks failed (extract runs errors ${summary.runId})`
              )
              : Effect.void
          )
        )
        : Console.error(`extract: ${input}: run ${summary.runId} ${summary.status}: ${summary.error ?? ""}`)

    /**
     * Runs every input in order and returns the batch's exit code
     * ({@link batchExitCode}). One input's failure does not stop the others.
     */
    const run = Effect.fn("BatchRunner.run")(function*(
      settings: ExtractSettings,
      graph?: { readonly context: string }
    ) {
      for (const notice of settings.notices) yield* Console.error(notice)
      graphFailures = 0
      const progress = yield* Progress
      const pipeline = yield* Pipeline
      const dryRun = yield* DryRun
      /** Reports an input that never got a run summary: a JSON line, or a notice on stderr; returns its outcome. */
      const refused = <O extends "badInput" | "locked" | "failed">(
        input: string,
        status: string,
        notice: string,
        error: string,
        outcome: O
      ) =>
        Effect.as(
          settings.json
            ? Console.log(JSON.stringify({ runId: null, status, runDir: null, input, error }))
            : progress.notice(notice),
          outcome
        )
      const outcomes: Array<"completed" | "partial" | "failed" | "badInput" | "locked"> = []
      for (const [position, input] of settings.files.entries()) {
        const outcome = yield* reader.read(input, { encoding: settings.encoding, maxBytes: settings.maxInputBytes })
          .pipe(
            Effect.tap((document) =>
              document.replacements > 0
                ? progress.notice(
                  `extract: ${input}: ${document.replacements} invalid byte sequence(s) decoded as U+FFFD (--encoding ${settings.encoding})`
                )
                : Effect.void
            ),
            Effect.flatMap((document) =>
              settings.dryRun
                ? dryRun.plan(document, settings.config).pipe(
                  Effect.tap((plan) => reportPlan(settings, input, plan)),
                  Effect.as("completed" as const)
                )
                : pipeline.run(document, settings.config, {
                  force: settings.force,
                  last: position === settings.files.length - 1
                }).pipe(
                  Effect.tap((summary) => report(settings, input, summary)),
                  Effect.tap((summary) =>
                    graph === undefined ? Effect.void : addToGraph(graph.context, summary, settings.quiet)
                  ),
                  Effect.map((summary) =>
                    summary.status !== "completed"
                      ? "failed" as const
                      : summary.stats.partial
                      ? "partial" as const
                      : "completed" as const
                  )
                )
            ),
            Effect.catchTags({
              InputError: (e) => refused(input, "rejected", `extract: ${e.message}`, e.message, "badInput"),
              RunLocked: (e) => refused(input, "locked", `extract: ${input}: ${e.message}`, e.message, "locked"),
              StoreError: (e) => refused(input, "failed", `extract: ${e.message}`, e.message, "failed")
            })
          )
        outcomes.push(outcome)
      }
      if (graph !== undefined && !settings.dryRun) {
        const flushed = yield* Effect.flatMap(GraphStore, (g) => g.flush(graph.context)).pipe(
          Effect.as(true),
          Effect.catchAll((e) => Effect.as(progress.notice(`extract: context ${graph.context}: ${e.message}`), false))
        )
        if (!flushed || graphFailures > 0) outcomes.push("failed")
      }
      return batchExitCode(outcomes)
    }, (effect, settings) => Effect.provide(effect, layerFor(settings)))

    let graphFailures = 0
    /**
     * `--context`: adds a completed run to the context graph (graph.jsonl is
     * written once, at the end of the batch); a failure is reported and
     * makes the batch exit 1, but does not stop the other inputs.
     */
    const addToGraph = (context: string, summary: RunSummary, quiet: boolean) =>
      summary.status !== "completed"
        ? Effect.void
        : addRunsFromStore(context, [summary.runId], { flush: false }).pipe(
          Effect.flatMap((results) =>
            quiet
              ? Effect.void
              : Effect.forEach(
                results,
                (r) => Console.error(`extract: ${describeAdd(context, r).replaceAll("\t", " ")}`)
              )
          ),
          Effect.catchAll((e) =>
            Effect.sync(() => graphFailures++).pipe(
              Effect.zipRight(Console.error(`extract: ${summary.runId}: not added to context ${context}: ${e.message}`))
            )
          )
        )

    return { run } as const
  }),
  dependencies: [DocumentReader.Default]
}) {}

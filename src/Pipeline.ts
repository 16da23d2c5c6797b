/**
 * The pipeline: four named stages, chunk → extract → resolve → render, over
 * explicit state. Each stage is a function from serialisable input to
 * serialisable output (chunks, per-chunk extractions, graphs, output files),
 * so each can become a durable activity (@effect/workflow) without change.
 * Stages report facts to {@link Progress} and audit events to the
 * {@link ExtractionRunService}; neither prints anything itself.
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { Chunker } from "./Chunker.js"
import type { Chunk } from "./Domain/Chunk.js"
import type { SourceDocument } from "./Domain/Document.js"
import type { ExtractionError, PipelineError, StoreError } from "./Domain/Errors.js"
import type { KnowledgeGraph, ResolutionGraph } from "./Domain/Graph.js"
import { isOutputFormat } from "./Domain/Output.js"
import { type RunConfig, resultAffectingConfig, RunStats, type RunStatus } from "./Domain/Run.js"
import { ExtractionRunService } from "./ExtractionRunService.js"
import { Extractor } from "./Extractor.js"
import { buildGraphs } from "./GraphBuilder.js"
import { type MergedExtraction, mergeExtractions } from "./MergeExtractions.js"
import { Progress, type Stage } from "./Progress.js"
import { Renderer } from "./Renderer.js"
import { Resolver } from "./Resolver.js"

/** Options of one pipeline run that are not part of its config. */
export interface RunOptions {
  /** Re-run even if a completed run with the same config exists. */
  readonly force: boolean
}

/** What a run ended as; printed per input by the CLI. */
export interface RunSummary {
  readonly runId: string
  readonly runDir: string
  readonly status: RunStatus
  /** True when a completed run with the same config was found and nothing was re-extracted. */
  readonly reused: boolean
  readonly stats: RunStats
  /** One-line reason when the run failed. */
  readonly error: string | null
}

/** The state shared by the stages of one run. */
interface RunContext {
  readonly runId: string
  readonly document: SourceDocument
  readonly config: RunConfig
}

const sameConfig = (a: RunConfig, b: RunConfig) =>
  JSON.stringify(resultAffectingConfig(a)) === JSON.stringify(resultAffectingConfig(b))

/** Runs `self` and pairs its result with its wall time in whole milliseconds. */
const elapsed = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.timed(self), ([d, a]) => [a, Math.round(Duration.toMillis(d))] as const)

export class Pipeline extends Effect.Service<Pipeline>()("Pipeline", {
  effect: Effect.gen(function*() {
    const store = yield* ExtractionRunService
    const chunker = yield* Chunker
    const extractor = yield* Extractor
    const resolver = yield* Resolver
    const renderer = yield* Renderer
    const progress = yield* Progress

    /** chunk: the document into token-budgeted, sentence-aligned chunks, saved under input/chunks/. */
    const chunkStage = Effect.fn("Pipeline.chunk")(function*(ctx: RunContext) {
      yield* progress.stageStarted("chunk", 100, "%")
      const [chunks, ms] = yield* elapsed(chunker.chunk(ctx.document, {
        size: ctx.config.chunkSize,
        overlap: ctx.config.chunkOverlap,
        onProgress: (done, total) => Effect.runSync(progress.advanced("chunk", Math.floor((done / Math.max(1, total)) * 100)))
      }))
      yield* store.saveChunks(ctx.runId, chunks)
      const tokens = chunks.reduce((n, c) => n + c.tokens, 0)
      yield* store.emitEvent(ctx.runId, "chunking.complete", { chunkCount: chunks.length, tokens, durationMs: ms })
      yield* progress.stageCompleted("chunk", `${chunks.length} chunks, ${tokens} tokens`)
      return chunks
    })

    /** extract: every chunk through the Extractor (bounded concurrency), results saved under extractions/. */
    const extractStage = Effect.fn("Pipeline.extract")(function*(ctx: RunContext, chunks: ReadonlyArray<Chunk>) {
      yield* progress.stageStarted("extract", chunks.length, "chunks")
      let done = 0
      const [results, ms] = yield* elapsed(Effect.forEach(
        chunks,
        (chunk) =>
          extractor.extract(chunk).pipe(
            Effect.tap((x) => store.saveExtraction(ctx.runId, x)),
            Effect.tap(() => progress.advanced("extract", ++done))
          ),
        { concurrency: Math.max(1, ctx.config.concurrency) }
      ))
      const merged = mergeExtractions(results)
      yield* store.emitEvent(ctx.runId, "extraction.complete", {
        extractor: extractor.kind,
        mentionCount: merged.mentions.length,
        relationCount: merged.relations.length,
        duplicateMentions: merged.duplicateMentions,
        ungrounded: merged.ungrounded,
        durationMs: ms
      })
      yield* progress.stageCompleted("extract", `${merged.mentions.length} mentions, ${merged.relations.length} relations`)
      return merged
    })

    /** resolve: mentions into entities, relations onto entities. */
    const resolveStage = Effect.fn("Pipeline.resolve")(function*(ctx: RunContext, extraction: MergedExtraction) {
      yield* progress.stageStarted("resolve", extraction.mentions.length, "mentions")
      const [resolution, ms] = yield* elapsed(resolver.resolve(extraction.mentions))
      const graphs = buildGraphs({
        runId: ctx.runId,
        documentSha256: ctx.document.sha256,
        documentLength: ctx.document.length,
        mentions: extraction.mentions,
        relations: extraction.relations,
        resolution
      })
      yield* store.emitEvent(ctx.runId, "resolution.complete", {
        mentionCount: extraction.mentions.length,
        entityCount: graphs.graph.entities.length,
        relationCount: graphs.graph.relations.length,
        merged: extraction.mentions.length - graphs.graph.entities.length,
        durationMs: ms
      })
      yield* progress.stageCompleted("resolve", `${graphs.graph.entities.length} entities`)
      return graphs
    })

    /** render: the graphs into output files, saved under outputs/ with checksums in metadata.json. */
    const renderStage = Effect.fn("Pipeline.render")(function*(
      ctx: RunContext,
      graphs: { readonly graph: KnowledgeGraph; readonly resolution: ResolutionGraph }
    ) {
      const [outputs, ms] = yield* elapsed(renderer.render(graphs.graph, graphs.resolution, {
        formats: ctx.config.formats.filter(isOutputFormat),
        baseIri: ctx.config.baseIri
      }))
      yield* progress.stageStarted("render", outputs.length, "files")
      let done = 0
      const files = yield* Effect.forEach(outputs, (o) =>
        store.saveOutput(ctx.runId, o).pipe(Effect.tap(() => progress.advanced("render", ++done))))
      const removed = yield* store.pruneOutputs(ctx.runId, files.map((f) => f.path))
      yield* store.emitEvent(ctx.runId, "rendering.complete", {
        files: files.map((f) => f.path),
        ...(removed.length > 0 ? { removed } : {}),
        bytes: files.reduce((n, f) => n + f.bytes, 0),
        durationMs: ms
      })
      yield* progress.stageCompleted("render", `${files.length} files`)
      return files
    })

    /**
     * Runs the pipeline on one document. A completed run of the same
     * document with the same result-affecting config is reused unless
     * `force`. Stage failures are recorded in the run (`errors`,
     * `run.failed`) and returned as a `failed` summary; interruption records
     * `run.interrupted`. Fails only with StoreError when the run store itself
     * cannot be written.
     */
    const run = Effect.fn("Pipeline.run")(function*(document: SourceDocument, config: RunConfig, options: RunOptions) {
      const handle = yield* store.createRun(document, config)
      const ctx: RunContext = { runId: handle.runId, document, config }
      yield* progress.begin(handle.runId, document.path)

      if (!options.force && Option.isSome(handle.previous)) {
        const previous = handle.previous.value
        if (previous.status === "completed" && sameConfig(previous.config, config)) {
          yield* store.completeRun(handle.runId, previous.stats, { reused: true })
          yield* progress.end("already complete with this config; reused (--force re-runs it)")
          return {
            runId: handle.runId,
            runDir: handle.runDir,
            status: "completed",
            reused: true,
            stats: previous.stats,
            error: null
          } satisfies RunSummary
        }
      }

      const started = Date.now()
      let stage: Stage = "chunk"
      let stats = new RunStats({ chunkCount: 0, mentionCount: 0, entityCount: 0, relationCount: 0, durationMs: 0, ungrounded: 0 })
      yield* store.emitEvent(handle.runId, "run.started", {
        extractor: config.extractor,
        model: config.model,
        force: options.force,
        resumed: Option.isSome(handle.previous)
      })

      const stages: Effect.Effect<void, ExtractionError | PipelineError | StoreError> = Effect.gen(function*() {
        const chunks = yield* chunkStage(ctx)
        stats = new RunStats({ ...stats, chunkCount: chunks.length })
        stage = "extract"
        const extraction = yield* extractStage(ctx, chunks)
        stats = new RunStats({ ...stats, mentionCount: extraction.mentions.length, ungrounded: extraction.ungrounded })
        stage = "resolve"
        const graphs = yield* resolveStage(ctx, extraction)
        stats = new RunStats({ ...stats, entityCount: graphs.graph.entities.length, relationCount: graphs.graph.relations.length })
        stage = "render"
        yield* renderStage(ctx, graphs)
      })

      const exit = yield* Effect.exit(stages).pipe(
        Effect.onInterrupt(() =>
          store.interruptRun(handle.runId, { stage, percent: Effect.runSync(progress.percent), durationMs: Date.now() - started }).pipe(
            Effect.zipRight(progress.end(`interrupted during ${stage}`)),
            Effect.ignore
          )
        )
      )
      stats = new RunStats({ ...stats, durationMs: Date.now() - started })
      if (Exit.isSuccess(exit)) {
        yield* store.completeRun(handle.runId, stats)
        yield* progress.end(`completed: ${stats.entityCount} entities, ${stats.relationCount} relations (${stats.durationMs} ms)`)
        return { runId: handle.runId, runDir: handle.runDir, status: "completed", reused: false, stats, error: null } satisfies RunSummary
      }
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure)) return yield* Effect.failCause(exit.cause as Cause.Cause<never>)
      const error = failure.value
      if (error._tag === "StoreError") {
        // The store may be unwritable (disk full): record what we can, then report.
        yield* store.failRun(handle.runId, error, stats).pipe(Effect.ignore)
        return yield* Effect.fail(error)
      }
      yield* store.failRun(handle.runId, error, stats)
      yield* progress.end(`failed during ${stage}: ${error.message}`)
      return {
        runId: handle.runId,
        runDir: handle.runDir,
        status: "failed",
        reused: false,
        stats,
        error: error.message
      } satisfies RunSummary
    })

    return { run, chunkStage, extractStage, resolveStage, renderStage } as const
  }),
  dependencies: [Chunker.Default, Resolver.Default, Renderer.Default]
}) {}

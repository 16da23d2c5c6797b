/**
 * The pipeline: four named stages, chunk → extract → resolve → render, over
 * explicit state. Each stage is a function from serialisable input to
 * serialisable output (chunks, per-chunk extractions, graphs, output files),
 * so each can become a durable activity (@effect/workflow) without change.
 * Stages report facts to {@link Progress} and audit events to the
 * {@link ExtractionRunService}; neither prints anything itself.
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { hostname } from "node:os"
import { Chunker } from "./Chunker.js"
import type { Chunk as DocumentChunk } from "./Domain/Chunk.js"
import type { SourceDocument } from "./Domain/Document.js"
import { ExtractionError, type PipelineError, type StoreError } from "./Domain/Errors.js"
import type { ChunkExtraction, LlmUsage, Mention } from "./Domain/Extraction.js"
import type { KnowledgeGraph, Resolution, ResolutionGraph } from "./Domain/Graph.js"
import { isOutputFormat } from "./Domain/Output.js"
import {
  emptyStats,
  LlmStats,
  type OutputFile,
  resultAffectingConfig,
  type RunConfig,
  RunStats,
  type RunStatus
} from "./Domain/Run.js"
import { Extractor, ExtractorEvents } from "./Extractor.js"
import { buildGraphs } from "./GraphBuilder.js"
import { type MergedExtraction, mergeExtractions } from "./MergeExtractions.js"
import { Progress, type Stage } from "./Progress.js"
import { Renderer, type RenderOptions } from "./Renderer.js"
import { Resolver } from "./Resolver.js"
import { ExtractionRunService, type RunHandle } from "./Store/ExtractionRunService.js"

/** Options of one pipeline run that are not part of its config. */
export interface RunOptions {
  /** Re-run even if a completed run with the same config exists. */
  readonly force: boolean
  /**
   * No other document follows this one (the last input of `extract`): the
   * chunker lets go of its sentence model once the document is chunked, and
   * the extractor's `release` is called once its chunks are extracted, so
   * the resolve and render stages run without either (or the extractor's
   * worker threads).
   */
  readonly last?: boolean
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
export interface RunContext {
  readonly runId: string
  readonly document: SourceDocument
  readonly config: RunConfig
}

const sameConfig = (a: RunConfig, b: RunConfig) =>
  JSON.stringify(resultAffectingConfig(a)) === JSON.stringify(resultAffectingConfig(b))

/** What the extract stage produced: the merged extraction, the chunks that failed, and what the model cost. */
export interface ExtractOutcome extends MergedExtraction {
  /** Chunks whose extraction failed (non-fatally); recorded in the run's errors. */
  readonly failedChunks: ReadonlyArray<number>
  /** Sums of the chunks' LLM usage (successful and failed), or null when the extractor uses no model. */
  readonly llm: LlmStats | null
}

/** One chunk's extraction: its result, or the non-fatal failure recorded as `chunk.failed`. */
export type ChunkOutcome = { readonly ok: ChunkExtraction } | { readonly failed: ExtractionError }

/** Sums LLM usage into run stats, with the cost when the config has prices (USD per million tokens). */
export const sumLlmUsage = (usages: ReadonlyArray<LlmUsage>, config: RunConfig): LlmStats | null => {
  if (usages.length === 0 && config.llm === null) return null
  const sum = (f: (u: LlmUsage) => number) => usages.reduce((n, u) => n + f(u), 0)
  const inputTokens = sum((u) => u.inputTokens)
  const outputTokens = sum((u) => u.outputTokens)
  const priceIn = config.llm?.priceInput ?? null
  const priceOut = config.llm?.priceOutput ?? null
  return new LlmStats({
    calls: sum((u) => u.calls),
    retries: sum((u) => u.retries),
    reasks: sum((u) => u.reasks),
    inputTokens,
    outputTokens,
    cacheHits: sum((u) => u.cacheHits),
    cacheMisses: sum((u) => u.cacheMisses),
    costUsd: priceIn === null && priceOut === null
      ? null
      : (inputTokens * (priceIn ?? 0) + outputTokens * (priceOut ?? 0)) / 1e6
  })
}

// The stages' cores, shared with `runs verify --repair` (src/RunVerifier.ts), which
// rebuilds outputs from stored extraction results and must get the same bytes.

/**
 * The extract stage's document-level result from per-chunk results: merged
 * (overlap duplicates removed), then the extractor's document-level pass
 * (`harmonize`), if it has one.
 */
export const joinExtractions = (
  results: ReadonlyArray<ChunkExtraction>,
  harmonize: ((mentions: ReadonlyArray<Mention>) => ReadonlyArray<Mention>) | undefined
): MergedExtraction => {
  const joined = mergeExtractions(results)
  return harmonize ? { ...joined, mentions: harmonize(joined.mentions) } : joined
}

/**
 * The resolve stage's graphs from the merged extraction and the resolver's
 * clusters; types and predicates that came from an ontology keep its IRIs
 * (`config.llm.vocabulary`).
 */
export const graphsOf = (
  runId: string,
  documentSha256: string,
  documentLength: number,
  extraction: MergedExtraction,
  resolution: Resolution,
  config: RunConfig
) => {
  const vocabulary = config.llm?.vocabulary ?? null
  return buildGraphs({
    runId,
    documentSha256,
    documentLength,
    mentions: extraction.mentions,
    relations: extraction.relations,
    resolution,
    ...(vocabulary === null ? {} : { vocabulary })
  })
}

/** The render stage's options for a run's config (its formats and base IRI) and its document text. */
export const renderOptionsOf = (config: RunConfig, text: string): RenderOptions => ({
  formats: config.formats.filter(isOutputFormat),
  baseIri: config.baseIri,
  text
})

/** Run stats once the extract stage is done: mention and ungrounded counts, failed chunks, LLM usage. */
export const statsAfterExtraction = (stats: RunStats, extraction: ExtractOutcome): RunStats =>
  new RunStats({
    ...stats,
    mentionCount: extraction.mentions.length,
    ungrounded: extraction.ungrounded,
    failedChunks: extraction.failedChunks.length,
    partial: extraction.failedChunks.length > 0,
    llm: extraction.llm
  })

/** Run stats once the resolve stage is done: entity and relation counts. */
export const statsAfterResolution = (stats: RunStats, graph: KnowledgeGraph): RunStats =>
  new RunStats({ ...stats, entityCount: graph.entities.length, relationCount: graph.relations.length })

/** A run as {@link Pipeline} `beginRun` opened it: `reused` is its summary when nothing is left to do. */
export interface BegunRun {
  readonly handle: RunHandle
  readonly reused: RunSummary | null
}

/** Chunk files written at once while the streamed chunk stage runs ({@link Pipeline} `chunkAndExtract`). */
const CHUNK_WRITERS = 8

/**
 * Lets Node's event loop run (I/O callbacks such as HTTP answers) before
 * going on: `setImmediate` runs after the loop's poll phase. `Effect.yieldNow`
 * alone lets other fibers run, but the loop only gets a turn when Effect's
 * scheduler falls back to a timer (every 2,048 microtask rounds).
 */
const yieldToEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

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
        onProgress: (done, total) =>
          Effect.runSync(progress.advanced("chunk", Math.floor((done / Math.max(1, total)) * 100)))
      }))
      yield* store.saveChunks(ctx.runId, chunks)
      const tokens = chunks.reduce((n, c) => n + c.tokens, 0)
      yield* store.emitEvent(ctx.runId, "chunking.complete", { chunkCount: chunks.length, tokens, durationMs: ms })
      yield* progress.stageCompleted("chunk", `${chunks.length} chunks, ${tokens} tokens`)
      return chunks
    })

    /** Audit events the extractor reports (retries, re-asks) become events of the run; never fails. */
    const extractorEvents = (runId: string) =>
      ExtractorEvents.of({
        report: (type, data) =>
          store.emitEvent(runId, type, data).pipe(Effect.catchAll((e) => Effect.logWarning(e.message)))
      })

    /**
     * extract, for one chunk: the chunk through the Extractor, its result
     * saved as `extractions/chunk-<index>.json` and recorded as the event
     * `chunk.extracted {chunk, mentionCount, relationCount}` (the per-chunk
     * fact that progress read from the journal counts, src/Server/RunEvents.ts;
     * the same for `extract` and for a workflow's extract activities). A non-fatal failure is
     * recorded (`chunk.failed` in the run's errors) and returned as a
     * {@link ChunkOutcome} `failed`; a fatal one (bad key, unreachable
     * server) fails with ExtractionError. The unit of work of a durable
     * extract activity: serialisable in (a Chunk) and out (a ChunkOutcome).
     */
    const extractChunk = Effect.fn("Pipeline.extractChunk")(function*(runId: string, chunk: DocumentChunk) {
      return yield* extractor.extract(chunk).pipe(
        Effect.provideService(ExtractorEvents, extractorEvents(runId)),
        // the file and its event together: an interruption leaves both or neither
        Effect.tap((x) =>
          Effect.uninterruptible(
            store.saveExtraction(runId, x).pipe(
              Effect.zipRight(store.emitEvent(runId, "chunk.extracted", {
                chunk: chunk.index,
                mentionCount: x.mentions.length,
                relationCount: x.relations.length
              }))
            )
          )
        ),
        Effect.map((x): ChunkOutcome => ({ ok: x })),
        Effect.catchIf(
          (e): e is ExtractionError => e._tag === "ExtractionError" && !e.fatal,
          (e) =>
            store.emitError(runId, "chunk.failed", e.message, { chunk: chunk.index, status: e.status }).pipe(
              Effect.as<ChunkOutcome>({ failed: e })
            )
        )
      )
    })

    /** How many chunks the extract stage works on at once for a run's config. */
    const chunksInFlight = (config: RunConfig) =>
      Math.max(1, extractor.chunksInFlight?.(config.concurrency) ?? config.concurrency)

    /**
     * extract, for the document: joins the chunks' outcomes (in chunk order)
     * into the stage's result, records `extraction.complete`. Fails with
     * ExtractionError when every chunk failed (a failed run, not a partial
     * one). `ms` is the stage's wall time in milliseconds.
     */
    const completeExtraction = Effect.fn("Pipeline.completeExtraction")(function*(
      ctx: RunContext,
      outcomes: ReadonlyArray<ChunkOutcome>,
      ms: number
    ) {
      const results = outcomes.flatMap((o) => ("ok" in o ? [o.ok] : []))
      const failed = outcomes.flatMap((o) => ("failed" in o ? [o.failed] : []))
      if (failed.length > 0 && results.length === 0) {
        // Nothing at all was extracted: that is a failed run, not a partial one.
        return yield* new ExtractionError({
          chunk: null,
          message: `every chunk failed; the first: ${failed[0]!.message}`,
          status: failed[0]!.status
        })
      }
      const merged = joinExtractions(results, extractor.harmonize)
      const usages = [...results.map((r) => r.usage), ...failed.map((f) => f.usage)].filter((u): u is LlmUsage =>
        u !== null
      )
      const llm = extractor.kind === "llm" ? sumLlmUsage(usages, ctx.config) : null
      const failedChunks = failed.map((f) => f.chunk ?? -1).sort((a, b) => a - b)
      yield* store.emitEvent(ctx.runId, "extraction.complete", {
        extractor: extractor.kind,
        mentionCount: merged.mentions.length,
        relationCount: merged.relations.length,
        duplicateMentions: merged.duplicateMentions,
        ungrounded: merged.ungrounded,
        failedChunks,
        ...(llm === null ? {} : { llm: Schema.encodeSync(LlmStats)(llm) }),
        durationMs: ms
      })
      yield* progress.stageCompleted(
        "extract",
        `${merged.mentions.length} mentions, ${merged.relations.length} relations` +
          (failedChunks.length > 0 ? `, ${failedChunks.length} of ${outcomes.length} chunks failed` : "") +
          (llm === null ? "" : `, ${llm.calls} model calls, ${llm.cacheHits} cached answers`)
      )
      return { ...merged, failedChunks, llm } satisfies ExtractOutcome
    })

    /**
     * chunk and extract, streamed: each chunk goes to the extractor as soon
     * as the chunker has decided it, so the first model request leaves while
     * the rest of the document is still being split. The same cores as
     * {@link chunkStage} then {@link extractChunk} per chunk and
     * {@link completeExtraction}, with the same results and
     * events (`chunking.complete` when the chunker is done, then
     * `extraction.complete`). Chunk files are written in the background, at
     * most 8 at once, and are all on disk before this returns. `onExtracting`
     * is called when the first chunk goes to the extractor, `onChunked` with
     * the chunk count once chunking is done.
     */
    const chunkAndExtract = Effect.fn("Pipeline.chunkAndExtract")(function*(
      ctx: RunContext,
      hooks: { readonly onExtracting: () => void; readonly onChunked: (chunkCount: number) => void }
    ) {
      yield* progress.stageStarted("chunk", 100, "%")
      const started = Date.now()
      const length = Math.max(1, ctx.document.length)
      // Chunk files are written by CHUNK_WRITERS daemon fibers taking chunks from a queue (null: no more), not
      // by a fiber per chunk queued on a semaphore: a semaphore wakes every waiter on each release, and
      // hundreds of waiters made that quadratic in CPU and memory.
      const toWrite = yield* Queue.unbounded<DocumentChunk | null>()
      const writer: Effect.Effect<void, StoreError> = Effect.flatMap(
        Queue.take(toWrite),
        (chunk) => chunk === null ? Effect.void : Effect.zipRight(store.saveChunk(ctx.runId, chunk), writer)
      )
      // daemons: the stream's own fibers end before the writes are joined below
      const writes = yield* Effect.forkDaemon(
        Effect.all(Array.from({ length: CHUNK_WRITERS }, () => writer), { concurrency: "unbounded", discard: true })
      )
      const noMoreWrites = Queue.offerAll(toWrite, Array.from({ length: CHUNK_WRITERS }, () => null))
      const decided: Array<DocumentChunk> = []
      let produced = 0
      let tokens = 0
      let extracted = 0
      let extractStarted = 0
      const chunkingDone = Effect.gen(function*() {
        yield* store.pruneChunks(ctx.runId, produced)
        yield* store.saveChunkIndex(ctx.runId, decided)
        yield* store.emitEvent(ctx.runId, "chunking.complete", {
          chunkCount: produced,
          tokens,
          durationMs: Date.now() - started
        })
        yield* progress.stageCompleted("chunk", `${produced} chunks, ${tokens} tokens`)
        if (produced === 0) {
          extractStarted = Date.now()
          yield* progress.stageStarted("extract", 0, "chunks")
        }
        yield* progress.resized("extract", produced)
        hooks.onChunked(produced)
      })
      const chunks = chunker.stream(ctx.document, {
        size: ctx.config.chunkSize,
        overlap: ctx.config.chunkOverlap,
        onProgress: (done, total) =>
          Effect.runSync(progress.advanced("chunk", Math.floor((done / Math.max(1, total)) * 100)))
      })
      const outcomes = yield* chunks.pipe(
        Stream.tap((chunk) =>
          Effect.gen(function*() {
            produced++
            tokens += chunk.tokens
            decided.push(chunk)
            if (produced === 1) {
              extractStarted = Date.now()
              hooks.onExtracting()
              yield* progress.stageStarted("extract", 1, "chunks")
            }
            // an estimate from how far into the document this chunk reaches
            yield* progress.resized("extract", Math.max(produced, Math.round(produced * length / chunk.span.end)))
            yield* Queue.offer(toWrite, chunk)
            // The chunker runs ahead on the thread that also reads the answers (a model's, a worker's): let
            // the event loop handle what has arrived between two chunks, or answers wait behind many chunks'
            // worth of splitting.
            if (extractor.offThread === true) yield* yieldToEventLoop
          })
        ),
        Stream.concat(Stream.execute(chunkingDone)),
        // Extraction elsewhere (a model server, worker threads: offThread) takes longer than splitting: the
        // chunker runs ahead in a fiber of its own, so chunking completes (and every chunk file is written)
        // however slowly the answers come. An extractor in this thread is paced by the same CPU, so it pulls
        // chunks as it goes instead.
        extractor.offThread === true ? Stream.buffer({ capacity: "unbounded" }) : identity,
        Stream.mapEffect(
          (chunk) => extractChunk(ctx.runId, chunk).pipe(Effect.tap(() => progress.advanced("extract", ++extracted))),
          { concurrency: chunksInFlight(ctx.config) }
        ),
        Stream.runCollect,
        // a fatal failure of one chunk ends the stream and is returned below; the stream's own
        // fibers need not log it again as unhandled (it would print a stack trace at --log-level debug)
        Effect.locally(FiberRef.unhandledErrorLogLevel, Option.none()),
        // the chunks queued so far are still written when extraction fails
        Effect.ensuring(noMoreWrites)
      )
      yield* Fiber.join(writes)
      const extraction = yield* completeExtraction(ctx, Chunk.toReadonlyArray(outcomes), Date.now() - extractStarted)
      return { chunkCount: produced, extraction }
    })

    /** resolve: mentions into entities, relations onto entities. */
    const resolveStage = Effect.fn("Pipeline.resolve")(function*(ctx: RunContext, extraction: MergedExtraction) {
      yield* progress.stageStarted("resolve", extraction.mentions.length, "mentions")
      const [resolution, ms] = yield* elapsed(resolver.resolve(extraction.mentions, { text: ctx.document.text }))
      const graphs = graphsOf(ctx.runId, ctx.document.sha256, ctx.document.length, extraction, resolution, ctx.config)
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
      // one file renders at a time, and its text is let go once written (memory stays at the two largest files)
      const planned = yield* renderer.plan(
        graphs.graph,
        graphs.resolution,
        renderOptionsOf(ctx.config, ctx.document.text)
      )
      yield* progress.stageStarted("render", planned.length, "files")
      let done = 0
      let ms = 0
      // Each file is written (and flushed to disk) while the next one renders; the writes stay one at a time
      // and in order, so metadata.json lists the outputs in the same order every run.
      const files: Array<OutputFile> = []
      let writing: Fiber.Fiber<OutputFile, StoreError> | undefined
      for (const o of planned) {
        const [content, t] = yield* elapsed(renderer.renderOne(o))
        ms += t
        if (writing !== undefined) files.push(yield* Fiber.join(writing))
        writing = yield* Effect.fork(
          store.saveOutput(ctx.runId, { type: o.type, path: o.path, content }).pipe(
            Effect.tap(() => progress.advanced("render", ++done))
          )
        )
      }
      if (writing !== undefined) files.push(yield* Fiber.join(writing))
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
     * The start of a run: opens it in the store (taking its lock), begins its
     * progress, and either reuses a completed run of the same document with
     * the same result-affecting config (unless `force`; `reused` is then its
     * summary and the run is closed) or records `run.started` (`started`:
     * extra fields for its data, e.g. the workflow execution). Fails with
     * RunLocked, StoreError.
     */
    const beginRun = Effect.fn("Pipeline.beginRun")(function*(
      document: SourceDocument,
      config: RunConfig,
      options: RunOptions,
      started: Record<string, unknown> = {}
    ) {
      const handle = yield* store.createRun(document, config)
      yield* progress.begin(handle.runId, document.path)

      if (!options.force && Option.isSome(handle.previous)) {
        const previous = handle.previous.value
        if (
          previous.status === "completed" && !previous.stats.partial && sameConfig(previous.config, config) &&
          previous.input.encoding === document.encoding
        ) {
          yield* store.completeRun(handle.runId, previous.stats, { reused: true })
          yield* progress.end("already complete with this config; reused (--force re-runs it)")
          const reused: RunSummary = {
            runId: handle.runId,
            runDir: handle.runDir,
            status: "completed",
            reused: true,
            stats: previous.stats,
            error: null
          }
          return { handle, reused } satisfies BegunRun
        }
      }

      yield* store.emitEvent(handle.runId, "run.started", {
        extractor: config.extractor,
        model: config.model,
        force: options.force,
        resumed: Option.isSome(handle.previous),
        // which process ran it (issue 6: runs are locked per process)
        pid: process.pid,
        host: hostname(),
        ...started
      })
      return { handle, reused: null } satisfies BegunRun
    })

    /**
     * The end of a run whose stages succeeded or failed (`exit`): records
     * `run.completed` (partial when chunks failed) or the error and
     * `run.failed`, ends its progress, closes it (releasing its lock), and
     * returns its summary. `stage` is where a failure happened. Fails with
     * the StoreError that ended the stages (after recording what it can), or
     * when the store cannot be written.
     */
    const endRun = Effect.fn("Pipeline.endRun")(function*(
      handle: RunHandle,
      exit: Exit.Exit<void, ExtractionError | PipelineError | StoreError>,
      stats: RunStats,
      stage: Stage
    ) {
      if (Exit.isSuccess(exit)) {
        yield* store.completeRun(handle.runId, stats, stats.partial ? { partial: true } : {})
        yield* progress.end(
          `completed${
            stats.partial ? ` partially (${stats.failedChunks} of ${stats.chunkCount} chunks failed)` : ""
          }: ` +
            `${stats.entityCount} entities, ${stats.relationCount} relations (${stats.durationMs} ms)`
        )
        return {
          runId: handle.runId,
          runDir: handle.runDir,
          status: "completed",
          reused: false,
          stats,
          error: null
        } satisfies RunSummary
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

    /**
     * The end of a run stopped before its stages finished (an interruption,
     * or a durable workflow asked to stop): records `run.interrupted`
     * `{stage, durationMs, ...data}` (the store adds `extractionsSaved`),
     * ends its progress, closes it (releasing its lock), and returns its
     * summary, status `interrupted`. Everything already saved (chunks,
     * extractions) stays. Fails with StoreError.
     */
    const interruptRun = Effect.fn("Pipeline.interruptRun")(function*(
      handle: RunHandle,
      stats: RunStats,
      stage: Stage,
      data: Record<string, unknown> = {}
    ) {
      yield* store.interruptRun(handle.runId, { stage, ...data, durationMs: stats.durationMs })
      yield* progress.end(`interrupted during ${stage}`)
      return {
        runId: handle.runId,
        runDir: handle.runDir,
        status: "interrupted",
        reused: false,
        stats,
        error: null
      } satisfies RunSummary
    })

    /**
     * Runs the pipeline on one document: {@link beginRun}, the four stages,
     * {@link endRun}. A completed run of the same document with the same
     * result-affecting config is reused unless `force`. Stage failures are
     * recorded in the run (`errors`, `run.failed`) and returned as a `failed`
     * summary; interruption records `run.interrupted`. Fails only with
     * StoreError when the run store itself cannot be written.
     */
    const run = Effect.fn("Pipeline.run")(function*(document: SourceDocument, config: RunConfig, options: RunOptions) {
      const begun = yield* beginRun(document, config, options)
      if (begun.reused !== null) return begun.reused
      const handle = begun.handle
      const ctx: RunContext = { runId: handle.runId, document, config }
      const started = Date.now()
      let stage: Stage = "chunk"
      let stats = emptyStats()

      const stages: Effect.Effect<void, ExtractionError | PipelineError | StoreError> = Effect.gen(function*() {
        // streamed: extraction starts on the first chunk while the rest is being split
        const { extraction } = yield* chunkAndExtract(ctx, {
          onExtracting: () => (stage = "extract"),
          onChunked: (chunkCount) => {
            stats = new RunStats({ ...stats, chunkCount })
            if (options.last === true) chunker.release()
          }
        })
        stats = statsAfterExtraction(stats, extraction)
        if (options.last === true && extractor.release !== undefined) yield* extractor.release
        stage = "resolve"
        const graphs = yield* resolveStage(ctx, extraction)
        stats = statsAfterResolution(stats, graphs.graph)
        stage = "render"
        yield* renderStage(ctx, graphs)
      })

      const exit = yield* Effect.exit(stages).pipe(
        Effect.onInterrupt(() =>
          interruptRun(handle, new RunStats({ ...stats, durationMs: Date.now() - started }), stage, {
            percent: Effect.runSync(progress.percent)
          }).pipe(Effect.ignore)
        )
      )
      stats = new RunStats({ ...stats, durationMs: Date.now() - started })
      return yield* endRun(handle, exit, stats, stage)
    })

    return {
      run,
      beginRun,
      endRun,
      interruptRun,
      chunkStage,
      chunkAndExtract,
      extractChunk,
      chunksInFlight,
      completeExtraction,
      resolveStage,
      renderStage
    } as const
  }),
  dependencies: [Chunker.Default, Resolver.Default, Renderer.Default]
}) {}

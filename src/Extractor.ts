/**
 * The extract stage's service: one chunk in, grounded mentions and relations
 * out. Two implementations provide it: `Extractor/Nlp.ts` (embedded, offline,
 * the default) and `Extractor/Llm.ts` (any OpenAI-compatible model).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Chunk } from "./Domain/Chunk.js"
import type { ExtractionError } from "./Domain/Errors.js"
import type { ChunkExtraction, Mention } from "./Domain/Extraction.js"
import type { ExtractorKind } from "./Domain/Run.js"

export interface ExtractorShape {
  /** Which implementation this is; recorded in run config and every ChunkExtraction. */
  readonly kind: ExtractorKind
  /**
   * Extracts from one chunk. Every returned mention and relation evidence has
   * a span in document code points whose `text` is exactly the document's
   * slice (the chunk's offset is already added). Mention ids are unique
   * within the run (`c<chunk>-m<n>`).
   *
   * Fails with {@link ExtractionError} when the chunk cannot be extracted
   * (provider unreachable, key rejected, output unusable after retries).
   */
  readonly extract: (chunk: Chunk) => Effect.Effect<ChunkExtraction, ExtractionError>
  /**
   * What extracting `chunk` would cost, without doing it (`--dry-run`).
   * Absent for extractors that cost nothing.
   */
  readonly plan?: (chunk: Chunk) => Effect.Effect<ExtractionPlan>
  /**
   * How many chunks the pipeline should hand to `extract` at once for
   * `--concurrency n`; n when absent. The llm extractor itself keeps at most
   * n model requests in flight and asks for more chunks than that, so that a
   * chunk whose result is being written to disk never leaves a request slot
   * idle.
   */
  readonly chunksInFlight?: (concurrency: number) => number
  /**
   * True when the work of `extract` happens outside this thread (a model
   * server for the llm extractor, worker threads for the embedded one). The
   * pipeline then lets the chunker run ahead of extraction in a fiber of its
   * own, giving the event loop a turn between chunks so answers are read,
   * instead of pulling one chunk each time extraction takes one.
   */
  readonly offThread?: boolean
  /**
   * Lets go of what the extractor holds for extracting (the embedded
   * extractor's worker threads, with their models: about 150–250 MB of
   * resident memory), when no more chunks will come for a while; the next
   * `extract` takes it up again. The CLI calls it after the last document's
   * extract stage, so resolving and rendering run without it. Never fails.
   */
  readonly release?: Effect.Effect<void>
  /**
   * Optional document-level pass over all merged mentions of a document,
   * run once after every chunk is extracted (e.g. making a name's type agree
   * across chunks). Returns the mentions, same ids and spans, in the same
   * order. Pure and total.
   */
  readonly harmonize?: (mentions: ReadonlyArray<Mention>) => ReadonlyArray<Mention>
}

/** The cost of extracting one chunk, estimated before spending anything. */
export interface ExtractionPlan {
  /** Model requests it would make at most (0 when every answer is cached). */
  readonly calls: number
  /** Input tokens of those requests, counted with the tokenizer (later gleaning passes also resend earlier answers, so this is a lower bound when `passes` > 1). */
  readonly inputTokens: number
  /** Answers already in the response cache. */
  readonly cached: number
}

export class Extractor extends Context.Tag("Extractor")<Extractor, ExtractorShape>() {}

/**
 * Where an extractor reports what happened while extracting a chunk
 * (retries, re-asks) as audit events `{type, data}`. The pipeline provides
 * it around each chunk; an extractor looks it up with {@link reportExtractorEvent},
 * so it stays optional and `extract` needs nothing else.
 */
export class ExtractorEvents extends Context.Tag("ExtractorEvents")<ExtractorEvents, {
  readonly report: (type: string, data: Record<string, unknown>) => Effect.Effect<void>
}>() {}

/** Reports an event to the {@link ExtractorEvents} in context, if there is one. */
export const reportExtractorEvent = (type: string, data: Record<string, unknown>): Effect.Effect<void> =>
  Effect.flatMap(
    Effect.serviceOption(ExtractorEvents),
    Option.match({ onNone: () => Effect.void, onSome: (e) => e.report(type, data) })
  )

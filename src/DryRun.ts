/**
 * `extract --dry-run`: what a run would cost, before spending anything.
 * Chunks the document as the pipeline would and asks the extractor for its
 * plan per chunk; writes nothing and makes no model request.
 */
import * as Effect from "effect/Effect"
import { Chunker } from "./Chunker.js"
import type { SourceDocument } from "./Domain/Document.js"
import type { RunConfig } from "./Domain/Run.js"
import { Extractor } from "./Extractor.js"

/** The estimate for one document. */
export interface DryRunPlan {
  readonly runId: string
  readonly chunkCount: number
  /** Tokens of all chunks (the chunker's tokenizer). */
  readonly chunkTokens: number
  /** Model requests the run would make at most (0 for the embedded extractor, or when every answer is cached). */
  readonly calls: number
  /** Input tokens of those requests: prompt, schema and chunk, counted with the tokenizer. */
  readonly inputTokens: number
  /** Answers already in the response cache (they cost nothing). */
  readonly cached: number
  /** Input cost in USD at `--price-input`, or null without a price (output tokens cannot be known in advance). */
  readonly inputCostUsd: number | null
}

export class DryRun extends Effect.Service<DryRun>()("DryRun", {
  effect: Effect.gen(function*() {
    const chunker = yield* Chunker
    const extractor = yield* Extractor

    /** Plans the run of `document` with `config`. Never fails. */
    const plan = Effect.fn("DryRun.plan")(function*(document: SourceDocument, config: RunConfig) {
      const chunks = yield* chunker.chunk(document, { size: config.chunkSize, overlap: config.chunkOverlap })
      const plans = extractor.plan === undefined
        ? []
        : yield* Effect.forEach(chunks, extractor.plan, { concurrency: 8 })
      const sum = (f: (p: { calls: number; inputTokens: number; cached: number }) => number) =>
        plans.reduce((n, p) => n + f(p), 0)
      const inputTokens = sum((p) => p.inputTokens)
      const price = config.llm?.priceInput ?? null
      return {
        runId: document.runId,
        chunkCount: chunks.length,
        chunkTokens: chunks.reduce((n, c) => n + c.tokens, 0),
        calls: sum((p) => p.calls),
        inputTokens,
        cached: sum((p) => p.cached),
        inputCostUsd: price === null ? null : (inputTokens * price) / 1e6
      } satisfies DryRunPlan
    })

    return { plan } as const
  }),
  dependencies: [Chunker.Default]
}) {}

/**
 * The extract stage's service: one chunk in, grounded mentions and relations
 * out. Two implementations provide it: `Extractor/Nlp.ts` (embedded, offline,
 * the default) and `Extractor/Llm.ts` (any OpenAI-compatible model).
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { Chunk } from "./Domain/Chunk.js"
import type { ExtractorKind } from "./Domain/Run.js"
import type { ExtractionError } from "./Domain/Errors.js"
import type { ChunkExtraction, Mention } from "./Domain/Extraction.js"

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
   * Optional document-level pass over all merged mentions of a document,
   * run once after every chunk is extracted (e.g. making a name's type agree
   * across chunks). Returns the mentions, same ids and spans, in the same
   * order. Pure and total.
   */
  readonly harmonize?: (mentions: ReadonlyArray<Mention>) => ReadonlyArray<Mention>
}

export class Extractor extends Context.Tag("Extractor")<Extractor, ExtractorShape>() {}

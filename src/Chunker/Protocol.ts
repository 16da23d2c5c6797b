/**
 * The messages between the main thread and the chunker's worker thread
 * (`Chunker/Worker.ts`, started by `Chunker/Threaded.ts`): one request per
 * document, answered with a stream of that document's chunk drafts, in
 * order. Both sides encode and decode with these schemas (`@effect/platform`'s
 * serialized workers).
 */
import * as Schema from "effect/Schema"

/** A chunk as the policy decided it: `Chunker.ts` {@link import("../Chunker.js").ChunkDraft}, in UTF-16 units. */
export const ChunkDraftSchema = Schema.Struct({
  start: Schema.Int,
  end: Schema.Int,
  tokens: Schema.Int,
  sentences: Schema.Int,
  read: Schema.Int
})

/**
 * Chunk `text` with budgets `size` and `overlap` (tokens): answered with
 * the drafts of `Chunker.ts` `chunkDrafts`, one stream element per chunk, as
 * soon as each is decided. The chunker never fails on a text: `failure` is
 * Never.
 */
export class ChunkText extends Schema.TaggedRequest<ChunkText>()("ChunkText", {
  failure: Schema.Never,
  success: ChunkDraftSchema,
  payload: { text: Schema.String, size: Schema.Number, overlap: Schema.Number }
}) {}

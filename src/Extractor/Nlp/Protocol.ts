/**
 * The messages between the embedded extractor and its worker threads
 * (`Nlp/Worker.ts`, started by `Nlp.ts` {@link import("../Nlp.js").pooledLayer}):
 * one request per chunk, answered with that chunk's extraction. Both sides
 * encode and decode with these schemas (`@effect/platform`'s serialized
 * workers), so what a worker returns is the value the in-thread extractor
 * would return.
 */
import * as Schema from "effect/Schema"
import { Chunk } from "../../Domain/Chunk.js"
import { ChunkExtraction } from "../../Domain/Extraction.js"

/** Extract one chunk. The embedded extractor never fails on a chunk: `failure` is Never. */
export class ExtractChunk extends Schema.TaggedRequest<ExtractChunk>()("ExtractChunk", {
  failure: Schema.Never,
  success: ChunkExtraction,
  payload: { chunk: Chunk }
}) {}

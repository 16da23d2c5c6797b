/**
 * The {@link Chunker} in a worker thread of its own (`Chunker/Worker.ts`),
 * for the embedded extractor's worker pool: the main thread then only
 * writes files and joins results, while one thread chunks and others
 * extract. On 5.5 MB of State of the Union prose the main thread was the
 * bottleneck with the chunker on it (issue 14; `npm run bench:nlp`).
 *
 * The chunks are those of `Chunker.Default`: the worker runs the same
 * policy (`Chunker.ts` `chunkDrafts`) on the same text, and this thread
 * ties each draft to the document (`chunksFromDrafts`), numbering them in
 * order.
 */
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import * as Worker from "@effect/platform/Worker"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as WorkerThreads from "node:worker_threads"
import { Chunker, type ChunkOptions, chunksFromDrafts } from "../Chunker.js"
import type { Chunk } from "../Domain/Chunk.js"
import type { SourceDocument } from "../Domain/Document.js"
import { leased, startThread } from "../Threads.js"
import { ChunkText } from "./Protocol.js"

/**
 * The worker's module: `dist/chunk-worker.js` next to the bundle's chunks,
 * or `Worker.ts` beside this file when running from source (through tsx).
 * Its old generation is capped at 512 MiB: it holds the sentence model
 * (about 60 MB), the tokenizer's ranks and one document's text.
 */
const spawnWorker = (): WorkerThreads.Worker =>
  startThread(import.meta.url, { source: "./Worker.ts", bundled: "../chunk-worker.js" }, 512)

/**
 * The Chunker with its work in one worker thread, started in the
 * background when the layer is built (it loads its model while this thread
 * reads the document) and ended with the layer's scope, or earlier by
 * `release` (the next document starts it again). Documents chunk one after
 * another in the worker, in the order they are asked for. `stream` emits
 * each chunk as the worker decides it; `chunk` collects the stream. Neither
 * fails: a worker that dies is a defect, as a bug in the in-thread chunker
 * would be. `spawn` starts the thread (tests count them).
 */
export const layer = (spawn: (id: number) => WorkerThreads.Worker = spawnWorker): Layer.Layer<Chunker> =>
  Layer.scoped(
    Chunker,
    Effect.gen(function*() {
      const thread = yield* leased(Worker.makeSerialized<ChunkText>({}))
      yield* thread.start
      const stream = (document: SourceDocument, options: ChunkOptions): Stream.Stream<Chunk> =>
        Stream.unwrap(Effect.map(thread.get, (worker) =>
          worker.execute(new ChunkText({ text: document.text, size: options.size, overlap: options.overlap })).pipe(
            Stream.map(chunksFromDrafts(document, options))
          ))).pipe(Stream.orDie)
      const chunk = Effect.fn("Chunker.chunk")(function*(document: SourceDocument, options: ChunkOptions) {
        return Array.from(yield* Stream.runCollect(stream(document, options)))
      })
      // called when a stream has ended (no chunking in flight): the thread ends in the background
      const release = () =>
        void Effect.runFork(thread.release)
      return Chunker.make({ chunk, stream, release })
    })
  ).pipe(Layer.provide(NodeWorker.layer(spawn)))

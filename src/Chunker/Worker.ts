/**
 * Entry point of the chunker's worker thread (bundled as
 * `dist/chunk-worker.js`, scripts/build.ts): loads the sentence splitter's
 * model and the tokenizer once, then answers {@link ChunkText} requests with
 * the drafts of the same policy the main thread runs (`Chunker.ts`
 * `chunkDrafts`). Started by `Chunker/Threaded.ts`; never run directly.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeWorkerRunner from "@effect/platform-node/NodeWorkerRunner"
import * as WorkerRunner from "@effect/platform/WorkerRunner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Stream from "effect/Stream"
import { chunkDrafts, type ChunkTools } from "../Chunker.js"
import { SentenceSplitter } from "../SentenceSplitter.js"
import { Tokenizer } from "../Tokenizer.js"
import { ChunkText } from "./Protocol.js"

const Handlers = Layer.unwrapEffect(Effect.gen(function*() {
  const splitter = yield* SentenceSplitter
  const tokenizer = yield* Tokenizer
  const tools: ChunkTools = { split: splitter.split, count: tokenizer.count }
  return WorkerRunner.layerSerialized(ChunkText, {
    // one message per draft: the first chunk leaves as soon as it is decided
    ChunkText: ({ overlap, size, text }) =>
      Stream.suspend(() => Stream.fromIteratorSucceed(chunkDrafts(text, { size, overlap }, tools), 1))
  })
})).pipe(Layer.provide(Layer.merge(SentenceSplitter.Default, Tokenizer.Default)))

// A worker's stdout is the process's stdout, which carries results only: logs go to stderr, as in bin.ts.
WorkerRunner.launch(Handlers.pipe(Layer.provide(NodeWorkerRunner.layer))).pipe(
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
  NodeRuntime.runMain({ disablePrettyLogger: true })
)

/**
 * Entry point of an embedded-extractor worker thread (bundled as
 * `dist/nlp-worker.js`, scripts/build.ts): loads the wink-nlp model and the
 * lexicon once, then answers {@link ExtractChunk} requests with the same
 * extractor the main thread runs in-process (`Nlp.ts` `layer`). Started by
 * the pool of `Nlp.ts` (`pooledLayer`); never run directly.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeWorkerRunner from "@effect/platform-node/NodeWorkerRunner"
import * as WorkerRunner from "@effect/platform/WorkerRunner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { Extractor } from "../../Extractor.js"
import { layer as nlpLayer } from "../Nlp.js"
import { ExtractChunk } from "./Protocol.js"

const Handlers = WorkerRunner.layerSerialized(ExtractChunk, {
  ExtractChunk: ({ chunk }) => Effect.flatMap(Extractor, (extractor) => extractor.extract(chunk)).pipe(Effect.orDie)
})

// A worker's stdout is the process's stdout, which carries results only: logs go to stderr, as in bin.ts.
WorkerRunner.launch(Handlers.pipe(Layer.provide(nlpLayer), Layer.provide(NodeWorkerRunner.layer))).pipe(
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
  NodeRuntime.runMain({ disablePrettyLogger: true })
)

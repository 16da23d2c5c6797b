/**
 * The embedded extractor in worker threads (Extractor/Nlp.ts `pooledLayer`):
 * it extracts what the in-thread extractor extracts, `release` ends its
 * threads, and the next chunk starts them again.
 */
import { expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { join } from "node:path"
import { Worker } from "node:worker_threads"
import { Chunk } from "../../src/Domain/Chunk.js"
import { ChunkExtraction } from "../../src/Domain/Extraction.js"
import { Span } from "../../src/Domain/Span.js"
import { Extractor } from "../../src/Extractor.js"
import * as Nlp from "../../src/Extractor/Nlp.js"
import { ROOT } from "../support/Cli.js"
import { until } from "../support/WorkflowProcesses.js"

const text = "Ada Lovelace met Charles Babbage in London on 5 June 1833. Babbage built the Analytical Engine."
const chunk = new Chunk({
  index: 0,
  span: new Span({ start: 0, end: Array.from(text).length, text }),
  tokens: 24,
  sentences: 2
})
const encode = Schema.encodeSync(ChunkExtraction)

it.live(
  "release ends the worker threads, and the next chunk starts them again with the same result",
  () =>
    Effect.gen(function*() {
      const inThread = yield* Effect.provide(Effect.flatMap(Extractor, (x) => x.extract(chunk)), Nlp.layer)
      expect(inThread.mentions.map((m) => m.span.text)).toEqual(
        expect.arrayContaining(["Ada Lovelace", "Charles Babbage", "London"])
      )
      const started: Array<Worker> = []
      let exited = 0
      const spawn = () => {
        // the built worker (npm test builds dist/ first): the module the CLI's pool starts
        const worker = new Worker(join(ROOT, "dist/nlp-worker.js"))
        worker.once("exit", () => void exited++)
        started.push(worker)
        return worker
      }
      yield* Effect.scoped(Effect.gen(function*() {
        const extractor = Context.get(yield* Layer.build(Nlp.pooledLayer(1, spawn)), Extractor)
        expect(encode(yield* extractor.extract(chunk))).toEqual(encode(inThread))
        expect(started.length).toBe(1)
        expect(extractor.release).toBeDefined()
        yield* extractor.release!
        yield* Effect.promise(() => until("worker thread 1 to exit", () => exited === 1, 10_000))
        expect(exited).toBe(1)
        // taken up again on the next chunk: a new thread, the same extraction
        expect(encode(yield* extractor.extract(chunk))).toEqual(encode(inThread))
        expect(started.length).toBe(2)
      }))
      // and the layer's scope ends the second one
      yield* Effect.promise(() => until("worker thread 2 to exit", () => exited === 2, 10_000))
      expect(exited).toBe(2)
    }),
  60_000
)

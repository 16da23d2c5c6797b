/**
 * The chunker in a worker thread (Chunker/Threaded.ts): the same chunks as
 * the in-thread chunker, progress as they are decided, and `release` ends
 * the thread (the next document starts another).
 */
import { expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { join } from "node:path"
import { Worker } from "node:worker_threads"
import { Chunker } from "../../src/Chunker.js"
import * as Threaded from "../../src/Chunker/Threaded.js"
import type { Chunk as DocumentChunk } from "../../src/Domain/Chunk.js"
import { ROOT } from "../support/Cli.js"
import { documentOf } from "../support/GoldenRun.js"
import { sotuText } from "../support/Sotu.js"
import { until } from "../support/WorkflowProcesses.js"

const doc = (text: string) => documentOf(text, "test.txt")
const shape = (chunks: ReadonlyArray<DocumentChunk>) =>
  chunks.map((c) => [c.index, c.span.start, c.span.end, c.span.text.length, c.tokens, c.sentences])

it.live("chunks as the in-thread chunker does, and release ends its thread", () =>
  Effect.gen(function*() {
    // two addresses on one line each, and one with a form feed and a line separator inside
    const text = sotuText({ from: "last", files: 2, separator: "" }) + "\n\nAda Lovelace wrote.\f\u2028Babbage built."
    const inThread = yield* Effect.provide(
      Effect.flatMap(Chunker, (c) =>
        Effect.all([c.chunk(doc(text), { size: 600, overlap: 0 }), c.chunk(doc(text), { size: 1200, overlap: 100 })])),
      Chunker.Default
    )
    expect(inThread[0].length).toBeGreaterThan(20)
    const started: Array<Worker> = []
    let exited = 0
    const spawn = () => {
      // the built worker (npm test builds dist/ first): the module the CLI starts
      const worker = new Worker(join(ROOT, "dist/chunk-worker.js"))
      worker.once("exit", () =>
        void exited++)
      started.push(worker)
      return worker
    }
    yield* Effect.scoped(Effect.gen(function*() {
      const chunker = Context.get(yield* Layer.build(Threaded.layer(spawn)), Chunker)
      let read = 0
      const streamed = Array.from(
        yield* Stream.runCollect(chunker.stream(doc(text), {
          size: 600,
          overlap: 0,
          onProgress: (done) => (read = Math.max(read, done))
        }))
      )
      expect(shape(streamed)).toEqual(shape(inThread[0]))
      expect(read).toBe(text.length)
      expect(shape(yield* chunker.chunk(doc(text), { size: 1200, overlap: 100 }))).toEqual(shape(inThread[1]))
      expect(started.length).toBe(1)
      chunker.release()
      yield* Effect.promise(() =>
        until("worker thread 1 to exit", () => exited === 1, 10_000)
      )
      expect(exited).toBe(1)
      // the next document starts a new thread, and chunks the same
      expect(shape(yield* chunker.chunk(doc(text), { size: 600, overlap: 0 }))).toEqual(shape(inThread[0]))
      expect(started.length).toBe(2)
    }))
    yield* Effect.promise(() => until("worker thread 2 to exit", () => exited === 2, 10_000))
    expect(exited).toBe(2)
  }), 60_000)

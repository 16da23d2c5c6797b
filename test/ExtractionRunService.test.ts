import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createHash } from "node:crypto"
import { SourceDocument } from "../src/Domain/Document.js"
import { RunConfig, RunStats } from "../src/Domain/Run.js"
import { ExtractionRunService, RunStoreConfig } from "../src/ExtractionRunService.js"

const config = new RunConfig({ extractor: "nlp", model: null, baseUrl: null, chunkSize: 100, chunkOverlap: 10, tokenizer: "o200k_base", concurrency: 2 })
const docOf = (text: string) => {
  const bytes = Buffer.from(text)
  return new SourceDocument(text, "doc.txt", bytes.length, createHash("sha256").update(bytes).digest("hex"), "utf-8")
}
const storeIn = (dir: string) =>
  ExtractionRunService.Default.pipe(Layer.provide(RunStoreConfig.layer(dir)), Layer.provide(NodeContext.layer))

describe("ExtractionRunService", () => {
  it.effect("creates the run directory with the document, records events and outputs, and completes", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const doc = docOf("Ada Lovelace 😀 wrote notes.\n")
      const handle = yield* store.createRun(doc, config)
      expect(handle.runId).toBe(`doc-${doc.sha256.slice(0, 12)}`)
      expect(Option.isNone(handle.previous)).toBe(true)
      expect(readFileSync(join(handle.runDir, "input", "document.txt"), "utf8")).toBe(doc.text)
      yield* store.emitEvent(handle.runId, "chunking.complete", { chunkCount: 1 })
      const out = yield* store.saveOutput(handle.runId, { type: "knowledge-graph", path: "outputs/knowledge-graph.json", content: "{}\n" })
      expect(out).toMatchObject({ bytes: 3, sha256: createHash("sha256").update("{}\n").digest("hex") })
      yield* store.emitError(handle.runId, "test.error", "something", { chunk: 1 })
      yield* store.completeRun(handle.runId, new RunStats({ chunkCount: 1, mentionCount: 2, entityCount: 1, relationCount: 0, durationMs: 5, ungrounded: 0 }))
      const meta = JSON.parse(readFileSync(join(handle.runDir, "metadata.json"), "utf8"))
      expect(meta.status).toBe("completed")
      expect(meta.events.map((e: any) => e.type)).toEqual(["run.created", "chunking.complete", "run.completed"])
      expect(meta.errors[0]).toMatchObject({ type: "test.error", message: "something", context: { chunk: 1 } })
      expect(meta.outputs).toHaveLength(1)
      expect(meta.stats.entityCount).toBe(1)
      const timeline = yield* store.getRunTimeline(handle.runId)
      expect(timeline.map((e) => e.timestamp)).toEqual([...timeline.map((e) => e.timestamp)].sort())
      const runs = yield* store.listRuns()
      expect(runs.map((r) => r.runId)).toEqual([handle.runId])
      expect(yield* store.getOutput(handle.runId, "knowledge-graph")).toBe("{}\n")
      // no temporary files left behind
      expect(readdirSync(handle.runDir).filter((f) => f.endsWith(".tmp"))).toEqual([])
    }).pipe(Effect.provide(storeIn(dir)))
  })

  it.effect("keeps every event emitted concurrently by many fibers", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const { runDir, runId } = yield* store.createRun(docOf("concurrent"), config)
      yield* Effect.forEach(Array.from({ length: 200 }, (_, i) => i), (i) => store.emitEvent(runId, "test.event", { i }), { concurrency: 50 })
      const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
      const seen = meta.events.filter((e: any) => e.type === "test.event").map((e: any) => e.data.i).sort((a: number, b: number) => a - b)
      expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i))
    }).pipe(Effect.provide(storeIn(dir)))
  })

  it.effect("reads older metadata without events or errors as empty arrays", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const { runDir, runId } = yield* store.createRun(docOf("old"), config)
      yield* store.completeRun(runId, new RunStats({ chunkCount: 0, mentionCount: 0, entityCount: 0, relationCount: 0, durationMs: 0, ungrounded: 0 }))
      const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
      delete meta.events
      delete meta.errors
      writeFileSync(join(runDir, "metadata.json"), JSON.stringify(meta))
      const run = yield* store.getRun(runId)
      expect(run.events).toEqual([])
      expect(run.errors).toEqual([])
    }).pipe(Effect.provide(storeIn(dir)))
  })

  it.effect("refuses run ids that are not doc- and 12 hex digits before touching the filesystem", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const error = yield* Effect.flip(store.getRun("../../etc"))
      expect(error._tag).toBe("UsageError")
      const missing = yield* Effect.flip(store.getRun("doc-0123456789ab"))
      expect(missing._tag).toBe("RunNotFound")
    }).pipe(Effect.provide(storeIn(dir)))
  })
})

/**
 * What an audit event costs in the run store: events per second and
 * milliseconds per event, emitted one after another and from 16 fibers at
 * once, for
 *
 * - `journal`: the store as shipped (append + fsync per commit, group commit
 *   across fibers, metadata.json snapshot every 64 records or 1 s);
 * - `snapshot-every-event`: the same store forced to rewrite metadata.json
 *   after every event (journal append + atomic rewrite); one fiber only (with
 *   several, a snapshot in progress lets the others skip theirs);
 * - `rewrite-only`: the walking skeleton's scheme emulated: metadata rewritten
 *   atomically (temp file, fsync, rename) on every event, no journal.
 *
 * Usage: npm run bench:store [-- EVENTS]   (default 2000 events)
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SourceDocument } from "../src/Domain/Document.js"
import { RunConfig, RunStats } from "../src/Domain/Run.js"
import { writeFileAtomic } from "../src/Store/AtomicFile.js"
import { ExtractionRunService, RunStoreConfig } from "../src/Store/ExtractionRunService.js"

const EVENTS = Number(process.argv[2] ?? 2000)
const config = new RunConfig({
  extractor: "nlp",
  model: null,
  baseUrl: null,
  chunkSize: 1200,
  chunkOverlap: 100,
  tokenizer: "o200k_base",
  concurrency: 4
})
const stats = new RunStats({
  chunkCount: 0,
  mentionCount: 0,
  entityCount: 0,
  relationCount: 0,
  durationMs: 0,
  ungrounded: 0
})
let docSeed = 0
const newDoc = () => {
  const text = `benchmark document ${docSeed++} ${Date.now()}`
  const bytes = Buffer.from(text)
  return new SourceDocument(text, "bench.txt", bytes.length, createHash("sha256").update(bytes).digest("hex"), "utf-8")
}
const data = (i: number) => ({ chunk: i, mentionCount: i % 17, durationMs: 12.5 })

const storeBench = (
  label: string,
  options: { snapshotEvery?: number; snapshotIntervalMs?: number },
  concurrency: number
) =>
  Effect.gen(function*() {
    const dir = mkdtempSync(join(tmpdir(), "extract-bench-"))
    const layer = ExtractionRunService.Default.pipe(
      Layer.provide(RunStoreConfig.layer(dir, options)),
      Layer.provide(NodeContext.layer)
    )
    const ms = yield* Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const { runId } = yield* store.createRun(newDoc(), config)
      const t0 = performance.now()
      yield* Effect.forEach(Array.from({ length: EVENTS }, (_, i) => i), (i) =>
        store.emitEvent(runId, "chunk.extracted", data(i)), { concurrency, discard: true })
      const t = performance.now() - t0
      yield* store.completeRun(runId, stats)
      return t
    }).pipe(Effect.provide(layer))
    rmSync(dir, { recursive: true, force: true })
    report(label, concurrency, ms)
  })

const rewriteBench = (concurrency: number) =>
  Effect.gen(function*() {
    const dir = mkdtempSync(join(tmpdir(), "extract-bench-"))
    const file = join(dir, "metadata.json")
    const events: Array<unknown> = []
    const lock = yield* Effect.makeSemaphore(1)
    const t0 = performance.now()
    yield* Effect.forEach(Array.from({ length: EVENTS }, (_, i) => i), (i) =>
      lock.withPermits(1)(Effect.suspend(() => {
        events.push({ timestamp: new Date().toISOString(), type: "chunk.extracted", data: data(i) })
        return writeFileAtomic(
          file,
          JSON.stringify({ runId: "doc-000000000000", status: "running", events, errors: [] }, null, 2) + "\n"
        )
      })), { concurrency, discard: true })
    const ms = performance.now() - t0
    rmSync(dir, { recursive: true, force: true })
    report("rewrite-only", concurrency, ms)
  }).pipe(Effect.provide(NodeContext.layer))

const report = (label: string, concurrency: number, ms: number) =>
  console.log(
    `${label.padEnd(22)} fibers ${String(concurrency).padStart(2)}  ${EVENTS} events  ${
      ms.toFixed(0).padStart(7)
    } ms  ${(ms / EVENTS).toFixed(3)} ms/event  ${Math.round(EVENTS / (ms / 1000))} events/s`
  )

const program = Effect.gen(function*() {
  console.log(
    `run-store event cost, ${EVENTS} events, tmpdir ${tmpdir()} (each line one run; measured on a shared machine: compare rows, not absolute figures)`
  )
  for (const concurrency of [1, 16]) {
    yield* storeBench("journal", {}, concurrency)
    if (concurrency === 1) {
      yield* storeBench("snapshot-every-event", { snapshotEvery: 1, snapshotIntervalMs: 0 }, concurrency)
    }
    yield* rewriteBench(concurrency)
  }
})

Effect.runPromise(program).catch((e) => {
  console.error(e)
  process.exit(1)
})

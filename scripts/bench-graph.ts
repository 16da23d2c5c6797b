/**
 * What adding runs to one context graph costs as the graph grows: the nlp
 * runs of all State of the Union addresses (`../shared/data/sotu/`, 233
 * files) are added one at a time, in file order, to one fresh context, as
 * `extract --context` does (each add: read the run's metadata and
 * knowledge-graph.json, take the context lock, plan the cross-document
 * resolution, append the transaction with fsync; graph.jsonl and the
 * backups are written once at the end, the "flush").
 *
 *   npm run bench:graph [-- <sotu dir>]
 *
 * Prints the time per added run (first, median, p90, max, last; medians of
 * adds 2-11 and of the last 10, raw and per entity of the run, since the
 * early addresses are far shorter than the late ones), the total, the final flush, the peak RSS of this process, and the graph's
 * size; the last line is one JSON object with the same figures. The runs
 * are made once, by the built CLI (`node dist/bin.js --extractor nlp`), into
 * `$EXTRACT_BENCH_CACHE` (default `<tmp>/extract-bench-graph-runs`) and
 * reused by later invocations while that directory holds them.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { addRunsFromStore } from "../src/Graph/GraphCommands.js"
import { GraphStore, GraphStoreConfig } from "../src/Graph/GraphStore.js"
import { ExtractionRunService, RunStoreConfig } from "../src/Store/ExtractionRunService.js"
import { SHARED } from "../test/support/Cli.js"

const sotu = process.argv[2] === undefined ? join(SHARED, "data/sotu") : resolve(process.argv[2])
const files = readdirSync(sotu).filter((f) => f.endsWith(".txt")).sort().map((f) => join(sotu, f))
const cache = process.env.EXTRACT_BENCH_CACHE ?? join(tmpdir(), "extract-bench-graph-runs")

/** Run ids of the cached runs, in file order; made with the CLI when missing. */
const runIds = (): Array<string> => {
  const ids = (): Array<string> =>
    execFileSync("node", ["dist/bin.js", "-o", cache, "--extractor", "nlp", "-q", "--formats", "json", ...files], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    }).split("\n").filter((l) => l.startsWith("doc-")).map((l) => l.split("\t")[0]!)
  const had = existsSync(cache)
  const started = performance.now()
  const result = ids() // the run store reuses completed runs: fast when cached
  process.stderr.write(
    `bench:graph: ${result.length} nlp runs in ${cache} (${((performance.now() - started) / 1000).toFixed(1)} s${
      had ? ", reused where complete" : ", made now"
    })\n`
  )
  return result
}

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!
}

const main = Effect.gen(function*() {
  const ids = runIds()
  const store = yield* GraphStore
  const times: Array<number> = []
  /** Milliseconds per entity of the added run: addresses grow from a few hundred words (1790) to many thousands. */
  const perEntity: Array<number> = []
  const started = performance.now()
  for (const id of ids) {
    const t = performance.now()
    const [added] = yield* addRunsFromStore("sotu", [id], { flush: false })
    const ms = performance.now() - t
    times.push(ms)
    perEntity.push(ms / Math.max(1, added!.created + added!.attached))
  }
  const f = performance.now()
  yield* store.flush("sotu")
  const flushMs = performance.now() - f
  const totalMs = performance.now() - started
  const state = yield* store.read("sotu")
  let mentions = 0
  for (const c of state.contributions.values()) mentions += c.mentions.length
  let crossDocumentEntities = 0
  for (const e of state.entities.values()) {
    if (new Set(e.contributions.map((k) => state.contributions.get(k)!.runId)).size > 1) crossDocumentEntities++
  }
  const dir = store.dirOf("sotu")
  const sorted = [...times].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  const r = (x: number) => Math.round(x * 10) / 10
  const result = {
    runs: ids.length,
    addMs: {
      first: r(times[0]!),
      median: r(at(0.5)),
      p90: r(at(0.9)),
      max: r(sorted.at(-1)!),
      last: r(times.at(-1)!),
      lastOverFirst: Math.round((times.at(-1)! / times[0]!) * 100) / 100,
      /** Medians of adds 2–11 and of the last 10: the first add also pays for loading code and warming up. */
      early10Median: r(median(times.slice(1, 11))),
      late10Median: r(median(times.slice(-10))),
      lateOverEarly: Math.round((median(times.slice(-10)) / median(times.slice(1, 11))) * 100) / 100
    },
    /** The same, per entity of the added run (its size varies 10-fold across the addresses). */
    perEntityMs: {
      early10Median: Math.round(median(perEntity.slice(1, 11)) * 1000) / 1000,
      late10Median: Math.round(median(perEntity.slice(-10)) * 1000) / 1000,
      lateOverEarly: Math.round((median(perEntity.slice(-10)) / median(perEntity.slice(1, 11))) * 100) / 100
    },
    totalMs: Math.round(totalMs),
    flushMs: Math.round(flushMs),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    graph: {
      entities: state.entities.size,
      crossDocumentEntities,
      mentions,
      relations: [...state.runs.values()].reduce((n, run) => n + run.relations.length, 0),
      logBytes: statSync(join(dir, "log.jsonl")).size,
      snapshotBytes: statSync(join(dir, "graph.jsonl")).size
    }
  }
  process.stderr.write(
    `added ${ids.length} runs: first ${result.addMs.first} ms, median ${result.addMs.median} ms, last ${result.addMs.last} ms (last/first ${result.addMs.lastOverFirst}; median of adds 2-11 ${result.addMs.early10Median} ms, of the last 10 ${result.addMs.late10Median} ms), total ${
      (totalMs / 1000).toFixed(1)
    } s (flush ${result.flushMs} ms), peak RSS ${result.peakRssMb} MB; graph: ${state.entities.size} entities (${crossDocumentEntities} in 2+ documents), ${mentions} mentions\n`
  )
  process.stdout.write(`${JSON.stringify(result)}\n`)
})

const out = mkdtempSync(join(tmpdir(), "extract-bench-graph-"))
const layer = GraphStore.Default.pipe(
  Layer.provideMerge(ExtractionRunService.Default),
  Layer.provide(Layer.mergeAll(RunStoreConfig.layer(cache), GraphStoreConfig.layer(out))),
  Layer.provideMerge(NodeContext.layer)
)
Effect.runPromise(main.pipe(Effect.provide(layer)))
  .catch((e) => {
    process.stderr.write(`bench:graph: ${String(e)}\n`)
    process.exitCode = 1
  })
  .finally(() => rmSync(out, { recursive: true, force: true }))

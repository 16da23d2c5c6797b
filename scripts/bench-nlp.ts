/**
 * `npm run bench:nlp [-- <dir>]`
 *
 * Throughput and memory of the embedded extractor (src/Extractor/Nlp.ts) on
 * a corpus of plain-text files, by default `../shared/data/sotu/` (233 State
 * of the Union addresses, 11 MB). Each file is one document: chunked with the
 * real Chunker (default 1,200-token chunks, 100-token overlap), then every
 * chunk goes through the extractor, then the document-level pass
 * (`harmonize`), one chunk at a time on one core.
 *
 * Prints a few human-readable lines, then one JSON object as its last line:
 *   {"files","bytes","mb","chunks","mentions","relations","loadMs","chunkMs","extractMs",
 *    "extractMBps","extractCpuMs","extractCpuMBps","endToEndMBps","peakRssMB"}
 * MB are 10^6 bytes of input (UTF-8 as read). `extractMBps` counts the
 * extractor and its document pass only (wall time, and CPU time of the
 * process, which is steadier on a shared machine); `endToEndMBps` adds
 * chunking. All documents are chunked first, then extracted.
 * `peakRssMB` is the process's peak resident set size (getrusage maxrss);
 * `loadMs` the start-up (models and lexicon).
 *
 * Then, unless `--no-cli`, the end-to-end figure a user sees: the built CLI
 * over 5.5 MB of prose in one thread and with worker threads
 * (scripts/bench-nlp-cli.ts; `--cli-mb MB`, `--runs N`), added to the JSON
 * line as `cli`. Exits 1 if the two modes' outputs differ.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { createHash } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Chunker } from "../src/Chunker.js"
import type { Chunk } from "../src/Domain/Chunk.js"
import { SourceDocument } from "../src/Domain/Document.js"
import { Extractor } from "../src/Extractor.js"
import * as Nlp from "../src/Extractor/Nlp.js"
import { SHARED } from "../test/support/Cli.js"
import { benchCli } from "./bench-nlp-cli.js"

const option = (name: string, env: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : process.env[env] ?? fallback
}
const optionValues = new Set(["--cli-mb", "--runs"].map((o) => process.argv[process.argv.indexOf(o) + 1]))
const dir = process.argv.slice(2).find((a, i, all) => !a.startsWith("--") && !optionValues.has(all[i]!)) ??
  join(SHARED, "data/sotu")

const main = (loadMs: number) =>
  Effect.gen(function*() {
    const extractor = yield* Extractor
    const chunker = yield* Chunker
    const files = readdirSync(dir).filter((f) => f.endsWith(".txt")).sort()
    let bytes = 0
    let chunks = 0
    let mentions = 0
    let relations = 0
    let chunkMs = 0
    let extractMs = 0
    // Chunk every document first, then extract: the two stages are timed apart.
    const documents: Array<ReadonlyArray<Chunk>> = []
    for (const f of files) {
      const raw = readFileSync(join(dir, f))
      bytes += raw.length
      const doc = new SourceDocument(
        raw.toString("utf8"),
        f,
        raw.length,
        createHash("sha256").update(raw).digest("hex"),
        "utf-8"
      )
      const c0 = performance.now()
      documents.push(yield* chunker.chunk(doc, { size: 1200, overlap: 100 }))
      chunkMs += performance.now() - c0
    }
    const cpu0 = process.cpuUsage()
    const e0 = performance.now()
    for (const cs of documents) {
      const all = []
      for (const c of cs) all.push(yield* extractor.extract(c))
      const merged = all.flatMap((x) => x.mentions)
      const final = extractor.harmonize ? extractor.harmonize(merged) : merged
      chunks += cs.length
      mentions += final.length
      relations += all.reduce((n, x) => n + x.relations.length, 0)
    }
    extractMs = performance.now() - e0
    const cpu = process.cpuUsage(cpu0)
    const extractCpuMs = (cpu.user + cpu.system) / 1000
    const mb = bytes / 1e6
    const peakRssMB = process.resourceUsage().maxRSS / 1024
    const report = {
      files: files.length,
      bytes,
      mb: Math.round(mb * 100) / 100,
      chunks,
      mentions,
      relations,
      loadMs: Math.round(loadMs),
      chunkMs: Math.round(chunkMs),
      extractMs: Math.round(extractMs),
      extractMBps: Math.round((mb / (extractMs / 1000)) * 100) / 100,
      extractCpuMs: Math.round(extractCpuMs),
      extractCpuMBps: Math.round((mb / (extractCpuMs / 1000)) * 100) / 100,
      endToEndMBps: Math.round((mb / ((extractMs + chunkMs) / 1000)) * 100) / 100,
      peakRssMB: Math.round(peakRssMB)
    }
    const cli = process.argv.includes("--no-cli")
      ? undefined
      : benchCli(Number(option("cli-mb", "BENCH_CLI_MB", "5.5")), Number(option("runs", "BENCH_RUNS", "3")))
    process.stdout.write(
      `${report.files} files, ${report.mb} MB, ${report.chunks} chunks: ${report.mentions} mentions, ${report.relations} relations\n` +
        `extractor: ${report.extractMBps} MB/s wall (${report.extractMs} ms), ${report.extractCpuMBps} MB/s of CPU time; with chunking: ${report.endToEndMBps} MB/s; ` +
        `start-up ${report.loadMs} ms; peak RSS ${report.peakRssMB} MB\n` +
        `${JSON.stringify(cli === undefined ? report : { ...report, cli })}\n`
    )
    if (cli !== undefined && !cli.identical) process.exitCode = 1
  })

// Start-up: building the layers loads wink-nlp's model, the tokenizer and the extractor's lexicon.
const t0 = performance.now()
const runtime = ManagedRuntime.make(Layer.mergeAll(Nlp.layer, Chunker.Default))
runtime.runtime()
  .then(() => runtime.runPromise(main(performance.now() - t0)))
  .finally(() => runtime.dispose())

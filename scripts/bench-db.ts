/**
 * The SQL mirror at scale (issue 10): synthesises RUNS runs of realistic
 * size (about 40 entities, 150 mentions, 20 relations, 5 chunks with llm
 * usage, 12 events and 4 outputs each) and writes them into a fresh SQLite
 * file through the mirror's write path (`RunMirror.writeRows`: one
 * transaction per run, upserts, batched inserts; the rows are built in
 * memory instead of read from run directories). Then times the five queries
 * the design's Phase 2 target names (p95 under 100 ms on 10,000 documents):
 *
 * - `runs_over_50_entities`: runs with more than 50 entities;
 * - `entities_named_like`: `extract search` for a name across documents;
 * - `document_graph`: one document's entities, mentions and relations;
 * - `token_spend_per_model`: input/output tokens and cost per model;
 * - `runs_list_from_db`: what `runs list --from db` reads and prints, over all
 *   runs: the run source `DbCommands` gives `RunsReport.list` (one query over
 *   the `runs` table) and the text it prints (`listingOf`);
 * - `runs_list_from_db_json`: the same with `--json` (not among the five).
 *
 * Prints the write rate (runs/s), the database size, and p50/p95 per query
 * in milliseconds; the last line is one JSON object.
 *
 * Usage: npm run bench:db [-- [--runs] RUNS]   (default 10000; ~10 min on the
 * development machine, `--runs 1000` for a quick look)
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqliteUrl } from "../src/Domain/DatabaseUrl.js"
import { listingOf } from "../src/RunsListing.js"
import { EntitySearch } from "../src/Sql/EntitySearch.js"
import { migratedLayer } from "../src/Sql/Migrations.js"
import { MirrorReader } from "../src/Sql/MirrorReader.js"
import { RunMirror } from "../src/Sql/RunMirror.js"
import { chunkId, nameKeys, normalizeName, type RunRows } from "../src/Sql/RunRows.js"
import { ExtractionRunService, RunStoreConfig } from "../src/Store/ExtractionRunService.js"

const args = process.argv.slice(2).filter((a) => a !== "--runs")
const RUNS = Number(args[0] ?? 10_000)
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error("usage: npm run bench:db [-- [--runs] RUNS]")
  process.exit(2)
}
const SAMPLES = 30
const OUTPUT_DIR = "/bench/output"
const MODELS = ["gpt-4o-mini", "gpt-4o", "llama3.1:8b"]
const FIRST = ["Ada", "Charles", "Mary", "Michael", "Grace", "Alan", "Emmy", "Henri", "Sofia", "Niels", "Zoë", "José"]
const LAST = ["Lovelace", "Babbage", "Somerville", "Faraday", "Hopper", "Turing", "Noether", "Poincaré", "Bohr"]
const PLACES = ["London", "Paris", "Kentucky", "Springfield", "Vienna", "Kraków", "Lisbon", "Boston", "Geneva"]
const PREDICATES = ["knows", "bornIn", "worksFor", "locatedIn", "spouse", "founded"]

/** Deterministic pseudo-random numbers (mulberry32). */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0").slice(-width)

/** The rows of synthetic run `i`. */
const syntheticRun = (i: number): RunRows => {
  const rnd = random(i + 1)
  const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(rnd() * xs.length)]!
  const docId = hex(i * 2654435761, 16).repeat(4)
  const runId = `doc-${docId.slice(0, 12)}`
  const model = MODELS[i % MODELS.length]!
  const created = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
  const entityCount = 25 + Math.floor(rnd() * 31) // 25..55, mean 40
  const chunks = Array.from({ length: 5 }, (_, c) => {
    const start = c * 4000
    return { index: c, start, end: start + 4200, sha: hex(i * 31 + c, 16).repeat(4) }
  })
  const chunkIds = chunks.map((c) => chunkId(docId, c.start, c.end, c.sha))
  const entities: Array<Record<string, unknown>> = []
  const entityNames: Array<Record<string, unknown>> = []
  const mentions: Array<Record<string, unknown>> = []
  let mentionNo = 0
  for (let e = 0; e < entityCount; e++) {
    const person = rnd() < 0.7
    const label = person ? `${pick(FIRST)} ${pick(LAST)}` : pick(PLACES)
    const aliases = person && rnd() < 0.5 ? [label.split(" ")[1]!] : []
    const id = `${normalizeName(label).replace(/ /g, "-")}-${e}`
    // 150 mentions per run on average
    const n = Math.max(1, Math.round((150 / 40) * (0.5 + rnd())))
    entities.push({
      run_id: runId,
      entity_id: id,
      doc_id: docId,
      label,
      type: person ? "Person" : "Location",
      aliases: JSON.stringify(aliases),
      mention_count: n,
      label_norm: normalizeName(label)
    })
    for (const key of nameKeys(label, aliases)) {
      entityNames.push({
        run_id: runId,
        entity_id: id,
        name_norm: key,
        type_norm: person ? "person" : "location",
        mention_count: n
      })
    }
    for (let m = 0; m < n; m++) {
      const c = Math.floor(rnd() * chunks.length)
      const start = chunks[c]!.start + Math.floor(rnd() * 4000)
      mentions.push({
        run_id: runId,
        mention_id: `c${c}-m${++mentionNo}`,
        entity_id: id,
        doc_id: docId,
        chunk_id: chunkIds[c],
        start,
        end: start + label.length,
        text: label
      })
    }
  }
  const relations = Array.from({ length: 20 }, (_, r) => {
    const c = Math.floor(rnd() * chunks.length)
    const start = chunks[c]!.start + Math.floor(rnd() * 4000)
    return {
      run_id: runId,
      relation_id: `r-${hex(i * 97 + r, 10)}`,
      subject: String(pick(entities).entity_id),
      predicate: pick(PREDICATES),
      object: String(pick(entities).entity_id),
      doc_id: docId,
      chunk_id: chunkIds[c],
      start,
      end: start + 80,
      evidence: "An evidence sentence of about eighty characters, as the extractor quotes it here."
    }
  })
  const llmUsage = chunkIds.map((id) => {
    const input = 1200 + Math.floor(rnd() * 300)
    const output = 300 + Math.floor(rnd() * 200)
    return {
      run_id: runId,
      doc_id: docId,
      chunk_id: id,
      model,
      calls: 1,
      retries: 0,
      reasks: 0,
      input_tokens: input,
      output_tokens: output,
      cache_hits: 0,
      cost_usd: (input * 0.15 + output * 0.6) / 1e6
    }
  })
  const stats = {
    chunkCount: 5,
    mentionCount: mentions.length,
    entityCount,
    relationCount: relations.length,
    durationMs: 20_000 + Math.floor(rnd() * 10_000),
    ungrounded: 0,
    failedChunks: 0,
    partial: false,
    llm: null
  }
  const config = {
    extractor: "llm",
    model,
    baseUrl: null,
    chunkSize: 1200,
    chunkOverlap: 100,
    tokenizer: "o200k_base",
    concurrency: 4,
    llm: null,
    formats: ["json", "resolution", "mermaid", "turtle"],
    baseIri: "http://example.org/extract/"
  }
  const input = { path: `corpus/doc-${i}.txt`, bytes: 21_000, sha256: docId, encoding: "utf-8", textSha256: docId }
  const types = ["run.created", "run.started", "chunking.complete", "extraction.chunk", "extraction.chunk"]
  return {
    document: { doc_id: docId, bytes: 21_000, length: 20_200, first_path: input.path, created_at: created },
    run: {
      run_id: runId,
      doc_id: docId,
      status: "completed",
      extractor: "llm",
      model,
      config: JSON.stringify(config),
      chunk_count: 5,
      mention_count: mentions.length,
      entity_count: entityCount,
      relation_count: relations.length,
      duration_ms: stats.durationMs,
      created_at: created,
      updated_at: created,
      completed_at: created,
      revision: 14,
      schema_version: 1,
      input_path: input.path,
      input: JSON.stringify(input),
      stats: JSON.stringify(stats),
      output_dir: OUTPUT_DIR
    },
    events: Array.from({ length: 12 }, (_, seq) => ({
      run_id: runId,
      seq,
      timestamp: created,
      type: types[seq] ?? "extraction.chunk",
      data: JSON.stringify({ chunk: seq, durationMs: 1500 })
    })),
    errors: [],
    outputs: ["knowledge-graph", "entity-resolution-graph", "mermaid-diagram", "rdf-turtle"].map((type, ordinal) => ({
      run_id: runId,
      path: `outputs/${type}.json`,
      type,
      sha256: hex(i * 7 + ordinal, 16).repeat(4),
      bytes: 20_000,
      ordinal
    })),
    graph: {
      chunks: chunks.map((c, k) => ({
        chunk_id: chunkIds[k],
        run_id: runId,
        doc_id: docId,
        chunk_index: c.index,
        start: c.start,
        end: c.end,
        tokens: 1100,
        sha256: c.sha
      })),
      entities,
      entityNames,
      mentions,
      relations,
      llmUsage
    }
  }
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

/**
 * Wall time and CPU time (user + system of this process, where better-sqlite3
 * runs the query) per sample, in milliseconds. On a shared, loaded machine
 * the CPU figures are the stable ones.
 */
const time = <A, E, R>(samples: number, make: (i: number) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const ms: Array<number> = []
    const cpu: Array<number> = []
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now()
      const c0 = process.cpuUsage()
      yield* make(i)
      const c = process.cpuUsage(c0)
      ms.push(performance.now() - t0)
      cpu.push((c.user + c.system) / 1000)
    }
    ms.sort((a, b) => a - b)
    cpu.sort((a, b) => a - b)
    const round = (x: number) => Number(x.toFixed(2))
    return {
      p50: round(percentile(ms, 50)),
      p95: round(percentile(ms, 95)),
      cpuP50: round(percentile(cpu, 50)),
      cpuP95: round(percentile(cpu, 95))
    }
  })

const dir = mkdtempSync(join(tmpdir(), "extract-bench-db-"))
const file = join(dir, "extract.db")

const program = Effect.gen(function*() {
  const mirror = yield* RunMirror
  const sql = yield* SqlClient.SqlClient
  const search = yield* EntitySearch
  const reader = yield* MirrorReader
  const store = yield* ExtractionRunService
  const source = reader.runSource(store, OUTPUT_DIR)

  let rows = 0
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  for (let i = 0; i < RUNS; i++) {
    const run = syntheticRun(i)
    const g = run.graph!
    rows += 2 + run.events.length + run.outputs.length + g.chunks.length + g.entities.length + g.entityNames.length +
      g.mentions.length + g.relations.length + g.llmUsage.length
    yield* mirror.writeRows(run)
    if ((i + 1) % 1000 === 0) process.stderr.write(`\rwrote ${i + 1}/${RUNS} runs`)
  }
  const writeSeconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(c0)
  const writeCpuSeconds = (cpu.user + cpu.system) / 1e6
  process.stderr.write("\n")
  yield* sql.unsafe("PRAGMA wal_checkpoint(TRUNCATE)")
  yield* sql.unsafe("ANALYZE")
  const dbBytes = statSync(file).size

  const docIds = (yield* sql<{ doc_id: string }>`SELECT doc_id FROM runs`).map((r) => r.doc_id)
  const names = ["lovelace", "ada", "poincare", "krakow", "zoe turing", "hopper"]
  const queries = {
    runs_over_50_entities: yield* time(
      SAMPLES,
      () => sql`SELECT run_id, entity_count, input_path FROM runs WHERE entity_count > 50 ORDER BY entity_count DESC`
    ),
    entities_named_like: yield* time(SAMPLES, (i) => search.find(names[i % names.length]!, undefined)),
    document_graph: yield* time(SAMPLES, (i) => {
      const doc = docIds[(i * 7919) % docIds.length]!
      return Effect.all([
        sql`SELECT e.* FROM entities e JOIN runs r ON r.run_id = e.run_id WHERE r.doc_id = ${doc}`,
        sql`SELECT m.* FROM mentions m JOIN runs r ON r.run_id = m.run_id WHERE r.doc_id = ${doc}`,
        sql`SELECT x.* FROM relations x JOIN runs r ON r.run_id = x.run_id WHERE r.doc_id = ${doc}`
      ])
    }),
    token_spend_per_model: yield* time(
      SAMPLES,
      () =>
        sql`SELECT model, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
          sum(cost_usd) AS cost_usd FROM llm_usage GROUP BY model ORDER BY cost_usd DESC`
    ),
    runs_list_from_db: yield* time(SAMPLES, () =>
      Effect.map(
        source.listRuns({ detail: false }),
        (runs) => listingOf(runs, { json: false, outputDir: OUTPUT_DIR, runDirOf: store.runDirOf }).stdout[0]!.length
      )),
    runs_list_from_db_json: yield* time(SAMPLES, () =>
      Effect.map(
        source.listRuns({ detail: true }),
        (runs) => listingOf(runs, { json: true, outputDir: OUTPUT_DIR, runDirOf: store.runDirOf }).stdout.length
      ))
  }
  const result = {
    runs: RUNS,
    rows,
    writeSeconds: Number(writeSeconds.toFixed(2)),
    runsPerSecond: Number((RUNS / writeSeconds).toFixed(1)),
    runsPerCpuSecond: Number((RUNS / writeCpuSeconds).toFixed(1)),
    dbMegabytes: Number((dbBytes / 1024 / 1024).toFixed(1)),
    queries
  }
  console.log(
    `wrote ${RUNS} runs (${rows} rows) in ${result.writeSeconds} s: ${result.runsPerSecond} runs/s ` +
      `(${result.runsPerCpuSecond} runs per CPU second)`
  )
  console.log(`database: ${result.dbMegabytes} MB`)
  for (const [name, q] of Object.entries(queries)) {
    console.log(`${name.padEnd(24)} p50 ${q.p50} ms  p95 ${q.p95} ms  (CPU p50 ${q.cpuP50} ms, p95 ${q.cpuP95} ms)`)
  }
  console.log(JSON.stringify(result))
})

await Effect.runPromise(
  program.pipe(
    Effect.provide(
      Layer.mergeAll(
        RunMirror.Default,
        EntitySearch.Default,
        MirrorReader.Default,
        ExtractionRunService.Default.pipe(Layer.provide(RunStoreConfig.layer(join(dir, "output"))))
      ).pipe(
        Layer.provideMerge(migratedLayer(new SqliteUrl({ path: file }))),
        Layer.provideMerge(NodeContext.layer)
      )
    ),
    Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  )
)

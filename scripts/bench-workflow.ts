/**
 * `npm run bench:workflow` — what does durability cost? The same document of
 * N paragraphs (N chunks, one request each) runs through `extract` (the
 * built CLI) and through the workflow engine (WorkflowOrchestrator
 * `startAndWait`, SQLite, SingleRunner, in this process), against the
 * loopback OpenAI mock at a fixed latency, C chunks at once, with a fresh
 * output directory each (no cached answers).
 *
 * Prints, as one JSON line: both runs' walls (from `run.started` to
 * `run.completed` in their events, so process start-up is not counted; the
 * CLI's whole process wall too), their ratio (goal ≤ 1.10), and the
 * per-activity overhead: (engine − plain) / activities, in ms, where the
 * activities are the N chunks plus begin, chunk, extract/complete, resolve,
 * render and end. The engine is measured directly (not through
 * `extract serve`, which is the HTTP half's).
 *
 * Options (flags or env): --chunks N (BENCH_CHUNKS, 200), --latency MS
 * (BENCH_LATENCY_MS, 200), --concurrency C (BENCH_CONCURRENCY, 16).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { DocumentInput, ExtractionOptions, ExtractionRequest } from "../src/Domain/Workflow.js"
import { DEFAULT_RAW_LLM_SETTINGS } from "../src/Settings.js"
import { WorkflowOrchestrator } from "../src/Workflow/WorkflowOrchestrator.js"
import { paragraphs } from "../test/support/Documents.js"
import { startMockOpenAi } from "../test/support/MockOpenAi.js"

const arg = (name: string, env: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : process.env[env] ?? fallback
}
const chunks = Number(arg("chunks", "BENCH_CHUNKS", "200"))
const latencyMs = Number(arg("latency", "BENCH_LATENCY_MS", "200"))
const concurrency = Number(arg("concurrency", "BENCH_CONCURRENCY", "16"))

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
if (!existsSync(BIN)) {
  console.error("bench:workflow: dist/bin.js is missing; run npm run build first")
  process.exit(1)
}

const dir = mkdtempSync(join(tmpdir(), "bench-workflow-"))
const input = join(dir, "doc.txt")
const text = paragraphs(chunks)
writeFileSync(input, text)
const loadAtStart = loadavg()[0]!
const server = await startMockOpenAi({ latencyMs, record: false })
const env = { ...process.env, OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: "sk-bench" }
process.env.OPENAI_API_KEY = "sk-bench"

/** A run's wall from its events: `run.started` to `run.completed`, in ms. */
const runWall = (runDir: string) => {
  const events: Array<{ type: string; timestamp: string }> =
    JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8")).events
  const at = (type: string) => Date.parse(events.find((e) => e.type === type)!.timestamp)
  return at("run.completed") - at("run.started")
}

// plain: the built CLI
const plainStarted = performance.now()
const child = spawn(process.execPath, [
  BIN,
  input,
  "-o",
  join(dir, "plain"),
  "--extractor",
  "llm",
  "--chunk-size",
  "64",
  "--chunk-overlap",
  "0",
  "--concurrency",
  String(concurrency),
  "--no-cache",
  "-q"
], { env, stdio: ["ignore", "pipe", "pipe"] })
let stdout = ""
let stderr = ""
child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
const plainProcessMs = performance.now() - plainStarted
if (code !== 0) {
  console.error(`bench:workflow: the CLI exited ${code}\n${stderr}`)
  process.exit(1)
}
const plainDir = stdout.trim().split("\t")[1]!
const plainMs = runWall(plainDir)
const plainCalls = server.answered.length

// engine: the workflow on SQLite in this process (the layer is built before the clock starts)
const engineOut = join(dir, "engine")
const engine = await Effect.runPromise(
  Effect.gen(function*() {
    const orchestrator = yield* WorkflowOrchestrator
    const t0 = performance.now()
    const result = yield* orchestrator.startAndWait(ExtractionRequest.make({
      document: DocumentInput.make({ text, path: input }),
      options: ExtractionOptions.make({}),
      context: null
    }))
    return { result, callMs: performance.now() - t0 }
  }).pipe(
    Effect.provide(Layer.fresh(WorkflowOrchestrator.layer({
      outputDir: engineOut,
      database: `sqlite:${join(engineOut, "extract.db")}`,
      settings: {
        files: [],
        outputDir: engineOut,
        extractor: "llm",
        model: Option.none(),
        baseUrl: Option.some(server.baseUrl),
        chunkSize: 64,
        chunkOverlap: 0,
        concurrency,
        force: false,
        json: false,
        quiet: true,
        llm: { ...DEFAULT_RAW_LLM_SETTINGS, noCache: true }
      }
    }))),
    Effect.scoped,
    Logger.withMinimumLogLevel(LogLevel.Error)
  )
)
await server.close()
const engineMs = runWall(engine.result.runDir)
const activities = engine.result.stats.chunkCount + 6
rmSync(dir, { recursive: true, force: true })

console.log(JSON.stringify({
  chunks: engine.result.stats.chunkCount,
  calls: { plain: plainCalls, engine: server.answered.length - plainCalls },
  latencyMs,
  concurrency,
  plainWallMs: plainMs,
  plainProcessWallMs: Math.round(plainProcessMs),
  engineWallMs: engineMs,
  engineStartAndWaitMs: Math.round(engine.callMs),
  ratio: Number((engineMs / plainMs).toFixed(3)),
  perActivityOverheadMs: Number(((engineMs - plainMs) / activities).toFixed(2)),
  activities,
  loadAverage: Number(loadAtStart.toFixed(2)),
  cores: cpus().length
}))

/**
 * `npm run bench:llm` — does the llm extractor keep C requests in flight?
 *
 * Starts the loopback OpenAI mock (test/support/MockOpenAi.ts) answering
 * every request after a fixed latency, writes a document of N paragraphs
 * that chunk into exactly N chunks, runs the built CLI over it at
 * concurrency C (fresh output directory, so every chunk is a request), and
 * prints:
 *
 * - wall: the CLI's whole wall time, and the extract stage's (from its
 *   `extraction.complete` event);
 * - ideal: calls × latency / C, the time C perfectly overlapped requests take;
 * - ratio: extract-stage time / ideal (goal ≤ 1.05 at N = 1000, 200 ms, C = 16),
 *   and whole-CLI time / ideal;
 * - where the rest goes: when the first request reached the mock (ms after
 *   the CLI was spawned) and how long the CLI ran after the last answer
 *   left it (resolve, render and the final fsyncs);
 * - peak memory: the CLI process's maximum resident set (GNU time's %M);
 * - the CLI's CPU time and the machine's load average, to tell a slow
 *   client from a busy machine.
 *
 * Options (flags or env): --chunks N (BENCH_CHUNKS, 1000), --latency MS
 * (BENCH_LATENCY_MS, 200), --concurrency C (BENCH_CONCURRENCY, 16),
 * --api responses|chat (BENCH_API, responses).
 *
 * BENCH_NODE_ARGS adds node flags to the CLI child (`--cpu-prof
 * --cpu-prof-dir=DIR` to profile it; map the profile with dist/'s source maps).
 *
 * `--sotu MB` (BENCH_SOTU_MB) replaces the synthetic document with real prose:
 * the State of the Union addresses of `../shared/data/sotu/` in name order,
 * joined by blank lines until they reach MB megabytes (10^6 bytes), chunked
 * with `--chunk-size 600 --chunk-overlap 0` (issue 14's setup: 2.4 MB gives
 * about 837 chunks). The whole-CLI ratio then includes reading and chunking
 * real text while the first requests are in flight.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { paragraphs } from "../test/support/Documents.js"
import { startMockOpenAi } from "../test/support/MockOpenAi.js"
import { sotuText } from "../test/support/Sotu.js"

const arg = (name: string, env: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : process.env[env] ?? fallback
}
const chunks = Number(arg("chunks", "BENCH_CHUNKS", "1000"))
const latencyMs = Number(arg("latency", "BENCH_LATENCY_MS", "200"))
const concurrency = Number(arg("concurrency", "BENCH_CONCURRENCY", "16"))
const api = arg("api", "BENCH_API", "responses")
const sotuMb = Number(arg("sotu", "BENCH_SOTU_MB", "0"))
// Extra node flags for the CLI child, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(/\s+/).filter((a) => a.length > 0)

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
if (!existsSync(BIN)) {
  console.error("bench:llm: dist/bin.js is missing; run npm run build first")
  process.exit(1)
}

// One paragraph per chunk (~45 tokens each, under a 64-token budget that two paragraphs exceed): the llm tests' document.
const dir = mkdtempSync(join(tmpdir(), "bench-llm-"))
const input = join(dir, "doc.txt")
if (sotuMb > 0) {
  writeFileSync(input, sotuText({ from: "first", bytes: sotuMb * 1e6 }))
} else writeFileSync(input, paragraphs(chunks))

const loadAtStart = loadavg()[0]!
const server = await startMockOpenAi({ latencyMs, record: false })
const out = join(dir, "out")
const started = performance.now()
const startedAt = Date.now()
const child = spawn("/usr/bin/time", [
  "-f",
  "maxrss_kb=%M cpu_user_s=%U cpu_sys_s=%S",
  process.execPath,
  ...nodeArgs,
  BIN,
  input,
  "-o",
  out,
  "--extractor",
  "llm",
  "--api",
  api,
  "--model",
  "bench-model",
  "--chunk-size",
  sotuMb > 0 ? "600" : "64",
  "--chunk-overlap",
  "0",
  "--concurrency",
  String(concurrency),
  "--json",
  "-q"
], {
  env: { ...process.env, OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: "sk-bench" },
  stdio: ["ignore", "pipe", "pipe"]
})
let stdout = ""
let stderr = ""
child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
const wallMs = performance.now() - started
await server.close()

if (code !== 0) {
  console.error(`bench:llm: the CLI exited ${code}\n${stderr}`)
  process.exit(1)
}
const line = JSON.parse(stdout.trim().split("\n").at(-1)!)
const meta = JSON.parse(readFileSync(join(line.runDir, "metadata.json"), "utf8"))
const extraction = meta.events.find((e: any) => e.type === "extraction.complete")
const extractMs: number = extraction.data.durationMs
const calls: number = server.answered.length
const idealMs = (calls * latencyMs) / concurrency
// Where the whole run's time outside the requests goes: before the first request arrives, and after the last answer.
const received = server.requests.map((r) => r.receivedAt)
const firstRequestMs = Math.min(...received) - startedAt
const afterLastAnswerMs = Math.round(wallMs - (Math.max(...received) + latencyMs - startedAt))
const maxRssKb = Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1] ?? NaN)
const cpuMs = Math.round(
  1000 *
    (Number(/cpu_user_s=([\d.]+)/.exec(stderr)?.[1] ?? NaN) + Number(/cpu_sys_s=([\d.]+)/.exec(stderr)?.[1] ?? NaN))
)
rmSync(dir, { recursive: true, force: true })

const figures = {
  chunks: line.stats.chunkCount,
  calls,
  latencyMs,
  concurrency,
  api,
  extractMs,
  wallMs: Math.round(wallMs),
  idealMs: Math.round(idealMs),
  ratioExtract: Number((extractMs / idealMs).toFixed(3)),
  ratioWall: Number((wallMs / idealMs).toFixed(3)),
  firstRequestMs,
  afterLastAnswerMs,
  peakRssMb: Number((maxRssKb / 1024).toFixed(1)),
  cliCpuMs: cpuMs,
  loadAverage: Number(loadAtStart.toFixed(2)),
  cores: cpus().length
}
console.log(`input ${sotuMb > 0 ? `${sotuMb} MB of State of the Union addresses` : `${chunks} synthetic paragraphs`}`)
console.log(`chunks ${figures.chunks}, calls ${calls}, latency ${latencyMs} ms, concurrency ${concurrency}, api ${api}`)
console.log(
  `extract stage ${extractMs} ms, whole CLI ${figures.wallMs} ms, ideal calls×latency/C ${figures.idealMs} ms`
)
console.log(`ratio extract/ideal ${figures.ratioExtract} (goal ≤ 1.05), whole CLI/ideal ${figures.ratioWall}`)
console.log(
  `first request ${firstRequestMs} ms after the CLI started; the CLI ended ${afterLastAnswerMs} ms after the last answer`
)
console.log(`peak memory (max RSS of the CLI) ${figures.peakRssMb} MB`)
console.log(
  `CLI CPU time ${cpuMs} ms (user + sys); load average at start ${figures.loadAverage} on ${figures.cores} cores${
    loadAtStart > figures.cores ? " — a contended machine: the ratio is an upper bound" : ""
  }`
)
console.log(JSON.stringify(figures))

/**
 * bench:startup — wall time of the built CLI's quickest commands, next to a
 * bare `node -e 0` measured in the same rounds (issue 14: each command at
 * most 150 ms, median of 10).
 *
 *   npm run build && npm run --silent bench:startup [-- <runs>]   (default: 10 runs)
 *
 * Commands: `extract --version`, `extract --help`, and `extract runs list`
 * on an empty output directory, each as `node dist/bin.js …` (what the
 * `extract` bin runs; `npx` adds its own start-up on top). The launcher
 * answers all three itself (src/Launcher.ts); a last line times the same
 * `runs list` through the full command line (bin.ts, @effect/cli, the run
 * store), which an `EXTRACT_*` variable selects (src/RunsListing.ts), for
 * what a `runs list` with runs to print starts with. Rounds
 * interleave the commands, so each sees the same machine load; the load
 * average is printed with the figures. On a loaded machine wall time says
 * more about the others than about us, so each line also gives the CPU time
 * (user + system) per run, from the children's times in /proc/self/stat
 * (Linux; 10 ms ticks, averaged over the runs). Prints one line per
 * command.
 *
 * Then what an extraction must load before its first model request, each
 * as a fresh `node` that imports it from node_modules (timed in the same
 * rounds as the commands): effect's core (Effect, Schema, Stream) alone, and on top
 * of it @effect/ai-openai's client and language model, gpt-tokenizer's
 * o200k_base ranks (chunk sizes are in its tokens), and the wink-nlp model
 * with the chunker's pipe (sentence boundaries). Each line gives the time
 * above effect's core: the llm path loads all three before its first
 * request (issue 14's whole-run ratio allows 0.05 × calls × latency ÷
 * concurrency for everything outside the requests; 524 ms in its setup).
 * Last, one JSON object with every figure.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
if (!existsSync(BIN)) {
  console.error("bench:startup: dist/bin.js is missing; run npm run build first")
  process.exit(1)
}
const RUNS = Number(process.argv[2] ?? 10)
const empty = mkdtempSync(join(tmpdir(), "extract-bench-startup-"))

const COMMANDS: ReadonlyArray<
  { readonly name: string; readonly args: ReadonlyArray<string>; readonly env?: Record<string, string> }
> = [
  { name: "node -e 0", args: ["-e", "0"] },
  { name: "extract --version", args: [BIN, "--version"] },
  { name: "extract --help", args: [BIN, "--help"] },
  { name: "extract runs list", args: [BIN, "runs", "list", "-o", empty] },
  { name: "runs list (full CLI)", args: [BIN, "runs", "list", "-o", empty], env: { EXTRACT_MODEL: "gpt-4o-mini" } }
]

/** CPU time (ms, user + system) of the waited-for children so far, or NaN off Linux. */
const childrenCpuMs = (): number => {
  try {
    // fields after the command name: cutime and cstime are the 14th and 15th
    const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ")
    return (Number(fields[13]) + Number(fields[14])) * 10
  } catch {
    return Number.NaN
  }
}

const CORE = `await import("effect/Effect"); await import("effect/Schema"); await import("effect/Stream");`
/** Module graphs to load, each as a fresh `node --input-type=module -e` in the repository (node_modules). */
const LOADS: ReadonlyArray<{ readonly name: string; readonly code: string }> = [
  { name: "effect core", code: CORE },
  {
    name: "@effect/ai-openai",
    code:
      `${CORE} await import("@effect/ai-openai/OpenAiClient"); await import("@effect/ai-openai/OpenAiLanguageModel");`
  },
  { name: "gpt-tokenizer o200k", code: `${CORE} await import("gpt-tokenizer/encoding/o200k_base");` },
  {
    name: "wink-nlp model",
    code: `${CORE} const m = (await import("wink-eng-lite-web-model")).default;` +
      ` (await import("wink-nlp")).default(m, ["sbd"]);`
  }
]
const ROOT = fileURLToPath(new URL("..", import.meta.url))
// Commands and loads are timed in the same interleaved rounds.
const MEASURED = [
  ...COMMANDS,
  ...LOADS.map((l) => ({ name: l.name, args: ["--input-type=module", "-e", l.code], env: undefined }))
]

const time = (args: ReadonlyArray<string>, env?: Record<string, string>): number => {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    ...(env === undefined ? {} : { env: { ...process.env, ...env } })
  })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`)
  return ms
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const load = loadavg()[0]!
for (const c of MEASURED) time(c.args, c.env) // warm the file cache
const samples = MEASURED.map(() => [] as Array<number>)
const cpu = MEASURED.map(() => 0)
for (let round = 0; round < RUNS; round++) {
  MEASURED.forEach((c, i) => {
    const before = childrenCpuMs()
    samples[i]!.push(time(c.args, c.env))
    cpu[i]! += childrenCpuMs() - before
  })
}
rmSync(empty, { recursive: true, force: true })

const results = COMMANDS.map((c, i) => ({
  command: c.name,
  medianMs: Math.round(median(samples[i]!)),
  minMs: Math.round(Math.min(...samples[i]!)),
  maxMs: Math.round(Math.max(...samples[i]!)),
  cpuMsPerRun: Math.round(cpu[i]! / RUNS)
}))
const baseline = results[0]!.medianMs
for (const r of results) {
  console.log(
    `${r.command.padEnd(21)} median ${String(r.medianMs).padStart(4)} ms  (min ${r.minMs}, max ${r.maxMs}; ${
      r === results[0] ? "baseline" : `node -e 0 + ${r.medianMs - baseline} ms`
    })  cpu ${r.cpuMsPerRun} ms/run`
  )
}
console.log(`${RUNS} runs each; load average ${load.toFixed(2)} at the start`)

const loadMedians = LOADS.map((_, i) => median(samples[COMMANDS.length + i]!))
const loads = LOADS.map((l, i) => ({
  module: l.name,
  medianMs: Math.round(loadMedians[i]!),
  aboveCoreMs: i === 0 ? 0 : Math.round(loadMedians[i]! - loadMedians[0]!)
}))
for (const l of loads) {
  console.log(
    `load ${l.module.padEnd(20)} median ${String(l.medianMs).padStart(4)} ms  (${
      l.module === "effect core" ? `node -e 0 + ${l.medianMs - baseline} ms` : `effect core + ${l.aboveCoreMs} ms`
    })`
  )
}
console.log(JSON.stringify({ benchmark: "startup", runs: RUNS, loadAverage: load, results, loads }))

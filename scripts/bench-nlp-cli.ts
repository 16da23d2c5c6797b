/**
 * The end-to-end part of `npm run bench:nlp` (issue 14): what a user sees
 * when running the built CLI, `extract --extractor nlp`, over one large
 * document, by default 5.5 MB of State of the Union prose (the last
 * addresses of `../shared/data/sotu/` in name order, concatenated until
 * they reach the size).
 *
 * Runs `dist/bin.js` under GNU time `runs` times (default 3) in each mode —
 * `EXTRACT_WORKERS=0` (one thread) and the default (worker threads from
 * 1 MB up; Extractor/Nlp.ts `workersFor`) — into fresh output directories,
 * with `--database none` left off so that the SQL mirror's cost counts, and
 * reports per mode the median wall time, MB/s (10^6 bytes of input per
 * second of wall time), CPU seconds and peak RSS (the process's maximum
 * resident set, worker threads included, in MiB). It then checks that both
 * modes wrote byte-identical chunks, extractions and outputs, and exits 1
 * if not.
 *
 * Options: --cli-mb MB (BENCH_CLI_MB, 5.5), --runs N (BENCH_RUNS, 3).
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { cliEnv } from "../test/support/Cli.js"
import { resultFiles, sha } from "../test/support/RunFiles.js"
import { sotuText } from "../test/support/Sotu.js"

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
/** The last State of the Union addresses in name order, concatenated as they are, until they reach `mb` × 10^6 bytes. */
export const lastSotu = (mb: number): Buffer => Buffer.from(sotuText({ from: "last", bytes: mb * 1e6, separator: "" }))

interface Run {
  readonly wallMs: number
  readonly cpuMs: number
  readonly rssMb: number
  readonly runDir: string
}

const once = (doc: string, out: string, workers: string | undefined): Run => {
  const env = cliEnv(workers === undefined ? {} : { EXTRACT_WORKERS: workers })
  const started = performance.now()
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "maxrss_kb=%M cpu_user_s=%U cpu_sys_s=%S", process.execPath, BIN, doc, "--output-dir", out, "-q"],
    { env, encoding: "utf8" }
  )
  const wallMs = performance.now() - started
  if (r.status !== 0) throw new Error(`bench:nlp: the CLI exited ${r.status}\n${r.stderr}`)
  const num = (re: RegExp) => Number(re.exec(r.stderr)?.[1] ?? NaN)
  return {
    wallMs,
    cpuMs: 1000 * (num(/cpu_user_s=([\d.]+)/) + num(/cpu_sys_s=([\d.]+)/)),
    rssMb: num(/maxrss_kb=(\d+)/) / 1024,
    runDir: r.stdout.trim().split("\n").at(-1)!.split("\t")[1]!
  }
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Runs the benchmark and prints its lines; returns its figures (the caller prints the JSON line). */
export const benchCli = (mb: number, runs: number) => {
  const dir = mkdtempSync(join(tmpdir(), "extract-bench-nlp-"))
  try {
    const doc = join(dir, "sotu.txt")
    const text = lastSotu(mb)
    writeFileSync(doc, text)
    const inputMb = text.length / 1e6
    const load = loadavg()[0]!
    const modes = [{ name: "one thread", workers: "0" }, { name: "default", workers: undefined }] as const
    const results = modes.map((m) => {
      const rs: Array<Run> = []
      for (let i = 0; i < runs; i++) rs.push(once(doc, join(dir, `${m.workers ?? "default"}-${i}`), m.workers))
      return { mode: m.name, runs: rs }
    })
    const [a, b] = [results[0]!.runs[0]!.runDir, results[1]!.runs[0]!.runDir]
    const fa = new Set(resultFiles(a))
    const fb = new Set(resultFiles(b))
    const differing = [...new Set([...fa, ...fb])].filter((f) =>
      !fa.has(f) || !fb.has(f) || sha(join(a, f)) !== sha(join(b, f))
    )
    const figures = results.map((r) => {
      const wallMs = median(r.runs.map((x) => x.wallMs))
      return {
        mode: r.mode,
        wallMs: Math.round(wallMs),
        walls: r.runs.map((x) => Math.round(x.wallMs)),
        mbPerS: Number((inputMb / (wallMs / 1000)).toFixed(3)),
        cpuMs: Math.round(median(r.runs.map((x) => x.cpuMs))),
        peakRssMb: Math.round(Math.max(...r.runs.map((x) => x.rssMb)))
      }
    })
    console.log(`end to end: extract over ${inputMb.toFixed(2)} MB of State of the Union prose, ${runs} runs per mode`)
    for (const f of figures) {
      console.log(
        `  ${f.mode.padEnd(10)} ${f.mbPerS} MB/s (median wall ${f.wallMs} ms of ${f.walls.join(", ")}), ` +
          `CPU ${f.cpuMs} ms, peak RSS ${f.peakRssMb} MB`
      )
    }
    console.log(
      `  outputs ${differing.length === 0 ? "byte-identical" : `DIFFER in ${differing.length} files`} between modes; ` +
        `load average at start ${load.toFixed(2)}`
    )
    return { inputMb: Number(inputMb.toFixed(2)), modes: figures, identical: differing.length === 0, loadAverage: load }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

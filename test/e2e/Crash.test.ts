/**
 * Crash recovery, end to end: the built CLI with the llm extractor against a
 * loopback Responses API server (with latency) is killed with SIGKILL at 20
 * random moments. Each time `metadata.json` must parse (when it exists), the
 * dead run must read as not finished, a re-run must complete, and its
 * outputs must be byte-identical to an uninterrupted run's.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ExtractionRunService, RunStoreConfig } from "../../src/Store/ExtractionRunService.js"
import { runCli, startCli } from "../support/Cli.js"
import { peopleDocument } from "../support/Documents.js"
import { type MockOpenAi, startMockOpenAi } from "../support/MockOpenAi.js"

const KILLS = 20
/** Seed of the kill moments; printed, so a failure can be replayed. */
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 100_000)

/** mulberry32: a small seeded PRNG (public domain, Tommy Ettinger). */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const filesUnder = (dir: string, base = dir): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((f) => {
      const p = join(dir, f)
      return statSync(p).isDirectory() ? filesUnder(p, base) : [p.slice(base.length + 1)]
    })
    : []

describe("kill -9 at random moments of a run", () => {
  let server: MockOpenAi
  const root = mkdtempSync(join(tmpdir(), "extract-crash-"))
  const input = join(root, "letters.txt")
  const text = peopleDocument(1, 10)
  writeFileSync(input, text)
  const runId = `doc-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`
  const args = (out: string) => [input, "-o", out, "--chunk-size", "48", "--chunk-overlap", "0", "--concurrency", "2"]
  const env = () => ({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: "sk-crash-test" })
  let baseline: Map<string, Buffer>
  /** The run's status as `extract runs show` reports it, read in-process through the same store. */
  const statusOf = (out: string, runId: string) =>
    Effect.runPromise(
      Effect.flatMap(ExtractionRunService, (s) => s.getRun(runId)).pipe(
        Effect.map((m) => m.status),
        Effect.provide(
          ExtractionRunService.Default.pipe(Layer.provide(RunStoreConfig.layer(out)), Layer.provide(NodeContext.layer))
        )
      )
    )

  /** Milliseconds from spawn to exit, and from the run's first progress line to exit, uninterrupted. */
  let total = 0
  let runPhase = 0

  beforeAll(async () => {
    server = await startMockOpenAi({ latencyMs: 20 })
    const out = join(root, "baseline")
    const t0 = Date.now()
    const cli = startCli(args(out), { env: env() })
    await cli.waitForStderr(new RegExp(`${runId}: `))
    const t1 = Date.now()
    const r = await cli.done
    expect(r.code).toBe(0)
    total = Date.now() - t0
    runPhase = Date.now() - t1
    const runDir = join(out, "runs", runId)
    baseline = new Map(filesUnder(join(runDir, "outputs")).map((f) => [f, readFileSync(join(runDir, "outputs", f))]))
    expect(baseline.size).toBe(5) // the default formats: json, resolution, mermaid, turtle, html
    console.log(`crash test: seed ${SEED}, uninterrupted run ${total} ms (run phase ${runPhase} ms)`)
  }, 60_000)
  afterAll(() => server.close())

  it(
    `survives ${KILLS} SIGKILLs: metadata.json parses, the run reads as unfinished, a re-run completes with identical outputs`,
    async () => {
      const random = prng(SEED)
      const outcomes: Array<string> = []
      for (let k = 0; k < KILLS; k++) {
        const out = join(root, `kill-${k}`)
        const runDir = join(out, "runs", runId)
        const cli = startCli(args(out), { env: env() })
        // every fifth kill anywhere in the process's life (start-up included), the others while the run is being written
        if (k % 5 === 0) await new Promise((r) => setTimeout(r, random() * total))
        else {
          await cli.waitForStderr(new RegExp(`${runId}: `)).catch(() => undefined)
          await new Promise((r) => setTimeout(r, random() * runPhase))
        }
        cli.child.kill("SIGKILL")
        const killed = await cli.done

        let status = "none"
        if (existsSync(join(runDir, "metadata.json"))) {
          const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8")) // must parse
          expect(meta.runId).toBe(runId)
          status = await statusOf(out, runId)
          if (k % 5 === 1) {
            // and through the CLI, now and then (each spawn costs a second)
            const shown = await runCli(["runs", "show", runId, "--json", "-o", out])
            expect(shown.code).toBe(0)
            expect(JSON.parse(shown.stdout).status).toBe(status)
          }
          // a dead process's run is never reported as running
          expect(["interrupted", "completed"]).toContain(status)
          if (killed.signal === "SIGKILL") {
            expect(status === "completed" || meta.status === "running" || meta.status === "interrupted").toBe(true)
          }
        }
        outcomes.push(`${k}:${killed.signal ?? killed.code}:${status}`)

        const rerun = await runCli([...args(out), "--json"], { env: env() })
        expect(rerun.code, rerun.stderr).toBe(0)
        expect(JSON.parse(rerun.stdout)).toMatchObject({ runId, status: "completed" })
        for (const [file, bytes] of baseline) {
          expect(readFileSync(join(runDir, "outputs", file)).equals(bytes), file).toBe(true)
        }
        const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
        expect(meta.status).toBe("completed")
        for (const o of meta.outputs) {
          expect(createHash("sha256").update(readFileSync(join(runDir, o.path))).digest("hex")).toBe(o.sha256)
        }
        // the re-run cleaned up after the killed one: no lock, no temporary files
        expect(filesUnder(runDir).filter((f) => f.endsWith(".tmp") || f.includes(".lock"))).toEqual([])
        // every event the killed run got on disk is still there, in timestamp order
        const stamps = meta.events.map((e: any) => e.timestamp)
        expect(stamps).toEqual([...stamps].sort())
        expect(meta.events.filter((e: any) => e.type === "run.created")).toHaveLength(1)
      }
      console.log(`crash test outcomes (kill:signal:status before re-run): ${outcomes.join(" ")}`)
      // the kills did land in the middle of runs, not only before or after
      expect(outcomes.filter((o) => o.endsWith(":interrupted")).length).toBeGreaterThan(3)
    },
    900_000
  ) // about a minute on a quiet 2-core machine; the bound is for loaded ones
})

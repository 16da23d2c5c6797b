/**
 * `extract runs list` on the launcher's fast path (src/RunsListing.ts) and
 * on the full command line print the same bytes, and the fast path only
 * answers what it can (issue 14).
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fastRunsListRequest, formatTable, listingOf } from "../src/RunsListing.js"
import { runCli } from "./support/Cli.js"

describe("fastRunsListRequest", () => {
  it("takes -o/--output-dir and --json, at most once each", () => {
    expect(fastRunsListRequest([], {})).toEqual({ outputDir: "./output", json: false })
    expect(fastRunsListRequest(["-o", "out", "--json"], {})).toEqual({ outputDir: "out", json: true })
    expect(fastRunsListRequest(["--json", "--output-dir", "a b"], {})).toEqual({ outputDir: "a b", json: true })
  })

  it("falls back to EXTRACT_OUTPUT_DIR as --output-dir does", () => {
    expect(fastRunsListRequest([], { EXTRACT_OUTPUT_DIR: "/runs/here" })?.outputDir).toBe("/runs/here")
    expect(fastRunsListRequest(["-o", "x"], { EXTRACT_OUTPUT_DIR: "/runs/here" })?.outputDir).toBe("x")
  })

  it("leaves everything else to the full command line", () => {
    for (
      const args of [
        ["--from", "db"],
        ["--from", "fs"],
        ["-o"],
        ["-o", ""],
        ["-o", "--json"],
        ["--output-dir=x"],
        ["-o", "a", "-o", "b"],
        ["--json", "--json"],
        ["--help"],
        ["--log-level", "debug"],
        ["extra"]
      ]
    ) expect([args, fastRunsListRequest(args, {})]).toEqual([args, undefined])
    // extract's own options read these; a bad one fails every command on the full path
    expect(fastRunsListRequest([], { EXTRACT_CHUNK_SIZE: "abc" })).toBeUndefined()
    expect(fastRunsListRequest([], { EXTRACT_OUTPUT_DIR: "" })).toBeUndefined()
  })
})

describe("formatTable", () => {
  it("pads every column but the last to its widest cell, two spaces apart", () => {
    expect(formatTable([["a", "bb", "c"], ["dddd", "e", "ffffff"]])).toBe("a     bb  c\ndddd  e   ffffff")
    // rows of other lengths: widths are per column over every row
    expect(formatTable([["x", "yyyyyy"], ["zz", "w", "q"]])).toBe("x   yyyyyy\nzz  w       q")
    expect(formatTable([["a"], []])).toBe("a\n")
    expect(formatTable([])).toBe("")
  })
})

describe("listingOf", () => {
  const run = {
    runId: "doc-0123456789ab",
    status: "completed",
    createdAt: "2026-01-01T00:00:00.000Z",
    completedAt: null,
    inputPath: "a.txt",
    extractor: "nlp",
    entityCount: 12,
    relationCount: 3,
    detail: () => ({ inputJson: JSON.stringify({ path: "a.txt" }), statsJson: JSON.stringify({ entityCount: 12 }) })
  }
  const options = { outputDir: "out", runDirOf: (id: string) => `/abs/out/runs/${id}` }

  it("prints a table, or one JSON object per run", () => {
    expect(listingOf([run], { ...options, json: false }).stdout).toEqual([
      "RUN               STATUS     CREATED                   ENTITIES  RELATIONS  INPUT\n" +
      "doc-0123456789ab  completed  2026-01-01T00:00:00.000Z  12        3          a.txt"
    ])
    expect(listingOf([run], { ...options, json: true }).stdout).toEqual([
      "{\"runId\":\"doc-0123456789ab\",\"status\":\"completed\",\"createdAt\":\"2026-01-01T00:00:00.000Z\"," +
      "\"completedAt\":null,\"input\":{\"path\":\"a.txt\"},\"extractor\":\"nlp\",\"stats\":{\"entityCount\":12}," +
      "\"runDir\":\"/abs/out/runs/doc-0123456789ab\"}"
    ])
  })

  it("prints what JSON.stringify prints of the whole object", () => {
    const odd = { ...run, runId: "doc-\"quoted\"", completedAt: "2026-01-02T00:00:00.000Z", inputPath: "é/𝒜.txt" }
    const [line] = listingOf([odd], { ...options, json: true }).stdout
    expect(line).toBe(JSON.stringify({
      runId: odd.runId,
      status: odd.status,
      createdAt: odd.createdAt,
      completedAt: odd.completedAt,
      input: { path: "a.txt" },
      extractor: "nlp",
      stats: { entityCount: 12 },
      runDir: `/abs/out/runs/${odd.runId}`
    }))
  })

  it("says there are no runs on stderr, and nothing with --json", () => {
    expect(listingOf([], { ...options, json: false })).toEqual({ stdout: [], stderr: ["no runs in out"] })
    expect(listingOf([], { ...options, json: true })).toEqual({ stdout: [], stderr: [] })
  })
})

describe("extract runs list, fast path and full command line", () => {
  /** Which path ran: the full command line loads dist/chunks/bin-*.js, the fast path does not. */
  const pathOf = async (args: ReadonlyArray<string>, env: Record<string, string>, cwd: string) => {
    const traced = await runCli(args, { env: { ...env, NODE_DEBUG: "esm" }, cwd })
    return /chunks\/bin-[A-Z0-9]+\.js/.test(traced.stderr) ? "full" : "fast"
  }

  it("prints the same bytes and exit code either way", async () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-runs-listing-"))
    try {
      mkdirSync(join(dir, "empty"))
      mkdirSync(join(dir, "no-runs", "runs"), { recursive: true })
      // names the run store does not take for runs
      mkdirSync(join(dir, "no-runs", "runs", "doc-xyz"))
      writeFileSync(join(dir, "no-runs", "runs", "notes.txt"), "x")
      mkdirSync(join(dir, "cwd", "output"), { recursive: true })
      const cases: ReadonlyArray<{ args: ReadonlyArray<string>; env?: Record<string, string>; cwd?: string }> = [
        { args: ["-o", join(dir, "empty")] },
        { args: ["-o", join(dir, "empty"), "--json"] },
        { args: ["--output-dir", join(dir, "missing")] },
        { args: ["-o", join(dir, "no-runs")] },
        { args: ["--json", "-o", join(dir, "no-runs")] },
        { args: [], env: { EXTRACT_OUTPUT_DIR: join(dir, "empty") } },
        // the default ./output, relative to the working directory, printed as given
        { args: [], cwd: join(dir, "cwd") },
        { args: ["-o", "output"], cwd: join(dir, "cwd") }
      ]
      for (const c of cases) {
        const args = ["runs", "list", ...c.args]
        const cwd = c.cwd ?? dir
        const env = c.env ?? {}
        // any other EXTRACT_ variable sends the same command line to the full path
        const fullEnv = { ...env, EXTRACT_MODEL: "gpt-4o-mini" }
        const [fast, full] = await Promise.all([runCli(args, { env, cwd }), runCli(args, { env: fullEnv, cwd })])
        expect([c, fast]).toEqual([c, full])
        expect(fast.code).toBe(0)
        expect(await pathOf(args, env, cwd)).toBe("fast")
        expect(await pathOf(args, fullEnv, cwd)).toBe("full")
      }
      expect((await runCli(["runs", "list", "-o", join(dir, "empty")], { cwd: dir })).stderr).toBe(
        `no runs in ${join(dir, "empty")}\n`
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it("leaves a directory with runs, and options it does not take, to the full command line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-runs-listing-"))
    try {
      const out = join(dir, "out")
      writeFileSync(join(dir, "a.txt"), "Ada Lovelace met Charles Babbage in London.\n")
      const made = await runCli(["a.txt", "-o", out, "-q", "--extractor", "nlp"], { cwd: dir })
      expect(made.code, made.stderr).toBe(0)
      expect(await pathOf(["runs", "list", "-o", out], {}, dir)).toBe("full")
      const list = await runCli(["runs", "list", "-o", out], { cwd: dir })
      expect(list.code).toBe(0)
      expect(list.stdout).toMatch(
        /^RUN +STATUS +CREATED +ENTITIES +RELATIONS +INPUT\ndoc-[0-9a-f]{12} +completed .* a\.txt\n$/
      )
      expect(await pathOf(["runs", "list", "-o", join(dir, "none"), "--from", "fs"], {}, dir)).toBe("full")
      const bad = await runCli(["runs", "list", "-o", join(dir, "none"), "--from", "nowhere"], { cwd: dir })
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/^extract: /)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

/**
 * The bundle (scripts/build.ts, issue 14): what start-up loads, and that
 * dist/ runs on its own.
 */
import { describe, expect, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { spawnSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { buildOptions } from "../scripts/build.js"
import { ROOT } from "./support/Cli.js"

/** Modules that only some commands need: never loaded by --version, --help or runs list. */
const HEAVY =
  /^node_modules\/(gpt-tokenizer|compromise|wink-nlp|wink-eng-lite-web-model|n3|@effect\/ai|@effect\/ai-openai|city-timezones|countries-list|country-region-data)\/|^src\/(Extractor|Renderer|Resolver|Tokenizer|Chunker|Pipeline|BatchRunner|Settings|SentenceSplitter|WinkNlp)\b/

describe("the bundle", () => {
  it("keeps what some commands need out of what every command loads", async () => {
    const result = await esbuild.build({ ...buildOptions, write: false, metafile: true, logLevel: "silent" })
    const outputs = result.metafile.outputs
    /** Input files of `start` and of every output it imports statically. */
    const staticInputs = (start: string) => {
      const seen = new Set<string>()
      const visit = (o: string) => {
        if (seen.has(o)) return
        seen.add(o)
        for (const i of outputs[o]!.imports) if (i.kind === "import-statement" && !i.external) visit(i.path)
      }
      visit(start)
      return [...seen].flatMap((o) => Object.keys(outputs[o]!.inputs))
    }
    const chunkOf = (entry: string) => Object.keys(outputs).find((o) => outputs[o]!.entryPoint === entry)!
    const launcher = staticInputs("dist/bin.js")
    expect(launcher).toContain("src/Launcher.ts")
    // the fast path: --version and --help load nothing of effect
    expect(launcher.filter((f) => f.startsWith("node_modules/"))).toEqual([])
    // nor does runs list over an output directory without runs
    const fastList = staticInputs(chunkOf("src/RunsListing.ts"))
    expect(fastList).toContain("src/RunsListing.ts")
    expect(fastList.filter((f) => f.startsWith("node_modules/") || f === "src/Cli.ts")).toEqual([])
    const main = staticInputs(chunkOf("src/bin.ts"))
    expect(main).toContain("src/Cli.ts")
    expect(main.some((f) => f.startsWith("node_modules/@effect/cli/"))).toBe(true)
    expect(main.filter((f) => HEAVY.test(f))).toEqual([])
    const runsList = [...main, ...staticInputs(chunkOf("src/RunsReport.ts"))]
    expect(runsList).toContain("src/Store/ExtractionRunService.ts")
    expect(runsList.filter((f) => HEAVY.test(f))).toEqual([])
    // the extract command's chunks do hold them (the check above can fail)
    expect(staticInputs(chunkOf("src/Extractor/Nlp.ts")).some((f) => HEAVY.test(f))).toBe(true)
  }, 60_000)

  it("runs from a copy of dist/ and package.json alone, and extracts the same graph", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-bundle-"))
    try {
      cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true })
      cpSync(join(ROOT, "package.json"), join(dir, "package.json"))
      mkdirSync(join(dir, "empty"))
      const bin = join(dir, "dist/bin.js")
      expect(statSync(bin).mode & 0o111).not.toBe(0)
      expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true)
      const run = (bin: string, ...args: Array<string>) =>
        spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH } })
      const version = run(bin, "--version")
      expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version)
      expect(run(bin, "--help").stdout).toContain("Usage: extract [options] <file>...")
      const list = run(bin, "runs", "list", "-o", join(dir, "empty"))
      expect(list.status, list.stderr).toBe(0)
      expect(list.stderr).toContain("no runs in")
      const sample = join(ROOT, "docs/samples/analytical-engine.txt")
      const copy = run(bin, sample, "-o", join(dir, "out-copy"), "-q", "--extractor", "nlp", "--json")
      expect(copy.status, copy.stderr).toBe(0)
      const here = run(
        join(ROOT, "dist/bin.js"),
        sample,
        "-o",
        join(dir, "out-here"),
        "-q",
        "--extractor",
        "nlp",
        "--json"
      )
      expect(here.status, here.stderr).toBe(0)
      const graphOf = (r: ReturnType<typeof run>) =>
        readFileSync(join(JSON.parse(r.stdout).runDir, "outputs/knowledge-graph.json"), "utf8")
      const graph = graphOf(copy)
      expect(JSON.parse(graph).entities.length).toBeGreaterThan(10)
      expect(graph).toBe(graphOf(here))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

/**
 * Load-to-interactive time and size of viewer.html for two real runs, in
 * headless Chromium (the test flags, support/Browser.ts):
 *
 * - The Adventures of Sherlock Holmes (LitBank), goal < 2 s;
 * - 5.5 MiB of State of the Union addresses: the last files of
 *   ../shared/data/sotu/ in name order, concatenated, cut at a line end, goal < 5 s.
 *
 * Runs the built CLI (`npm run build` first) into scratch/bench-viewer/
 * (with --force, so viewer.html is the current build's), then opens each viewer.html from file:// a
 * few times and prints the medians of `window.__viewerReady` (interactive:
 * text, lists and handlers in place, first frame painted) and
 * `window.__viewerGraphReady` (graph drawn), both in ms since navigation
 * start, with the file sizes and the machine's load average. Then times
 * the graph view at up to 5,000 nodes (what "Show more" leads to): the
 * ForceAtlas2 layout and sigma's first frame.
 *
 *   npm run bench:viewer [-- --repeat 3]
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { gzipSync } from "node:zlib"
import { chromium } from "playwright-core"
import { SHARED } from "../test/support/Cli.js"
import { sotuFiles } from "../test/support/Sotu.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const SHARED_DATA = join(SHARED, "data")
const SCRATCH = join(ROOT, "scratch", "bench-viewer")
const repeatAt = process.argv.indexOf("--repeat")
const REPEAT = repeatAt > 0 ? Number(process.argv[repeatAt + 1]) : 3
const SOTU_BYTES = Math.round(5.5 * 1024 * 1024)

/** The last SOTU files in name order, concatenated up to {@link SOTU_BYTES}, cut after the last full line. */
const sotuInput = () => {
  const file = join(SCRATCH, "sotu-5.5mb.txt")
  if (existsSync(file)) return file
  const files = sotuFiles()
  const chosen: Array<string> = []
  let total = 0
  for (let i = files.length - 1; i >= 0 && total < SOTU_BYTES; i--) {
    chosen.unshift(files[i]!)
    total += statSync(files[i]!).size + 2
  }
  let bytes = Buffer.concat(chosen.map((f) => Buffer.concat([readFileSync(f), Buffer.from("\n\n")])))
  bytes = bytes.subarray(0, SOTU_BYTES)
  bytes = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1)
  writeFileSync(file, bytes)
  return file
}

const runOf = (input: string) => {
  const out = execFileSync(
    process.execPath,
    [join(ROOT, "dist", "bin.js"), input, "-o", join(SCRATCH, "output"), "-q", "--force"],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"]
    }
  )
  return out.trim().split("\t")[1]!
}

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`

mkdirSync(SCRATCH, { recursive: true })
const inputs = [
  {
    name: "sherlock",
    file: join(SHARED_DATA, "litbank", "texts", "1661_the_adventures_of_sherlock_holmes.txt"),
    goalMs: 2000
  },
  { name: "sotu-5.5MiB", file: sotuInput(), goalMs: 5000 }
]
const bundle = readFileSync(join(ROOT, "dist", "assets", "viewer.js"))
console.log(`viewer bundle: dist/assets/viewer.js ${bundle.length} bytes (${gzipSync(bundle).length} gzipped)`)

const profile = mkdtempSync(join(tmpdir(), "extract-bench-viewer-"))
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run"
  ],
  viewport: { width: 1600, height: 1000 }
})
const results = []
for (const input of inputs) {
  const runDir = runOf(input.file)
  const viewer = join(runDir, "outputs", "viewer.html")
  const graph = JSON.parse(readFileSync(join(runDir, "outputs", "knowledge-graph.json"), "utf8"))
  const mentions = graph.entities.reduce((n: number, e: { mentions: Array<unknown> }) => n + e.mentions.length, 0)
  const ready: Array<number> = []
  const graphReady: Array<number> = []
  let inDom = 0
  let graph5000 = { nodes: 0, edges: 0, ms: 0 }
  for (let i = 0; i < REPEAT; i++) {
    const page = await context.newPage()
    await page.goto(pathToFileURL(viewer).href)
    await page.waitForFunction(
      () => (window as { __viewerGraphReady?: number }).__viewerGraphReady !== undefined,
      null,
      {
        timeout: 120_000
      }
    )
    const t = await page.evaluate(() => {
      const w = window as { __viewerReady?: number; __viewerGraphReady?: number }
      return {
        ready: w.__viewerReady!,
        graph: w.__viewerGraphReady!,
        marks: document.querySelectorAll("[data-mention-id]").length
      }
    })
    ready.push(t.ready)
    graphReady.push(t.graph)
    inDom = t.marks
    if (i === REPEAT - 1) {
      graph5000 = await page.evaluate(async () => {
        const v = (window as any).__viewer
        const t0 = performance.now()
        v.graph.show(5000)
        await new Promise((r) => requestAnimationFrame(() => r(null)))
        return { nodes: v.graph.shown as number, edges: v.graph.edgeCount as number, ms: performance.now() - t0 }
      })
    }
    await page.close()
  }
  const row = {
    run: input.name,
    inputBytes: statSync(input.file).size,
    viewerBytes: statSync(viewer).size,
    entities: graph.entities.length,
    mentions,
    relations: graph.relations.length,
    highlightsAtLoad: inDom,
    interactiveMs: Math.round(median(ready)),
    graphMs: Math.round(median(graphReady)),
    goalMs: input.goalMs,
    bigGraph: { nodes: graph5000.nodes, edges: graph5000.edges, ms: Math.round(graph5000.ms) }
  }
  results.push(row)
  console.log(
    `${row.run}: input ${mb(row.inputBytes)}, viewer.html ${
      mb(row.viewerBytes)
    }; ${row.entities} entities, ${row.mentions} mentions ` +
      `(${row.highlightsAtLoad} highlighted at load), ${row.relations} relations; interactive ${row.interactiveMs} ms ` +
      `(goal < ${row.goalMs}), graph drawn ${row.graphMs} ms (median of ${REPEAT}); graph of ${row.bigGraph.nodes} nodes, ` +
      `${row.bigGraph.edges} edges: laid out and drawn in ${row.bigGraph.ms} ms`
  )
}
await context.close()
rmSync(profile, { recursive: true, force: true })
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
console.log(JSON.stringify(results))

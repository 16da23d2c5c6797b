/**
 * The render stage end to end through the real pipeline (with a fixed fake
 * extractor and resolver, see support/GoldenRun.ts): golden files pin every
 * output for a small fixed document, and two runs give the same bytes.
 *
 * To accept a deliberate change of the outputs, regenerate the golden files
 * and review the diff:  UPDATE_GOLDEN=1 npx vitest run test/Renderer.test.ts
 *
 * viewer.html inlines the built browser bundle (dist/assets/), which changes
 * with the viewer's code and its libraries, so its golden file is the data
 * it embeds (golden/viewer-data.json), and the rest of the page is checked
 * to be the bundle and style sheet exactly.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { ALL_FORMATS } from "../src/Domain/Output.js"
import { renderOutputs } from "../src/Renderer.js"
import { viewerAssets } from "../src/Renderer/Viewer.js"
import { ADVERSARIAL_TEXT, adversarialGraphs } from "./support/Adversarial.js"
import { goldenConfig, runGolden } from "./support/GoldenRun.js"

const GOLDEN = fileURLToPath(new URL("./golden", import.meta.url))
const DOCUMENT = readFileSync(join(GOLDEN, "document.txt"), "utf8")

/** The JSON a viewer.html embeds, parsed. */
const viewerDataIn = (html: string) => {
  const start = html.indexOf(`<script type="application/json" id="extract-data">`)
  const end = html.indexOf("</script>", start)
  return JSON.parse(html.slice(html.indexOf(">", start) + 1, end))
}

/** Every file under `dir`, as paths relative to it, sorted. */
const filesUnder = (dir: string): Array<string> => {
  const out: Array<string> = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p).split("\\").join("/"))
    }
  }
  walk(dir)
  return out.sort()
}

describe("render stage (golden files)", () => {
  it("writes exactly the pinned outputs for the golden document", async () => {
    const out = mkdtempSync(join(tmpdir(), "extract-golden-"))
    const summary = await runGolden(DOCUMENT, out, goldenConfig(ALL_FORMATS))
    expect(summary.status).toBe("completed")
    const outputs = join(summary.runDir, "outputs")
    const expected = join(GOLDEN, "expected")
    const viewer = readFileSync(join(outputs, "viewer.html"), "utf8")
    const viewerGolden = join(GOLDEN, "viewer-data.json")
    if (process.env.UPDATE_GOLDEN) {
      writeFileSync(viewerGolden, JSON.stringify(viewerDataIn(viewer), null, 2) + "\n")
      for (const f of filesUnder(outputs).filter((f) => f !== "viewer.html")) {
        mkdirSync(dirname(join(expected, f)), { recursive: true })
        writeFileSync(join(expected, f), readFileSync(join(outputs, f)))
      }
    }
    expect(filesUnder(outputs)).toEqual([...filesUnder(expected), "viewer.html"].sort())
    for (const f of filesUnder(expected)) {
      expect(readFileSync(join(outputs, f), "utf8"), f).toBe(readFileSync(join(expected, f), "utf8"))
    }
    expect(viewerDataIn(viewer)).toEqual(JSON.parse(readFileSync(viewerGolden, "utf8")))
    expect(viewer).toContain(`<script>${viewerAssets().script}</script>`)
    expect(viewer).toContain(`<style>${viewerAssets().style}</style>`)
    // metadata.json lists exactly these files
    const meta = JSON.parse(readFileSync(join(summary.runDir, "metadata.json"), "utf8"))
    expect(meta.outputs.map((o: { path: string }) => o.path).sort()).toEqual(
      filesUnder(outputs).map((f) => `outputs/${f}`)
    )
  })

  it("gives byte-identical outputs on a second run, in another output directory", async () => {
    const a = await runGolden(DOCUMENT, mkdtempSync(join(tmpdir(), "extract-det-")), goldenConfig(ALL_FORMATS))
    const b = await runGolden(DOCUMENT, mkdtempSync(join(tmpdir(), "extract-det-")), goldenConfig(ALL_FORMATS))
    const files = filesUnder(join(a.runDir, "outputs"))
    expect(files.length).toBe(11)
    for (const f of files) {
      expect(readFileSync(join(b.runDir, "outputs", f)).equals(readFileSync(join(a.runDir, "outputs", f))), f).toBe(
        true
      )
    }
  })

  it("writes the default formats by default, and removes outputs of formats no longer asked for", async () => {
    const out = mkdtempSync(join(tmpdir(), "extract-formats-"))
    const all = await runGolden(DOCUMENT, out, goldenConfig(ALL_FORMATS))
    expect(filesUnder(join(all.runDir, "outputs"))).toHaveLength(11)
    const fewer = await runGolden(DOCUMENT, out, goldenConfig(["json", "resolution", "mermaid", "turtle", "html"]))
    expect(fewer.reused).toBe(false) // the formats are part of the config
    expect(filesUnder(join(fewer.runDir, "outputs"))).toEqual([
      "entity-resolution-graph.json",
      "knowledge-graph.json",
      "mermaid-diagram.md",
      "rdf-turtle.ttl",
      "viewer.html"
    ])
    const meta = JSON.parse(readFileSync(join(fewer.runDir, "metadata.json"), "utf8"))
    expect(meta.outputs).toHaveLength(5)
    const rendering = meta.events.filter((e: { type: string }) => e.type === "rendering.complete").at(-1)
    expect(rendering.data.removed).toContain("outputs/graph.graphml")
  })
})

describe("renderOutputs", () => {
  const { graph, resolution } = adversarialGraphs()
  const text = ADVERSARIAL_TEXT

  it("always includes knowledge-graph.json and keeps the canonical order", () => {
    expect(renderOutputs(graph, resolution, { formats: ["turtle"] }).map((o) => o.path)).toEqual([
      "outputs/knowledge-graph.json",
      "outputs/rdf-turtle.ttl"
    ])
    expect(renderOutputs(graph, resolution, { text }).map((o) => o.type)).toEqual([
      "knowledge-graph",
      "entity-resolution-graph",
      "mermaid-diagram",
      "rdf-turtle",
      "viewer"
    ])
    expect(() => renderOutputs(graph, resolution)).toThrow("the html format needs the document text")
  })

  it("renders every format of the adversarial graph without throwing, as text with no lone surrogate", () => {
    const outputs = renderOutputs(graph, resolution, { formats: ALL_FORMATS, text })
    expect(outputs).toHaveLength(11)
    for (const o of outputs) {
      // \ud800 escapes in JSON text are fine; raw lone surrogates cannot be written as UTF-8
      expect(o.content, o.path).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
    }
  })
})

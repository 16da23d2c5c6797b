/** viewer.html as text: the embedded data, its escaping, the page's shell (the browser tests are in test/Viewer/). */
import { describe, expect, it } from "@effect/vitest"
import { renderViewer, scriptSafeJson, VIEWER_CSP, viewerDataOf } from "../../src/Renderer/Viewer.js"
import { ADVERSARIAL_TEXT, adversarialGraphs } from "../support/Adversarial.js"

const ASSETS = { script: "window.__test = 1", style: "body{margin:0}" }
const dataOf = (html: string) => {
  const open = `<script type="application/json" id="extract-data">`
  const start = html.indexOf(open) + open.length
  return html.slice(start, html.indexOf("</script>", start))
}

describe("scriptSafeJson", () => {
  it("escapes what could end or confuse a script block, and parses back to the same value", () => {
    const value = { a: "</script><script>alert(1)</script>", b: "<!-- x -->", c: "\u2028\u2029", d: "😀 \ud800" }
    const json = scriptSafeJson(value)
    expect(json).not.toMatch(/[<\u2028\u2029]/)
    expect(json).toContain("\\u003c/script>")
    expect(json).toContain("\\u2028\\u2029")
    expect(JSON.parse(json)).toEqual(value)
  })
})

describe("renderViewer", () => {
  const { graph, resolution } = adversarialGraphs()

  it("embeds the run's data as JSON that parses back to viewerDataOf, with no `<` inside", () => {
    const html = renderViewer(graph, resolution, ADVERSARIAL_TEXT, ASSETS)
    const json = dataOf(html)
    expect(json).not.toContain("<")
    const data = JSON.parse(json)
    expect(data).toEqual(JSON.parse(JSON.stringify(viewerDataOf(graph, resolution, ADVERSARIAL_TEXT))))
    expect(data.text).toBe(ADVERSARIAL_TEXT)
    expect(data.entities).toHaveLength(graph.entities.length)
    expect(data.mentions).toHaveLength(graph.entities.reduce((n, e) => n + e.mentions.length, 0))
    expect(data.relations).toHaveLength(graph.relations.length)
  })

  it("keeps each mention's code point span, entity and resolution edge", () => {
    const data = viewerDataOf(graph, resolution, ADVERSARIAL_TEXT)
    const edges = new Map(resolution.edges.map((e) => [e.mention, e]))
    for (const [id, entity, start, end, grounding, method, score, reasonIndex] of data.mentions) {
      const reason = data.reasons[reasonIndex]
      const e = graph.entities[entity]!
      const m = e.mentions.find((x) => x.id === id)!
      expect([start, end, grounding]).toEqual([m.span.start, m.span.end, m.grounding])
      expect([method, score, reason]).toEqual([edges.get(id)?.method, edges.get(id)?.score, edges.get(id)?.reason])
    }
    // document order, outermost first
    const starts = data.mentions.map((m) => m[2])
    expect(starts).toEqual([...starts].sort((a, b) => a - b))
    for (const r of data.relations) {
      const rel = graph.relations.find((x) => x.id === r[0])!
      expect(graph.entities[r[1]]!.id).toBe(rel.subject)
      expect(graph.entities[r[3]]!.id).toBe(rel.object)
    }
  })

  it("is one page with the assets inline, a CSP that forbids every fetch, and an escaped title", () => {
    const html = renderViewer(graph, resolution, ADVERSARIAL_TEXT, ASSETS)
    expect(html.startsWith("<!doctype html>\n")).toBe(true)
    expect(html).toContain(`<script>${ASSETS.script}</script>`)
    expect(html).toContain(`<style>${ASSETS.style}</style>`)
    expect(html).toContain(`content="${VIEWER_CSP}"`)
    expect(VIEWER_CSP).toContain("default-src 'none'")
    expect(html.match(/<script/g)).toHaveLength(2)
    expect(html).not.toMatch(/\b(?:src|href)=/)
    expect(renderViewer(graph, resolution, ADVERSARIAL_TEXT, ASSETS)).toBe(html)
  })
})

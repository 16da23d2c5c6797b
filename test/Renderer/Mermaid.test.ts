import { describe, expect, it } from "@effect/vitest"
import { Entity, EntityMention, KnowledgeGraph } from "../../src/Domain/Graph.js"
import { Span } from "../../src/Domain/Span.js"
import { escapeMermaidLabel, renderMermaid } from "../../src/Renderer/Mermaid.js"
import { awkwardGraph } from "../support/Fixtures.js"

describe("renderMermaid", () => {
  it("draws a fenced flowchart whose labels hold no raw quote, bracket, pipe or newline", () => {
    const md = renderMermaid(awkwardGraph)
    expect(md.startsWith("```mermaid\nflowchart LR\n")).toBe(true)
    expect(md.trimEnd().endsWith("```")).toBe(true)
    for (const line of md.split("\n").slice(2, -2)) {
      const labels = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]!)
      for (const l of labels) expect(l.replace(/#\d+;/g, "")).not.toMatch(/[[\]{}|"\n;#]/)
    }
    // Tokyo has the most relations, so it is drawn first
    expect(md).toContain(`e1["${escapeMermaidLabel("東京 😀")}`)
    expect(md).toContain("e2 -->|\"livesIn\"| e1")
  })

  it("escapes with decimal entity codes", () => {
    expect(escapeMermaidLabel('a"b')).toBe("a#34;b")
    expect(escapeMermaidLabel("😀")).toBe("#128512;")
  })

  it("draws at most the limit and says how many entities it left out", () => {
    const span = new Span({ start: 0, end: 1, text: "x" })
    const entities = Array.from({ length: 5 }, (_, i) =>
      new Entity({ id: `e${i}`, label: `E${i}`, type: "Other", aliases: [], mentions: [new EntityMention({ id: `m${i}`, span, chunk: 0, grounding: "exact" })], description: null }))
    const md = renderMermaid(new KnowledgeGraph({ ...awkwardGraph, entities, relations: [] }), 2)
    expect(md).toContain("%% 3 of 5 entities left out")
    expect(md.match(/\["/g)).toHaveLength(2)
  })
})

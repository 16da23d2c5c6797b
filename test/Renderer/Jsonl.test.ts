import { describe, expect, it } from "@effect/vitest"
import { Entity, EntityMention, KnowledgeGraph } from "../../src/Domain/Graph.js"
import { Span } from "../../src/Domain/Span.js"
import { memoryNames, renderJsonl } from "../../src/Renderer/Jsonl.js"
import { adversarialGraphs } from "../support/Adversarial.js"

describe("renderJsonl (MCP memory server lines)", () => {
  const { graph } = adversarialGraphs()
  const text = renderJsonl(graph)
  const lines = text.split("\n")

  it("writes one JSON object per line in the memory server's shapes", () => {
    expect(lines.at(-1)).toBe("") // final newline
    const items = lines.slice(0, -1).map((l) => JSON.parse(l))
    const entities = items.filter((i) => i.type === "entity")
    const relations = items.filter((i) => i.type === "relation")
    expect(entities).toHaveLength(graph.entities.length)
    expect(relations).toHaveLength(graph.relations.length)
    for (const e of entities) {
      expect(Object.keys(e)).toEqual(["type", "name", "entityType", "observations"])
      expect(e.observations.every((o: unknown) => typeof o === "string")).toBe(true)
    }
    for (const r of relations) expect(Object.keys(r)).toEqual(["type", "from", "to", "relationType"])
    // entities come first, as the server writes them
    expect(items.findIndex((i) => i.type === "relation")).toBe(entities.length)
  })

  it("gives every entity a unique name, and relations point at those names", () => {
    const items = lines.slice(0, -1).map((l) => JSON.parse(l))
    const names = items.filter((i) => i.type === "entity").map((e) => e.name)
    expect(new Set(names).size).toBe(names.length)
    for (const r of items.filter((i) => i.type === "relation")) {
      expect(names).toContain(r.from)
      expect(names).toContain(r.to)
    }
    // the three "Paris" entities: two Locations and a Person
    expect(names.filter((n: string) => n.startsWith("Paris (Location, paris-"))).toHaveLength(2)
    expect(names).toContain("Paris (Person)")
  })

  it("records where each entity was mentioned", () => {
    const first = JSON.parse(lines[0]!)
    const e = graph.entities[0]!
    expect(first.observations).toContain(
      `Mention at code points ${e.mentions[0]!.span.start}–${e.mentions[0]!.span.end}: "${e.mentions[0]!.span.text}"`
    )
    expect(first.observations).toContain(`Mentioned 1 time in doc-0123456789ab (input/document.txt)`)
  })

  it("numbers names that would still collide", () => {
    const span = new Span({ start: 0, end: 1, text: "x" })
    const entity = (id: string, label: string, type: string) =>
      new Entity({
        id,
        label,
        type,
        aliases: [],
        mentions: [new EntityMention({ id, span, chunk: 0, grounding: "exact" })],
        description: null
      })
    const g = new KnowledgeGraph({
      ...graph,
      entities: [entity("a", "X", "T"), entity("b", "X", "T"), entity("c", "X (T, a)", "U")],
      relations: []
    })
    const names = [...memoryNames(g).values()]
    expect(new Set(names).size).toBe(3)
  })
})

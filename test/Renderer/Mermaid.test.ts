import { describe, expect, it } from "@effect/vitest"
import { Entity, EntityMention, Evidence, KnowledgeGraph, Relation } from "../../src/Domain/Graph.js"
import { Span } from "../../src/Domain/Span.js"
import { escapeMermaidLabel, MERMAID_MAX_EDGES, renderMermaid } from "../../src/Renderer/Mermaid.js"
import { adversarialGraphs, LONG_NAME } from "../support/Adversarial.js"
import { parseMermaid, unfence } from "../support/MermaidParser.js"

const span = new Span({ start: 0, end: 1, text: "x" })
const entity = (id: string, label: string, type = "Other") =>
  new Entity({
    id,
    label,
    type,
    aliases: [],
    mentions: [new EntityMention({ id: `${id}-m`, span, chunk: 0, grounding: "exact" })],
    description: null
  })
const relation = (id: string, subject: string, predicate: string, object: string) =>
  new Relation({ id, subject, predicate, object, evidence: [new Evidence({ span, chunk: 0, grounding: "exact" })] })
const graphOf = (entities: Array<Entity>, relations: Array<Relation>) =>
  new KnowledgeGraph({
    schemaVersion: 1,
    runId: "doc-0123456789ab",
    document: { path: "input/document.txt", sha256: "a".repeat(64), length: 1 },
    entities,
    relations
  })

/** The labels between the quotes of node and edge definitions. */
const quoted = (diagram: string) => [...diagram.matchAll(/\["([^"]*)"\]|\|"([^"]*)"\|/g)].map((m) => m[1] ?? m[2]!)

describe("renderMermaid", () => {
  it("writes a diagram Mermaid's parser accepts, whatever the names contain", async () => {
    const { graph } = adversarialGraphs()
    const md = renderMermaid(graph)
    const diagram = unfence(md)
    await expect(parseMermaid(diagram)).resolves.toMatchObject({ diagramType: "flowchart-v2" })
    expect(diagram.split("\n").filter((l) => /^\s+e\d+\["/.test(l))).toHaveLength(graph.entities.length)
    expect(diagram.split("\n").filter((l) => /-->/.test(l))).toHaveLength(graph.relations.length)
    for (const label of quoted(diagram)) {
      // nothing that could end the string, inject HTML, start a directive, or break the line
      expect(label.replace(/<br\/>/g, "")).not.toMatch(/["<>&`%\n\r\ud800-\udfff]/)
    }
    expect(diagram).not.toContain("<script>")
    expect(diagram).toContain(`#60;script#62;`)
    expect(diagram).toContain("東京 #128512;") // non-Latin scripts stay readable
  })

  it("cuts long labels and keeps under Mermaid's 50,000-character limit", async () => {
    const entities = Array.from({ length: 100 }, (_, i) => entity(`x${i}`, `${i} ${LONG_NAME}`))
    const diagram = unfence(renderMermaid(graphOf(entities, [])))
    expect(diagram.length).toBeLessThan(50_000)
    expect(diagram).toContain("…")
    await expect(parseMermaid(diagram)).resolves.toBeDefined()
  })

  it("drops what does not fit by size, and says so", async () => {
    // emoji escape to 9 characters each: 100 such labels cannot all fit
    const entities = Array.from({ length: 100 }, (_, i) => entity(`x${i}`, "😀".repeat(79) + i))
    const diagram = unfence(renderMermaid(graphOf(entities, [])))
    expect(diagram.length).toBeLessThan(50_000)
    const drawn = diagram.split("\n").filter((l) => /^\s+e\d+\["/.test(l)).length
    expect(drawn).toBeLessThan(100)
    expect(diagram).toContain(`%% ${100 - drawn} of 100 entities left out`)
    await expect(parseMermaid(diagram)).resolves.toBeDefined()
  })

  it("draws the entities with the most relations, at most the limits, and says what it left out", async () => {
    const entities = Array.from({ length: 300 }, (_, i) => entity(`n${String(i).padStart(3, "0")}`, `Node ${i}`))
    // hub n000 relates to everyone; n001..n040 also form a chain; 299 + 39 relations
    const relations = [
      ...entities.slice(1).map((e, i) => relation(`h${i}`, "n000", "links", e.id)),
      ...entities.slice(1, 40).map((e, i) => relation(`c${i}`, e.id, "next", entities[i + 2]!.id))
    ]
    const md = renderMermaid(graphOf(entities, relations), { maxEntities: 50 })
    const diagram = unfence(md)
    await expect(parseMermaid(diagram)).resolves.toBeDefined()
    expect(diagram).toMatch(/^\s+e1\["Node 0<br\/>\(Other\)"\]$/m) // the hub ranks first
    expect(diagram).toContain("%% 250 of 300 entities left out")
    const edges = diagram.split("\n").filter((l) => l.includes("-->"))
    expect(edges.length).toBeLessThanOrEqual(MERMAID_MAX_EDGES)
    expect(diagram).toContain(`%% ${relations.length - edges.length} of ${relations.length} relations left out`)
  })

  it("never exceeds Mermaid's edge limit, which its parser enforces", async () => {
    const entities = Array.from({ length: 40 }, (_, i) => entity(`k${i}`, `K${i}`))
    const relations = entities.flatMap((a, i) =>
      entities.filter((_, j) => j !== i).map((b, j) => relation(`r${i}-${j}`, a.id, "p", b.id))
    )
    expect(relations.length).toBeGreaterThan(MERMAID_MAX_EDGES)
    const diagram = unfence(renderMermaid(graphOf(entities, relations)))
    expect(diagram.split("\n").filter((l) => l.includes("-->"))).toHaveLength(MERMAID_MAX_EDGES)
    await expect(parseMermaid(diagram)).resolves.toBeDefined()
    // and the check can fail: Mermaid refuses one edge more
    const extra = diagram + "\n  e1 -->|\"p\"| e2"
    await expect(parseMermaid(extra)).rejects.toThrow(/Edge limit exceeded/)
  })

  it("draws an empty graph as an empty flowchart with a comment", async () => {
    const diagram = unfence(renderMermaid(graphOf([], [])))
    expect(diagram).toContain("%% no entities")
    await expect(parseMermaid(diagram)).resolves.toBeDefined()
  })

  it("escapes with decimal entity codes and turns line breaks into <br/>", () => {
    expect(escapeMermaidLabel("a\"b")).toBe("a#34;b")
    expect(escapeMermaidLabel("😀")).toBe("#128512;")
    expect(escapeMermaidLabel("a\r\nb\nc")).toBe("a<br/>b<br/>c")
    expect(escapeMermaidLabel("x\ud800")).toBe("x#65533;")
  })

  it("is refused by Mermaid when labels are not escaped (so the parser check means something)", async () => {
    await expect(parseMermaid("flowchart LR\n  e1[\"a \" b\"]")).rejects.toThrow()
    await expect(parseMermaid("flowchart LR\n  e1[\"x\"] -->|\"\"| e2[\"y\"]")).rejects.toThrow()
  })
})

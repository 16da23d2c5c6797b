import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { readFileSync } from "node:fs"
import {
  readKnowledgeGraph,
  readResolutionGraph,
  renderKnowledgeGraph,
  renderResolutionGraph
} from "../../src/Renderer/Json.js"
import { ADVERSARIAL_VOCABULARY, adversarialGraphs } from "../support/Adversarial.js"

const fixture = (name: string) => readFileSync(new URL(`../golden/v1/${name}`, import.meta.url), "utf8")

describe("knowledge-graph.json readers", () => {
  const { graph, resolution } = adversarialGraphs({ vocabulary: ADVERSARIAL_VOCABULARY })

  it("read back what the renderers write", () => {
    const g = Either.getOrThrow(readKnowledgeGraph(renderKnowledgeGraph(graph)))
    expect(renderKnowledgeGraph(g)).toBe(renderKnowledgeGraph(graph))
    const r = Either.getOrThrow(readResolutionGraph(renderResolutionGraph(resolution)))
    expect(renderResolutionGraph(r)).toBe(renderResolutionGraph(resolution))
  })

  it("read files written by the first released shape (the walking skeleton's output)", () => {
    const g = Either.getOrThrow(readKnowledgeGraph(fixture("knowledge-graph.json")))
    expect(g.entities.length).toBeGreaterThan(10)
    expect(g.vocabulary).toBeUndefined()
    expect(g.entities.find((e) => e.label === "Ada Lovelace")?.type).toBe("Person")
    const r = Either.getOrThrow(readResolutionGraph(fixture("entity-resolution-graph.json")))
    expect(r.edges.length).toBe(r.mentions.length)
  })

  it("treat a file without schemaVersion as version 1", () => {
    const { schemaVersion: _v, ...rest } = JSON.parse(renderKnowledgeGraph(graph))
    expect(Either.isRight(readKnowledgeGraph(JSON.stringify(rest)))).toBe(true)
  })

  it("refuse newer versions, invalid JSON and wrong shapes with one-line messages", () => {
    const newer = readKnowledgeGraph(JSON.stringify({ ...JSON.parse(renderKnowledgeGraph(graph)), schemaVersion: 99 }))
    expect(newer).toEqual(
      Either.left("knowledge-graph.json has schemaVersion 99; this extract reads up to 1 (upgrade extract)")
    )
    const invalid = readKnowledgeGraph("{")
    expect(Either.isLeft(invalid) && invalid.left.startsWith("knowledge-graph.json is not valid JSON")).toBe(true)
    const wrong = readResolutionGraph(JSON.stringify({ schemaVersion: 1, runId: "doc-0123456789ab" }))
    expect(Either.isLeft(wrong) && wrong.left.startsWith("entity-resolution-graph.json does not match its schema"))
      .toBe(true)
    if (Either.isLeft(wrong)) expect(wrong.left).not.toContain("\n")
  })
})

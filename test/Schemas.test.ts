/** Every JSON output validates against its schema in docs/schemas/, and the schemas reject what they should. */
import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ALL_FORMATS } from "../src/Domain/Output.js"
import { renderKnowledgeGraph, renderResolutionGraph } from "../src/Renderer/Json.js"
import { ADVERSARIAL_VOCABULARY, adversarialGraphs } from "./support/Adversarial.js"
import { goldenConfig, runGolden } from "./support/GoldenRun.js"
import { schemaErrors } from "./support/Schemas.js"

describe("JSON Schemas (docs/schemas)", () => {
  const { graph, resolution } = adversarialGraphs({ vocabulary: ADVERSARIAL_VOCABULARY })
  const kg = JSON.parse(renderKnowledgeGraph(graph))
  const erg = JSON.parse(renderResolutionGraph(resolution))

  it("knowledge-graph.json of the adversarial graph validates", () => {
    expect(schemaErrors("knowledgeGraph", kg)).toEqual([])
    expect(kg.schemaVersion).toBe(1)
    expect(kg.vocabulary.types.Person).toBe("http://schema.org/Person")
  })

  it("entity-resolution-graph.json of the adversarial graph validates", () => {
    expect(schemaErrors("resolutionGraph", erg)).toEqual([])
    expect(erg.schemaVersion).toBe(1)
  })

  it("metadata.json and the JSON outputs of a real pipeline run validate", async () => {
    const out = mkdtempSync(join(tmpdir(), "extract-schema-"))
    const summary = await runGolden(
      readFileSync(new URL("./golden/document.txt", import.meta.url), "utf8"),
      out,
      goldenConfig(ALL_FORMATS)
    )
    const read = (p: string) => JSON.parse(readFileSync(join(summary.runDir, p), "utf8"))
    const meta = read("metadata.json")
    expect(schemaErrors("metadata", meta)).toEqual([])
    expect(meta.schemaVersion).toBe(1)
    expect(meta.config.formats).toEqual([...ALL_FORMATS])
    expect(schemaErrors("knowledgeGraph", read("outputs/knowledge-graph.json"))).toEqual([])
    expect(schemaErrors("resolutionGraph", read("outputs/entity-resolution-graph.json"))).toEqual([])
  })

  it("reject files that break the documented shape (so validation can fail)", () => {
    expect(schemaErrors("knowledgeGraph", { ...kg, runId: "doc-XYZ" })).not.toEqual([])
    expect(schemaErrors("knowledgeGraph", { ...kg, entities: [{ ...kg.entities[0], mentions: [] }] })).not.toEqual([])
    const badSpan = structuredClone(kg)
    badSpan.relations[0].evidence[0].span.start = -1
    expect(schemaErrors("knowledgeGraph", badSpan)).not.toEqual([])
    expect(schemaErrors("resolutionGraph", { ...erg, edges: [{ ...erg.edges[0], score: 1.5 }] })).not.toEqual([])
    const { schemaVersion: _v, ...unversioned } = kg
    expect(schemaErrors("knowledgeGraph", unversioned)).not.toEqual([])
  })

  it("metadata accepts the optional fields other versions add, but not a wrong status", () => {
    const meta = {
      schemaVersion: 1,
      runId: "doc-0123456789ab",
      status: "completed",
      createdAt: "2025-01-01T00:00:00.000Z",
      updatedAt: "2025-01-01T00:00:01.000Z",
      completedAt: "2025-01-01T00:00:01.000Z",
      input: { path: "-", bytes: 3, sha256: "a".repeat(64), encoding: "utf-8" },
      config: {
        extractor: "llm",
        model: "m",
        baseUrl: null,
        chunkSize: 100,
        chunkOverlap: 0,
        tokenizer: "o200k_base",
        concurrency: 1,
        rpm: 60
      },
      stats: { chunkCount: 1, mentionCount: 0, entityCount: 0, relationCount: 0, durationMs: 5, cacheHits: 1 },
      outputs: [],
      events: [{ timestamp: "2025-01-01T00:00:00.000Z", type: "run.created", data: {} }],
      errors: [],
      partial: true,
      lock: { pid: 1 }
    }
    expect(schemaErrors("metadata", meta)).toEqual([])
    expect(schemaErrors("metadata", { ...meta, status: "done" })).not.toEqual([])
    expect(schemaErrors("metadata", { ...meta, createdAt: "yesterday" })).not.toEqual([])
  })
})

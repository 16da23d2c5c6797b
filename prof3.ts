import { readFileSync } from "node:fs"
import * as Either from "effect/Either"
import { readKnowledgeGraph, readResolutionGraph } from "./src/Renderer/Json.js"
import { renderOutputs } from "./src/Renderer.js"
import { ALL_FORMATS } from "./src/Domain/Output.js"
const R = process.argv[2]!
const graph = Either.getOrThrow(readKnowledgeGraph(readFileSync(R + "/outputs/knowledge-graph.json", "utf8")))
const resolution = Either.getOrThrow(readResolutionGraph(readFileSync(R + "/outputs/entity-resolution-graph.json", "utf8")))
for (let round = 0; round < 2; round++) for (const f of ALL_FORMATS) {
  const t = performance.now(); renderOutputs(graph, resolution, { formats: [f] }); if (round) console.log(f, Math.round(performance.now() - t))
}

import { readFileSync } from "node:fs"
import * as Either from "effect/Either"
import { readKnowledgeGraph } from "./src/Renderer/Json.js"
import { renderTurtle } from "./src/Renderer/Turtle.js"
import { rdfDataset, nestBlankNodes } from "./src/Renderer/Rdf.js"
const graph = Either.getOrThrow(readKnowledgeGraph(readFileSync(process.argv[2]! + "/outputs/knowledge-graph.json", "utf8")))
for (let i = 0; i < 3; i++) {
  let t = performance.now(); const ds = rdfDataset(graph, { baseIri: "http://example.org/extract/" }); const a = performance.now() - t
  t = performance.now(); nestBlankNodes(ds.quads); const b = performance.now() - t
  t = performance.now(); renderTurtle(graph, { baseIri: "http://example.org/extract/" }); const c = performance.now() - t
  console.log("dataset", Math.round(a), "nest", Math.round(b), "turtle total", Math.round(c), ds.quads.length)
}

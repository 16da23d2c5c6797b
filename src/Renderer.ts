/**
 * The render stage's service: turns the graphs into the run's output files.
 */
import * as Effect from "effect/Effect"
import { PipelineError } from "./Domain/Errors.js"
import type { KnowledgeGraph, ResolutionGraph } from "./Domain/Graph.js"
import type { OutputContent } from "./ExtractionRunService.js"
import { renderKnowledgeGraph, renderResolutionGraph } from "./Renderer/Json.js"
import { renderMermaid } from "./Renderer/Mermaid.js"
import { renderTurtle } from "./Renderer/Turtle.js"

export class Renderer extends Effect.Service<Renderer>()("Renderer", {
  succeed: {
    /**
     * The four default outputs, as `{type, path, content}` with paths
     * relative to the run directory:
     * `outputs/knowledge-graph.json`, `outputs/entity-resolution-graph.json`,
     * `outputs/mermaid-diagram.md`, `outputs/rdf-turtle.ttl`.
     * Output is deterministic: the same graphs give the same bytes.
     * Fails with PipelineError if the Turtle writer fails.
     */
    render: Effect.fn("Renderer.render")(function*(graph: KnowledgeGraph, resolution: ResolutionGraph) {
      const turtle = yield* renderTurtle(graph).pipe(
        Effect.mapError((e) => new PipelineError({ stage: "render", message: `writing Turtle failed: ${e.message}` }))
      )
      const outputs: Array<OutputContent> = [
        { type: "knowledge-graph", path: "outputs/knowledge-graph.json", content: renderKnowledgeGraph(graph) },
        { type: "entity-resolution-graph", path: "outputs/entity-resolution-graph.json", content: renderResolutionGraph(resolution) },
        { type: "mermaid-diagram", path: "outputs/mermaid-diagram.md", content: renderMermaid(graph) },
        { type: "rdf-turtle", path: "outputs/rdf-turtle.ttl", content: turtle }
      ]
      return outputs
    })
  }
}) {}

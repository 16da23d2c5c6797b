/**
 * The render stage's service: turns the graphs into the run's output files,
 * in the formats the run asks for (docs/outputs.md describes each file).
 */
import * as Effect from "effect/Effect"
import { PipelineError } from "./Domain/Errors.js"
import type { KnowledgeGraph, ResolutionGraph } from "./Domain/Graph.js"
import { ALL_FORMATS, DEFAULT_BASE_IRI, DEFAULT_FORMATS, type OutputFormat } from "./Domain/Output.js"
import { renderGraphMl } from "./Renderer/GraphMl.js"
import { renderKnowledgeGraph, renderResolutionGraph } from "./Renderer/Json.js"
import { renderJsonl } from "./Renderer/Jsonl.js"
import { jsonLdOf } from "./Renderer/JsonLd.js"
import { renderMermaid } from "./Renderer/Mermaid.js"
import { renderNeo4j } from "./Renderer/Neo4j.js"
import { type RdfDataset, rdfDataset } from "./Renderer/Rdf.js"
import { turtleOf } from "./Renderer/Turtle.js"
import { renderViewer } from "./Renderer/Viewer.js"
import type { OutputContent } from "./Store/ExtractionRunService.js"

/** What to render and how. */
export interface RenderOptions {
  /** Formats to write; `json` is written whether listed or not. Default {@link DEFAULT_FORMATS}. */
  readonly formats?: ReadonlyArray<OutputFormat>
  /** Base IRI of minted RDF IRIs, ending in `/`. Default {@link DEFAULT_BASE_IRI}. */
  readonly baseIri?: string
  /** The document (`input/document.txt`); the `html` format needs it and throws without it. */
  readonly text?: string
}

/**
 * Renders the selected formats as `{type, path, content}`, paths relative to
 * the run directory, in the order of {@link ALL_FORMATS}. Pure and
 * deterministic: the same graphs and options give the same bytes. Throws
 * only on a bug in a renderer.
 */
export const renderOutputs = (
  graph: KnowledgeGraph,
  resolution: ResolutionGraph,
  options: RenderOptions = {}
): Array<OutputContent> => {
  const selected = new Set<OutputFormat>(["json", ...(options.formats ?? DEFAULT_FORMATS)])
  const baseIri = options.baseIri ?? DEFAULT_BASE_IRI
  // Turtle and JSON-LD write the same triples: build them once.
  let dataset: RdfDataset | undefined
  const rdf = () => (dataset ??= rdfDataset(graph, { baseIri }))
  const outputs: Array<OutputContent> = []
  for (const format of ALL_FORMATS) {
    if (!selected.has(format)) continue
    switch (format) {
      case "json":
        outputs.push({
          type: "knowledge-graph",
          path: "outputs/knowledge-graph.json",
          content: renderKnowledgeGraph(graph)
        })
        break
      case "resolution":
        outputs.push({
          type: "entity-resolution-graph",
          path: "outputs/entity-resolution-graph.json",
          content: renderResolutionGraph(resolution)
        })
        break
      case "mermaid":
        outputs.push({ type: "mermaid-diagram", path: "outputs/mermaid-diagram.md", content: renderMermaid(graph) })
        break
      case "turtle":
        outputs.push({ type: "rdf-turtle", path: "outputs/rdf-turtle.ttl", content: turtleOf(rdf()) })
        break
      case "html":
        if (options.text === undefined) throw new Error("the html format needs the document text")
        outputs.push({
          type: "viewer",
          path: "outputs/viewer.html",
          content: renderViewer(graph, resolution, options.text)
        })
        break
      case "jsonld":
        outputs.push({ type: "json-ld", path: "outputs/knowledge-graph.jsonld", content: jsonLdOf(rdf()) })
        break
      case "graphml":
        outputs.push({ type: "graphml", path: "outputs/graph.graphml", content: renderGraphMl(graph) })
        break
      case "neo4j": {
        const neo4j = renderNeo4j(graph)
        outputs.push(
          { type: "neo4j-nodes", path: "outputs/neo4j/nodes.csv", content: neo4j.nodes },
          { type: "neo4j-relationships", path: "outputs/neo4j/relationships.csv", content: neo4j.relationships },
          { type: "neo4j-cypher", path: "outputs/neo4j/load.cypher", content: neo4j.cypher }
        )
        break
      }
      case "jsonl":
        outputs.push({ type: "mcp-memory", path: "outputs/knowledge-graph.jsonl", content: renderJsonl(graph) })
        break
    }
  }
  return outputs
}

export class Renderer extends Effect.Service<Renderer>()("Renderer", {
  succeed: {
    /**
     * The output files of a run ({@link renderOutputs}). Fails with
     * PipelineError (stage `render`) if a renderer throws, which would be a
     * bug: every renderer accepts any graph.
     */
    render: Effect.fn("Renderer.render")(function*(
      graph: KnowledgeGraph,
      resolution: ResolutionGraph,
      options: RenderOptions = {}
    ) {
      return yield* Effect.try({
        try: () => renderOutputs(graph, resolution, options),
        catch: (e) =>
          new PipelineError({
            stage: "render",
            message: `rendering outputs failed: ${e instanceof Error ? e.message : String(e)}`
          })
      })
    })
  }
}) {}

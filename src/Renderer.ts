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
 * One output file of a run, not yet rendered: `render()` builds its content
 * (pure and deterministic; throws only on a bug in a renderer). Rendering
 * one file at a time and letting go of its text before the next keeps the
 * render stage's memory at the largest file rather than their sum (on 5.5 MB
 * of prose the five default files are 57 MB of text).
 */
export interface PlannedOutput {
  /** Output kind, e.g. `knowledge-graph`. */
  readonly type: string
  /** Path relative to the run directory, `/`-separated. */
  readonly path: string
  readonly render: () => string
}

/**
 * The output files of the selected formats, in the order of
 * {@link ALL_FORMATS}, each rendered only when its `render` is called (see
 * {@link PlannedOutput}). Turtle and JSON-LD share one RDF dataset, built on
 * first use and dropped once the last of them is rendered. Throws only if
 * the `html` format is asked for without `options.text`.
 */
export const planOutputs = (
  graph: KnowledgeGraph,
  resolution: ResolutionGraph,
  options: RenderOptions = {}
): Array<PlannedOutput> => {
  const selected = new Set<OutputFormat>(["json", ...(options.formats ?? DEFAULT_FORMATS)])
  const baseIri = options.baseIri ?? DEFAULT_BASE_IRI
  // Turtle and JSON-LD write the same triples: build them once, keep them while a user is left.
  let dataset: RdfDataset | undefined
  let rdfUsers = (selected.has("turtle") ? 1 : 0) + (selected.has("jsonld") ? 1 : 0)
  const withRdf = (f: (d: RdfDataset) => string) => () => {
    const d = (dataset ??= rdfDataset(graph, { baseIri }))
    const out = f(d)
    if (--rdfUsers === 0) dataset = undefined
    return out
  }
  const outputs: Array<PlannedOutput> = []
  for (const format of ALL_FORMATS) {
    if (!selected.has(format)) continue
    switch (format) {
      case "json":
        outputs.push({
          type: "knowledge-graph",
          path: "outputs/knowledge-graph.json",
          render: () => renderKnowledgeGraph(graph)
        })
        break
      case "resolution":
        outputs.push({
          type: "entity-resolution-graph",
          path: "outputs/entity-resolution-graph.json",
          render: () => renderResolutionGraph(resolution)
        })
        break
      case "mermaid":
        outputs.push({
          type: "mermaid-diagram",
          path: "outputs/mermaid-diagram.md",
          render: () => renderMermaid(graph)
        })
        break
      case "turtle":
        outputs.push({ type: "rdf-turtle", path: "outputs/rdf-turtle.ttl", render: withRdf(turtleOf) })
        break
      case "html": {
        const text = options.text
        if (text === undefined) throw new Error("the html format needs the document text")
        outputs.push({
          type: "viewer",
          path: "outputs/viewer.html",
          render: () => renderViewer(graph, resolution, text)
        })
        break
      }
      case "jsonld":
        outputs.push({ type: "json-ld", path: "outputs/knowledge-graph.jsonld", render: withRdf(jsonLdOf) })
        break
      case "graphml":
        outputs.push({ type: "graphml", path: "outputs/graph.graphml", render: () => renderGraphMl(graph) })
        break
      case "neo4j": {
        // three files from one pass: render them together, on the first call
        let neo4j: ReturnType<typeof renderNeo4j> | undefined
        const part = (k: "nodes" | "relationships" | "cypher") => () => (neo4j ??= renderNeo4j(graph))[k]
        outputs.push(
          { type: "neo4j-nodes", path: "outputs/neo4j/nodes.csv", render: part("nodes") },
          { type: "neo4j-relationships", path: "outputs/neo4j/relationships.csv", render: part("relationships") },
          { type: "neo4j-cypher", path: "outputs/neo4j/load.cypher", render: part("cypher") }
        )
        break
      }
      case "jsonl":
        outputs.push({ type: "mcp-memory", path: "outputs/knowledge-graph.jsonl", render: () => renderJsonl(graph) })
        break
    }
  }
  return outputs
}

/**
 * Renders the selected formats as `{type, path, content}`, paths relative to
 * the run directory, in the order of {@link ALL_FORMATS} (all of
 * {@link planOutputs} at once). Pure and deterministic: the same graphs and
 * options give the same bytes. Throws only on a bug in a renderer.
 */
export const renderOutputs = (
  graph: KnowledgeGraph,
  resolution: ResolutionGraph,
  options: RenderOptions = {}
): Array<OutputContent> =>
  planOutputs(graph, resolution, options).map((o) => ({ type: o.type, path: o.path, content: o.render() }))

const renderFailure = (e: unknown) =>
  new PipelineError({
    stage: "render",
    message: `rendering outputs failed: ${e instanceof Error ? e.message : String(e)}`
  })

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
        catch: renderFailure
      })
    }),
    /**
     * The output files of a run as {@link planOutputs}, for a caller that
     * renders and saves them one at a time (the pipeline's render stage).
     * Fails with PipelineError (stage `render`) as {@link render} does.
     */
    plan: Effect.fn("Renderer.plan")(function*(
      graph: KnowledgeGraph,
      resolution: ResolutionGraph,
      options: RenderOptions = {}
    ) {
      return yield* Effect.try({
        try: () => planOutputs(graph, resolution, options),
        catch: renderFailure
      })
    }),
    /** Renders one planned output; fails with PipelineError (stage `render`) if its renderer throws. */
    renderOne: (output: PlannedOutput) => Effect.try({ try: () => output.render(), catch: renderFailure })
  }
}) {}

/** `knowledge-graph.json` and `entity-resolution-graph.json`: the graphs as pretty-printed JSON. */
import * as Schema from "effect/Schema"
import { KnowledgeGraph, ResolutionGraph } from "../Domain/Graph.js"

const encodeGraph = Schema.encodeSync(KnowledgeGraph)
const encodeResolution = Schema.encodeSync(ResolutionGraph)

/** The knowledge graph as JSON, two-space indented, with a final newline. */
export const renderKnowledgeGraph = (graph: KnowledgeGraph): string => JSON.stringify(encodeGraph(graph), null, 2) + "\n"

/** The entity-resolution graph as JSON, two-space indented, with a final newline. */
export const renderResolutionGraph = (graph: ResolutionGraph): string =>
  JSON.stringify(encodeResolution(graph), null, 2) + "\n"

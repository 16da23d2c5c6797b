/**
 * `knowledge-graph.json` and `entity-resolution-graph.json`: the graphs as
 * pretty-printed JSON (JSON Schemas in docs/schemas/), and the readers that
 * load them back, accepting every older `schemaVersion`.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { GRAPH_SCHEMA_VERSION, KnowledgeGraph, ResolutionGraph } from "../Domain/Graph.js"

const encodeGraph = Schema.encodeSync(KnowledgeGraph)
const encodeResolution = Schema.encodeSync(ResolutionGraph)

/** The knowledge graph as JSON, two-space indented, with a final newline. */
export const renderKnowledgeGraph = (graph: KnowledgeGraph): string =>
  JSON.stringify(encodeGraph(graph), null, 2) + "\n"

/** The entity-resolution graph as JSON, two-space indented, with a final newline. */
export const renderResolutionGraph = (graph: ResolutionGraph): string =>
  JSON.stringify(encodeResolution(graph), null, 2) + "\n"

/**
 * Upgrades of older file versions, by the version they upgrade from: each
 * takes the parsed JSON of version N and returns version N + 1. Version 1 is
 * the first; when a change to the shapes bumps GRAPH_SCHEMA_VERSION, its
 * upgrade goes here, so files written by every earlier version still load.
 */
const UPGRADES: ReadonlyMap<number, (json: Record<string, unknown>) => Record<string, unknown>> = new Map()

/**
 * Parses JSON text and brings it to the current version: reads its
 * `schemaVersion` (a file without one is version 1), refuses versions newer
 * than this build knows, and applies {@link UPGRADES} in order.
 */
const upgrade = (text: string, what: string): Either.Either<unknown, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return Either.left(`${what} is not valid JSON: ${(e as Error).message}`)
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return Either.left(`${what} is not a JSON object`)
  }
  let doc = json as Record<string, unknown>
  const version = doc.schemaVersion ?? 1
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    return Either.left(`${what} has an invalid schemaVersion ${JSON.stringify(version)}`)
  }
  if (version > GRAPH_SCHEMA_VERSION) {
    return Either.left(
      `${what} has schemaVersion ${version}; this extract reads up to ${GRAPH_SCHEMA_VERSION} (upgrade extract)`
    )
  }
  for (let v = version; v < GRAPH_SCHEMA_VERSION; v++) {
    const step = UPGRADES.get(v)
    if (!step) return Either.left(`${what}: no upgrade from schemaVersion ${v}`)
    doc = step(doc)
  }
  return Either.right({ ...doc, schemaVersion: GRAPH_SCHEMA_VERSION })
}

const decode = <A, I>(schema: Schema.Schema<A, I>, what: string) => {
  const decodeUnknown = Schema.decodeUnknownEither(schema)
  return (text: string): Either.Either<A, string> =>
    Either.flatMap(
      upgrade(text, what),
      (doc) =>
        Either.mapLeft(decodeUnknown(doc), (e) =>
          `${what} does not match its schema: ${
            ParseResult.TreeFormatter.formatErrorSync(e).split("\n").slice(0, 6).join(" ")
          }`)
    )
}

/**
 * Reads `knowledge-graph.json` text written by this or any earlier version.
 * @returns the graph, or Left with a one-line message (invalid JSON, newer
 *   schemaVersion, or a shape that does not match)
 */
export const readKnowledgeGraph: (text: string) => Either.Either<KnowledgeGraph, string> = decode(
  KnowledgeGraph,
  "knowledge-graph.json"
)

/**
 * Reads `entity-resolution-graph.json` text written by this or any earlier version.
 * @returns the graph, or Left with a one-line message
 */
export const readResolutionGraph: (text: string) => Either.Either<ResolutionGraph, string> = decode(
  ResolutionGraph,
  "entity-resolution-graph.json"
)

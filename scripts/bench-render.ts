/**
 * bench:render — how long each output format takes to render, and how big
 * it is, for synthetic graphs of growing size (entities with 4 mentions
 * each, 2 relations per entity, names in several scripts), or for the
 * graphs of real runs. Prints one line per (graph, format), then where the
 * RDF formats' time goes (building the triple set, nesting blank nodes,
 * the whole Turtle render), and last one JSON object with every figure.
 *
 *   npm run --silent bench:render [-- 1000 10000 50000]      (default: 1000 10000)
 *   npm run --silent bench:render -- output/runs/doc-…       (a run's outputs/*.json)
 *
 * Times are the median of 3 renders, in milliseconds, measured with
 * performance.now() on whatever else the machine is doing. (This replaces
 * the ad-hoc prof2/3/4.ts that were at the repository root.)
 */
import * as Either from "effect/Either"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Entity, EntityMention, Evidence, KnowledgeGraph, Relation, ResolutionGraph } from "../src/Domain/Graph.js"
import { ALL_FORMATS, type OutputFormat } from "../src/Domain/Output.js"
import { Span } from "../src/Domain/Span.js"
import { renderGraphMl } from "../src/Renderer/GraphMl.js"
import {
  readKnowledgeGraph,
  readResolutionGraph,
  renderKnowledgeGraph,
  renderResolutionGraph
} from "../src/Renderer/Json.js"
import { renderJsonl } from "../src/Renderer/Jsonl.js"
import { renderJsonLd } from "../src/Renderer/JsonLd.js"
import { renderMermaid } from "../src/Renderer/Mermaid.js"
import { renderNeo4j } from "../src/Renderer/Neo4j.js"
import { nestBlankNodes, rdfDataset } from "../src/Renderer/Rdf.js"
import { renderTurtle } from "../src/Renderer/Turtle.js"
import { renderViewer } from "../src/Renderer/Viewer.js"

const argv = process.argv.slice(2)
const runDirs = argv.filter((a) => Number.isNaN(Number(a)))
const sizes = argv.map(Number).filter((n) => n > 0)
const SIZES = sizes.length > 0 || runDirs.length > 0 ? sizes : [1_000, 10_000]
const NAMES = ["Ada Lovelace", "Charles Babbage", "東京", "Москва", "O'Brien & Sons", "Zoë \"Z\" <Ltd>", "हिन्दी"]
const TYPES = ["Person", "Organization", "Location", "Date", "Other"]
const PREDICATES = ["worksFor", "bornIn", "locatedIn", "knows", "foundedBy"]

const graphOf = (n: number) => {
  const entities: Array<Entity> = []
  let offset = 0
  for (let i = 0; i < n; i++) {
    const label = `${NAMES[i % NAMES.length]} ${i}`
    const mentions = Array.from({ length: 4 }, (_, k) => {
      const span = new Span({ start: offset, end: offset + label.length, text: label }, { disableValidation: true })
      offset += label.length + 40
      return new EntityMention({ id: `c${i >> 6}-m${i * 4 + k}`, span, chunk: i >> 6, grounding: "exact" }, {
        disableValidation: true
      })
    })
    entities.push(
      new Entity({
        id: `e-${i}`,
        label,
        type: TYPES[i % TYPES.length]!,
        aliases: [`${label.split(" ")[0]}`],
        mentions,
        description: null
      }, { disableValidation: true })
    )
  }
  const relations: Array<Relation> = []
  for (let i = 0; i < n; i++) {
    for (const d of [1, 7]) {
      const j = (i + d) % n
      const ev = new Evidence({
        span: new Span({ start: i * 200, end: i * 200 + 80, text: "x".repeat(80) }, { disableValidation: true }),
        chunk: 0,
        grounding: "exact"
      }, { disableValidation: true })
      relations.push(
        new Relation({
          id: `r-${i}-${d}`,
          subject: `e-${i}`,
          predicate: PREDICATES[(i + d) % PREDICATES.length]!,
          object: `e-${j}`,
          evidence: [ev]
        }, { disableValidation: true })
      )
    }
  }
  const graph = new KnowledgeGraph({
    schemaVersion: 1,
    runId: "doc-0123456789ab",
    document: { path: "input/document.txt", sha256: "a".repeat(64), length: offset },
    entities,
    relations
  }, { disableValidation: true })
  const resolution = new ResolutionGraph({
    schemaVersion: 1,
    runId: graph.runId,
    mentions: entities.flatMap((e) =>
      e.mentions.map((m) => ({ id: m.id, type: e.type, span: m.span, chunk: m.chunk }))
    ),
    entities: entities.map((e) => ({ id: e.id, label: e.label, type: e.type })),
    edges: []
  }, { disableValidation: true })
  return { graph, resolution }
}

/** Each format's own renderer, so a figure is that format alone. */
const RENDER: Record<OutputFormat, (g: ReturnType<typeof graphOf>) => ReadonlyArray<string>> = {
  json: ({ graph }) => [renderKnowledgeGraph(graph)],
  resolution: ({ resolution }) => [renderResolutionGraph(resolution)],
  mermaid: ({ graph }) => [renderMermaid(graph)],
  turtle: ({ graph }) => [renderTurtle(graph, { baseIri: "http://example.org/extract/" })],
  jsonld: ({ graph }) => [renderJsonLd(graph, { baseIri: "http://example.org/extract/" })],
  graphml: ({ graph }) => [renderGraphMl(graph)],
  neo4j: ({ graph }) => Object.values(renderNeo4j(graph)),
  jsonl: ({ graph }) => [renderJsonl(graph)],
  // the synthetic graph has no document: a blank one of its length (the viewer reads only offsets)
  html: ({ graph, resolution }) => [renderViewer(graph, resolution, " ".repeat(graph.document.length))]
}

/** A run's graphs, read back from its outputs/ (as `extract runs verify --repair` does). */
const graphsOfRun = (runDir: string): ReturnType<typeof graphOf> => ({
  graph: Either.getOrThrow(readKnowledgeGraph(readFileSync(join(runDir, "outputs/knowledge-graph.json"), "utf8"))),
  resolution: Either.getOrThrow(
    readResolutionGraph(readFileSync(join(runDir, "outputs/entity-resolution-graph.json"), "utf8"))
  )
})

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const timed = (f: () => void) => {
  const times: Array<number> = []
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    f()
    times.push(performance.now() - t0)
  }
  return Math.round(median(times))
}
const results: Array<
  { graph: string; entities: number; relations: number; mentions: number; format: string; ms: number; bytes: number }
> = []
const rdf: Array<{ graph: string; quads: number; datasetMs: number; nestMs: number; turtleMs: number }> = []
const inputs = [
  ...SIZES.map((n) => ({ name: `${n} synthetic`, load: () => graphOf(n) })),
  ...runDirs.map((dir) => ({ name: dir, load: () => graphsOfRun(dir) }))
]
for (const input of inputs) {
  const graphs = input.load()
  const n = graphs.graph.entities.length
  const mentions = graphs.graph.entities.reduce((s, e) => s + e.mentions.length, 0)
  for (const format of ALL_FORMATS) {
    const times: Array<number> = []
    let bytes = 0
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now()
      const contents = RENDER[format](graphs)
      times.push(performance.now() - t0)
      bytes = contents.reduce((s, c) => s + Buffer.byteLength(c), 0)
    }
    const ms = Math.round(median(times))
    results.push({
      graph: input.name,
      entities: n,
      relations: graphs.graph.relations.length,
      mentions,
      format,
      ms,
      bytes
    })
    console.log(
      `${String(n).padStart(7)} entities  ${format.padEnd(10)} ${String(ms).padStart(7)} ms  ${
        (bytes / 1e6).toFixed(1).padStart(7)
      } MB`
    )
  }
  // the RDF formats' stages: the triple set (shared by turtle and jsonld), blank-node nesting, the whole Turtle render
  const options = { baseIri: "http://example.org/extract/" }
  const dataset = rdfDataset(graphs.graph, options)
  const stages = {
    graph: input.name,
    quads: dataset.quads.length,
    datasetMs: timed(() => void rdfDataset(graphs.graph, options)),
    nestMs: timed(() => void nestBlankNodes(dataset.quads)),
    turtleMs: timed(() => void renderTurtle(graphs.graph, options))
  }
  rdf.push(stages)
  console.log(
    `${
      String(n).padStart(7)
    } entities  rdf stages: dataset ${stages.datasetMs} ms, nest ${stages.nestMs} ms, turtle total ${stages.turtleMs} ms (${stages.quads} quads)`
  )
}
console.log(JSON.stringify({ benchmark: "render", results, rdf }))

/**
 * Runs the real pipeline (chunker, graph builder, renderers, run store) over
 * a document with a fixed fake extractor and a fixed fake resolver, so the
 * outputs depend on nothing but the rendering code: the golden files do not
 * churn when the nlp extractor or the resolver improve.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createHash } from "node:crypto"
import { Chunker } from "../../src/Chunker.js"
import type { Chunk } from "../../src/Domain/Chunk.js"
import { SourceDocument } from "../../src/Domain/Document.js"
import { ChunkExtraction, ExtractedRelation, Mention } from "../../src/Domain/Extraction.js"
import { Assignment, Cluster, Resolution } from "../../src/Domain/Graph.js"
import { type OutputFormat } from "../../src/Domain/Output.js"
import { RunConfig } from "../../src/Domain/Run.js"
import { CodePointIndex, shiftSpan } from "../../src/Domain/Span.js"
import { Extractor } from "../../src/Extractor.js"
import { Pipeline } from "../../src/Pipeline.js"
import { Progress, ProgressSink } from "../../src/Progress.js"
import { Renderer } from "../../src/Renderer.js"
import { Resolver } from "../../src/Resolver.js"
import { ExtractionRunService, RunStoreConfig } from "../../src/Store/ExtractionRunService.js"

/** Names the fake extractor recognises, longest first, with their types. */
export const GOLDEN_NAMES: ReadonlyArray<readonly [string, string]> = [
  ["O'Brien & <Sons> | Ltd.", "Organization"],
  ["Analytical Engine", "Other"],
  ["Charles Babbage", "Person"],
  ["Ada Lovelace", "Person"],
  ["Lovelace", "Person"],
  ["London", "Location"],
  ["1843", "Date"],
  ["東京", "Location"]
]

/** Relations the fake extractor states when both names and the cue occur on one line: `[subject, predicate, object, cue]`. */
export const GOLDEN_RELATIONS: ReadonlyArray<readonly [string, string, string, string]> = [
  ["Ada Lovelace", "worksWith", "Charles Babbage", "worked with"],
  ["Lovelace", "wroteAbout", "Analytical Engine", "wrote"],
  ["Charles Babbage", "bornIn", "London", "born in"],
  ["東京", "farFrom", "London", "far from"],
  ["O'Brien & <Sons> | Ltd.", "bought", "Analytical Engine", "bought"]
]

/** Surface forms the fake resolver folds into another entity's label. */
const CANONICAL: Readonly<Record<string, string>> = { Lovelace: "Ada Lovelace" }

/** An extractor that finds {@link GOLDEN_NAMES} in the chunk (non-overlapping, leftmost-longest) and {@link GOLDEN_RELATIONS} per line. */
export const fakeExtractor = Layer.succeed(Extractor, {
  kind: "nlp",
  extract: (chunk: Chunk) =>
    Effect.sync(() => {
      const text = chunk.span.text
      const index = new CodePointIndex(text)
      const taken: Array<[number, number]> = []
      const found: Array<{ name: string; type: string; at: number }> = []
      for (const [name, type] of GOLDEN_NAMES) {
        for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
          if (taken.some(([s, e]) => at < e && at + name.length > s)) continue
          taken.push([at, at + name.length])
          found.push({ name, type, at })
        }
      }
      found.sort((a, b) => a.at - b.at)
      const mentions = found.map((f, i) =>
        new Mention({
          id: `c${chunk.index}-m${i + 1}`,
          type: f.type,
          span: shiftSpan(chunk.span.start, index.span(f.at, f.at + f.name.length)),
          chunk: chunk.index,
          grounding: "exact",
          description: f.name === "Analytical Engine" ? "A proposed mechanical general-purpose computer" : null
        })
      )
      const relations: Array<ExtractedRelation> = []
      let lineStart = 0
      for (const line of text.split("\n")) {
        const lineEnd = lineStart + line.length
        const inLine = (name: string) => found.findIndex((f) => f.name === name && f.at >= lineStart && f.at < lineEnd)
        for (const [s, predicate, o, cue] of GOLDEN_RELATIONS) {
          const si = inLine(s)
          const oi = inLine(o)
          if (si < 0 || oi < 0 || !line.includes(cue)) continue
          relations.push(
            new ExtractedRelation({
              subject: mentions[si]!.id,
              predicate,
              object: mentions[oi]!.id,
              evidence: shiftSpan(chunk.span.start, index.span(lineStart, lineEnd)),
              chunk: chunk.index,
              grounding: "exact"
            })
          )
        }
        lineStart = lineEnd + 1
      }
      return new ChunkExtraction({ chunk: chunk.index, extractor: "nlp", mentions, relations, ungrounded: 0 })
    })
})

/** A resolver that groups mentions by (type, canonical name), canonical names from a fixed table. */
export const fakeResolver = Layer.succeed(
  Resolver,
  Resolver.make({
    resolve: (mentions) =>
      Effect.sync(() => {
        const keys = new Map<string, number>()
        const clusters: Array<{ label: string; type: string; mentions: Array<string> }> = []
        const assignments: Array<Assignment> = []
        for (const m of [...mentions].sort((a, b) => a.span.start - b.span.start)) {
          const label = CANONICAL[m.span.text] ?? m.span.text
          const key = `${m.type}\u0000${label}`
          let index = keys.get(key)
          if (index === undefined) {
            index = clusters.length
            keys.set(key, index)
            clusters.push({ label, type: m.type, mentions: [] })
          }
          clusters[index]!.mentions.push(m.id)
          const aliased = label !== m.span.text
          assignments.push(
            new Assignment({
              mention: m.id,
              cluster: index,
              method: aliased ? "alias" : "exact",
              score: aliased ? 0.9 : 1,
              reason: aliased ? `"${m.span.text}" is a short form of "${label}"` : "same name and type"
            })
          )
        }
        return new Resolution({ clusters: clusters.map((c) => new Cluster(c)), assignments })
      })
  })
)

export const goldenConfig = (formats: ReadonlyArray<OutputFormat>, baseIri = "http://example.org/extract/") =>
  new RunConfig({
    extractor: "nlp",
    model: null,
    baseUrl: null,
    chunkSize: 1200,
    chunkOverlap: 100,
    tokenizer: "o200k_base",
    concurrency: 2,
    formats,
    baseIri
  })

/** A document as the DocumentReader would make it from UTF-8 bytes. */
export const documentOf = (text: string, path = "document.txt") => {
  const bytes = Buffer.from(text, "utf8")
  return new SourceDocument(text, path, bytes.length, createHash("sha256").update(bytes).digest("hex"), "utf-8")
}

/** The layers of one pipeline run into `outputDir`, with the fakes. */
export const goldenLayer = (outputDir: string) =>
  Pipeline.DefaultWithoutDependencies.pipe(
    Layer.provideMerge(Layer.mergeAll(
      Chunker.Default,
      Renderer.Default,
      fakeResolver,
      fakeExtractor,
      ExtractionRunService.Default.pipe(Layer.provide(RunStoreConfig.layer(outputDir))),
      Progress.Default.pipe(
        Layer.provide(Layer.succeed(ProgressSink, { isTTY: false, write: () => {}, columns: 80, quiet: true }))
      )
    )),
    Layer.provide(NodeContext.layer)
  )

/** Runs the pipeline once; resolves to its summary. */
export const runGolden = (text: string, outputDir: string, config: RunConfig, force = false) =>
  Effect.runPromise(
    Effect.flatMap(Pipeline, (p) => p.run(documentOf(text), config, { force })).pipe(
      Effect.provide(goldenLayer(outputDir))
    )
  )

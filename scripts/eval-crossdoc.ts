/**
 * Cross-document entity resolution on Re-DocRED split in halves.
 *
 *   npm run --silent eval:crossdoc -- ../shared/data/redocred/dev.json [--folds K] [--errors N] [--baseline]
 *
 * Every document is split at `mid = floor(sentences / 2)` into two
 * documents (src/Eval/Redocred.ts `halves`). Each half's gold mentions
 * are resolved on their own by the `Resolver` (as `eval:resolution` does),
 * built into a run's knowledge graph (`buildGraphs`), and every half is
 * added to one context of a real `GraphStore` in a temporary directory,
 * halves in document order (first halves and second halves interleaved:
 * doc 0 A, doc 0 B, doc 1 A, …). The context's entities are then scored:
 *
 * - pairwise precision/recall/F1 over the pairs (a, b) of a mention a of the
 *   first half and a mention b of the second half of the same document; a
 *   pair is gold when both are in one `vertexSet` entry, predicted when both
 *   are in one context entity;
 * - `crossArticleMerges`: over all context entities, the number of distinct
 *   original documents minus one, summed (merges between documents that
 *   are not halves of one another; there is no gold for them).
 *
 * The last line on stdout is one JSON object:
 *
 *   {"docs":N,"pairs":N,"pairwise":{"precision":p,"recall":r,"f1":f},"crossArticleMerges":N,"ms":t}
 *
 * `pairs` is the number of gold cross-half pairs; `ms` the wall time of the
 * adds (cross-document resolution, log appends with fsync), in milliseconds.
 * `--folds K` also prints P/R/F1 per fold of documents (index mod K) to
 * stderr, to see how stable the figures are; `--errors N` prints up to N
 * wrong and N missed cross-half merges; `--baseline` scores instead the
 * anchor: mentions of the two halves joined when their type class and
 * normalised name (`analyzeName`'s key) are equal. stderr also gets the
 * missed gold pairs by whether their entities have a full name (see
 * src/Graph/CrossResolver.ts): a pair where one side has none cannot be
 * joined, since a lone surname never merges across documents.
 * Exit codes: 0 done, 2 bad arguments or unreadable input.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { sha256Hex } from "../src/Digest.js"
import { contributionKey } from "../src/Domain/ContextGraph.js"
import type { KnowledgeGraph } from "../src/Domain/Graph.js"
import { halves } from "../src/Eval/Redocred.js"
import { type RedocredDocument, toGoldDocument } from "../src/Eval/Resolution.js"
import type { RunContribution } from "../src/Graph/CrossResolver.js"
import { GraphStore, GraphStoreConfig } from "../src/Graph/GraphStore.js"
import { buildGraphs } from "../src/GraphBuilder.js"
import { Resolver } from "../src/Resolver.js"
import { typeClassOf } from "../src/Resolver/EntityTypes.js"
import { analyzeName } from "../src/Resolver/Names.js"

const fail = (message: string): never => {
  process.stderr.write(`eval:crossdoc: ${message}\n`)
  process.exit(2)
}

const args = process.argv.slice(2)
const valueOf = (flag: string) => {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}
const file = args.find((a, i) => !a.startsWith("--") && !["--folds", "--errors"].includes(args[i - 1] ?? ""))
const folds = Number(valueOf("--folds") ?? 0)
const showErrors = Number(valueOf("--errors") ?? 0)
const baseline = args.includes("--baseline")
if (file === undefined) {
  fail("usage: npm run --silent eval:crossdoc -- <redocred.json> [--folds K] [--errors N] [--baseline]")
}
let docs: ReadonlyArray<RedocredDocument> = []
try {
  docs = JSON.parse(readFileSync(file!, "utf8"))
} catch (e) {
  fail(`cannot read ${file}: ${(e as Error).message.split("\n")[0]}`)
}
if (!Array.isArray(docs) || docs.some((d) => !Array.isArray(d?.sents) || !Array.isArray(d?.vertexSet))) {
  fail(`${file} is not a Re-DocRED split (an array of {title, sents, vertexSet, …})`)
}

/** One half as added: its run id, the mention → gold entity map and mention → local entity. */
interface Half {
  readonly runId: string
  readonly doc: number
  readonly gold: ReadonlyMap<string, number>
  readonly localOf: ReadonlyMap<string, string>
  readonly text: ReadonlyMap<string, string>
  readonly key: ReadonlyMap<string, string>
}

const main = Effect.gen(function*() {
  const resolver = yield* Resolver
  const store = yield* GraphStore
  const halvesAdded: Array<readonly [Half, Half]> = []
  let ms = 0
  for (let d = 0; d < docs.length; d++) {
    const pair: Array<Half> = []
    for (const [h, half] of halves(docs[d]!).entries()) {
      const read = toGoldDocument(half)
      if (read === null) throw new Error(`"${half.title}": a gold mention lies outside its sentence`)
      const { gold, mentions, text } = read
      const sha = sha256Hex(`${d}\u0000${h}\u0000${text}`)
      const runId = `doc-${sha.slice(0, 12)}`
      // as eval:resolution resolves a document: with its text, for the aliases the text defines
      const resolution = yield* resolver.resolve(mentions, { text })
      const { graph } = buildGraphs({
        runId,
        documentSha256: sha,
        documentLength: Array.from(text).length,
        mentions,
        relations: [],
        resolution
      })
      const localOf = new Map<string, string>()
      for (const e of graph.entities) for (const m of e.mentions) localOf.set(m.id, e.id)
      const contribution: RunContribution = {
        runId,
        document: {
          path: `${docs[d]!.title} (${h === 0 ? "first" : "second"} half)`,
          sha256: sha,
          length: text.length
        },
        digest: sha256Hex(JSON.stringify(graph)),
        graph: graph as KnowledgeGraph
      }
      const started = performance.now()
      if (mentions.length > 0) yield* store.add("crossdoc", [contribution], { flush: false })
      ms += performance.now() - started
      pair.push({
        runId,
        doc: d,
        gold,
        localOf,
        text: new Map(mentions.map((m) => [m.id, `${m.span.text} [${m.type}]`] as const)),
        key: new Map(
          mentions.map((
            m
          ) => [m.id, `${typeClassOf(m.type)}\u0000${analyzeName(m.span.text, typeClassOf(m.type)).key}`])
        )
      })
    }
    halvesAdded.push([pair[0]!, pair[1]!])
  }
  const state = yield* store.read("crossdoc")
  const entityOf = (half: Half, mention: string) =>
    baseline
      ? `${half.doc}\u0000${half.key.get(mention)}`
      : state.contributions.get(contributionKey(half.runId, half.localOf.get(mention)!))?.entity ?? `?${mention}`

  const total = { tp: 0, predicted: 0, gold: 0 }
  const perFold = Array.from({ length: Math.max(folds, 0) }, () => ({ tp: 0, predicted: 0, gold: 0 }))
  const wrong: Array<string> = []
  const missed: Array<string> = []
  const why = new Map<string, number>()
  for (const [a, b] of halvesAdded) {
    const fold = folds > 0 ? perFold[a.doc % folds]! : undefined
    for (const [ma, ga] of a.gold) {
      const ea = entityOf(a, ma)
      for (const [mb, gb] of b.gold) {
        const same = ea === entityOf(b, mb)
        const goldSame = ga === gb
        for (const c of fold === undefined ? [total] : [total, fold]) {
          if (same) c.predicted++
          if (goldSame) c.gold++
          if (same && goldSame) c.tp++
        }
        const line = `${docs[a.doc]!.title}: ${a.text.get(ma)} | ${b.text.get(mb)}`
        if (same && !goldSame && wrong.length < showErrors) wrong.push(line)
        if (!same && goldSame && missed.length < showErrors) missed.push(line)
        if (!same && goldSame && !baseline) {
          const weak = (h: Half, m: string) =>
            (state.contributions.get(contributionKey(h.runId, h.localOf.get(m)!))?.keys.length ?? 0) === 0
          const kind = weak(a, ma) && weak(b, mb)
            ? "both-without-full-name"
            : weak(a, ma) || weak(b, mb)
            ? "one-without-full-name"
            : "full-names"
          why.set(kind, (why.get(kind) ?? 0) + 1)
        }
      }
    }
  }
  const prf = (c: { tp: number; predicted: number; gold: number }) => {
    const p = c.predicted === 0 ? 1 : c.tp / c.predicted
    const r = c.gold === 0 ? 1 : c.tp / c.gold
    const round = (x: number) => Math.round(x * 10000) / 10000
    return { precision: round(p), recall: round(r), f1: round(p + r === 0 ? 0 : (2 * p * r) / (p + r)) }
  }
  let crossArticleMerges = 0
  if (!baseline) {
    const docOf = new Map<string, number>()
    for (const [a, b] of halvesAdded) {
      docOf.set(a.runId, a.doc)
      docOf.set(b.runId, b.doc)
    }
    for (const e of state.entities.values()) {
      const origins = new Set(e.contributions.map((k) => docOf.get(state.contributions.get(k)!.runId)))
      crossArticleMerges += origins.size - 1
    }
  }
  if (showErrors > 0) {
    process.stderr.write(
      `wrong merges:\n${wrong.map((w) => `  ${w}`).join("\n")}\nmissed merges:\n${
        missed.map((w) => `  ${w}`).join("\n")
      }\n`
    )
  }
  if (!baseline) process.stderr.write(`missed gold pairs: ${[...why].map(([k, v]) => `${k} ${v}`).join(", ")}\n`)
  perFold.forEach((c, i) => process.stderr.write(`fold ${i}: ${JSON.stringify({ pairs: c.gold, ...prf(c) })}\n`))
  process.stdout.write(
    `${
      JSON.stringify({
        docs: docs.length,
        pairs: total.gold,
        pairwise: prf(total),
        crossArticleMerges,
        ms: Math.round(ms)
      })
    }\n`
  )
})

const dir = mkdtempSync(join(tmpdir(), "extract-crossdoc-"))
const layer = Layer.mergeAll(
  Resolver.Default,
  GraphStore.Default.pipe(Layer.provide(GraphStoreConfig.layer(dir)))
).pipe(Layer.provideMerge(NodeContext.layer))

Effect.runPromise(main.pipe(Effect.provide(layer)))
  .catch((e) => fail(String(e)))
  .finally(() => rmSync(dir, { recursive: true, force: true }))

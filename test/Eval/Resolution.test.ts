import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  emptyCounts,
  evaluate,
  foldOf,
  foldSummary,
  metricsOf,
  type RedocredDocument,
  scoreDocument,
  summaryJson,
  toGoldDocument
} from "../../src/Eval/Resolution.js"
import { Resolver } from "../../src/Resolver.js"
import { runCli } from "../support/Cli.js"

describe("metrics", () => {
  it("pairwise and B-cubed on a hand-computed example", () => {
    // gold {a b c} {d}; predicted {a b} {c d}
    const gold = new Map([["a", 0], ["b", 0], ["c", 0], ["d", 1]])
    const predicted = new Map([["a", 0], ["b", 0], ["c", 1], ["d", 1]])
    const counts = emptyCounts()
    scoreDocument(gold, predicted, counts)
    // gold pairs ab ac bc, predicted pairs ab cd, both ab
    expect(counts).toMatchObject({ pairsBoth: 1, pairsPredicted: 2, pairsGold: 3, mentions: 4, docs: 1 })
    const m = metricsOf(counts)
    // P 1/2, R 1/3, F1 2·(1/6)/(5/6) = 0.4
    expect(m.pairwise).toEqual({ precision: 0.5, recall: 0.3333, f1: 0.4 })
    // B³ precision (1 + 1 + 1/2 + 1/2)/4 = 0.75, recall (2/3 + 2/3 + 1/3 + 1)/4 = 2/3, F1 = 1/(17/12) = 0.7059
    expect(m.bcubed).toEqual({ precision: 0.75, recall: 0.6667, f1: 0.7059 })
  })

  it("is micro-averaged over documents and counts a mention the resolution left out as a singleton", () => {
    const counts = emptyCounts()
    scoreDocument(new Map([["a", 0], ["b", 0]]), new Map([["a", 0], ["b", 0]]), counts)
    scoreDocument(new Map([["a", 0], ["b", 0]]), new Map([["a", 0]]), counts)
    expect(metricsOf(counts).pairwise).toEqual({ precision: 1, recall: 0.5, f1: 0.6667 })
    // nothing merged and no gold pair: precision and recall 1 by convention
    expect(metricsOf(emptyCounts()).pairwise).toEqual({ precision: 1, recall: 1, f1: 1 })
  })

  it("folds are fixed by document index: document i is in fold i mod K; summary takes mean and minimum", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => foldOf(i, 5))).toEqual([0, 1, 2, 3, 4, 0, 1])
    const fold = (precision: number, recall: number, f1: number) => ({
      docs: 1,
      mentions: 1,
      pairwise: { precision, recall, f1 },
      bcubed: { precision: 1, recall: 1, f1: 1 },
      pairs: { correct: 0, predicted: 0, gold: 0 }
    })
    expect(foldSummary([fold(1, 0.5, 0.6), fold(0.9, 0.7, 0.8)])).toEqual({
      mean: { precision: 0.95, recall: 0.6, f1: 0.7 },
      min: { precision: 0.9, recall: 0.5, f1: 0.6 }
    })
  })
})

/** A Re-DocRED document: one sentence of tokens, entities as [sentence-local token ranges]. */
const doc = (title: string, tokens: Array<string>, entities: Array<Array<[number, number, string]>>) =>
  ({
    title,
    sents: [tokens],
    vertexSet: entities.map((mentions) =>
      mentions.map(([from, to, type]) => ({
        name: tokens.slice(from, to).join(" "),
        type,
        sent_id: 0,
        pos: [from, to] as const
      }))
    )
  }) satisfies RedocredDocument

describe("toGoldDocument", () => {
  it("rebuilds the text from the tokens and spans each gold mention in code points", () => {
    const g = toGoldDocument(
      doc("t", ["😀", "Ada", "Lovelace", "met", "Lovelace", "."], [[[1, 3, "PER"], [4, 5, "PER"]]])
    )!
    expect(g.text).toBe("😀 Ada Lovelace met Lovelace .")
    expect(g.mentions.map((m) => [m.id, m.type, m.span.start, m.span.end, m.span.text])).toEqual([
      ["c0-m1", "Person", 2, 14, "Ada Lovelace"],
      ["c0-m2", "Person", 19, 27, "Lovelace"]
    ])
    expect([...g.gold]).toEqual([["c0-m1", 0], ["c0-m2", 0]])
    expect(toGoldDocument(doc("bad", ["a"], [[[0, 2, "PER"]]]))).toBeNull()
  })
})

const docs: ReadonlyArray<RedocredDocument> = [
  // fold 0 (index 0): one right merge
  doc("d0", ["Grace", "Hopper", "and", "Hopper"], [[[0, 2, "PER"], [3, 4, "PER"]]]),
  // fold 1 (index 1): a missed pair (a given name: rule given-name applies to long documents only)
  doc("d1", ["Grace", "Hopper", "and", "Grace"], [[[0, 2, "PER"], [3, 4, "PER"]]]),
  // fold 0 (index 2): a wrong merge (gold keeps the surname apart)
  doc("d2", ["Rudolf", "Halin", "and", "Halin"], [[[0, 2, "PER"]], [[3, 4, "PER"]]])
]

layer(Layer.mergeAll(Resolver.Default, NodeContext.layer))("evaluate", (it) => {
  it.effect("scores every fold on its own documents, and collects pair errors", () =>
    Effect.gen(function*() {
      const e = yield* evaluate(docs, { folds: 2, errors: true })
      expect(e.pairwise).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 })
      expect(e.folds!.map((f) => [f.docs, f.mentions, f.pairwise.precision, f.pairwise.recall])).toEqual([
        [2, 4, 0.5, 1],
        [1, 2, 1, 0]
      ])
      expect(e.foldMin).toEqual({ precision: 0.5, recall: 0, f1: 0 })
      expect(e.errors.map((x) => [x.kind, x.title, x.a.text, x.b.text])).toEqual([
        ["missed", "d1", "Grace Hopper", "Grace"],
        ["wrong-merge", "d2", "Rudolf Halin", "Halin"]
      ])
      const json = summaryJson(e)
      expect(Object.keys(json)).toEqual([
        "docs",
        "mentions",
        "bcubed",
        "pairwise",
        "ms",
        "folds",
        "foldMean",
        "foldMin"
      ])
      // the baseline joins only equal names; --limit scores the first N documents
      const base = yield* evaluate(docs, { baseline: true, limit: 2 })
      expect([base.docs, base.pairwise.recall]).toEqual([2, 0])
      // the long-document rule given-name, applied to these short documents, finds the missed pair
      const all = yield* evaluate(docs, { longDocument: 0 })
      expect(all.pairwise.recall).toBe(1)
    }))
})

describe("extract eval resolution (built CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "extract-eval-resolution-"))
  const file = join(dir, "split.json")
  writeFileSync(file, JSON.stringify(docs))

  it("prints the table, or one JSON object with --json, and writes the pair errors with --errors", async () => {
    const table = await runCli(["eval", "resolution", file, "--folds", "2"])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^\s+docs\s+mentions\s+pair P/u)
    expect(table.stdout).toMatch(/fold min\s+0\.5000\s+0\.0000\s+0\.0000/u)

    const errors = join(dir, "errors.jsonl")
    const json = await runCli(["eval", "resolution", file, "--json", "--errors", errors])
    expect(json.code).toBe(0)
    const lines = json.stdout.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ docs: 3, mentions: 6, pairwise: { precision: 0.5, recall: 0.5 } })
    const written = readFileSync(errors, "utf8").trim().split("\n").map((l) => JSON.parse(l))
    expect(written.map((e) => e.kind)).toEqual(["missed", "wrong-merge"])

    const missing = await runCli(["eval", "resolution", join(dir, "nope.json")])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/^extract: .*nope\.json: no such file/mu)
    const bad = await runCli(["eval", "resolution", file, "--folds", "1"])
    expect(bad.code).toBe(2)
  }, 60_000)
})

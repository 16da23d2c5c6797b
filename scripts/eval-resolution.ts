/**
 * Entity-resolution evaluation on Re-DocRED gold mentions.
 *
 *   npm run --silent eval:resolution -- ../shared/data/redocred/dev.json [--errors N] [--breakdown] [--baseline]
 *
 * For every document of a Re-DocRED split (format in ../shared/README.md)
 * the gold mentions — surface form, entity type, position — are turned into
 * the pipeline's `Mention`s without their cluster ids and resolved by the
 * `Resolver` service; the predicted clusters are scored against the gold
 * `vertexSet` clusters. The last line on stdout is one JSON object:
 *
 *   {"docs":N,"mentions":N,"bcubed":{"precision":p,"recall":r,"f1":f},
 *    "pairwise":{"precision":p,"recall":r,"f1":f},"ms":t}
 *
 * Metric definitions are in docs/resolution.md. `ms` is the wall time spent
 * inside `Resolver.resolve`, summed over documents, in milliseconds. With
 * `--errors N`, up to N wrong merges and N missed merges are printed to
 * stderr. With `--breakdown`, stderr also gets the gold coreferent pairs
 * by how their names relate (see {@link relation}), how many of each the
 * resolver joined, and the *form ceiling*: the pairwise recall of merging,
 * within each gold entity, exactly the mention pairs whose names are
 * related by form (same key, token subset, acronym, spelling variant), and
 * closing transitively — what a resolver that reads names and nothing else
 * could reach without a single wrong merge.
 * With `--baseline`, the mentions are not given to the Resolver but
 * clustered by type class and normalised name alone (`analyzeName`'s key):
 * the exact-match anchor the rules are measured against.
 * Exit codes: 0 done, 2 bad arguments or unreadable/invalid input.
 */
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { performance } from "node:perf_hooks"
import { Mention } from "../src/Domain/Extraction.js"
import { Assignment, Cluster, Resolution } from "../src/Domain/Graph.js"
import { CodePointIndex } from "../src/Domain/Span.js"
import { Resolver } from "../src/Resolver.js"
import { typeClassOf } from "../src/Resolver/EntityTypes.js"
import { analyzeName } from "../src/Resolver/Names.js"
import { acronymKeys, personVariant, spellingVariant } from "../src/Resolver/Rules.js"

interface RedocredMention {
  readonly name: string
  readonly type: string
  readonly sent_id: number
  readonly pos: readonly [number, number]
}
interface RedocredDocument {
  readonly title: string
  readonly sents: ReadonlyArray<ReadonlyArray<string>>
  readonly vertexSet: ReadonlyArray<ReadonlyArray<RedocredMention>>
}

/**
 * Re-DocRED entity types → the project's entity types (src/Domain/Extraction.ts).
 * NUM has no default type and keeps a name of its own. MISC (works, events,
 * nationalities, products) is a type of its own too, not the embedded
 * extractor's "Other", which means "no type could be told" and which the
 * resolver lets join a typed entity (src/Resolver/EntityTypes.ts).
 */
const TYPES: Record<string, string> = {
  PER: "Person",
  ORG: "Organization",
  LOC: "Location",
  TIME: "Date",
  NUM: "Number",
  MISC: "Miscellaneous"
}

/** Sentences of about this many tokens make one chunk, so mentions carry realistic chunk ids. */
const CHUNK_TOKENS = 128

const fail = (message: string): never => {
  process.stderr.write(`eval:resolution: ${message}\n`)
  process.exit(2)
}

/**
 * One Re-DocRED document as the pipeline would see it: the text is the
 * tokens joined by single spaces (sentences too), every gold mention
 * becomes a `Mention` whose span covers its tokens in that text (code
 * points), whose type is mapped by {@link TYPES}, and whose chunk is the
 * index of the ~{@link CHUNK_TOKENS}-token, sentence-aligned chunk it falls
 * in. Returns the mentions and each mention's gold cluster.
 */
export const toMentions = (doc: RedocredDocument) => {
  const tokenStart: Array<Array<number>> = []
  const tokenEnd: Array<Array<number>> = []
  const chunkOfSentence: Array<number> = []
  let text = ""
  let chunk = 0
  let chunkTokens = 0
  for (const sentence of doc.sents) {
    if (chunkTokens > 0 && chunkTokens + sentence.length > CHUNK_TOKENS) {
      chunk++
      chunkTokens = 0
    }
    chunkOfSentence.push(chunk)
    chunkTokens += sentence.length
    const starts: Array<number> = []
    const ends: Array<number> = []
    for (const token of sentence) {
      if (text.length > 0) text += " "
      starts.push(text.length)
      text += token
      ends.push(text.length)
    }
    tokenStart.push(starts)
    tokenEnd.push(ends)
  }
  const index = new CodePointIndex(text)
  const gold = new Map<string, number>()
  const perChunk = new Map<number, number>()
  const mentions: Array<Mention> = []
  doc.vertexSet.forEach((cluster, clusterIndex) => {
    for (const m of cluster) {
      const from = tokenStart[m.sent_id]?.[m.pos[0]]
      const to = tokenEnd[m.sent_id]?.[m.pos[1] - 1]
      if (from === undefined || to === undefined) fail(`"${doc.title}": mention "${m.name}" is outside its sentence`)
      const c = chunkOfSentence[m.sent_id]!
      const n = (perChunk.get(c) ?? 0) + 1
      perChunk.set(c, n)
      const id = `c${c}-m${n}`
      gold.set(id, clusterIndex)
      mentions.push(
        new Mention({
          id,
          type: TYPES[m.type] ?? m.type,
          span: index.span(from!, to!),
          chunk: c,
          grounding: "exact",
          description: null
        })
      )
    }
  })
  return { mentions, gold }
}

interface Counts {
  pairsBoth: number
  pairsPredicted: number
  pairsGold: number
  bcubedP: number
  bcubedR: number
  mentions: number
}

/**
 * Scores one document. Pairwise: over all unordered pairs of its mentions,
 * a pair is predicted positive when both are in one predicted cluster and
 * gold positive when both are in one gold cluster. B-cubed (Bagga &
 * Baldwin 1998): per mention, precision = |pred ∩ gold| / |pred| and recall
 * = |pred ∩ gold| / |gold| over the clusters containing it.
 */
const score = (gold: ReadonlyMap<string, number>, predicted: ReadonlyMap<string, number>, counts: Counts) => {
  const cell = new Map<string, number>()
  const goldSize = new Map<number, number>()
  const predSize = new Map<number, number>()
  for (const [id, g] of gold) {
    const p = predicted.get(id)!
    goldSize.set(g, (goldSize.get(g) ?? 0) + 1)
    predSize.set(p, (predSize.get(p) ?? 0) + 1)
    const k = `${g}:${p}`
    cell.set(k, (cell.get(k) ?? 0) + 1)
  }
  const pairs = (n: number) => (n * (n - 1)) / 2
  for (const n of cell.values()) counts.pairsBoth += pairs(n)
  for (const n of goldSize.values()) counts.pairsGold += pairs(n)
  for (const n of predSize.values()) counts.pairsPredicted += pairs(n)
  for (const [id, g] of gold) {
    const p = predicted.get(id)!
    const both = cell.get(`${g}:${p}`)!
    counts.bcubedP += both / predSize.get(p)!
    counts.bcubedR += both / goldSize.get(g)!
    counts.mentions++
  }
}

/**
 * How the names of two coreferent gold mentions relate by form: `same-name`
 * (equal keys), `acronym`, `token-subset` (one's tokens all in the other's:
 * surnames, heads, truncations), `spelling` (a rule's spelling variant),
 * `other` (aliases only knowledge can tell: Kristiania/Oslo, demonyms,
 * translations), or `type-differs`.
 */
const relation = (a: ReturnType<typeof analyzeName>, b: ReturnType<typeof analyzeName>): string => {
  if (a.cls !== b.cls) return "type-differs"
  if (a.key === b.key) return "same-name"
  const [s, l] = a.tokens.length <= b.tokens.length ? [a, b] : [b, a]
  if (s.acronym !== null && acronymKeys(l).includes(s.acronym)) return "acronym"
  if (s.tokens.every((t) => l.tokens.includes(t) || l.nicknames.includes(t))) return "token-subset"
  if (personVariant(a, b) !== null || spellingVariant(a, b) !== null) return "spelling"
  return "other"
}

/** Per-relation counts of gold coreferent pairs and how many were joined, plus the form ceiling's pair count. */
const breakdown = (
  mentions: ReadonlyArray<Mention>,
  gold: ReadonlyMap<string, number>,
  predicted: ReadonlyMap<string, number>,
  table: Map<string, { pairs: number; joined: number }>
): number => {
  const forms = mentions.map((m) => analyzeName(m.span.text, typeClassOf(m.type)))
  const parent = mentions.map((_, i) => i)
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)))
  for (let i = 0; i < mentions.length; i++) {
    for (let j = i + 1; j < mentions.length; j++) {
      if (gold.get(mentions[i]!.id) !== gold.get(mentions[j]!.id)) continue
      const kind = relation(forms[i]!, forms[j]!)
      const row = table.get(kind) ?? { pairs: 0, joined: 0 }
      row.pairs++
      if (predicted.get(mentions[i]!.id) === predicted.get(mentions[j]!.id)) row.joined++
      table.set(kind, row)
      if (kind !== "other" && kind !== "type-differs") parent[find(i)] = find(j)
    }
  }
  const sizes = new Map<number, number>()
  for (let i = 0; i < mentions.length; i++) sizes.set(find(i), (sizes.get(find(i)) ?? 0) + 1)
  let pairs = 0
  for (const n of sizes.values()) pairs += (n * (n - 1)) / 2
  return pairs
}

/** The exact-match anchor: one cluster per (type class, normalised key), every mention `exact`. */
const exactBaseline = (mentions: ReadonlyArray<Mention>): Resolution => {
  const groups = new Map<string, Array<Mention>>()
  for (const m of mentions) {
    const cls = typeClassOf(m.type)
    const key = `${cls}\u0000${analyzeName(m.span.text, cls).key}`
    groups.set(key, [...(groups.get(key) ?? []), m])
  }
  const lists = [...groups.values()]
  return new Resolution({
    clusters: lists.map((ms) =>
      new Cluster({ label: ms[0]!.span.text, type: ms[0]!.type, mentions: ms.map((m) => m.id) })
    ),
    assignments: lists.flatMap((ms, cluster) =>
      ms.map((m) => new Assignment({ mention: m.id, cluster, method: "exact", score: 1, reason: "baseline" }))
    )
  })
}

const prf = (p: number, r: number) => {
  const round = (x: number) => Math.round(x * 10000) / 10000
  return { precision: round(p), recall: round(r), f1: round(p + r === 0 ? 0 : (2 * p * r) / (p + r)) }
}

const main = Effect.gen(function*() {
  const args = process.argv.slice(2)
  const path = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--errors")
  const errorsAt = args.indexOf("--errors")
  const showErrors = errorsAt >= 0 ? Number(args[errorsAt + 1] ?? "20") : 0
  const showBreakdown = args.includes("--breakdown")
  const baseline = args.includes("--baseline")
  const table = new Map<string, { pairs: number; joined: number }>()
  let ceilingPairs = 0
  if (path === undefined) {
    return fail("usage: npm run --silent eval:resolution -- <redocred.json> [--errors N] [--breakdown] [--baseline]")
  }
  let docs: ReadonlyArray<RedocredDocument> = []
  try {
    docs = JSON.parse(readFileSync(path!, "utf8"))
  } catch (e) {
    fail(`cannot read ${path}: ${(e as Error).message.split("\n")[0]}`)
  }
  if (!Array.isArray(docs) || docs.some((d) => !Array.isArray(d?.sents) || !Array.isArray(d?.vertexSet))) {
    fail(`${path} is not a Re-DocRED split (an array of {title, sents, vertexSet, …})`)
  }

  const resolver = yield* Resolver
  const counts: Counts = { pairsBoth: 0, pairsPredicted: 0, pairsGold: 0, bcubedP: 0, bcubedR: 0, mentions: 0 }
  const methods = new Map<string, number>()
  const wrong: Array<string> = []
  const missed: Array<string> = []
  let ms = 0
  for (const doc of docs) {
    const { mentions, gold } = toMentions(doc)
    const started = performance.now()
    const resolution = baseline ? exactBaseline(mentions) : yield* resolver.resolve(mentions)
    ms += performance.now() - started
    const predicted = new Map(resolution.assignments.map((a) => [a.mention, a.cluster] as const))
    for (const a of resolution.assignments) methods.set(a.method, (methods.get(a.method) ?? 0) + 1)
    score(gold, predicted, counts)
    if (showBreakdown) ceilingPairs += breakdown(mentions, gold, predicted, table)
    if (showErrors > 0) {
      const text = new Map(mentions.map((m) => [m.id, `${m.span.text} [${m.type}]`] as const))
      const assignment = new Map(resolution.assignments.map((a) => [a.mention, a] as const))
      for (const c of resolution.clusters) {
        const golds = new Set(c.mentions.map((id) => gold.get(id)))
        if (golds.size > 1 && wrong.length < showErrors) {
          wrong.push(
            `${doc.title}: ${
              c.mentions.map((id) => `${text.get(id)}#${gold.get(id)}(${assignment.get(id)!.method})`).join(" | ")
            }`
          )
        }
      }
      const byGold = new Map<number, Array<string>>()
      for (const [id, g] of gold) byGold.set(g, [...(byGold.get(g) ?? []), id])
      for (const ids of byGold.values()) {
        const preds = new Set(ids.map((id) => predicted.get(id)))
        if (preds.size > 1 && missed.length < showErrors) {
          missed.push(`${doc.title}: ${ids.map((id) => `${text.get(id)}→${predicted.get(id)}`).join(" | ")}`)
        }
      }
    }
  }
  if (showErrors > 0) {
    process.stderr.write(
      `wrong merges:\n${wrong.map((w) => `  ${w}`).join("\n")}\nmissed merges:\n${
        missed.map((w) => `  ${w}`).join("\n")
      }\n`
    )
  }
  if (showBreakdown) {
    const rows = [...table].sort((a, b) => b[1].pairs - a[1].pairs)
    process.stderr.write(
      `gold coreferent pairs by name relation (joined/pairs): ${
        rows.map(([k, v]) => `${k} ${v.joined}/${v.pairs}`).join(", ")
      }\n` +
        `form ceiling: pairwise recall ${(ceilingPairs / Math.max(1, counts.pairsGold)).toFixed(4)} ` +
        `(${ceilingPairs} of ${counts.pairsGold} gold pairs are joined through names related by form)\n`
    )
  }
  process.stderr.write(
    `assignments by method: ${[...methods].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(", ")}\n`
  )
  const result = {
    docs: docs.length,
    mentions: counts.mentions,
    bcubed: prf(counts.bcubedP / Math.max(1, counts.mentions), counts.bcubedR / Math.max(1, counts.mentions)),
    pairwise: prf(
      counts.pairsPredicted === 0 ? 1 : counts.pairsBoth / counts.pairsPredicted,
      counts.pairsGold === 0 ? 1 : counts.pairsBoth / counts.pairsGold
    ),
    ms: Math.round(ms)
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
})

Effect.runPromise(main.pipe(Effect.provide(Resolver.Default))).catch((e) => fail(String(e)))

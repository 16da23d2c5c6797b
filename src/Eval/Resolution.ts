/**
 * Entity-resolution evaluation on Re-DocRED gold mentions: the one scorer
 * behind `extract eval resolution` and `npm run eval:resolution`.
 *
 * For every document of a Re-DocRED split (format in ../shared/README.md)
 * the text is rebuilt from the tokens (joined by single spaces, sentences
 * too), every gold mention becomes a pipeline `Mention` without its cluster
 * id, and the mentions and the text are resolved by the `Resolver`; the
 * predicted clusters are scored against the gold `vertexSet` clusters with
 * pairwise and B-cubed precision/recall/F1 (definitions in
 * docs/resolution.md, "Evaluation"). With `folds: K` the documents are
 * split into K folds by document index (document i is in fold i mod K) and
 * every fold is scored on its own; the folds' mean and minimum are the
 * figures a rule is judged by (a rule that drops any fold's pairwise
 * precision below 0.97 does not ship).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { InputError } from "../Domain/Errors.js"
import { Mention } from "../Domain/Extraction.js"
import { Assignment, Cluster, Resolution } from "../Domain/Graph.js"
import { CodePointIndex } from "../Domain/Span.js"
import { type ResolveOptions, Resolver, type RuleName } from "../Resolver.js"
import { typeClassOf } from "../Resolver/EntityTypes.js"
import { analyzeName, type NameForm } from "../Resolver/Names.js"
import { acronymKeys, personVariant, spellingVariant } from "../Resolver/Rules.js"

/** One gold mention of a Re-DocRED document: tokens [pos[0], pos[1]) of sentence `sent_id`. */
export interface RedocredMention {
  readonly name: string
  readonly type: string
  readonly sent_id: number
  readonly pos: readonly [number, number]
}
/** One Re-DocRED document: tokenised sentences and gold entities (`vertexSet`: clusters of mentions). */
export interface RedocredDocument {
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
export const REDOCRED_TYPES: Readonly<Record<string, string>> = {
  PER: "Person",
  ORG: "Organization",
  LOC: "Location",
  TIME: "Date",
  NUM: "Number",
  MISC: "Miscellaneous"
}

/** Sentences of about this many tokens make one chunk, so mentions carry realistic chunk ids. */
export const CHUNK_TOKENS = 128

/** A Re-DocRED document as the pipeline would see it. */
export interface GoldDocument {
  readonly title: string
  /** The tokens joined by single spaces (sentences too). */
  readonly text: string
  /** One mention per gold mention, in `vertexSet` order. */
  readonly mentions: ReadonlyArray<Mention>
  /** Mention id → index of its gold entity in `vertexSet`. */
  readonly gold: ReadonlyMap<string, number>
}

/**
 * One Re-DocRED document as the pipeline would see it: the text is the
 * tokens joined by single spaces (sentences too), every gold mention
 * becomes a `Mention` whose span covers its tokens in that text (code
 * points), whose type is mapped by {@link REDOCRED_TYPES}, and whose chunk
 * is the index of the ~{@link CHUNK_TOKENS}-token, sentence-aligned chunk
 * it falls in (ids `c<chunk>-m<n>`). Returns null when a mention lies
 * outside its sentence.
 */
export const toGoldDocument = (doc: RedocredDocument): GoldDocument | null => {
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
  for (let clusterIndex = 0; clusterIndex < doc.vertexSet.length; clusterIndex++) {
    for (const m of doc.vertexSet[clusterIndex]!) {
      const from = tokenStart[m.sent_id]?.[m.pos[0]]
      const to = tokenEnd[m.sent_id]?.[m.pos[1] - 1]
      if (from === undefined || to === undefined || to < from) return null
      const c = chunkOfSentence[m.sent_id]!
      const n = (perChunk.get(c) ?? 0) + 1
      perChunk.set(c, n)
      const id = `c${c}-m${n}`
      gold.set(id, clusterIndex)
      mentions.push(
        new Mention({
          id,
          type: REDOCRED_TYPES[m.type] ?? m.type,
          span: index.span(from, to),
          chunk: c,
          grounding: "exact",
          description: null
        })
      )
    }
  }
  return { title: doc.title, text, mentions, gold }
}

/** Pair and B-cubed sums over the mentions of some documents; {@link metricsOf} turns them into P/R/F1. */
export interface Counts {
  /** Unordered mention pairs in one predicted and one gold entity. */
  pairsBoth: number
  /** Unordered mention pairs in one predicted entity. */
  pairsPredicted: number
  /** Unordered mention pairs in one gold entity. */
  pairsGold: number
  /** Sum over mentions of B-cubed precision. */
  bcubedP: number
  /** Sum over mentions of B-cubed recall. */
  bcubedR: number
  mentions: number
  docs: number
}

export const emptyCounts = (): Counts => ({
  pairsBoth: 0,
  pairsPredicted: 0,
  pairsGold: 0,
  bcubedP: 0,
  bcubedR: 0,
  mentions: 0,
  docs: 0
})

/**
 * Adds one document to `counts`. `gold` and `predicted` map every mention id
 * of the document to its gold and predicted entity. Pairwise: over all
 * unordered pairs of its mentions, a pair is predicted positive when both
 * are in one predicted entity and gold positive when both are in one gold
 * entity. B-cubed (Bagga & Baldwin 1998, "Algorithms for scoring
 * coreference chains"): per mention m, precision = |P(m) ∩ G(m)| / |P(m)|,
 * recall = |P(m) ∩ G(m)| / |G(m)|.
 */
export const scoreDocument = (
  gold: ReadonlyMap<string, number>,
  predicted: ReadonlyMap<string, number>,
  counts: Counts
): void => {
  const cell = new Map<string, number>()
  const goldSize = new Map<number, number>()
  const predSize = new Map<number, number>()
  let unassigned = 0
  for (const [id, g] of gold) {
    // a mention the resolution left out counts as a singleton of its own
    const p = predicted.get(id) ?? -1 - unassigned++
    goldSize.set(g, (goldSize.get(g) ?? 0) + 1)
    predSize.set(p, (predSize.get(p) ?? 0) + 1)
    const k = `${g}:${p}`
    cell.set(k, (cell.get(k) ?? 0) + 1)
  }
  const pairs = (n: number) => (n * (n - 1)) / 2
  for (const n of cell.values()) counts.pairsBoth += pairs(n)
  for (const n of goldSize.values()) counts.pairsGold += pairs(n)
  for (const n of predSize.values()) counts.pairsPredicted += pairs(n)
  unassigned = 0
  for (const [id, g] of gold) {
    const p = predicted.get(id) ?? -1 - unassigned++
    const both = cell.get(`${g}:${p}`)!
    counts.bcubedP += both / predSize.get(p)!
    counts.bcubedR += both / goldSize.get(g)!
    counts.mentions++
  }
  counts.docs++
}

/** Precision, recall and F1, rounded to 4 decimals. */
export interface Prf {
  readonly precision: number
  readonly recall: number
  readonly f1: number
}

const round4 = (x: number) => Math.round(x * 10000) / 10000

/** P/R/F1 from unrounded precision and recall (F1: their harmonic mean, 0 when both are 0). */
export const prf = (p: number, r: number): Prf => ({
  precision: round4(p),
  recall: round4(r),
  f1: round4(p + r === 0 ? 0 : (2 * p * r) / (p + r))
})

/** The scores of a set of documents. */
export interface Scores {
  readonly docs: number
  readonly mentions: number
  readonly bcubed: Prf
  readonly pairwise: Prf
  /** The pair counts behind `pairwise`: predicted and gold, both. */
  readonly pairs: { readonly correct: number; readonly predicted: number; readonly gold: number }
}

/**
 * Micro-averaged metrics of `counts`: pairwise P/R over all pairs of all
 * documents (no pair crosses documents; precision 1 when nothing was
 * merged, recall 1 when the gold has no pair), B-cubed P/R the means over
 * all mentions.
 */
export const metricsOf = (counts: Counts): Scores => ({
  docs: counts.docs,
  mentions: counts.mentions,
  bcubed: prf(counts.bcubedP / Math.max(1, counts.mentions), counts.bcubedR / Math.max(1, counts.mentions)),
  pairwise: prf(
    counts.pairsPredicted === 0 ? 1 : counts.pairsBoth / counts.pairsPredicted,
    counts.pairsGold === 0 ? 1 : counts.pairsBoth / counts.pairsGold
  ),
  pairs: { correct: counts.pairsBoth, predicted: counts.pairsPredicted, gold: counts.pairsGold }
})

/** The fold of document `index` among `k` folds: `index mod k`, fixed by the document's position in the file. */
export const foldOf = (index: number, k: number): number => index % k

/** The mean and the minimum, component by component, of the folds' pairwise P/R/F1. */
export const foldSummary = (folds: ReadonlyArray<Scores>): { readonly mean: Prf; readonly min: Prf } => {
  const pick = (f: (p: Prf) => number) => folds.map((s) => f(s.pairwise))
  const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  const min = (xs: ReadonlyArray<number>) => (xs.length === 0 ? 0 : Math.min(...xs))
  const of = (agg: (xs: ReadonlyArray<number>) => number): Prf => ({
    precision: round4(agg(pick((p) => p.precision))),
    recall: round4(agg(pick((p) => p.recall))),
    f1: round4(agg(pick((p) => p.f1)))
  })
  return { mean: of(mean), min: of(min) }
}

/** The exact-match anchor: one entity per (type class, normalised key), every mention `exact`. */
export const exactBaseline = (mentions: ReadonlyArray<Mention>): Resolution => {
  const groups = new Map<string, Array<Mention>>()
  for (const m of mentions) {
    const cls = typeClassOf(m.type)
    const key = `${cls}\u0000${analyzeName(m.span.text, cls).key}`
    const list = groups.get(key)
    if (list === undefined) groups.set(key, [m])
    else list.push(m)
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

/**
 * How the names of two coreferent gold mentions relate by form: `same-name`
 * (equal keys), `acronym`, `token-subset` (one's tokens all in the other's:
 * surnames, heads, truncations), `spelling` (a rule's spelling variant),
 * `other` (aliases only knowledge can tell: Kristiania/Oslo, demonyms,
 * translations), or `type-differs`.
 */
export const relationOf = (a: NameForm, b: NameForm): string => {
  if (a.cls !== b.cls) return "type-differs"
  if (a.key === b.key) return "same-name"
  const [s, l] = a.tokens.length <= b.tokens.length ? [a, b] : [b, a]
  if (s.acronym !== null && acronymKeys(l).includes(s.acronym)) return "acronym"
  if (s.tokens.every((t) => l.tokens.includes(t) || l.nicknames.includes(t))) return "token-subset"
  if (personVariant(a, b) !== null || spellingVariant(a, b) !== null) return "spelling"
  return "other"
}

/** Gold coreferent pairs by name relation, how many the resolver joined, and the form ceiling's pair count. */
export interface Breakdown {
  readonly relations: Map<string, { pairs: number; joined: number }>
  /** Gold pairs joined by closing, inside each gold entity, the pairs related by form. */
  ceilingPairs: number
}

const addBreakdown = (doc: GoldDocument, predicted: ReadonlyMap<string, number>, into: Breakdown) => {
  const mentions = doc.mentions
  const forms = mentions.map((m) => analyzeName(m.span.text, typeClassOf(m.type)))
  const parent = mentions.map((_, i) => i)
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)))
  for (let i = 0; i < mentions.length; i++) {
    for (let j = i + 1; j < mentions.length; j++) {
      if (doc.gold.get(mentions[i]!.id) !== doc.gold.get(mentions[j]!.id)) continue
      const kind = relationOf(forms[i]!, forms[j]!)
      let row = into.relations.get(kind)
      if (row === undefined) into.relations.set(kind, row = { pairs: 0, joined: 0 })
      row.pairs++
      if (predicted.get(mentions[i]!.id) === predicted.get(mentions[j]!.id)) row.joined++
      if (kind !== "other" && kind !== "type-differs") parent[find(i)] = find(j)
    }
  }
  const sizes = new Map<number, number>()
  for (let i = 0; i < mentions.length; i++) sizes.set(find(i), (sizes.get(find(i)) ?? 0) + 1)
  for (const n of sizes.values()) into.ceilingPairs += (n * (n - 1)) / 2
}

/** One mention as an error record shows it. */
export interface ErrorMention {
  readonly id: string
  readonly text: string
  readonly type: string
  /** Index of its gold entity in the document's `vertexSet`. */
  readonly gold: number
  /** The resolver's method for it (src/Resolver.ts). */
  readonly method: string
}
/** A wrong merge (predicted, not gold) or a missed pair (gold, not predicted) of two mentions. */
export interface PairError {
  readonly kind: "wrong-merge" | "missed"
  readonly doc: number
  readonly title: string
  readonly a: ErrorMention
  readonly b: ErrorMention
}

const pairErrors = (
  docIndex: number,
  doc: GoldDocument,
  resolution: Resolution,
  into: Array<PairError>
) => {
  const assignment = new Map(resolution.assignments.map((a) => [a.mention, a] as const))
  const view = (m: Mention): ErrorMention => ({
    id: m.id,
    text: m.span.text,
    type: m.type,
    gold: doc.gold.get(m.id)!,
    method: assignment.get(m.id)?.method ?? "none"
  })
  const ms = doc.mentions
  for (let i = 0; i < ms.length; i++) {
    for (let j = i + 1; j < ms.length; j++) {
      const sameGold = doc.gold.get(ms[i]!.id) === doc.gold.get(ms[j]!.id)
      const pi = assignment.get(ms[i]!.id)?.cluster
      const samePredicted = pi !== undefined && pi === assignment.get(ms[j]!.id)?.cluster
      if (sameGold === samePredicted) continue
      into.push({
        kind: samePredicted ? "wrong-merge" : "missed",
        doc: docIndex,
        title: doc.title,
        a: view(ms[i]!),
        b: view(ms[j]!)
      })
    }
  }
}

/** What to evaluate. */
export interface EvaluateOptions {
  /** Score only the first N documents. */
  readonly limit?: number
  /** Also score K folds (document i in fold i mod K); K ≥ 2. */
  readonly folds?: number
  /** Score the exact-match anchor ({@link exactBaseline}) instead of the resolver. */
  readonly baseline?: boolean
  /** Collect every wrong merge and missed pair. */
  readonly errors?: boolean
  /** Collect gold pairs by name relation and the form ceiling. */
  readonly breakdown?: boolean
  /** Rules the resolver leaves out ({@link ResolveOptions.disable}; default its `RULES_OFF`). */
  readonly disable?: ReadonlySet<RuleName>
  /** Pass the document text to the resolver (text-defined aliases); default true. */
  readonly text?: boolean
  /** Overrides the resolver's `LONG_DOCUMENT` ({@link ResolveOptions.longDocument}). */
  readonly longDocument?: number
}

/** The result of one evaluation. */
export interface Evaluation extends Scores {
  /** Wall time inside `Resolver.resolve` (or the baseline), summed over documents, in ms. */
  readonly ms: number
  /** Per fold (fold f: documents i with i mod K = f), when folds were asked for. */
  readonly folds: ReadonlyArray<Scores> | null
  readonly foldMean: Prf | null
  readonly foldMin: Prf | null
  /** Assignments by resolver method. */
  readonly methods: ReadonlyMap<string, number>
  readonly errors: ReadonlyArray<PairError>
  readonly breakdown: Breakdown | null
}

/**
 * Scores the resolver (or the baseline) on parsed Re-DocRED documents.
 * Fails with an `InputError` (problem `unreadable`) when a document's
 * mention lies outside its sentence.
 */
export const evaluate = Effect.fn("ResolutionEval.evaluate")(function*(
  docs: ReadonlyArray<RedocredDocument>,
  options: EvaluateOptions = {}
) {
  const resolver = yield* Resolver
  const k = options.folds !== undefined && options.folds >= 2 ? options.folds : 0
  const total = emptyCounts()
  const perFold = Array.from({ length: k }, emptyCounts)
  const methods = new Map<string, number>()
  const errors: Array<PairError> = []
  const breakdown: Breakdown | null = options.breakdown === true ? { relations: new Map(), ceilingPairs: 0 } : null
  const resolveOptions: ResolveOptions = {
    ...(options.disable === undefined ? {} : { disable: options.disable }),
    ...(options.longDocument === undefined ? {} : { longDocument: options.longDocument })
  }
  const n = options.limit === undefined ? docs.length : Math.min(docs.length, Math.max(0, options.limit))
  let ms = 0
  for (let i = 0; i < n; i++) {
    const doc = toGoldDocument(docs[i]!)
    if (doc === null) {
      return yield* new InputError({
        path: docs[i]!.title,
        problem: "unreadable",
        message: `document ${i} ("${docs[i]!.title}"): a gold mention lies outside its sentence`
      })
    }
    const started = performance.now()
    const resolution = options.baseline === true
      ? exactBaseline(doc.mentions)
      : yield* resolver.resolve(
        doc.mentions,
        options.text === false ? resolveOptions : { ...resolveOptions, text: doc.text }
      )
    ms += performance.now() - started
    const predicted = new Map(resolution.assignments.map((a) => [a.mention, a.cluster] as const))
    for (const a of resolution.assignments) methods.set(a.method, (methods.get(a.method) ?? 0) + 1)
    scoreDocument(doc.gold, predicted, total)
    if (k > 0) scoreDocument(doc.gold, predicted, perFold[foldOf(i, k)]!)
    if (breakdown !== null) addBreakdown(doc, predicted, breakdown)
    if (options.errors === true) pairErrors(i, doc, resolution, errors)
  }
  const folds = k > 0 ? perFold.map(metricsOf) : null
  const summary = folds === null ? null : foldSummary(folds)
  return {
    ...metricsOf(total),
    ms: Math.round(ms),
    folds,
    foldMean: summary?.mean ?? null,
    foldMin: summary?.min ?? null,
    methods,
    errors,
    breakdown
  } satisfies Evaluation
})

/** The single JSON object an evaluation prints as its last line. */
export const summaryJson = (e: Evaluation) => ({
  docs: e.docs,
  mentions: e.mentions,
  bcubed: e.bcubed,
  pairwise: e.pairwise,
  ms: e.ms,
  ...(e.folds === null ? {} : {
    folds: e.folds.map((f, fold) => ({
      fold,
      docs: f.docs,
      mentions: f.mentions,
      pairwise: f.pairwise,
      bcubed: f.bcubed
    })),
    foldMean: e.foldMean,
    foldMin: e.foldMin
  })
})

const pad = (s: string, width: number, right = false) => (right ? s.padStart(width) : s.padEnd(width))

/** A plain-text table: first column left-aligned, the others right-aligned, two spaces apart. */
export const formatTable = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)))
  return rows.map((r) => r.map((cell, c) => pad(cell, widths[c]!, c > 0)).join("  ").trimEnd()).join("\n")
}

const f4 = (x: number) => x.toFixed(4)

/** The table `extract eval resolution` prints: overall pairwise and B-cubed, then each fold, mean and minimum. */
export const formatEvaluation = (e: Evaluation): string => {
  const header = ["", "docs", "mentions", "pair P", "pair R", "pair F1", "B³ P", "B³ R", "B³ F1"]
  const row = (name: string, s: Scores) => [
    name,
    String(s.docs),
    String(s.mentions),
    f4(s.pairwise.precision),
    f4(s.pairwise.recall),
    f4(s.pairwise.f1),
    f4(s.bcubed.precision),
    f4(s.bcubed.recall),
    f4(s.bcubed.f1)
  ]
  const rows: Array<Array<string>> = [header, row("all", e)]
  if (e.folds !== null) {
    e.folds.forEach((f, i) => rows.push(row(`fold ${i}`, f)))
    for (const [name, p] of [["fold mean", e.foldMean!], ["fold min", e.foldMin!]] as const) {
      rows.push([name, "", "", f4(p.precision), f4(p.recall), f4(p.f1), "", "", ""])
    }
  }
  return formatTable(rows)
}

/**
 * Reads and checks a Re-DocRED split: a JSON array of `{title, sents,
 * vertexSet, …}`. Fails with an `InputError` (exit code 4) when the file
 * is missing, unreadable, not JSON or not of that shape.
 */
export const readRedocred = Effect.fn("ResolutionEval.read")(function*(path: string) {
  const fs = yield* FileSystem.FileSystem
  const refuse = (problem: "missing" | "unreadable", message: string) =>
    new InputError({ path, problem, message: `${path}: ${message}` })
  const raw = yield* fs.readFileString(path).pipe(
    Effect.mapError((e) =>
      e._tag === "SystemError" && e.reason === "NotFound"
        ? refuse("missing", "no such file")
        : refuse("unreadable", "cannot be read")
    )
  )
  const docs = yield* Effect.try({
    try: () => JSON.parse(raw) as unknown,
    catch: () => refuse("unreadable", "is not valid JSON")
  })
  if (
    !Array.isArray(docs) ||
    docs.some((d: unknown) =>
      typeof d !== "object" || d === null || !Array.isArray((d as RedocredDocument).sents) ||
      !Array.isArray((d as RedocredDocument).vertexSet)
    )
  ) {
    return yield* refuse("unreadable", "is not a Re-DocRED split (a JSON array of {title, sents, vertexSet, …})")
  }
  return docs as ReadonlyArray<RedocredDocument>
})

/** Options of `extract eval resolution` (and the npm script). */
export interface RunOptions extends EvaluateOptions {
  readonly path: string
  /** Print one JSON object instead of the table. */
  readonly json?: boolean
  /** Write every wrong merge and missed pair, one JSON object a line, to this file. */
  readonly errorsFile?: string
}

/**
 * `extract eval resolution`: reads the split, evaluates, prints the table
 * (or with `json` the summary object) on stdout and, with `errorsFile`,
 * writes the pair errors as JSON Lines ({@link PairError}). Returns the
 * evaluation. Fails with `InputError` for a bad split or an unwritable
 * errors file.
 */
export const runResolutionEval = Effect.fn("ResolutionEval.run")(function*(options: RunOptions) {
  const fs = yield* FileSystem.FileSystem
  const docs = yield* readRedocred(options.path)
  const evaluation = yield* evaluate(docs, { ...options, errors: options.errorsFile !== undefined })
  if (options.errorsFile !== undefined) {
    const file = options.errorsFile
    yield* fs.writeFileString(file, evaluation.errors.map((e) => JSON.stringify(e) + "\n").join("")).pipe(
      Effect.mapError(() =>
        new InputError({ path: file, problem: "unreadable", message: `${file}: cannot be written` })
      )
    )
    yield* Console.error(`${evaluation.errors.length} pair errors written to ${file}`)
  }
  yield* Console.log(options.json === true ? JSON.stringify(summaryJson(evaluation)) : formatEvaluation(evaluation))
  return evaluation
})

/**
 * `npm run --silent eval:ner -- <conll04.txt> [--spaced] [--errors]`
 *
 * Runs the embedded extractor (src/Extractor/Nlp.ts) on every sentence of a
 * CoNLL04 file, each sentence one document of one chunk, and scores it
 * against the gold annotation. The last line of stdout is one JSON object:
 *
 *   {"sentences":N,"entities":{"precision","recall","f1"},"byType":{"PER","ORG","LOC"},
 *    "relations":{"precision","recall","f1"},"relationsByLabel":{…},"chars":N,"ms":t}
 *
 * Matching is strict. Entities: the same character span, after trimming
 * punctuation and whitespace from both ends of both spans, and the same type;
 * our Person, Organization and Location are PER, ORG and LOC; CoNLL04's
 * `Other` (miscellaneous names) and our Date, Money and Other are not scored.
 * Relations: both argument spans (trimmed the same way) and the label match;
 * our predicates map onto CoNLL04's five labels with {@link conllLabel}.
 * `ms` is the wall time spent in the extractor (and its document-level pass),
 * `chars` the characters it read.
 *
 * Given a directory instead (LitBank's `entities/`), it scores entities on
 * whole literary documents instead; see {@link evaluateLitBank}.
 *
 * `--spaced` joins tokens with single spaces as the original corpus file does
 * instead of rebuilding running text (scripts/lib/Conll04.ts says how);
 * `--errors` lists every false positive and false negative on stderr.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { createHash } from "node:crypto"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { Chunker } from "../src/Chunker.js"
import { Chunk } from "../src/Domain/Chunk.js"
import { SourceDocument } from "../src/Domain/Document.js"
import { Span } from "../src/Domain/Span.js"
import { Extractor } from "../src/Extractor.js"
import * as Nlp from "../src/Extractor/Nlp.js"
import { harmonizeTypes } from "../src/Extractor/Nlp/Consistency.js"
import { mergeExtractions } from "../src/MergeExtractions.js"
import { CONLL04_LABELS, CONLL04_TYPES, readConll04 } from "./lib/Conll04.js"

const TYPE: Record<string, string> = { Person: "PER", Organization: "ORG", Location: "LOC" }

/**
 * CoNLL04 label of one of our relations, from its predicate and the types of
 * its arguments, or undefined when CoNLL04 has no such label.
 */
export const conllLabel = (predicate: string, subjectType: string, objectType: string): string | undefined => {
  switch (predicate) {
    case "worksFor":
    case "memberOf":
    case "founded":
    case "leads":
      return subjectType === "PER" && objectType === "ORG" ? "Work_For" : undefined
    case "killed":
      return subjectType === "PER" && objectType === "PER" ? "Kill" : undefined
    case "livesIn":
    case "bornIn":
    case "citizenOf":
      return subjectType === "PER" && objectType === "LOC" ? "Live_In" : undefined
    case "basedIn":
    case "locatedIn":
      if (objectType !== "LOC") return undefined
      return subjectType === "ORG" ? "OrgBased_In" : subjectType === "LOC" ? "Located_In" : undefined
    default:
      return undefined
  }
}

const PUNCT = /[\p{P}\p{S}\s]/u
/** [start, end) shrunk past punctuation and whitespace at both ends (UTF-16 offsets into text). */
const trim = (text: string, start: number, end: number): [number, number] => {
  while (start < end && PUNCT.test(text[start]!)) start++
  while (end > start && PUNCT.test(text[end - 1]!)) end--
  return [start, end]
}

interface Score {
  tp: number
  fp: number
  fn: number
}
const score = (): Score => ({ tp: 0, fp: 0, fn: 0 })
const prf = (s: Score) => {
  const precision = s.tp + s.fp === 0 ? 0 : s.tp / (s.tp + s.fp)
  const recall = s.tp + s.fn === 0 ? 0 : s.tp / (s.tp + s.fn)
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
  const r = (x: number) => Math.round(x * 10000) / 10000
  return { precision: r(precision), recall: r(recall), f1: r(f1), tp: s.tp, fp: s.fp, fn: s.fn }
}

/** Counts matches between two multisets of keys into `s`; returns the unmatched keys of each side. */
const compare = (gold: ReadonlyArray<string>, predicted: ReadonlyArray<string>, s: Score) => {
  const g = new Set(gold)
  const p = new Set(predicted)
  const missed: Array<string> = []
  const wrong: Array<string> = []
  for (const k of p) {
    if (g.has(k)) s.tp++
    else {
      s.fp++
      wrong.push(k)
    }
  }
  for (const k of g) {
    if (!p.has(k)) {
      s.fn++
      missed.push(k)
    }
  }
  return { missed, wrong }
}

/** LitBank entity types scored as ours: PER, ORG, and places (LOC, GPE, FAC) as LOC. */
const LITBANK_TYPE: Record<string, string> = { PER: "PER", ORG: "ORG", LOC: "LOC", GPE: "LOC", FAC: "LOC" }
const DETERMINERS = new Set([
  "The",
  "A",
  "An",
  "This",
  "That",
  "These",
  "Those",
  "My",
  "His",
  "Her",
  "Their",
  "Our",
  "Your",
  "Its"
])
const LONE_TITLE =
  /^(?:Mr|Mrs|Ms|Miss|Sir|Madame|Madam|Mademoiselle|Monsieur|Lady|Lord|Captain|Colonel|General|Dr|St|Aunt|Uncle|Mother|Father|Master|Judge|Sister|Brother|Doctor|Professor)\.?$/
const CONNECTOR = /^(?:of|the|de|du|la|le|van|von|der|and|&|'s|’s)$/

/** A LitBank mention that is a proper name: capitalised words (and connectors), not opened by a determiner. */
const isProperName = (text: string) => {
  const words = text.split(/\s+/)
  // LitBank also annotates a bare title ("Mr.", "Madame") as a person: not a name.
  if (words.length === 1 && LONE_TITLE.test(words[0]!)) return false
  if (!/^\p{Lu}/u.test(words[0]!) || DETERMINERS.has(words[0]!)) return false
  return words.every((w) => /^\p{Lu}/u.test(w) || CONNECTOR.test(w))
}

/**
 * LitBank mode (`eval:ner -- ../shared/data/litbank/entities`): every
 * `.txt` is one document, chunked by the real Chunker (default settings),
 * extracted chunk by chunk, then passed through the document-level pass.
 * Gold mentions are the brat annotations that are proper names (see
 * {@link isProperName}; LitBank also annotates common-noun phrases such as
 * "the wrathful skipper" and bare titles such as "Mr.", which a named-entity
 * recogniser does not aim at);
 * every predicted Person, Organization and Location counts. The last line
 * is `{"documents","entities","byType","chars","ms"}` (no relations: LitBank's
 * entity files have none).
 */
const evaluateLitBank = (dir: string, showErrors: boolean) =>
  Effect.gen(function*() {
    const extractor = yield* Extractor
    const chunker = yield* Chunker
    const all = score()
    const byType: Record<string, Score> = Object.fromEntries(CONLL04_TYPES.map((t) => [t, score()]))
    const files = readdirSync(dir).filter((f) => f.endsWith(".txt")).sort()
    let chars = 0
    let ms = 0
    for (const f of files) {
      const raw = readFileSync(join(dir, f))
      const text = raw.toString("utf8")
      const doc = new SourceDocument(text, f, raw.length, createHash("sha256").update(raw).digest("hex"), "utf-8")
      const chunks = yield* chunker.chunk(doc, { size: 1200, overlap: 100 })
      const t0 = performance.now()
      const results = []
      for (const c of chunks) results.push(yield* extractor.extract(c))
      const merged = mergeExtractions(results)
      const mentions = extractor.harmonize ? extractor.harmonize(merged.mentions) : merged.mentions
      ms += performance.now() - t0
      chars += text.length
      // brat offsets are UTF-16 here (the texts are ASCII apart from a few quotes; convert to code points to be exact).
      const gold = readFileSync(join(dir, f.replace(/\.txt$/, ".ann")), "utf8").split("\n").flatMap((line) => {
        const m = /^T\d+\t(\w+) (\d+) (\d+)\t(.*)$/.exec(line)
        if (!m || !(m[1]! in LITBANK_TYPE) || !isProperName(m[4]!)) return []
        const start = doc.index.toCodePoint(Number(m[2]))
        const end = doc.index.toCodePoint(Number(m[3]))
        return [{ type: LITBANK_TYPE[m[1]!]!, key: `${start}:${end}`, text: m[4]! }]
      })
      const predicted = mentions.flatMap((m) => {
        const type = TYPE[m.type]
        return type ? [{ type, key: `${m.span.start}:${m.span.end}`, text: m.span.text }] : []
      })
      for (const t of CONLL04_TYPES) {
        const diff = compare(
          gold.filter((g) => g.type === t).map((g) => g.key),
          predicted.filter((p) => p.type === t).map((p) => p.key),
          byType[t]!
        )
        if (showErrors) {
          const show = (k: string) => {
            const [a, b] = k.split(":").map(Number)
            return `"${doc.index.slice(a!, b!)}"`
          }
          for (const k of diff.missed) process.stderr.write(`FN ${t} ${show(k)}\t| ${f}\n`)
          for (const k of diff.wrong) process.stderr.write(`FP ${t} ${show(k)}\t| ${f}\n`)
        }
      }
      compare(gold.map((g) => `${g.type}@${g.key}`), predicted.map((p) => `${p.type}@${p.key}`), all)
    }
    const brief = (s: Score) => {
      const { f1, precision, recall } = prf(s)
      return { precision, recall, f1 }
    }
    process.stdout.write(`${
      JSON.stringify({
        documents: files.length,
        entities: brief(all),
        byType: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, prf(v)])),
        chars,
        ms: Math.round(ms)
      })
    }\n`)
  })

const main = Effect.gen(function*() {
  const args = process.argv.slice(2)
  const path = args.find((a) => !a.startsWith("--"))
  if (path === undefined) {
    process.stderr.write("usage: eval:ner -- <conll04.txt | litbank entities dir> [--spaced] [--errors]\n")
    return process.exit(2)
  }
  const showErrors = args.includes("--errors")
  if (statSync(path).isDirectory()) return yield* evaluateLitBank(path, showErrors)
  const sentences = readConll04(path, args.includes("--spaced") ? "spaced" : "detokenize")
  const extractor = yield* Extractor

  const all = score()
  const byType: Record<string, Score> = Object.fromEntries(CONLL04_TYPES.map((t) => [t, score()]))
  const rel = score()
  const byLabel: Record<string, Score> = Object.fromEntries(CONLL04_LABELS.map((l) => [l, score()]))
  let chars = 0
  let ms = 0

  for (const s of sentences) {
    const length = Array.from(s.text).length
    const chunk = new Chunk({
      index: 0,
      span: new Span({ start: 0, end: length, text: s.text }),
      tokens: 0,
      sentences: 1
    })
    const t0 = performance.now()
    const extracted = yield* extractor.extract(chunk)
    const x = { ...extracted, mentions: harmonizeTypes(extracted.mentions) }
    ms += performance.now() - t0
    chars += s.text.length

    const key = (start: number, end: number) => trim(s.text, start, end).join(":")
    const goldEntities = s.entities.filter((e) => e.type in byType)
    const predicted = x.mentions.flatMap((m) => {
      const type = TYPE[m.type]
      // The corpus is ASCII: code point offsets equal UTF-16 offsets.
      return type ? [{ type, key: key(m.span.start, m.span.end), id: m.id }] : []
    })
    for (const t of CONLL04_TYPES) {
      const diff = compare(
        goldEntities.filter((e) => e.type === t).map((e) => key(e.start, e.end)),
        predicted.filter((p) => p.type === t).map((p) => p.key),
        byType[t]!
      )
      if (showErrors) {
        const show = (k: string) => {
          const [a, b] = k.split(":").map(Number)
          return `"${s.text.slice(a, b)}"`
        }
        for (const k of diff.missed) process.stderr.write(`FN ${t} ${show(k)}\t| ${s.text}\n`)
        for (const k of diff.wrong) process.stderr.write(`FP ${t} ${show(k)}\t| ${s.text}\n`)
      }
    }
    compare(
      goldEntities.map((e) => `${e.type}@${key(e.start, e.end)}`),
      predicted.map((p) => `${p.type}@${p.key}`),
      all
    )

    const byId = new Map(predicted.map((p) => [p.id, p]))
    const predictedRelations: Array<string> = []
    for (const r of x.relations) {
      const a = byId.get(r.subject)
      const b = byId.get(r.object)
      if (!a || !b) continue
      const label = conllLabel(r.predicate, a.type, b.type)
      if (label) predictedRelations.push(`${label}@${a.key}>${b.key}`)
    }
    const goldRelations = s.relations.map((r) =>
      `${r.label}@${key(r.subject.start, r.subject.end)}>${key(r.object.start, r.object.end)}`
    )
    compare(goldRelations, predictedRelations, rel)
    for (const label of CONLL04_LABELS) {
      const diff = compare(
        goldRelations.filter((k) => k.startsWith(`${label}@`)),
        predictedRelations.filter((k) => k.startsWith(`${label}@`)),
        byLabel[label]!
      )
      if (showErrors) {
        const show = (k: string) => {
          const [, args] = k.split("@")
          return args!.split(">").map((part) => {
            const [a, b] = part.split(":").map(Number)
            return `"${s.text.slice(a, b)}"`
          }).join(" → ")
        }
        for (const k of diff.missed) process.stderr.write(`FN ${label} ${show(k)}\t| ${s.text}\n`)
        for (const k of diff.wrong) process.stderr.write(`FP ${label} ${show(k)}\t| ${s.text}\n`)
      }
    }
  }

  const brief = (s: Score) => {
    const { f1, precision, recall } = prf(s)
    return { precision, recall, f1 }
  }
  const report = {
    sentences: sentences.length,
    entities: brief(all),
    byType: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, prf(v)])),
    relations: brief(rel),
    relationsByLabel: Object.fromEntries(Object.entries(byLabel).map(([k, v]) => [k, prf(v)])),
    chars,
    ms: Math.round(ms)
  }
  process.stdout.write(`${JSON.stringify(report)}\n`)
})

const runtime = ManagedRuntime.make(Layer.mergeAll(Nlp.layer, Chunker.Default))
runtime.runPromise(main).finally(() => runtime.dispose())

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
 * `--spaced` joins tokens with single spaces as the original corpus file does
 * instead of rebuilding running text (scripts/lib/Conll04.ts says how);
 * `--errors` lists every false positive and false negative on stderr.
 */
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { Chunk } from "../src/Domain/Chunk.js"
import { Span } from "../src/Domain/Span.js"
import { Extractor } from "../src/Extractor.js"
import * as Nlp from "../src/Extractor/Nlp.js"
import { harmonizeTypes } from "../src/Extractor/Nlp/Consistency.js"
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

const main = Effect.gen(function*() {
  const args = process.argv.slice(2)
  const path = args.find((a) => !a.startsWith("--"))
  if (path === undefined) {
    process.stderr.write("usage: eval:ner -- <conll04.txt> [--spaced] [--errors]\n")
    return process.exit(2)
  }
  const showErrors = args.includes("--errors")
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
    const chunk = new Chunk({ index: 0, span: new Span({ start: 0, end: length, text: s.text }), tokens: 0, sentences: 1 })
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
    const goldRelations = s.relations.map((r) => `${r.label}@${key(r.subject.start, r.subject.end)}>${key(r.object.start, r.object.end)}`)
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

const runtime = ManagedRuntime.make(Nlp.layer)
runtime.runPromise(main).finally(() => runtime.dispose())

/**
 * Re-DocRED documents (format in ../shared/README.md) as the pipeline sees
 * them, and split into halves for the cross-document evaluation.
 *
 * {@link toMentions} follows `toMentions` of scripts/eval-resolution.ts
 * exactly (tokens joined by single spaces, types mapped by {@link TYPES},
 * ~128-token sentence-aligned chunks), so a half is resolved the way
 * `eval:resolution` resolves a document.
 */
import { Mention } from "../../src/Domain/Extraction.js"
import { CodePointIndex } from "../../src/Domain/Span.js"

export interface RedocredMention {
  readonly name: string
  readonly type: string
  readonly sent_id: number
  readonly pos: readonly [number, number]
}
export interface RedocredDocument {
  readonly title: string
  readonly sents: ReadonlyArray<ReadonlyArray<string>>
  readonly vertexSet: ReadonlyArray<ReadonlyArray<RedocredMention>>
}

/** Re-DocRED entity types → the project's entity types (as in scripts/eval-resolution.ts). */
export const TYPES: Record<string, string> = {
  PER: "Person",
  ORG: "Organization",
  LOC: "Location",
  TIME: "Date",
  NUM: "Number",
  MISC: "Miscellaneous"
}

const CHUNK_TOKENS = 128

/**
 * The two halves of a document: sentences before `mid = floor(n / 2)` and
 * sentences from `mid` on, each with the gold mentions in its sentences
 * (sentence ids re-based). `vertexSet` keeps its indices, so a mention's gold
 * entity is its index in the original document; entries with no mention in
 * a half are empty there.
 */
export const halves = (doc: RedocredDocument): readonly [RedocredDocument, RedocredDocument] => {
  const mid = Math.floor(doc.sents.length / 2)
  const part = (from: number, to: number, suffix: string): RedocredDocument => ({
    title: `${doc.title} (${suffix})`,
    sents: doc.sents.slice(from, to),
    vertexSet: doc.vertexSet.map((cluster) =>
      cluster.filter((m) => m.sent_id >= from && m.sent_id < to).map((m) => ({ ...m, sent_id: m.sent_id - from }))
    )
  })
  return [part(0, mid, "first half"), part(mid, doc.sents.length, "second half")]
}

/**
 * The gold mentions of a document as `Mention`s over its space-joined text,
 * with each mention's gold entity (index into `vertexSet`) and the text.
 * Throws on a mention outside its sentence.
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
      if (from === undefined || to === undefined) {
        throw new Error(`"${doc.title}": mention "${m.name}" is outside its sentence`)
      }
      const c = chunkOfSentence[m.sent_id]!
      const n = (perChunk.get(c) ?? 0) + 1
      perChunk.set(c, n)
      const id = `c${c}-m${n}`
      gold.set(id, clusterIndex)
      mentions.push(
        new Mention({
          id,
          type: TYPES[m.type] ?? m.type,
          span: index.span(from, to),
          chunk: c,
          grounding: "exact",
          description: null
        })
      )
    }
  })
  return { mentions, gold, text }
}

/**
 * Joins per-chunk extraction results into one document-level set, removing
 * the duplicates that chunk overlap creates.
 */
import type { ChunkExtraction, ExtractedRelation, Mention } from "./Domain/Extraction.js"
import { ExtractedRelation as Rel } from "./Domain/Extraction.js"

export interface MergedExtraction {
  /** Mentions in document order, one per distinct span. */
  readonly mentions: ReadonlyArray<Mention>
  /** Relations re-pointed to the surviving mentions, one per (subject, predicate, object, evidence span). */
  readonly relations: ReadonlyArray<ExtractedRelation>
  /** Sum of the chunks' ungrounded counts. */
  readonly ungrounded: number
  /** Mentions dropped as copies of a mention with the same span from an earlier chunk. */
  readonly duplicateMentions: number
}

/**
 * Merges chunk results. Two mentions with the same document span are one
 * mention (the copy from the earlier chunk wins, so ids are stable);
 * relations are re-pointed to the surviving mention ids and de-duplicated on
 * (subject, predicate, object, evidence start, evidence end).
 */
export const mergeExtractions = (extractions: ReadonlyArray<ChunkExtraction>): MergedExtraction => {
  const ordered = [...extractions].sort((a, b) => a.chunk - b.chunk)
  const bySpan = new Map<string, Mention>()
  const alias = new Map<string, string>()
  let duplicateMentions = 0
  let ungrounded = 0
  for (const x of ordered) {
    ungrounded += x.ungrounded
    for (const m of x.mentions) {
      const key = `${m.span.start}:${m.span.end}`
      const kept = bySpan.get(key)
      if (kept) {
        alias.set(m.id, kept.id)
        duplicateMentions++
      } else {
        bySpan.set(key, m)
        alias.set(m.id, m.id)
      }
    }
  }
  const relations = new Map<string, ExtractedRelation>()
  for (const x of ordered) {
    for (const r of x.relations) {
      const subject = alias.get(r.subject)
      const object = alias.get(r.object)
      if (subject === undefined || object === undefined) continue
      const key = `${subject}\u0000${r.predicate}\u0000${object}\u0000${r.evidence.start}:${r.evidence.end}`
      if (!relations.has(key)) {
        relations.set(
          key,
          subject === r.subject && object === r.object
            ? r
            : new Rel({ ...r, subject, object }, { disableValidation: true })
        )
      }
    }
  }
  const mentions = [...bySpan.values()].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end)
  return { mentions, relations: [...relations.values()], ungrounded, duplicateMentions }
}

/**
 * Re-DocRED documents split in halves, for the cross-document evaluation
 * (`npm run eval:crossdoc`, issue 12). Each half is read as `eval:resolution`
 * reads a document ({@link toGoldDocument} in `Resolution.ts`).
 */
import type { RedocredDocument } from "./Resolution.js"

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

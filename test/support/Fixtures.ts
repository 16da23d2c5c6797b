/** Small builders for domain values in tests. */
import { ExtractedRelation, Mention } from "../../src/Domain/Extraction.js"
import { CodePointIndex, Span } from "../../src/Domain/Span.js"

/** Mentions of `names` in `text` (first occurrence after the previous one), typed as given. */
export const mentionsIn = (
  text: string,
  names: ReadonlyArray<readonly [string, string]>,
  chunk = 0
): Array<Mention> => {
  const index = new CodePointIndex(text)
  let from = 0
  return names.map(([name, type], i) => {
    const at = text.indexOf(name, from)
    if (at < 0) throw new Error(`"${name}" not in text after ${from}`)
    from = at + name.length
    return new Mention({
      id: `c${chunk}-m${i + 1}`,
      type,
      span: index.span(at, at + name.length),
      chunk,
      grounding: "exact",
      description: null
    })
  })
}

export const relation = (subject: Mention, predicate: string, object: Mention, evidence?: Span) =>
  new ExtractedRelation({
    subject: subject.id,
    predicate,
    object: object.id,
    evidence: evidence ??
      new Span({
        start: Math.min(subject.span.start, object.span.start),
        end: Math.max(subject.span.end, object.span.end),
        text: "evidence"
      }),
    chunk: subject.chunk,
    grounding: "exact"
  })

/** Small builders for domain values in tests. */
import { ExtractedRelation, Mention } from "../../src/Domain/Extraction.js"
import { Entity, EntityMention, Evidence, KnowledgeGraph, Relation } from "../../src/Domain/Graph.js"
import { CodePointIndex, Span } from "../../src/Domain/Span.js"

/** Mentions of `names` in `text` (first occurrence after the previous one), typed as given. */
export const mentionsIn = (text: string, names: ReadonlyArray<readonly [string, string]>, chunk = 0): Array<Mention> => {
  const index = new CodePointIndex(text)
  let from = 0
  return names.map(([name, type], i) => {
    const at = text.indexOf(name, from)
    if (at < 0) throw new Error(`"${name}" not in text after ${from}`)
    from = at + name.length
    return new Mention({ id: `c${chunk}-m${i + 1}`, type, span: index.span(at, at + name.length), chunk, grounding: "exact", description: null })
  })
}

export const relation = (subject: Mention, predicate: string, object: Mention, evidence?: Span) =>
  new ExtractedRelation({
    subject: subject.id,
    predicate,
    object: object.id,
    evidence: evidence ??
      new Span({ start: Math.min(subject.span.start, object.span.start), end: Math.max(subject.span.end, object.span.end), text: "evidence" }),
    chunk: subject.chunk,
    grounding: "exact"
  })

/** A graph whose names hold every character that breaks naive Turtle or Mermaid writers. */
const span = new Span({ start: 0, end: 3, text: "abc" })
const entity = (id: string, label: string, type: string, aliases: Array<string> = []) =>
  new Entity({ id, label, type, aliases, mentions: [new EntityMention({ id: `${id}-m`, span, chunk: 0, grounding: "exact" })], description: null })

export const awkwardGraph = new KnowledgeGraph({
  schemaVersion: 1,
  runId: "doc-0123456789ab",
  document: { path: "input/document.txt", sha256: "a".repeat(64), length: 3 },
  entities: [
    entity("o-brien", "O'Brien \"the <elder>\" \\ #1;", "Person", ["O’Brien", "line\nbreak"]),
    entity("tokyo", "東京 😀", "Location"),
    entity("weird", "a|b[c]{d}", "Other Type/With Slash")
  ],
  relations: [
    new Relation({ id: "r-1", subject: "o-brien", predicate: "livesIn", object: "tokyo", evidence: [new Evidence({ span, chunk: 0, grounding: "exact" })] }),
    new Relation({ id: "r-2", subject: "weird", predicate: "has space", object: "tokyo", evidence: [new Evidence({ span, chunk: 0, grounding: "exact" })] })
  ]
})


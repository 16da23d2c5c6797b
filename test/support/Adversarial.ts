/**
 * A knowledge graph whose names hold everything that breaks naive writers of
 * Turtle, JSON-LD, Mermaid, XML, CSV and JSON lines: quotes, backslashes,
 * brackets, pipes, `#`, `;`, line breaks of every kind, `<script>`, Mermaid
 * directives and keywords, non-Latin scripts and emoji, empty-looking names,
 * 10 kB names, control characters and lone surrogates. Built through the
 * real GraphBuilder, so ids are minted as in a run.
 */
import { ExtractedRelation, Mention } from "../../src/Domain/Extraction.js"
import { Assignment, Cluster, Resolution, Vocabulary } from "../../src/Domain/Graph.js"
import { CodePointIndex } from "../../src/Domain/Span.js"
import { buildGraphs } from "../../src/GraphBuilder.js"

/** A long name of about 10 kB in UTF-8, with astral characters inside. */
export const LONG_NAME = "Ünïcödé 🙂 long name; ".repeat(400)

/** `[surface in the document, entity type, label the resolver gives, predicate to the next entity]`. */
const ROWS: ReadonlyArray<readonly [string, string, string, string]> = [
  [`O'Brien "the <elder>" \\ #1;`, "Person", `O'Brien "the <elder>" \\ #1;`, "livesIn"],
  ["a|b[c]{d}", "Other Type/With Slash", "a|b[c]{d}", "has space"],
  ["line\nbreak\r\nand\rcarriage", "Person", "line\nbreak\r\nand\rcarriage", "p|q"],
  ["東京 😀", "Location", "東京 😀", "述語"],
  ["<script>alert(\"x\")</script>", "Organization", "<script>alert(\"x\")</script>", "<x>"],
  ["%%{init: {\"theme\":\"dark\"}}%%", "Other", "%%{init: {\"theme\":\"dark\"}}%%", "--> e2"],
  ["`md` **bold** end", "Other", "`md` **bold** end", "\n"],
  ["end", "graph", "end", "click"],
  ["   ", "Other", "   ", ""],
  ["\u200b", "", "\u200b", "a\ud800b"],
  ["\u0001\u001f\u007f ctl", "Other", "\u0001\u001f\u007f ctl", "x\"y"],
  ["]]> &amp; \"\"\" \\u0000", "Other", "]]> &amp; \"\"\" \\u0000", "worksFor"],
  ["Paris", "Location", "Paris", "locatedIn"],
  ["Paris ", "Location", "Paris", "locatedIn"],
  ["Paris  ", "Person", "Paris", "knows"],
  ["Ελληνικά العربية हिन्दी", "類型", "Ελληνικά العربية हिन्दी", "\ud800"],
  [LONG_NAME, "Other", LONG_NAME, "knows"],
  ["lone", "Other", "bad\ud800name\udc00", "knows"],
  ["tab\there, comma", "Per\udfffson", "tab\there, comma", "knows"]
]

/** The document the adversarial names were found in: each surface form on a line of its own. */
export const ADVERSARIAL_TEXT = ROWS.map(([surface]) => `Here: ${surface} .`).join("\n") + "\n"

/** Ontology IRIs for some names, and two unusable ones that must be ignored. */
export const ADVERSARIAL_VOCABULARY = new Vocabulary({
  types: { Person: "http://schema.org/Person", Organization: "kg:NotAnHttpIri", Location: "https://schema.org/Place" },
  predicates: { livesIn: "http://schema.org/homeLocation", worksFor: "http://example.com/has space" }
})

/** Builds the graphs; `vocabulary` defaults to none. */
export const adversarialGraphs = (options: { readonly vocabulary?: Vocabulary } = {}) => {
  const index = new CodePointIndex(ADVERSARIAL_TEXT)
  let from = 0
  const mentions = ROWS.map(([surface, type], i) => {
    const at = ADVERSARIAL_TEXT.indexOf(`Here: ${surface} .`, from) + "Here: ".length
    from = at + surface.length
    return new Mention({
      id: `c0-m${i + 1}`,
      type,
      span: index.span(at, at + surface.length),
      chunk: 0,
      grounding: i % 3 === 0 ? "exact" : i % 3 === 1 ? "normalized" : "fuzzy",
      description: i === 0 ? "A \"quoted\" description\nwith a line break and \ud83d" : null
    })
  })
  const resolution = new Resolution({
    clusters: ROWS.map(([, type, label], i) => new Cluster({ label, type, mentions: [`c0-m${i + 1}`] })),
    assignments: ROWS.map((_, i) =>
      new Assignment({ mention: `c0-m${i + 1}`, cluster: i, method: "singleton", score: 1, reason: "test" })
    )
  })
  const relations = ROWS.slice(0, -1).map(([, , , predicate], i) =>
    new ExtractedRelation({
      subject: mentions[i]!.id,
      predicate,
      object: mentions[i + 1]!.id,
      evidence: index.span(0, ADVERSARIAL_TEXT.indexOf("\n")),
      chunk: 0,
      grounding: "exact"
    })
  )
  return buildGraphs({
    runId: "doc-0123456789ab",
    documentSha256: "0123456789ab" + "c".repeat(52),
    documentLength: index.length,
    mentions,
    relations,
    resolution,
    ...(options.vocabulary ? { vocabulary: options.vocabulary } : {})
  })
}

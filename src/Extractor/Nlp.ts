/**
 * The embedded offline extractor: rule-based entity recognition and
 * pattern-based relation extraction over wink-nlp's tokens, part-of-speech
 * tags, sentences and entity recogniser (https://winkjs.org/wink-nlp/), with
 * a lexicon built from maintained npm packages (Nlp/Lexicon.ts). No network,
 * no key.
 *
 * - Entities (Nlp/Entities.ts): Person, Organization, Location from name runs
 *   typed by their words and context; Date and Money from wink-nlp; Other for
 *   a proper name with no cue. Each mention carries a `confidence`, the
 *   strength of its type's evidence.
 * - Relations (Nlp/Relations.ts): worksFor, memberOf, founded, killed,
 *   livesIn, bornIn, basedIn, locatedIn, spouse, acquired — lexical patterns
 *   between two mentions of one sentence; the evidence is the sentence.
 * - Consistency: within a chunk while extracting, across the document in
 *   {@link harmonizeTypes} (the Pipeline calls it through `harmonize`).
 *
 * wink-nlp is called once per chunk, never on a whole document. Loading the
 * lexicon takes about 0.4 s once per process.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Chunk } from "../Domain/Chunk.js"
import { ChunkExtraction, ExtractedRelation, Mention } from "../Domain/Extraction.js"
import { CodePointIndex, shiftSpan } from "../Domain/Span.js"
import { Extractor } from "../Extractor.js"
import { WinkNlp } from "../WinkNlp.js"
import { harmonizeTypes } from "./Nlp/Consistency.js"
import { type Found, recognize } from "./Nlp/Entities.js"
import { loadLexicon } from "./Nlp/Lexicon.js"
import { relate } from "./Nlp/Relations.js"
import { tokenize } from "./Nlp/Tokens.js"

const round = (x: number) => Math.round(x * 100) / 100

export const make = Effect.gen(function*() {
  const wink = yield* WinkNlp
  const lexicon = yield* loadLexicon

  const extract = Effect.fn("NlpExtractor.extract")(function*(chunk: Chunk) {
    const text = chunk.span.text
    const index = new CodePointIndex(text)
    const tokenized = tokenize(wink, lexicon, text)
    const { sentences, tokens } = tokenized
    const found = recognize(tokenized, lexicon)

    const mentions: Array<Mention> = []
    const mentionOf = new Map<Found, Mention>()
    for (const f of found) {
      const m = new Mention({
        id: `c${chunk.index}-m${mentions.length + 1}`,
        type: f.type,
        span: shiftSpan(chunk.span.start, index.span(tokens[f.first]!.start, tokens[f.last]!.end)),
        chunk: chunk.index,
        grounding: "exact",
        description: null,
        confidence: round(f.score)
      }, { disableValidation: true })
      mentions.push(m)
      mentionOf.set(f, m)
    }

    const relations: Array<ExtractedRelation> = []
    const evidence = new Map<number, ReturnType<typeof shiftSpan>>()
    for (const r of relate(text, tokens, found, lexicon)) {
      let span = evidence.get(r.sentence)
      if (span === undefined) {
        const range = sentences.find(([a]) => tokens[a]!.sentence === r.sentence)!
        span = shiftSpan(chunk.span.start, index.span(tokens[range[0]]!.start, tokens[range[1]]!.end))
        evidence.set(r.sentence, span)
      }
      relations.push(
        new ExtractedRelation({
          subject: mentionOf.get(r.subject)!.id,
          predicate: r.predicate,
          object: mentionOf.get(r.object)!.id,
          evidence: span,
          chunk: chunk.index,
          grounding: "exact"
        }, { disableValidation: true })
      )
    }
    yield* Effect.void
    return new ChunkExtraction({ chunk: chunk.index, extractor: "nlp", mentions, relations, ungrounded: 0 }, {
      disableValidation: true
    })
  })

  return Extractor.of({ kind: "nlp", extract, harmonize: harmonizeTypes })
})

/** The embedded extractor as the {@link Extractor}. */
export const layer = Layer.effect(Extractor, make).pipe(Layer.provide(WinkNlp.Default))

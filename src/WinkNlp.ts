/**
 * The wink-nlp pipeline with its English model (`wink-eng-lite-web-model`),
 * loaded once per process (about 180 ms and 60 MB) and shared by the chunker
 * and the embedded extractor.
 *
 * The pipe runs sentence boundary detection, part-of-speech tagging and
 * wink's entity recogniser (dates, amounts, …) only: the default pipe's
 * negation and sentiment steps are used by nothing here and cost about a
 * fifth of `readDoc`'s time (measured with `npm run bench:nlp`).
 */
import * as Effect from "effect/Effect"
import model from "wink-eng-lite-web-model"
import winkNLP from "wink-nlp"

export class WinkNlp extends Effect.Service<WinkNlp>()("WinkNlp", {
  sync: () => {
    const nlp = winkNLP(model, ["sbd", "pos", "ner"])
    return { nlp, its: nlp.its, as: nlp.as }
  }
}) {}

/**
 * The wink-nlp pipeline with its English model (`wink-eng-lite-web-model`),
 * loaded once per process (about 180 ms and 60 MB) and shared by the chunker
 * and the embedded extractor.
 *
 * The pipe runs sentence boundary detection and part-of-speech tagging only:
 * the default pipe's negation, sentiment and entity recognition are used by
 * nothing here (the embedded extractor finds dates and amounts itself) and
 * cost about half of `readDoc`'s time (profiled with `npm run bench:nlp`).
 */
import * as Effect from "effect/Effect"
import model from "wink-eng-lite-web-model"
import winkNLP from "wink-nlp"

export class WinkNlp extends Effect.Service<WinkNlp>()("WinkNlp", {
  sync: () => {
    const nlp = winkNLP(model, ["sbd", "pos"])
    return { nlp, its: nlp.its, as: nlp.as }
  }
}) {}

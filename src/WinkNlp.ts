/**
 * The wink-nlp pipeline with its English model (`wink-eng-lite-web-model`),
 * loaded once per process (about 180 ms and 60 MB) and shared by the chunker
 * and the embedded extractor.
 */
import * as Effect from "effect/Effect"
import model from "wink-eng-lite-web-model"
import winkNLP from "wink-nlp"

export class WinkNlp extends Effect.Service<WinkNlp>()("WinkNlp", {
  sync: () => {
    const nlp = winkNLP(model)
    return { nlp, its: nlp.its, as: nlp.as }
  }
}) {}

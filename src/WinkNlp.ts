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
    /**
     * Sentence boundaries only, for the chunker: without tagging `readDoc`
     * runs about 1.6× faster (6.2 vs 3.9 MB/s on State of the Union
     * paragraphs, same sentences). A second instance over the same model
     * costs about 2 MB.
     */
    const sentencesOnly = winkNLP(model, ["sbd"])
    return { nlp, sentencesOnly, its: nlp.its, as: nlp.as }
  }
}) {}

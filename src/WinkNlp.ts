/**
 * The wink-nlp pipelines with their English model (`wink-eng-lite-web-model`):
 * one for the embedded extractor (tagging) and one for the chunker (sentence
 * boundaries only), each loading the model (about 150 ms and 60 MB) on first
 * use, once per thread.
 *
 * The pipe runs sentence boundary detection and part-of-speech tagging only:
 * the default pipe's negation, sentiment and entity recognition are used by
 * nothing here (the embedded extractor finds dates and amounts itself) and
 * cost about half of `readDoc`'s time (profiled with `npm run bench:nlp`).
 *
 * Every `readDoc` here starts from the model's own vocabulary: see
 * {@link historyFree}.
 */
import * as Effect from "effect/Effect"
import type WinkModel from "wink-eng-lite-web-model"
import winkNLP from "wink-nlp"
import asHelpers from "wink-nlp/src/as.js"
import itsHelpers from "wink-nlp/src/its.js"

/**
 * Whitespace that wink-nlp's tokenizer drops instead of keeping it in a
 * token's `precedingSpaces`: vertical tab, form feed, and Unicode spaces
 * and separators (found by reading every BMP code point between words,
 * after a period and between spaces, wink-nlp 2.x with
 * wink-eng-lite-web-model 1.8). After one of them, offsets rebuilt from
 * `precedingSpaces` and `value` fall short of the text by one unit, and
 * every later span would be shifted (a form feed from a PDF's page break
 * made "Charles Babbage" come out as "\f\f\f\fCharles Bab"). Each is one
 * UTF-16 unit and reads as a space to us, so {@link historyFree} readers
 * see a plain space in its place: same length, same offsets.
 */
export const UNTOKENIZED_SPACE = /[\v\f\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/g

/**
 * The UTF-16 offset of each token of a wink-nlp document of `text`, rebuilt
 * from the tokens' `precedingSpaces` and `value` (`its.precedingSpaces`,
 * `its.value`, in token order), plus one last entry: the end of the last
 * token. Undefined as soon as a token is not the text at its offset, so no
 * span is ever grounded on the wrong characters (see {@link UNTOKENIZED_SPACE}).
 */
export const tokenOffsets = (
  text: string,
  values: ReadonlyArray<string>,
  spaces: ReadonlyArray<string>
): Int32Array | undefined => {
  const starts = new Int32Array(values.length + 1)
  let at = 0
  for (let i = 0; i < values.length; i++) {
    at += spaces[i]!.length
    starts[i] = at
    if (!text.startsWith(values[i]!, at)) return undefined
    at += values[i]!.length
  }
  starts[values.length] = at
  return starts
}

/** A wink-nlp reader whose results depend on the text it is given alone. */
export interface WinkReader {
  readonly readDoc: (text: string) => any
}

/**
 * After this many words have been added to a reader's vocabulary, the
 * reader is rebuilt from the model (about 130 ms), so that a long-lived
 * process (`extract serve`, a batch of thousands of files) does not grow
 * without bound. Rebuilding changes no result: each document already starts
 * from the model's vocabulary.
 */
const REBUILD_AFTER = 500_000

/**
 * A wink-nlp instance over `pipe` whose `readDoc` forgets, before each
 * document, the out-of-vocabulary words earlier documents added, and reads
 * {@link UNTOKENIZED_SPACE} characters as spaces, so that the tokens'
 * `precedingSpaces` and `value` rebuild the text's offsets exactly.
 *
 * Why: wink's tokenizer keeps every word it meets in the model's lexeme
 * table, and a string found there is no longer split (after "America's" has
 * been seen as one token once, it stays one token). So a chunk's tokens, and
 * everything found in them, would depend on what the process read before: a
 * chunk extracted in a worker thread, or in a resumed run, could differ
 * from the same chunk in one pass. Hiding the added words restores the
 * state of a freshly loaded model for each document, at the cost of one
 * store per word the previous document added. Words stay in the table's
 * list (earlier documents' tokens still point at them); only their lookup
 * entries go.
 *
 * wink-nlp reads its model through `model.core()`; the wrapper keeps the
 * object that call returns, whose `features.lexeme` holds the table (`hash`
 * from word to index, `list` from index to word; see wink-nlp's
 * `src/cache.js`).
 */
/**
 * The model's custom-entity meta model, read once per process. The model's
 * own `metaCER()` re-stringifies its module-level JSON on every call, so the
 * text grows with each wink-nlp instance until `JSON.stringify` fails
 * ("Invalid string length") after a few dozen instances.
 */
let meta: unknown

/** The English model, as `import("wink-eng-lite-web-model")` gives it. */
export type WinkModel = typeof WinkModel

export const historyFree = (model: WinkModel, pipe: ReadonlyArray<string>): WinkReader => {
  const metaCER = () => (meta ??= (model as any).metaCER())
  const build = () => {
    let core: any
    const nlp = winkNLP(
      { ...model, core: () => (core = (model as any).core()), metaCER } as typeof model,
      [...pipe] as any
    )
    const lexeme = core.features.lexeme as { hash: Record<string, number>; list: Array<string> }
    return { nlp, lexeme, forgotten: lexeme.list.length, intrinsic: lexeme.list.length }
  }
  let state = build()
  const readDoc = (text: string) => {
    const { lexeme } = state
    if (lexeme.list.length - state.intrinsic > REBUILD_AFTER) state = build()
    else {
      const list = state.lexeme.list
      // `undefined` reads as absent to wink's lookups and re-adds (cache.js), as `delete` would, and keeps
      // the table's keys (as plain wink-nlp does) instead of shrinking and regrowing its dictionary.
      for (let i = state.forgotten; i < list.length; i++) lexeme.hash[list[i]!] = undefined as unknown as number
      state.forgotten = list.length
    }
    return state.nlp.readDoc(text.replace(UNTOKENIZED_SPACE, " "))
  }
  return { readDoc }
}

/** A reader that can let go of its model. */
export interface ReleasableReader extends WinkReader {
  /** Drops the model and vocabulary (60 MB and more); the next `readDoc` loads them again. */
  readonly release: () => void
}

/** A {@link historyFree} reader built on its first `readDoc` (a model load costs about 150 ms and 60 MB). */
const lazyReader = (model: WinkModel, pipe: ReadonlyArray<string>): ReleasableReader => {
  let reader: WinkReader | undefined
  return {
    readDoc: (text) => (reader ??= historyFree(model, pipe)).readDoc(text),
    release: () => void (reader = undefined)
  }
}

/**
 * The two readers. The model's module (3.8 MB of bundled JavaScript, about
 * 0.3 s to compile and evaluate) is imported when this layer is built, not
 * when this file is: the chunker's tag is imported by every run, and a run
 * whose chunker and extractor work in worker threads never builds it.
 */
export class WinkNlp extends Effect.Service<WinkNlp>()("WinkNlp", {
  effect: Effect.map(Effect.promise(() => import("wink-eng-lite-web-model")), ({ default: model }) => ({
    /** Tagging, for the embedded extractor. */
    nlp: lazyReader(model, ["sbd", "pos"]),
    /**
     * Sentence boundaries only, for the chunker: without tagging `readDoc`
     * runs about 1.6× faster (6.2 vs 3.9 MB/s on State of the Union
     * paragraphs, same sentences). Each reader loads the model on first use,
     * so a process that only chunks (the llm extractor, or the main thread
     * while worker threads extract) loads it once.
     */
    sentencesOnly: lazyReader(model, ["sbd"]),
    /** wink-nlp's `its` and `as` helpers (the same objects every instance exposes). */
    its: itsHelpers as any,
    as: asHelpers as any
  }))
}) {}

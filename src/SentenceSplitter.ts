/**
 * Sentence boundaries for the chunker, from wink-nlp's sentence boundary
 * detection (https://winkjs.org/wink-nlp/) over one block of text at a time.
 */
import * as Effect from "effect/Effect"
import { tokenOffsets, WinkNlp } from "./WinkNlp.js"

/** A sentence as a UTF-16 range [start, end) of the text it was found in, without surrounding whitespace. */
export interface SentenceRange {
  readonly start: number
  readonly end: number
}

const WHITESPACE = /\s/u

/**
 * Splits text into sentences. wink-nlp's tokenizer is lossless (each token
 * keeps its preceding whitespace), so sentence boundaries map back to exact
 * offsets. Call it on paragraphs or other bounded blocks, not a whole
 * document: the cost is linear but wink keeps the whole parse in memory.
 */
export class SentenceSplitter extends Effect.Service<SentenceSplitter>()("SentenceSplitter", {
  effect: Effect.gen(function*() {
    const { its, sentencesOnly: nlp } = yield* WinkNlp

    /**
     * Sentence ranges of `text`, in order, non-overlapping, each trimmed of
     * whitespace; whitespace-only text gives none. Never fails: if the
     * tokenizer's tokens do not spell `text` out at the offsets rebuilt from
     * them, the whole trimmed text is returned as one sentence (the chunker
     * then cuts it at whitespace).
     */
    const split = (text: string): Array<SentenceRange> => {
      const whole = trimRange(text, 0, text.length)
      if (whole === undefined) return []
      const doc = nlp.readDoc(text)
      const values = doc.tokens().out(its.value) as Array<string>
      const spaces = doc.tokens().out(its.precedingSpaces) as Array<string>
      const tokenStart = tokenOffsets(text, values, spaces)
      if (tokenStart === undefined) return [whole]
      const out: Array<SentenceRange> = []
      doc.sentences().each((sentence: any) => {
        const [first, last] = sentence.out(its.span) as unknown as [number, number]
        const range = trimRange(text, tokenStart[first]!, tokenStart[last]! + values[last]!.length)
        if (range !== undefined) out.push(range)
      })
      return out.length > 0 ? out : [whole]
    }
    return {
      split,
      /** Lets go of the sentence model until the next `split` (the CLI, once its last document is chunked). */
      release: nlp.release
    } as const
  }),
  dependencies: [WinkNlp.Default]
}) {}

/** [start, end) shrunk to exclude leading and trailing whitespace, or undefined if nothing is left. */
export const trimRange = (text: string, start: number, end: number): SentenceRange | undefined => {
  while (start < end && WHITESPACE.test(text[start]!)) start++
  while (end > start && WHITESPACE.test(text[end - 1]!)) end--
  return start < end ? { start, end } : undefined
}

/**
 * The chunk stage's policy: sentence-aware, token-budgeted chunks with
 * overlap, preferring paragraph breaks.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Chunk } from "./Domain/Chunk.js"
import type { SourceDocument } from "./Domain/Document.js"
import { type SentenceRange, SentenceSplitter, trimRange } from "./SentenceSplitter.js"
import { Tokenizer } from "./Tokenizer.js"

/** Chunking settings. Both budgets are in tokens of the {@link Tokenizer}. */
export interface ChunkOptions {
  /** Most tokens in one chunk (≥ 16). */
  readonly size: number
  /** Most tokens a chunk repeats from the end of the previous one (0 ≤ overlap < size / 2). */
  readonly overlap: number
  /** Called as the chunker advances; `done` and `total` are UTF-16 units of the document. */
  readonly onProgress?: (done: number, total: number) => void
}

/** Defaults follow Microsoft GraphRAG's chunking defaults (1,200-token chunks, 100-token overlap); kept in Defaults.ts. */
export { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE } from "./Defaults.js"

/**
 * Largest block (UTF-16 units) handed to the sentence splitter at once. Long
 * paragraphs are read in windows of this size, restarting at the last
 * sentence boundary, so memory stays bounded whatever the input looks like.
 */
const WINDOW = 20_000

/**
 * Longest sentence (UTF-16 units) the chunker keeps whole. Text without
 * sentence ends (a word list, a log line, a transcript without punctuation)
 * would otherwise come out of the splitter as one "sentence" per window, and
 * every such sentence would be cut to the token budget by repeated token
 * counts of long slices. 4,000 units is about 800 tokens of English, under
 * the default chunk size, and above every sentence of the State of the Union
 * corpus (longest 3,825) and LitBank's novels (1,298), so prose chunks the
 * same with or without the cap.
 */
export const MAX_SENTENCE = 4_000

/** A paragraph break: a line end, then one or more lines holding only spaces or tabs. */
const PARAGRAPH_BREAK = /(?:\r\n?|\n)(?:[^\S\r\n]*(?:\r\n?|\n))+/g

/** A piece of the document that is never split further: a sentence, or a part of an over-long one. */
interface Unit {
  /** UTF-16 range in the document. */
  readonly start: number
  readonly end: number
  readonly tokens: number
  /** First unit of a paragraph. */
  readonly paragraphStart: boolean
  /** Tokens of the whole paragraph this unit opens (0 unless paragraphStart; -1 while that paragraph is being read). */
  readonly paragraphTokens: number
  /**
   * Tokens of the text from the previous unit's end to this unit's end
   * (the gap between them, then this unit), as they count inside a chunk
   * that holds both; -1 when that count is not additive ({@link joinedTokens}).
   */
  readonly joined: number
}

/** A character o200k's pre-tokenizer may join to line breaks after it (its `[^\s\p{L}\p{N}]+[\r\n/]*` alternative). */
const PUNCTUATION_END = /[^\s\p{L}\p{N}]$/u
const FIRST_SPACE = /\s/u

/**
 * True when the character before `at` (not before `from`) is punctuation
 * and `at` starts a line break: o200k's pre-tokenizer may then cut one piece
 * across `at`.
 */
const joinsLineBreak = (text: string, from: number, at: number): boolean => {
  const c = text.charCodeAt(at)
  return (c === 0x0a || c === 0x0d) && PUNCTUATION_END.test(text.slice(Math.max(from, at - 2), at))
}

/**
 * Tokens of `text.slice(gapStart, end)` — a gap of whitespace, then a unit
 * `[start, end)` that starts and ends with non-whitespace — counted so that
 * a chunk's exact count is the sum of its first unit's tokens and its
 * other units' joined tokens, without counting the chunk's text again.
 *
 * Why it is exact: `o200k_base` counts the byte-pair tokens of the pieces
 * its pre-tokenizer regex cuts (gpt-tokenizer's `countNative`), and a piece
 * never crosses the start of whitespace unless it is a run of punctuation
 * followed by line breaks. So when the previous unit does not end in such
 * a character before a line break, the chunk's text is cut at the unit's
 * start exactly as `gap + unit` alone is cut, and counts add. Likewise
 * `gap + unit` cuts at the end of the unit's first word `w` when `w` does
 * not end in punctuation before a line break, so
 * `count(gap + unit) = count(unit) + count(gap + w) - count(w)`: two counts
 * of a word instead of one of the unit. Returns -1 where either condition
 * fails (an empty gap, as between two pieces of one cut word, or a
 * punctuation run before a line break): the caller then counts the slice.
 */
const joinedTokens = (
  text: string,
  gapStart: number,
  start: number,
  end: number,
  tokens: number,
  count: (text: string) => number
): number => {
  if (gapStart >= start) return -1
  if (joinsLineBreak(text, 0, gapStart)) return -1
  const body = text.slice(start, Math.min(end, start + 256))
  const space = body.search(FIRST_SPACE)
  if (space < 0 && end - start > 256) return count(text.slice(gapStart, end))
  const wordEnd = space < 0 ? end : start + space
  if (wordEnd < end && joinsLineBreak(text, start, wordEnd)) return count(text.slice(gapStart, end))
  const word = text.slice(start, wordEnd)
  return tokens + count(text.slice(gapStart, start) + word) - count(word)
}

/**
 * A chunk as the chunking policy decides it, before it is tied to a
 * document: UTF-16 offsets into the text, so that it can cross a thread
 * boundary as plain numbers (Chunker/Protocol.ts).
 */
export interface ChunkDraft {
  /** UTF-16 range [start, end) of the chunk in the text: its first sentence's start, its last sentence's end. */
  readonly start: number
  readonly end: number
  /** Exact tokens of `text.slice(start, end)`. */
  readonly tokens: number
  /** Sentences (or pieces of over-long sentences) it holds. */
  readonly sentences: number
  /** UTF-16 units of the text read when the draft was decided (progress). */
  readonly read: number
}

/** What the chunking policy needs from the sentence splitter and the tokenizer. */
export interface ChunkTools {
  /** Sentence ranges of a block of text (SentenceSplitter `split`). */
  readonly split: (text: string) => ReadonlyArray<SentenceRange>
  /** Tokens in a text (Tokenizer `count`). */
  readonly count: (text: string) => number
}

/**
 * Ties a document's drafts to it, in the order they come: the function
 * returned numbers them from 0, reports each one's progress to
 * `options.onProgress` and returns its Chunk of `document`.
 */
export const chunksFromDrafts = (
  document: SourceDocument,
  options: Pick<ChunkOptions, "onProgress">
): (draft: ChunkDraft) => Chunk => {
  let index = 0
  const total = document.text.length
  return (draft) => {
    options.onProgress?.(draft.read, total)
    return new Chunk({
      index: index++,
      span: document.index.span(draft.start, draft.end),
      tokens: draft.tokens,
      sentences: draft.sentences
    }, { disableValidation: true })
  }
}

/**
 * The chunking policy over `text`, as a generator of {@link ChunkDraft}s in
 * document order, each yielded as soon as it is decided, so a consumer can
 * start on the first chunk while the rest is still being split. A pure
 * function of the text, the budgets and the tools, so that this thread and
 * the chunker's worker thread (Chunker/Worker.ts) cut the same chunks.
 * Never throws; a whitespace-only text gives no drafts.
 *
 * Policy: the document is split into paragraphs (blank-line separated)
 * and each paragraph into sentences; sentences longer than the budget are
 * split at whitespace. Sentences are packed greedily into chunks of at
 * most `size` tokens. A chunk closes early at a paragraph break once it
 * is half full and the next paragraph would not fit whole. Each new chunk
 * starts with the last whole sentences of the previous chunk totalling at
 * most `overlap` tokens. A chunk's `span` runs from its first sentence's
 * start to its last sentence's end, so `span.text` is an exact slice of
 * the document.
 *
 * A chunk is yielded once every unit that could change it is known: the
 * packing decision for a chunk looks at most at the first unit that does
 * not fit and, when that unit opens a paragraph, at that paragraph's
 * whole token count. Paragraphs are read window by window
 * ({@link WINDOW}), and a decision that needs the count of a paragraph
 * still being read waits for its end, so the chunks are exactly those of
 * reading the whole document first, and a document on one line streams
 * as well as one with many paragraphs.
 */
export const chunkDrafts = function*(
  text: string,
  options: Pick<ChunkOptions, "size" | "overlap">,
  tools: ChunkTools
): Generator<ChunkDraft, void, undefined> {
  /** UTF-16 ranges of the paragraphs of `text`, trimmed, in order. */
  const paragraphs = (text: string): Array<SentenceRange> => {
    const out: Array<SentenceRange> = []
    let from = 0
    PARAGRAPH_BREAK.lastIndex = 0
    for (let m = PARAGRAPH_BREAK.exec(text); m !== null; m = PARAGRAPH_BREAK.exec(text)) {
      const r = trimRange(text, from, m.index)
      if (r) out.push(r)
      from = m.index + m[0].length
    }
    const r = trimRange(text, from, text.length)
    if (r) out.push(r)
    return out
  }

  /**
   * Sentences of one paragraph (document UTF-16 ranges), window by window:
   * one array per window of at most {@link WINDOW} units read, so that a
   * long paragraph is chunked as it is read.
   */
  const sentencesOf = function*(text: string, para: SentenceRange): Generator<Array<SentenceRange>, void, undefined> {
    let pos = para.start
    while (pos < para.end) {
      const out: Array<SentenceRange> = []
      const windowEnd = Math.min(para.end, pos + WINDOW)
      const found = tools.split(text.slice(pos, windowEnd)).map((s) => ({
        start: s.start + pos,
        end: s.end + pos
      }))
      if (found.length === 0) break
      if (windowEnd === para.end) {
        for (const sentence of found) capSentence(text, sentence, out)
        pos = found[found.length - 1]!.end
      } else if (found.length === 1) {
        // One sentence fills the window and may go on past it: end it at the
        // window's last whitespace, so no word is cut, and read on from there.
        const only = found[0]!
        let end = windowEnd
        while (end > only.start && !/\s/u.test(text[end - 1]!)) end--
        if (end === only.start) end = only.end
        const r = trimRange(text, only.start, end)
        if (r) capSentence(text, r, out)
        pos = end
      } else {
        // The last sentence may run past the window: keep it for the next one.
        for (const sentence of found.slice(0, -1)) capSentence(text, sentence, out)
        pos = found[found.length - 1]!.start
      }
      while (pos < para.end && /\s/u.test(text[pos]!)) pos++
      yield out
    }
  }

  /**
   * Cuts a sentence longer than {@link MAX_SENTENCE} into pieces of at most
   * that many UTF-16 units, at the last whitespace before the limit where
   * there is one, otherwise at the limit (never inside a surrogate pair).
   * Shorter sentences come back as they are.
   */
  const capSentence = (text: string, s: SentenceRange, out: Array<SentenceRange>): void => {
    let start = s.start
    while (s.end - start > MAX_SENTENCE) {
      let cut = start + MAX_SENTENCE
      let space = cut
      while (space > start && !/\s/u.test(text[space]!)) space--
      if (space > start) cut = space
      else if (text.charCodeAt(cut - 1) >= 0xd800 && text.charCodeAt(cut - 1) <= 0xdbff) cut++
      const r = trimRange(text, start, cut)
      if (r) out.push(r)
      start = cut
      while (start < s.end && /\s/u.test(text[start]!)) start++
    }
    const r = trimRange(text, start, s.end)
    if (r) out.push(r)
  }

  /**
   * Splits an over-long sentence into pieces of at most `budget` tokens,
   * at whitespace where possible, otherwise between code points.
   */
  const splitLong = (text: string, s: SentenceRange, budget: number): Array<SentenceRange> => {
    const pieces: Array<SentenceRange> = []
    // Word boundaries: the positions after each run of whitespace.
    const words: Array<number> = [s.start]
    const ws = /\s+/gu
    ws.lastIndex = 0
    const body = text.slice(s.start, s.end)
    for (let m = ws.exec(body); m !== null; m = ws.exec(body)) words.push(s.start + m.index + m[0].length)
    words.push(s.end)
    // Tokens of each word with the whitespace after it: their running sum
    // estimates a slice's count, so the exact count is taken near the answer only.
    const wordTokens = new Int32Array(words.length - 1)
    for (let k = 0; k < words.length - 1; k++) wordTokens[k] = tools.count(text.slice(words[k], words[k + 1]))
    const fits = (i: number, j: number) => tools.count(text.slice(words[i], words[j])) <= budget
    let i = 0
    while (i < words.length - 1) {
      // Largest j such that words[i]..words[j] fits (token counts grow with j).
      let j = i
      let estimate = 0
      while (j < words.length - 1 && estimate + wordTokens[j]! <= budget) estimate += wordTokens[j++]!
      let best = i
      if (j > i) {
        if (fits(i, j)) {
          best = j
          while (best < words.length - 1 && fits(i, best + 1)) best++
        } else {
          best = j - 1
          while (best > i && !fits(i, best)) best--
        }
      }
      if (best === i) {
        // One word alone is over budget: cut it between code points.
        const end = cutAt(text, words[i]!, words[i + 1]!, budget)
        const r = trimRange(text, words[i]!, end)
        if (r) pieces.push(r)
        if (end >= words[i + 1]!) i++
        else {
          words[i] = end
          wordTokens[i] = tools.count(text.slice(words[i], words[i + 1]))
        }
        continue
      }
      const r = trimRange(text, words[i]!, words[best]!)
      if (r) pieces.push(r)
      i = best
    }
    return pieces
  }

  /** Largest end in (start, limit] such that text[start, end) fits `budget` tokens, never splitting a surrogate pair. */
  const cutAt = (text: string, start: number, limit: number, budget: number): number => {
    let lo = start + 1
    let hi = limit
    let best = start + 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (tools.count(text.slice(start, mid)) <= budget) {
        best = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    const code = text.charCodeAt(best - 1)
    if (code >= 0xd800 && code <= 0xdbff && best < limit) best++ // keep the pair together
    return best
  }

  const size = Math.max(16, Math.floor(options.size))
  const overlap = Math.max(0, Math.min(Math.floor(options.overlap), Math.floor(size / 2) - 1))
  const units: Array<Unit> = []
  let from = 0
  let read = 0

  const chunkOf = (first: number, last: number, tokens: number): ChunkDraft => ({
    start: units[first]!.start,
    end: units[last - 1]!.end,
    tokens,
    sentences: last - first,
    read
  })
  // Exact token count of units [from, to) as one slice of the document.
  const exact = (first: number, last: number) => {
    let n = units[first]!.tokens
    for (let i = first + 1; i < last; i++) {
      const joined = units[i]!.joined
      if (joined < 0) return tools.count(text.slice(units[first]!.start, units[last - 1]!.end))
      n += joined
    }
    return n
  }

  /** Packs the units read so far; with `final` false, stops at the first chunk that more text could change. */
  const pack = function*(final: boolean): Generator<ChunkDraft, void, undefined> {
    while (from < units.length) {
      let to = from + 1
      let estimate = units[from]!.tokens
      let decided = false
      while (to < units.length) {
        const next = units[to]!
        // +1: the separator between two sentences costs at most about one token.
        if (estimate + 1 + next.tokens > size) {
          decided = true
          break
        }
        if (next.paragraphStart && estimate >= size / 2) {
          // a paragraph still being read: whether it fits whole is not known yet
          if (next.paragraphTokens < 0) return
          if (estimate + 1 + next.paragraphTokens > size) {
            decided = true
            break
          }
        }
        estimate += 1 + next.tokens
        to++
      }
      if (!decided && !final) return
      // The estimate is close but not exact: count once, and shrink (rare) until the real count fits.
      let tokens = exact(from, to)
      while (to - from > 1 && tokens > size) tokens = exact(from, --to)
      yield chunkOf(from, to, tokens)
      if (to >= units.length) {
        from = units.length
        return
      }
      // Overlap: the longest suffix of whole units within the overlap budget,
      // leaving room for at least the next unit, and always moving forward.
      let next = to
      let carried = 0
      while (next - 1 > from && carried + units[next - 1]!.tokens + 1 <= overlap) {
        carried += units[next - 1]!.tokens + 1
        next--
      }
      while (next < to && carried + units[to]!.tokens + 1 > size) {
        carried -= units[next]!.tokens + 1
        next++
      }
      from = next
    }
  }

  for (const para of paragraphs(text)) {
    const first = units.length
    let paragraphTokens = 0
    for (const sentences of sentencesOf(text, para)) {
      for (const s of sentences) {
        const tokens = tools.count(text.slice(s.start, s.end))
        const pieces = tokens <= size ? [{ ...s, tokens }] : splitLong(text, s, size).map((p) => ({
          ...p,
          tokens: tools.count(text.slice(p.start, p.end))
        }))
        for (const p of pieces) {
          const previous = units.length > 0 ? units[units.length - 1]!.end : -1
          const joined = previous < 0 ? -1 : joinedTokens(text, previous, p.start, p.end, p.tokens, tools.count)
          // the paragraph's first unit: its paragraph's tokens are unknown (-1) until the paragraph is read
          const opens = units.length === first
          units.push({
            start: p.start,
            end: p.end,
            tokens: p.tokens,
            paragraphStart: opens,
            paragraphTokens: opens ? -1 : 0,
            joined
          })
          paragraphTokens += p.tokens
        }
      }
      // chunks that do not depend on the rest of this paragraph go now (a one-line book streams too)
      if (sentences.length > 0) {
        read = sentences[sentences.length - 1]!.end
        yield* pack(false)
      }
    }
    if (units.length > first) units[first] = { ...units[first]!, paragraphTokens }
    read = para.end
    yield* pack(false)
  }
  read = text.length
  yield* pack(true)
}

export class Chunker extends Effect.Service<Chunker>()("Chunker", {
  effect: Effect.gen(function*() {
    const splitter = yield* SentenceSplitter
    const tokenizer = yield* Tokenizer
    const tools: ChunkTools = { split: splitter.split, count: tokenizer.count }

    /** {@link chunkDrafts} as Chunks of `document`, reporting progress as each is decided. */
    const chunksOf = function*(document: SourceDocument, options: ChunkOptions): Generator<Chunk, void, undefined> {
      const toChunk = chunksFromDrafts(document, options)
      for (const draft of chunkDrafts(document.text, options, tools)) yield toChunk(draft)
    }

    /**
     * Chunks a document (the policy of {@link chunkDrafts}), yielding to
     * other fibers between chunks.
     *
     * @returns chunks in document order, indexed from 0; none for a
     *   whitespace-only document. Never fails.
     */
    const chunk = Effect.fn("Chunker.chunk")(function*(document: SourceDocument, options: ChunkOptions) {
      const chunks: Array<Chunk> = []
      const it = chunksOf(document, options)
      for (let r = it.next(); !r.done; r = it.next()) {
        chunks.push(r.value)
        yield* Effect.yieldNow()
      }
      return chunks
    })

    /**
     * The chunks of a document as a stream, each emitted as soon as the
     * chunker has decided it (see {@link chunkDrafts}): the same chunks as
     * {@link chunk}, in order. Pulling one chunk does the splitting work up
     * to it, so downstream work overlaps with chunking. Never fails.
     */
    const stream = (document: SourceDocument, options: ChunkOptions): Stream.Stream<Chunk> =>
      Stream.suspend(() => Stream.fromIteratorSucceed(chunksOf(document, options), 1))

    return {
      chunk,
      stream,
      /**
       * Lets go of the sentence splitter's model (60 MB and more, loaded again
       * by the next chunking), for when no document follows: the CLI calls it
       * once its last document is chunked. Never throws.
       */
      release: splitter.release
    } as const
  }),
  dependencies: [SentenceSplitter.Default, Tokenizer.Default]
}) {}

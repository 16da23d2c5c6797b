/**
 * Character spans over a document, and the conversion between JavaScript's
 * UTF-16 string indices and Unicode code point offsets.
 *
 * Every offset that leaves the tool (JSON, Turtle, events) is a code point
 * offset with an exclusive end, as the W3C Web Annotation
 * `TextPositionSelector` counts (https://www.w3.org/TR/annotation-model/#text-position-selector):
 * Python's `doc[start:end]` and `Array.from(doc).slice(start, end).join("")`
 * both give `text`. Inside the process we work on UTF-16 indices (what
 * `String.prototype.slice` takes) and convert at the edges with
 * {@link CodePointIndex}.
 */
import * as Schema from "effect/Schema"

/** A non-negative integer offset, in Unicode code points. */
export const Offset = Schema.Int.pipe(Schema.nonNegative())

/**
 * A span of a document: `start` inclusive, `end` exclusive, both in code
 * points over `input/document.txt`; `text` is exactly that slice.
 */
export class Span extends Schema.Class<Span>("Span")(
  Schema.Struct({
    start: Offset,
    end: Offset,
    text: Schema.String
  }).pipe(Schema.filter((s) => s.end >= s.start || `span end ${s.end} is before start ${s.start}`))
) {}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff

/** Number of code points in `text` (a lone surrogate counts as one). */
export const codePointLength = (text: string): number => {
  let n = text.length
  for (let i = 0; i < text.length - 1; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
      n--
      i++
    }
  }
  return n
}

/**
 * Converts between UTF-16 indices and code point offsets of one string in
 * O(log p) per lookup, where p is the number of surrogate pairs in the string
 * (strings without astral characters convert in O(1)). Building the index is
 * one O(n) scan over the string.
 */
export class CodePointIndex {
  /** UTF-16 index of the low surrogate of every surrogate pair, ascending. */
  private readonly lows: Int32Array

  constructor(readonly text: string) {
    const lows: Array<number> = []
    for (let i = 0; i < text.length - 1; i++) {
      if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
        lows.push(i + 1)
        i++
      }
    }
    this.lows = Int32Array.from(lows)
  }

  /** Length of the string in code points. */
  get length(): number {
    return this.text.length - this.lows.length
  }

  /**
   * Code point offset of UTF-16 index `u16` (0 ≤ u16 ≤ text.length). An index
   * that points between the two halves of a pair maps to the pair's start.
   */
  toCodePoint(u16: number): number {
    if (this.lows.length === 0) return u16
    // count pairs whose low surrogate index is < u16 + (u16 is a low surrogate ? 1 : 0)
    let lo = 0
    let hi = this.lows.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.lows[mid]! <= u16) lo = mid + 1
      else hi = mid
    }
    // `lo` pairs have their low half at or before u16. If u16 is itself a low
    // half, that pair has not ended yet: the code point starts one unit earlier.
    return u16 - lo
  }

  /** UTF-16 index of code point offset `cp` (0 ≤ cp ≤ length). */
  toUtf16(cp: number): number {
    if (this.lows.length === 0) return cp
    // The UTF-16 index is cp + (pairs that end before it). Pair k (0-based)
    // has its low half at lows[k]; its code point offset is lows[k] - 1 - k.
    let lo = 0
    let hi = this.lows.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.lows[mid]! - 1 - mid < cp) lo = mid + 1
      else hi = mid
    }
    return cp + lo
  }

  /** The {@link Span} covering UTF-16 range [u16Start, u16End), with code point offsets. */
  span(u16Start: number, u16End: number): Span {
    return new Span(
      { start: this.toCodePoint(u16Start), end: this.toCodePoint(u16End), text: this.text.slice(u16Start, u16End) },
      { disableValidation: true }
    )
  }

  /** The text of code point range [start, end). */
  slice(start: number, end: number): string {
    return this.text.slice(this.toUtf16(start), this.toUtf16(end))
  }
}

/**
 * Shifts a span found in a chunk to document coordinates.
 *
 * @param chunkStart the chunk's start offset in the document, in code points
 * @param local a span whose offsets are code points within the chunk's text
 */
export const shiftSpan = (chunkStart: number, local: Span): Span =>
  new Span(
    { start: chunkStart + local.start, end: chunkStart + local.end, text: local.text },
    { disableValidation: true }
  )

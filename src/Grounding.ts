/**
 * Grounding: finding the exact text an extractor's output refers to. The
 * tool, not the model, decides offsets: a name or evidence quote given by a
 * model is located in the chunk text in three stages, each tried only when
 * the one before found nothing:
 *
 * 1. `exact` — the trimmed needle occurs verbatim;
 * 2. `normalized` — it occurs ignoring letter case, treating any run of
 *    whitespace as one space, and treating typographic variants of quotes
 *    (`' ’ ‘ ‛ ′`, `" “ ” „ ″`) and dashes (`- ‐ ‑ ‒ – — ―`) as equal;
 * 3. `fuzzy` — an approximate occurrence: a stretch of whole words whose
 *    similarity to the needle, `1 − d / max(|needle|, |match|)` with `d`
 *    the Levenshtein distance after the folding of stage 2, is at least
 *    {@link FUZZY_THRESHOLD}. Candidates come from Sellers' semi-global
 *    alignment (P. H. Sellers, "The theory and computation of evolutionary
 *    distances: pattern recognition", J. Algorithms 1(4), 1980), which finds
 *    every end position where the needle matches a substring of the text
 *    with at most `k` edits in O(|needle| · |text|) time and O(|needle|)
 *    memory.
 *
 * All positions here are UTF-16 indices of the searched string; callers
 * convert to code points with `CodePointIndex`.
 */
import type { Grounding } from "./Domain/Extraction.js"

/** A match as a UTF-16 range of the searched text. */
export interface Match {
  readonly start: number
  readonly end: number
  readonly grounding: Grounding
}

/**
 * Least similarity of a fuzzy match (see the module docs). 0.8 accepts one
 * edit in five characters — a dropped word in a ten-word quote, a typo or a
 * missing article in a name — and rejects different names of equal length
 * that share most letters only when they differ in more than a fifth of them.
 * LangExtract accepts fuzzy alignments from 0.75 (its token-overlap ratio);
 * our measure is per character, so we ask a little more.
 */
export const FUZZY_THRESHOLD = 0.8

/**
 * Needles shorter than this (UTF-16 units, trimmed) are never matched
 * fuzzily: in a short name a single edit is another name ("Jon"/"Jan").
 */
export const FUZZY_MIN_LENGTH = 6

/**
 * Largest `|needle| × |text|` the fuzzy stage works on (about 0.2 s of
 * work); beyond it a needle that was not found exactly or normalised is
 * reported as not found.
 */
export const FUZZY_MAX_CELLS = 50_000_000

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const QUOTES_SINGLE = "'’‘‛′"
const QUOTES_DOUBLE = "\"“”„″"
const DASHES = "-‐‑‒–—―"

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff

/** A letter or digit (any script). */
const WORD = /^[\p{L}\p{N}]$/u

/** The code point starting at UTF-16 index `i` of `s`, as a string ("" at the end). */
const codePointAt = (s: string, i: number): string => (i < s.length ? String.fromCodePoint(s.codePointAt(i)!) : "")

/** The code point ending at UTF-16 index `i` of `s`, as a string ("" at the start). */
const codePointBefore = (s: string, i: number): string => {
  if (i <= 0) return ""
  const low = s.charCodeAt(i - 1)
  return isLowSurrogate(low) && i >= 2 ? s.slice(i - 2, i) : s[i - 1]!
}

/** The needle as a regular expression for stage 2 (case and whitespace handled by flags and `\s+`). */
const normalizedSource = (trimmed: string): string => {
  let out = ""
  let inSpace = false
  for (const ch of trimmed) {
    if (/\s/u.test(ch)) {
      if (!inSpace) out += "\\s+"
      inSpace = true
      continue
    }
    inSpace = false
    if (QUOTES_SINGLE.includes(ch)) out += `[${escapeRegExp(QUOTES_SINGLE)}]`
    else if (QUOTES_DOUBLE.includes(ch)) out += `[${escapeRegExp(QUOTES_DOUBLE)}]`
    else if (DASHES.includes(ch)) out += `[${escapeRegExp(DASHES)}]`
    else out += escapeRegExp(ch)
  }
  return out
}

/**
 * Folds one UTF-16 unit for the fuzzy stage: lower case (when that keeps it
 * one unit), every whitespace to a space, quote and dash variants to `'`,
 * `"` and `-`.
 */
const foldUnit = (() => {
  const cache = new Map<number, number>()
  return (code: number): number => {
    const hit = cache.get(code)
    if (hit !== undefined) return hit
    const ch = String.fromCharCode(code)
    let folded = code
    if (/\s/u.test(ch)) folded = 32
    else if (QUOTES_SINGLE.includes(ch)) folded = 39
    else if (QUOTES_DOUBLE.includes(ch)) folded = 34
    else if (DASHES.includes(ch)) folded = 45
    else {
      const lower = ch.toLowerCase()
      if (lower.length === 1) folded = lower.charCodeAt(0)
    }
    cache.set(code, folded)
    return folded
  }
})()

const foldAll = (s: string): Uint16Array => {
  const out = new Uint16Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = foldUnit(s.charCodeAt(i))
  return out
}

/** Levenshtein distance between two folded strings (O(|a|·|b|) time, O(|b|) memory). */
const levenshtein = (a: Uint16Array, b: Uint16Array): number => {
  let prev = new Uint32Array(b.length + 1)
  let cur = new Uint32Array(b.length + 1)
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    const ai = a[i - 1]
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (ai === b[j - 1] ? 0 : 1)
      const del = prev[j]! + 1
      const ins = cur[j - 1]! + 1
      cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins)
    }
    const t = prev
    prev = cur
    cur = t
  }
  return prev[b.length]!
}

/** Similarity of `needle` to `haystack[start, end)` after folding: 1 − d / max(lengths). */
export const similarity = (needle: string, text: string): number => {
  const a = foldAll(needle)
  const b = foldAll(text)
  const longest = Math.max(a.length, b.length)
  return longest === 0 ? 1 : 1 - levenshtein(a, b) / longest
}

/**
 * Approximate occurrences of `trimmed` in `haystack` (stage 3), as
 * non-overlapping whole-word ranges with similarity ≥ {@link FUZZY_THRESHOLD},
 * best first, then returned left to right.
 */
const findFuzzy = (haystack: string, trimmed: string): Array<Match> => {
  const m = trimmed.length
  const n = haystack.length
  if (m < FUZZY_MIN_LENGTH || n === 0 || m * n > FUZZY_MAX_CELLS) return []
  const p = foldAll(trimmed)
  const t = foldAll(haystack)
  // The most edits a match may need (the epsilon absorbs float error: (1 - 0.8) * 40 is 7.99…).
  const k = Math.floor((1 - FUZZY_THRESHOLD) * m + 1e-9)
  // Sellers: D[0][j] = 0 (a match may start anywhere), D[i][0] = i; column by column.
  let prev = new Uint32Array(m + 1)
  let cur = new Uint32Array(m + 1)
  let prevStart = new Int32Array(m + 1)
  let curStart = new Int32Array(m + 1)
  for (let i = 0; i <= m; i++) prev[i] = i
  const candidates: Array<{ start: number; end: number; d: number }> = []
  for (let j = 1; j <= n; j++) {
    const tj = t[j - 1]
    cur[0] = 0
    curStart[0] = j
    for (let i = 1; i <= m; i++) {
      const sub = prev[i - 1]! + (p[i - 1] === tj ? 0 : 1)
      const del = prev[i]! + 1 // text unit not in the needle
      const ins = cur[i - 1]! + 1 // needle unit not in the text
      if (sub <= del && sub <= ins) {
        cur[i] = sub
        curStart[i] = prevStart[i - 1]!
      } else if (del <= ins) {
        cur[i] = del
        curStart[i] = prevStart[i]!
      } else {
        cur[i] = ins
        curStart[i] = curStart[i - 1]!
      }
    }
    if (cur[m]! <= k) candidates.push({ start: curStart[m]!, end: j, d: cur[m]! })
    const swap = prev
    prev = cur
    cur = swap
    const swapStart = prevStart
    prevStart = curStart
    curStart = swapStart
  }
  candidates.sort((a, b) =>
    a.d - b.d || Math.abs(a.end - a.start - m) - Math.abs(b.end - b.start - m) || a.start - b.start
  )
  const accepted: Array<Match> = []
  const overlaps = (s: number, e: number) => accepted.some((a) => s < a.end && a.start < e)
  for (const c of candidates) {
    // Snap to whole words: a match never starts or ends inside a word.
    let s = c.start
    let e = c.end
    while (s < e && /\s/u.test(haystack[s]!)) s++
    while (e > s && /\s/u.test(haystack[e - 1]!)) e--
    // Never split a surrogate pair.
    if (s > 0 && isLowSurrogate(haystack.charCodeAt(s))) s--
    if (e < n && isLowSurrogate(haystack.charCodeAt(e))) e++
    while (s > 0 && WORD.test(codePointBefore(haystack, s)) && WORD.test(codePointAt(haystack, s))) {
      s -= codePointBefore(haystack, s).length
    }
    while (e < n && WORD.test(codePointBefore(haystack, e)) && WORD.test(codePointAt(haystack, e))) {
      e += codePointAt(haystack, e).length
    }
    if (e <= s || overlaps(s, e)) continue
    if (similarity(trimmed, haystack.slice(s, e)) < FUZZY_THRESHOLD) continue
    accepted.push({ start: s, end: e, grounding: "fuzzy" })
  }
  return accepted.sort((a, b) => a.start - b.start)
}

/**
 * Every non-overlapping occurrence of `needle` in `haystack`, left to right,
 * from the first of the three stages (see the module docs) that finds any:
 * `exact`, `normalized`, then `fuzzy`. In the first two stages a match must
 * not start or end inside a word when the needle starts or ends with a
 * letter or digit; fuzzy matches are whole words. Empty needles match
 * nothing.
 */
export const findAll = (haystack: string, needle: string): Array<Match> => {
  const trimmed = needle.trim()
  if (trimmed.length === 0) return []
  const leadWord = WORD.test(codePointAt(trimmed, 0))
  const tailWord = WORD.test(codePointBefore(trimmed, trimmed.length))
  // Stage 1 with indexOf (compiling a Unicode regular expression per needle costs more than the search).
  const exact: Array<Match> = []
  for (let at = haystack.indexOf(trimmed); at >= 0; at = haystack.indexOf(trimmed, at + 1)) {
    const end = at + trimmed.length
    if (leadWord && WORD.test(codePointBefore(haystack, at))) continue
    if (tailWord && WORD.test(codePointAt(haystack, end))) continue
    exact.push({ start: at, end, grounding: "exact" })
    at = end - 1
  }
  if (exact.length > 0) return exact
  const lead = leadWord ? "(?<![\\p{L}\\p{N}])" : ""
  const tail = tailWord ? "(?![\\p{L}\\p{N}])" : ""
  const normalized: Array<Match> = []
  for (const m of haystack.matchAll(new RegExp(`${lead}${normalizedSource(trimmed)}${tail}`, "giu"))) {
    if (m[0].length > 0) normalized.push({ start: m.index, end: m.index + m[0].length, grounding: "normalized" })
  }
  if (normalized.length > 0) return normalized
  return findFuzzy(haystack, trimmed)
}

/** Gap in UTF-16 units between `m` and the range [from, to) (0 when they touch or overlap). */
const distance = (m: Match, from: number, to: number) => (m.end < from ? from - m.end : m.start > to ? m.start - to : 0)

/**
 * The occurrence of `needle` (as {@link findAll} finds them) nearest to the
 * UTF-16 range [`from`, `to`) — by default the position `from` — the
 * leftmost on a tie; undefined when there is none.
 */
export const findNearest = (haystack: string, needle: string, from: number, to: number = from): Match | undefined => {
  let best: Match | undefined
  for (const m of findAll(haystack, needle)) {
    if (best === undefined || distance(m, from, to) < distance(best, from, to)) best = m
  }
  return best
}

/**
 * Grounding: finding the exact text an extractor's output refers to. The
 * tool, not the model, decides offsets: a surface form or evidence quote is
 * located in the chunk text, first exactly, then ignoring case and
 * differences in whitespace.
 */
import type { Grounding } from "./Domain/Extraction.js"

/** A match as a UTF-16 range of the searched text. */
export interface Match {
  readonly start: number
  readonly end: number
  readonly grounding: Grounding
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * Every non-overlapping occurrence of `needle` in `haystack`, left to right.
 * Exact occurrences if there are any (`grounding: "exact"`); otherwise
 * occurrences ignoring case and treating any run of whitespace as equal
 * (`"normalized"`). Matches must not start or end inside a word when the
 * needle starts or ends with a letter or digit. Empty needles match nothing.
 */
export const findAll = (haystack: string, needle: string): Array<Match> => {
  const trimmed = needle.trim()
  if (trimmed.length === 0) return []
  const words = trimmed.split(/\s+/u).map(escapeRegExp)
  const lead = /^[\p{L}\p{N}]/u.test(trimmed) ? "(?<![\\p{L}\\p{N}])" : ""
  const tail = /[\p{L}\p{N}]$/u.test(trimmed) ? "(?![\\p{L}\\p{N}])" : ""
  const search = (source: string, flags: string, grounding: Grounding) => {
    const re = new RegExp(`${lead}${source}${tail}`, flags)
    const out: Array<Match> = []
    for (const m of haystack.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length, grounding })
    return out
  }
  const exact = search(escapeRegExp(trimmed), "gu", "exact")
  return exact.length > 0 ? exact : search(words.join("\\s+"), "giu", "normalized")
}

/** The occurrence of `needle` nearest to UTF-16 position `near`, or undefined. */
export const findNearest = (haystack: string, needle: string, near: number): Match | undefined => {
  let best: Match | undefined
  for (const m of findAll(haystack, needle)) {
    const d = m.start <= near && near < m.end ? 0 : Math.min(Math.abs(m.start - near), Math.abs(m.end - near))
    const bd = best === undefined ? Infinity : best.start <= near && near < best.end ? 0 : Math.min(Math.abs(best.start - near), Math.abs(best.end - near))
    if (d < bd) best = m
  }
  return best
}

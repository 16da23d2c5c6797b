/**
 * Document-level consistency for the embedded extractor: a name typed once
 * is typed the same everywhere in the document.
 *
 * The extractor types names chunk by chunk (and makes each chunk agree with
 * itself, Entities.ts). This pass runs once over the merged mentions of the
 * whole document, after extraction:
 * - every mention of a name (compared case-insensitively, ignoring
 *   punctuation at its ends and a possessive 's) takes the type of the
 *   mention with the strongest evidence (`confidence`), if that is stronger;
 * - a one-word mention typed weakly (confidence < 0.6) that is a word of a
 *   multi-word Person name typed with confidence ≥ 0.6 becomes a Person
 *   ("Crane" after "Ichabod Crane").
 * Dates and amounts are left alone. Mentions without a confidence count as
 * 0.5. Pure; O(n) in the number of mentions.
 */
import { Mention } from "../../Domain/Extraction.js"

const FIXED = new Set(["Date", "Money"])
const NAMED = new Set(["Person", "Organization", "Location"])

/** Comparison key of a surface form: lower case, possessive and edge punctuation dropped, whitespace collapsed. */
export const nameKey = (surface: string): string =>
  surface
    .normalize("NFC")
    .toLowerCase()
    .replace(/['’]s$/u, "")
    .replace(/^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu, "")
    .replace(/\s+/gu, " ")

const confidenceOf = (m: Mention) => m.confidence ?? 0.5

/** Returns `mentions` with types made consistent across the document (changed mentions are new objects). */
export const harmonizeTypes = (mentions: ReadonlyArray<Mention>): Array<Mention> => {
  const best = new Map<string, Mention>()
  const parts = new Map<string, Mention>()
  for (const m of mentions) {
    if (!NAMED.has(m.type)) continue
    const key = nameKey(m.span.text)
    const b = best.get(key)
    if (!b || confidenceOf(m) > confidenceOf(b)) best.set(key, m)
    if (m.type === "Person" && confidenceOf(m) >= 0.6) {
      const words = key.split(" ")
      if (words.length < 2) continue
      for (const w of words) {
        if (w.length < 2 || w.endsWith(".")) continue
        const p = parts.get(w)
        if (!p || confidenceOf(m) > confidenceOf(p)) parts.set(w, m)
      }
    }
  }
  return mentions.map((m) => {
    if (FIXED.has(m.type)) return m
    const key = nameKey(m.span.text)
    const b = best.get(key)
    if (b && b !== m && b.type !== m.type && confidenceOf(b) > confidenceOf(m)) {
      return new Mention({ ...m, type: b.type, confidence: confidenceOf(b) * 0.9 }, { disableValidation: true })
    }
    if (m.type !== "Person" && confidenceOf(m) < 0.6 && !key.includes(" ")) {
      const p = parts.get(key)
      if (p) return new Mention({ ...m, type: "Person", confidence: confidenceOf(p) * 0.8 }, { disableValidation: true })
    }
    return m
  })
}

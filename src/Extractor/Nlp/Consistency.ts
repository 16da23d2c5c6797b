/**
 * Document-level consistency for the embedded extractor: a name typed once
 * is typed the same everywhere in the document.
 *
 * The extractor types names chunk by chunk (and makes each chunk agree with
 * itself, Entities.ts). This pass runs once over the merged mentions of the
 * whole document, after extraction:
 * - a name that is a word or the last words of a multi-word Person name
 *   ("Crane" after "Ichabod Crane", "Van Tassel" after "Katrina Van Tassel")
 *   is a Person, unless some mention of it is typed otherwise with
 *   confidence ≥ 0.6;
 * - otherwise every mention of a name (compared case-insensitively,
 *   ignoring punctuation at its ends and a possessive 's) takes the type of
 *   the mention with the strongest evidence (`confidence`).
 * A mention is retyped only when the evidence it is given (0.8 × the full
 * name's confidence, or 0.9 × the best mention's) beats its own.
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
    if (m.type === "Person") {
      const words = key.split(" ")
      if (words.length < 2) continue
      // Each word and each trailing run of words: "Crane", "Van Tassel" of "Katrina Van Tassel".
      const pieces = words.filter((w) => w.length >= 2 && !w.endsWith("."))
      for (let k = 1; k < words.length; k++) pieces.push(words.slice(k).join(" "))
      for (const w of pieces) {
        const p = parts.get(w)
        if (!p || confidenceOf(m) > confidenceOf(p)) parts.set(w, m)
      }
    }
  }
  /** The type a name should have across the document, with its confidence; undefined if nothing is known. */
  const decide = (key: string): { readonly type: string; readonly confidence: number } | undefined => {
    const b = best.get(key)
    const p = parts.get(key)
    if (p && (!b || b.type !== "Person" && confidenceOf(b) < 0.6)) {
      return { type: "Person", confidence: confidenceOf(p) * 0.8 }
    }
    return b ? { type: b.type, confidence: confidenceOf(b) * 0.9 } : undefined
  }
  return mentions.map((m) => {
    if (FIXED.has(m.type)) return m
    const d = decide(nameKey(m.span.text))
    if (d && d.type !== m.type && d.confidence > confidenceOf(m)) {
      return new Mention({ ...m, type: d.type, confidence: Math.round(d.confidence * 100) / 100 }, {
        disableValidation: true
      })
    }
    return m
  })
}

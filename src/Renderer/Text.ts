/**
 * Text hygiene shared by the renderers: what every output must do to
 * strings that came from a model or a document before writing them.
 */

/**
 * Replaces every lone surrogate (a UTF-16 half without its partner) with
 * U+FFFD. Such strings cannot be encoded as UTF-8, and escaping them
 * (`\ud800`) is invalid in Turtle, XML and CSV; U+FFFD is what a UTF-8
 * encoder writes for them anyway, so every output agrees.
 * O(n) in UTF-16 code units; returns `s` itself when it is well-formed.
 */
export const wellFormed = (s: string): string => {
  if (!/[\ud800-\udfff]/.test(s)) return s
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
}

/**
 * Characters XML 1.0 forbids even as character references
 * (https://www.w3.org/TR/xml/#charsets): C0 controls other than tab, LF and
 * CR, and U+FFFE / U+FFFF.
 */
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g

/** {@link wellFormed}, then every character XML 1.0 forbids becomes U+FFFD. */
export const xmlSafe = (s: string): string => wellFormed(s).replace(XML_FORBIDDEN, "\ufffd")

/**
 * The first `max` code points of `s`, with `…` in place of the rest when it
 * was longer (so the result has at most `max` code points). Never splits a
 * surrogate pair.
 */
export const truncateCodePoints = (s: string, max: number): string => {
  if (s.length <= max) return s
  const cps = Array.from(s)
  return cps.length <= max ? s : cps.slice(0, Math.max(0, max - 1)).join("") + "…"
}

/** Compares strings by UTF-16 code units (what `<` does): a total order independent of locale. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Aliases the document text defines: two mentions that follow each other
 * with only a defining phrase between them name one entity.
 *
 * | rule | text | example |
 * |---|---|---|
 * | `text-acronym` | X ( Y ), one acronym-shaped and its letters found in the other (Schwartz & Hearst) | "Kenya African National Union (KANU)" |
 * | `text-script` | X ( Y ) or X ( language : Y ), the names in different scripts | "Osaka Bay (大阪湾)" |
 * | `text-parenthesis` | X ( Y ), neither an acronym | "Myanmar (Burma)" |
 * | `text-aka` | X, also known as / a.k.a. / known as / called Y | "Sanaa, also known as Sana'a" |
 * | `text-formerly` | X, formerly / previously / originally (known as, called) / born / née Y | "Sri Lanka, formerly Ceylon" |
 * | `text-now` | Y, now / today / later (known as, called) X | "Kristiania, now Oslo" |
 * | `text-apposition` | X, Y, (the second name set off by commas) | "Vysotsky, Vladimir Semyonovich," |
 *
 * This module only reads the text; the resolver (src/Resolver.ts) accepts
 * a pair only when both mentions' type classes are compatible, and the
 * merge must keep the entity coherent like any other.
 */
import type { Mention } from "../Domain/Extraction.js"
import type { CodePointIndex } from "../Domain/Span.js"
import { acronymOf, normalizeName } from "./Names.js"

/** The text-defined alias rules, by name. */
export type TextAliasRule =
  | "text-acronym"
  | "text-script"
  | "text-parenthesis"
  | "text-aka"
  | "text-formerly"
  | "text-now"
  | "text-apposition"

/** A pair of mentions the text says are one entity. */
export interface TextAlias {
  /** Index, in the mentions given, of the earlier mention. */
  readonly first: number
  /** Index of the later one. */
  readonly second: number
  readonly rule: TextAliasRule
  /** Whether the phrase says the text *names* (known as, called, named): "X, now known as Y", not "X (now Y)". */
  readonly naming: boolean
  /** One line quoting the text, e.g. `the text says "Myanmar (Burma)" (a second name in parentheses)`. */
  readonly reason: string
}

/** How a reason names each rule. */
const RULE_LABELS: Record<TextAliasRule, string> = {
  "text-acronym": "an acronym in parentheses",
  "text-script": "the name in another script",
  "text-parenthesis": "a second name in parentheses",
  "text-aka": "also known as",
  "text-formerly": "a former name",
  "text-now": "a later name",
  "text-apposition": "an apposition"
}

/** Longest gap between the two mentions, in code points, that a defining phrase may take. */
const MAX_GAP = 40

const OPEN = "\\s*[,(]?\\s*"
const ADVERBS = "(?:also|better|commonly|popularly|often|sometimes|otherwise|widely|locally|simply)"
const AKA = new RegExp(
  `^${OPEN}(?:(?:${ADVERBS}\\s+)?(?:known|referred\\s+to|styled)\\s+as|(?:${ADVERBS}\\s+)?(?:called|named|nicknamed)` +
    `|a\\s?\\.?\\s?k\\s?\\.?\\s?a\\s?\\.?|aka|alias)(?:\\s+simply)?\\s*$`,
  "u"
)
const FORMERLY = new RegExp(
  `^${OPEN}(?:(?:formerly|previously|originally|once)(?:\\s+(?:known\\s+as|called|named))?|born|n[eé]e)\\s*$`,
  "u"
)
const NOW = new RegExp(`^${OPEN}(?:now|today|later|presently|currently)(?:\\s+(?:known\\s+as|called|named))?\\s*$`, "u")
const NAMING = /\b(?:known\s+as|called|named)\b/u
const PAREN = /^\s*\(\s*$/u
/** "X ( Y" or "X ( Amharic : Y": a parenthesis, perhaps with a language label, before a name in another script. */
const SCRIPT_GAP = /^\s*\(\s*(?:\p{L}[\p{L}-]*\s*[:;,]\s*)?$/u
/** Between a language label that is itself a mention and the name it labels: "( [Amharic] : Y". */
const LABEL_GAP = /^\s*[:;,]\s*$/u
const PAREN_CLOSE = /^\s*[),;]/u
const COMMA = /^\s*,\s*$/u
/** After an apposition: a comma or the end of the clause, but not a list going on ("A, B, and C"). */
const APPOSITION_END = /^\s*(?:[.;)]|,(?!\s*(?:and|or)\b))/u
/** Before the first name of an apposition: not a list ("A, B, C"). */
const LIST_BEFORE = /(?:,|\band|\bor)\s*$/u

/**
 * Whether `short` can abbreviate `long` by the algorithm of Schwartz &
 * Hearst (2003, "A Simple Algorithm for Identifying Abbreviation
 * Definitions in Biomedical Text"): every letter and digit of the short
 * form occurs in the long form in the same order, matched from the right,
 * and its first character starts a word of the long form. Both are
 * compared normalised (case and diacritics folded). "KANU" / "Kenya
 * African National Union" and "MLSTP" / "Movement for the Liberation of
 * São Tomé and Príncipe" match; "RGE" / "Malabo" does not.
 */
export const abbreviates = (short: string, long: string): boolean => {
  const s = normalizeName(short).replace(/\s+/gu, "")
  const l = normalizeName(long)
  if (s.length < 2 || l.length <= s.length) return false
  const word = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c)
  let li = l.length - 1
  for (let si = s.length - 1; si >= 0; si--) {
    const c = s[si]!
    while (li >= 0 && (l[li] !== c || (si === 0 && word(l[li - 1])))) li--
    if (li < 0) return false
    li--
  }
  return true
}

/** Which writing system a name is in: `latin` when most of its letters are Latin, `other` when none is, else null. */
export const scriptOf = (name: string): "latin" | "other" | null => {
  const letters = name.match(/\p{L}/gu)
  if (letters === null) return null
  const latin = letters.filter((c) => /\p{Script=Latin}/u.test(c)).length
  return latin * 2 > letters.length ? "latin" : latin === 0 ? "other" : null
}

/**
 * Whether two names are one written in the Latin script and the other in
 * none of it ("Osaka Bay" / "大阪湾", "Aleksandr Borovkov" / "Александр
 * Боровков"): in "X ( Y )" that is a name given in its original script (or
 * a transliteration), not a place or a role, which are written in the
 * script of the text.
 */
const otherScript = (a: string, b: string) => {
  const x = scriptOf(a)
  const y = scriptOf(b)
  return x !== null && y !== null && x !== y
}

/**
 * The text-defined aliases among `mentions` (sorted by position; spans in
 * code points of `index.text`): each mention with the next one that starts
 * at or after its end, when the text between them is a defining phrase of
 * at most {@link MAX_GAP} code points. `enabled` filters the rules.
 */
export const textAliases = (
  index: CodePointIndex,
  mentions: ReadonlyArray<Mention>,
  enabled: (rule: TextAliasRule) => boolean
): ReadonlyArray<TextAlias> => {
  const found: Array<TextAlias> = []
  const length = index.length
  for (let i = 0; i < mentions.length; i++) {
    const a = mentions[i]!
    if (a.grounding === "ungrounded" || a.span.end > length) continue
    let next = i + 1
    while (next < mentions.length && mentions[next]!.span.start < a.span.end) next++
    if (next >= mentions.length) break
    const b = mentions[next]!
    if (b.grounding === "ungrounded" || b.span.end > length || b.span.start - a.span.end > MAX_GAP) continue
    const gap = index.slice(a.span.end, b.span.start).toLowerCase()
    const after = index.slice(b.span.end, Math.min(length, b.span.end + 8))
    let rule: TextAliasRule | null = null
    let end = b.span.end
    // "X ( Amharic : Y )" where the language is a mention too: the name in another script is the one after it
    const c = mentions[next + 1]
    if (
      PAREN.test(gap) && c !== undefined && c.grounding !== "ungrounded" && c.span.end <= length &&
      c.span.start >= b.span.end && /^\p{L}+$/u.test(b.span.text) &&
      LABEL_GAP.test(index.slice(b.span.end, c.span.start)) && otherScript(a.span.text, c.span.text) &&
      enabled("text-script")
    ) {
      found.push({
        first: i,
        second: next + 1,
        rule: "text-script",
        naming: false,
        reason: `the text says ${JSON.stringify(index.slice(a.span.start, c.span.end))} (${RULE_LABELS["text-script"]})`
      })
      continue
    }
    if (SCRIPT_GAP.test(gap) && otherScript(a.span.text, b.span.text)) rule = "text-script"
    else if (PAREN.test(gap) && PAREN_CLOSE.test(after)) {
      const defined = (acronymOf(b.span.text) !== null && abbreviates(b.span.text, a.span.text)) ||
        (acronymOf(a.span.text) !== null && abbreviates(a.span.text, b.span.text))
      rule = defined ? "text-acronym" : "text-parenthesis"
      end += after.indexOf(after.trimStart()[0]!) + 1
    } else if (AKA.test(gap)) rule = "text-aka"
    else if (FORMERLY.test(gap)) rule = "text-formerly"
    else if (NOW.test(gap)) rule = "text-now"
    else if (COMMA.test(gap) && APPOSITION_END.test(after)) {
      const before = index.slice(Math.max(0, a.span.start - 6), a.span.start)
      if (!LIST_BEFORE.test(before)) rule = "text-apposition"
    }
    if (rule === null || !enabled(rule)) continue
    found.push({
      first: i,
      second: next,
      rule,
      naming: NAMING.test(gap),
      reason: `the text says ${JSON.stringify(index.slice(a.span.start, end))} (${RULE_LABELS[rule]})`
    })
  }
  return found
}

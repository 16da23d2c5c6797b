/**
 * The pairwise decision rules of entity resolution, as pure predicates over
 * two {@link NameForm}s of the same type class. Each answers whether two
 * names can denote the same entity *by their form alone*; the resolver adds
 * what form cannot tell: uniqueness within the document and coherence of
 * whole clusters (src/Resolver.ts).
 *
 * String similarity is Jaro-Winkler (Winkler 1990, "String Comparator
 * Metrics and Enhanced Decision Rules in the Fellegi-Sunter Model of Record
 * Linkage"), from the `jaro-winkler` package: prefix scale 0.1, boost
 * threshold 0.7, over UTF-16 code units of already normalised keys.
 */
import jaroWinkler from "jaro-winkler"
import { NAME_PARTICLES, type NameForm, STOPWORDS } from "./Names.js"

/**
 * Jaro-Winkler similarity two personal-name tokens need to count as spelling
 * variants ("Ramey"/"Ramez" 0.92, "Zakhary"/"Zachary" 0.92, "Nikos"/
 * "Nikolaos" 0.93; "Gabriel"/"Gaetano" 0.52).
 */
export const PERSON_TOKEN_SIMILARITY = 0.92
/**
 * Jaro-Winkler similarity two tokens of other names need ("Austria"/
 * "Australia" is 0.927 and must stay apart; "Sweden"/"Swedes" 0.933).
 */
export const TOKEN_SIMILARITY = 0.94
/** Shortest token (in UTF-16 code units) that may be matched by similarity rather than equality. */
export const MIN_FUZZY_LENGTH = 4

const hasDigit = (s: string) => /\p{N}/u.test(s)
/** Roman numerals as whole tokens ("II", "xiv") distinguish sequels, monarchs and wars. */
const ROMAN = /^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$/u
/** A token that identifies by number: digits or a Roman numeral. Such tokens only ever match exactly. */
export const isNumberToken = (t: string) => hasDigit(t) || (t.length > 0 && ROMAN.test(t))

/** Jaro-Winkler similarity in [0, 1]. */
export const similarity = (a: string, b: string): number => (a === b ? 1 : jaroWinkler(a, b))

/**
 * Whether two given names can be the same person's: equal; one is the
 * other's initial; or spelling variants (same first letter, Jaro-Winkler ≥
 * {@link PERSON_TOKEN_SIMILARITY}, and not one a prefix of the other, since
 * "Paul"/"Paula" and "Christian"/"Christiane" are different names).
 */
export const givenNamesCompatible = (a: string, b: string): boolean => {
  if (a === b) return true
  if (a.length === 1 || b.length === 1) return a[0] === b[0]
  if (a[0] !== b[0] || a.startsWith(b) || b.startsWith(a)) return false
  return a.length >= MIN_FUZZY_LENGTH && b.length >= MIN_FUZZY_LENGTH && similarity(a, b) >= PERSON_TOKEN_SIMILARITY
}

/** Whether two surnames can be the same: equal, or long spelling variants (≥ 6 letters, Jaro-Winkler ≥ 0.94). */
export const surnamesCompatible = (a: string, b: string): boolean =>
  a === b || (a.length >= 6 && b.length >= 6 && a[0] === b[0] && similarity(a, b) >= TOKEN_SIMILARITY)

/** Tokens of a personal name that carry identity: no particles ("da", "von"). */
const core = (tokens: ReadonlyArray<string>) => tokens.filter((t) => !NAME_PARTICLES.has(t))

/** Whether honorific genders and generation suffixes allow two person names to be one person. */
export const personAttributesCompatible = (a: NameForm, b: NameForm): boolean =>
  (a.gender === null || b.gender === null || a.gender === b.gender) &&
  (a.generation === null || b.generation === null || a.generation === b.generation)

/** A match found by a rule: its score in [0, 1] and a one-line reason. */
export interface RuleMatch {
  readonly method: string
  readonly score: number
  readonly reason: string
}

const q = (s: string) => JSON.stringify(s)

/**
 * Person name variant: two names of two or more tokens that name the same
 * person by form.
 * - the shorter's tokens (particles aside) appear in the longer in order,
 *   with the same first token, or the first token one of the longer's
 *   nicknames: "Henrik Angell" / "Henrik August Angell", "Jefferson
 *   Madeira" / "Jefferson Madeira da Silva", "Willi Schneider" / `Wilfried
 *   "Willi" Schneider` (method `name-variant`, score 0.95);
 * - or the same number of tokens, surname compatible and every given name
 *   compatible ({@link givenNamesCompatible}): "Ramey Idriss" / "Ramez
 *   Idriss", "J. Smith" / "John Smith" (method `similar-name`, score the
 *   mean token similarity).
 * Never when honorific genders or generation suffixes differ. "John Smith"
 * and "John Stone", "Paul Smith" and "Paula Smith" are no variants.
 */
export const personVariant = (a: NameForm, b: NameForm): RuleMatch | null => {
  if (!personAttributesCompatible(a, b)) return null
  const ca = core(a.tokens)
  const cb = core(b.tokens)
  if (ca.length < 2 || cb.length < 2) return null
  for (const [short, long, longForm] of [[ca, cb, b], [cb, ca, a]] as const) {
    if (short.length > long.length) continue
    const nicknameFirst = longForm.nicknames.includes(short[0]!)
    if (
      (short[0] === long[0] || nicknameFirst) && (short.length < long.length || nicknameFirst) &&
      isSubsequence(short.slice(1), long.slice(1))
    ) {
      return {
        method: "name-variant",
        score: 0.95,
        reason: nicknameFirst
          ? `${q(short.join(" "))} uses the nickname ${q(short[0]!)} of ${q(longForm.surface)}`
          : `${q(short.join(" "))} is ${q(long.join(" "))} with names left out`
      }
    }
  }
  if (ca.length !== cb.length) return null
  const last = ca.length - 1
  if (!surnamesCompatible(ca[last]!, cb[last]!)) return null
  let total = 0
  for (let k = 0; k < ca.length; k++) {
    const x = ca[k]!
    const y = cb[k]!
    if (k < last && !givenNamesCompatible(x, y)) return null
    total += x.length === 1 || y.length === 1 ? 0.9 : similarity(x, y)
  }
  const score = total / ca.length
  if (ca.every((t, k) => t === cb[k])) return null // equal cores are handled as exact keys
  return {
    method: "similar-name",
    score,
    reason: `${q(a.key)} and ${q(b.key)} differ only in spelling or initials (Jaro-Winkler ${score.toFixed(3)})`
  }
}

/** Whether the tokens of `short` occur in `long` in order (not necessarily adjacent). */
export const isSubsequence = (short: ReadonlyArray<string>, long: ReadonlyArray<string>) => {
  let i = 0
  for (const t of short) {
    while (i < long.length && long[i] !== t) i++
    if (i === long.length) return false
    i++
  }
  return true
}

/**
 * A person's multi-word surname standing for the full name: the shorter
 * name's tokens (particles aside) are the last tokens of the longer one
 * ("Burne-Jones" / "Edward Burne-Jones", "de la Rocha" / "Zack de la
 * Rocha"). Method `short-form`, score 0.9; one-way, so the resolver also
 * requires it to be unambiguous.
 */
export const surnameRun = (short: NameForm, long: NameForm): RuleMatch | null => {
  if (!personAttributesCompatible(short, long)) return null
  const s = core(short.tokens)
  const l = core(long.tokens)
  if (s.length < 2 || s.length >= l.length) return null
  const offset = l.length - s.length
  if (!s.every((t, k) => l[offset + k] === t)) return null
  return { method: "short-form", score: 0.9, reason: `${q(short.surface)} is the surname of ${q(long.surface)}` }
}

/**
 * Non-person spelling variant: same number of tokens, equal except for one
 * token pair that is a plural pair ("Protestant"/"Protestants") or a
 * spelling variant (same first letter, both ≥ {@link MIN_FUZZY_LENGTH}
 * long, Jaro-Winkler ≥ {@link TOKEN_SIMILARITY}); tokens with digits or
 * Roman numerals must be equal ("Task Force 104" ≠ "Task Force 105").
 */
export const spellingVariant = (a: NameForm, b: NameForm): RuleMatch | null => {
  if (a.tokens.length !== b.tokens.length || a.key === b.key) return null
  let differing = -1
  for (let k = 0; k < a.tokens.length; k++) {
    if (a.tokens[k] !== b.tokens[k]) {
      if (differing >= 0) return null
      differing = k
    }
  }
  const x = a.tokens[differing]!
  const y = b.tokens[differing]!
  if (isNumberToken(x) || isNumberToken(y)) return null
  if (x[0] !== y[0] || x.length < MIN_FUZZY_LENGTH || y.length < MIN_FUZZY_LENGTH) return null
  // derivations change word endings ("Canada"/"Canadian", "Argentina"/"Argentine"): endings must agree
  if (Math.abs(x.length - y.length) > 1 || x.slice(-2) !== y.slice(-2)) return null
  const score = similarity(x, y)
  if (score < TOKEN_SIMILARITY) return null
  return {
    method: "similar-name",
    score,
    reason: `${q(a.key)} and ${q(b.key)} differ only in spelling (Jaro-Winkler ${score.toFixed(3)})`
  }
}

/**
 * Acronym keys of a multi-token name: the initials of all its tokens, and
 * of its tokens without function words; where legal-form suffixes were
 * dropped, also with every letter of those suffixes appended (they are
 * abbreviations already): "Empresa Nacional de Autocamiones S.A." →
 * `endasa`, `enasa`, `enda`, `ena`; "Bank of England" → `boe`, `be`.
 * Hyphenated words count as separate words ("Three-Self Patriotic
 * Movement" → `tspm`).
 */
export const acronymKeys = (form: NameForm): ReadonlyArray<string> => {
  const keys = new Set<string>()
  const initials = (ts: ReadonlyArray<string>) => ts.map((t) => t[0]).join("")
  const suffix = form.fullTokens.slice(form.tokens.length).join("")
  for (const tail of suffix === "" ? [""] : ["", suffix]) {
    if (form.tokens.length + (tail === "" ? 0 : 1) < 2) continue
    keys.add(initials(form.tokens) + tail)
    const content = form.tokens.filter((t) => !STOPWORDS.has(t))
    if (content.length + (tail === "" ? 0 : 1) >= 2) keys.add(initials(content) + tail)
  }
  return [...keys]
}

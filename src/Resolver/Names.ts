/**
 * Name normalisation and analysis for entity resolution: turns a mention's
 * surface form into the comparison key and the parts the decision rules use
 * (tokens, nickname, honorific gender, generation suffix, acronym letters).
 * Pure functions over JavaScript strings; nothing here knows about offsets.
 *
 * The word lists are linguistic closed classes (English articles,
 * honorifics, name particles, legal-form suffixes), not lists of entities.
 */

/** Letters that NFKD does not decompose into base letter + mark. */
const FOLD: Record<string, string> = {
  "ß": "ss",
  "ẞ": "ss",
  "æ": "ae",
  "Æ": "ae",
  "œ": "oe",
  "Œ": "oe",
  "ø": "o",
  "Ø": "o",
  "ł": "l",
  "Ł": "l",
  "đ": "d",
  "Đ": "d",
  "ð": "d",
  "Ð": "d",
  "þ": "th",
  "Þ": "th",
  "ı": "i",
  "ħ": "h",
  "Ħ": "h"
}
const FOLD_RE = new RegExp(`[${Object.keys(FOLD).join("")}]`, "gu")

/** Apostrophe-like characters, including the ʿayn and hamza modifier letters of romanised Arabic. */
const APOSTROPHES = "'’‘ʼʻʿʾ`´′"
const POSSESSIVE = new RegExp(`\\s?[${APOSTROPHES}]s(?![\\p{L}\\p{N}])`, "gu")
const INNER_APOSTROPHE = new RegExp(`(?<=\\p{L})[${APOSTROPHES}](?=\\p{L})`, "gu")

/**
 * Normalises a surface form for comparison: Unicode NFKC, diacritics and
 * ligatures folded (é→e, ß→ss, ø→o), lower case, dotted abbreviations
 * closed up (`U.S.` → `us`), possessive `'s` dropped, apostrophes inside a
 * word removed (`O'Brien` → `obrien`), a plus sign read as the word `plus`
 * (`Galaxy S9+` ≠ `Galaxy S9`), every other punctuation mark, quote
 * and symbol turned into a space, whitespace collapsed. Tokenised text
 * (`People 's`, `Ho - Chunk`) normalises like running text.
 */
export const normalizeName = (surface: string): string =>
  surface
    .normalize("NFKC")
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(FOLD_RE, (c) => FOLD[c]!)
    .toLowerCase()
    // dotted abbreviations: "u.s.", "s. a." → "us", "sa" (two or more single letters)
    .replace(/(?<![\p{L}\p{N}])(?:\p{L}\.\s?){2,}/gu, (m) => m.replace(/[.\s]/gu, "") + " ")
    .replace(POSSESSIVE, "")
    .replace(INNER_APOSTROPHE, "")
    // a plus sign names a model or an edition ("Galaxy S9+", "C++", "Disney+"): it is a word, not punctuation
    .replace(/\+/gu, " plus ")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()

/** English articles dropped from the start of a name ("The Sacramento Bee"). */
const ARTICLES = new Set(["the"])

/**
 * Honorifics and titles dropped from the start of a person's name, with the
 * gender they imply when they imply one (`null`: either). Abbreviated
 * forms appear without their dot because normalisation removed it.
 */
const HONORIFICS = new Map<string, "m" | "f" | null>([
  ...[
    "mr",
    "mister",
    "messrs",
    "sir",
    "lord",
    "monsieur",
    "herr",
    "senor",
    "signor",
    "king",
    "prince",
    "duke",
    "earl",
    "count",
    "baron",
    "marquess",
    "master",
    "uncle",
    "father",
    "brother",
    "fr"
  ].map((w) => [w, "m"] as const),
  ...[
    "mrs",
    "ms",
    "miss",
    "dame",
    "lady",
    "madam",
    "madame",
    "mme",
    "mlle",
    "mademoiselle",
    "frau",
    "fraulein",
    "senora",
    "senorita",
    "signora",
    "queen",
    "princess",
    "duchess",
    "countess",
    "baroness",
    "marchioness",
    "aunt",
    "sister",
    "mother"
  ].map((w) => [w, "f"] as const),
  ...[
    "dr",
    "doctor",
    "prof",
    "professor",
    "rev",
    "reverend",
    "revd",
    "hon",
    "capt",
    "captain",
    "col",
    "colonel",
    "gen",
    "general",
    "lt",
    "lieutenant",
    "sgt",
    "sergeant",
    "maj",
    "major",
    "adm",
    "admiral",
    "cmdr",
    "commander",
    "gov",
    "governor",
    "sen",
    "senator",
    "rep",
    "pres",
    "president",
    "judge",
    "justice",
    "chancellor",
    "bishop",
    "archbishop",
    "cardinal",
    "pope",
    "saint",
    "st",
    "rabbi",
    "imam",
    "sheikh",
    "emperor",
    "empress",
    "tsar",
    "czar",
    "sultan",
    "chief",
    "officer",
    "constable",
    "inspector",
    "detective",
    "agent",
    "coach"
  ].map((w) => [w, null] as const)
])

/**
 * Generation suffix of a person's name, from its last token: "Jr."/"junior"
 * → `jr`, "Sr."/"senior" → `sr`, a Roman numeral up to XXXIX (regnal and
 * family numbers: "Ferdinand I", "John Smith III") → itself. They
 * distinguish people who share a name.
 */
const generationOf = (token: string): string | null => {
  if (token === "jr" || token === "junior") return "jr"
  if (token === "sr" || token === "senior") return "sr"
  return /^(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})$/u.test(token) ? token : null
}
/** Post-nominal letters dropped from the end of a person's name. */
const POSTNOMINALS = new Set(["esq", "phd", "md", "obe", "mbe", "cbe", "kbe", "frs", "qc", "kc"])

/**
 * Particles inside personal names ("da Silva", "von der Esch", "ibn
 * Yaqub"): never a short form on their own, skipped when matching names
 * token by token.
 */
export const NAME_PARTICLES = new Set([
  "da",
  "das",
  "de",
  "del",
  "della",
  "der",
  "di",
  "do",
  "dos",
  "du",
  "la",
  "le",
  "van",
  "von",
  "den",
  "ter",
  "ten",
  "bin",
  "ibn",
  "bint",
  "al",
  "el",
  "y",
  "e",
  "zu",
  "af",
  "av",
  "mac",
  "st"
])

/**
 * Legal-form suffixes of organisation names (ISO 20275 entity legal forms,
 * the common ones), dropped from the end: "Atari, Inc." = "Atari".
 */
const LEGAL_FORMS = new Set([
  "inc",
  "incorporated",
  "ltd",
  "limited",
  "llc",
  "plc",
  "corp",
  "corporation",
  "co",
  "company",
  "gmbh",
  "ag",
  "kg",
  "sa",
  "nv",
  "bv",
  "spa",
  "srl",
  "sarl",
  "sas",
  "oy",
  "oyj",
  "ab",
  "asa",
  "as",
  "kk",
  "pty",
  "lp",
  "llp",
  "pte",
  "bhd",
  "sdn",
  "se",
  "cv",
  "ev",
  "mbh"
])

/** Function words skipped when forming acronyms ("Bank of England" → BoE or BE). */
export const STOPWORDS = new Set([
  "of",
  "and",
  "the",
  "for",
  "in",
  "on",
  "at",
  "to",
  "a",
  "an",
  "de",
  "la",
  "le",
  "les",
  "des",
  "du",
  "del",
  "der",
  "die",
  "das",
  "und",
  "et",
  "y",
  "e",
  "di",
  "da",
  "von",
  "van",
  "für",
  "fur",
  "&"
])

/** What the decision rules know about one surface form of one type class. */
export interface NameForm {
  /** The surface form as it appears in the text. */
  readonly surface: string
  /** Type class ({@link import("./EntityTypes.js").typeClassOf}). */
  readonly cls: string
  /** Comparison key: normalised, without article, honorific, nickname, generation or legal-form suffix. */
  readonly key: string
  /** `key` split on spaces. */
  readonly tokens: ReadonlyArray<string>
  /** Normalised tokens of a quoted or parenthesised part of a person's name (`Wilfried "Willi" Schneider` → `willi`). */
  readonly nicknames: ReadonlyArray<string>
  /** Gender implied by an honorific (`Mrs.` → `f`), or null. */
  readonly gender: "m" | "f" | null
  /** Generation suffix (`jr`, `sr`, `ii`, …) of a person's name, or null. */
  readonly generation: string | null
  /** Lower-case letters when the surface form is written as an acronym (`IBM`, `U.S.`, `BoE`), else null. */
  readonly acronym: string | null
  /** Normalised tokens before legal-form suffixes were dropped (so `ENASA` can match `… S.A.`). */
  readonly fullTokens: ReadonlyArray<string>
}

const QUOTED = /(?:^|(?<=\s))(?:"([^"]+)"|“([^”]+)”|„([^“”]+)[“”]|«([^»]+)»|'([^']+)'(?=\s|$)|‘([^’]+)’)/gu
const PARENTHESISED = /\(([^()]*)\)/gu

/**
 * Reads an acronym from a surface form: after removing dots, spaces, `&`
 * and a plural `s` after two or more capitals, a single word of 2–12 letters or digits starting with an upper-case
 * letter, with at least two upper-case letters which make up at least half
 * of its letters (`IBM`, `U.S.`, `BoE`, `AT&T`; not `McDonald`, `Ibm`).
 * Returns its letters folded to lower case, or null.
 */
export const acronymOf = (surface: string): string | null => {
  // a plural acronym ("MSAs", "POWs") abbreviates the same name
  const compact = surface.normalize("NFKC").replace(/[.\s&]/gu, "").replace(/(?<=\p{Lu}{2,})[s’']*s$/u, "")
  if (compact.length < 2 || compact.length > 12 || !/^\p{Lu}[\p{L}\p{N}]*$/u.test(compact)) return null
  const letters = compact.replace(/\P{L}/gu, "")
  const upper = letters.replace(/\P{Lu}/gu, "").length
  if (upper < 2 || upper * 2 < letters.length) return null
  return normalizeName(compact).replace(/\s+/gu, "")
}

/**
 * Analyses one surface form of an entity of type class `cls`.
 *
 * Everything is removed only when something is left: "The" alone stays
 * "the", "Mr. Smith" becomes "smith", a lone "Sir" stays "sir".
 * - all classes: quotes removed; a leading English article dropped
 *   (persons: only "the", since "A." can be an initial);
 * - persons: quoted and parenthesised parts become `nicknames`; leading
 *   honorifics dropped (gender recorded); trailing generation suffix and
 *   post-nominal letters dropped (generation recorded);
 * - organisations and types the resolver has no class for: trailing
 *   legal-form suffixes dropped.
 */
export const analyzeName = (surface: string, cls: string): NameForm => {
  const person = cls === "person"
  const nicknames: Array<string> = []
  let text = surface.normalize("NFKC")
  if (person) {
    text = text.replace(QUOTED, (_m, ...groups: Array<string | undefined>) => {
      const inner = groups.slice(0, 6).find((g) => g !== undefined) ?? ""
      for (const t of normalizeName(inner).split(" ")) if (t !== "") nicknames.push(t)
      return " "
    })
    text = text.replace(PARENTHESISED, (_m, inner: string) => {
      for (const t of normalizeName(inner).split(" ")) if (t !== "") nicknames.push(t)
      return " "
    })
  }
  // a person's initials stay separate tokens ("J. H. Dearle" → "j h dearle"), so they can match given names
  const folded = normalizeName(person ? text.replace(/(?<=(?:^|[\s.])\p{L})\./gu, " ") : text)
  let tokens = folded === "" ? [] : folded.split(" ")
  const drop = (n: number, fromEnd = false) => {
    if (tokens.length > n) tokens = fromEnd ? tokens.slice(0, tokens.length - n) : tokens.slice(n)
  }
  if (tokens.length > 1 && ARTICLES.has(tokens[0]!)) drop(1)

  let gender: "m" | "f" | null = null
  let generation: string | null = null
  let fullTokens = tokens
  if (person) {
    while (tokens.length > 1 && HONORIFICS.has(tokens[0]!)) {
      gender = gender ?? HONORIFICS.get(tokens[0]!)!
      drop(1)
    }
    while (tokens.length > 1 && POSTNOMINALS.has(tokens[tokens.length - 1]!)) drop(1, true)
    if (tokens.length > 1) {
      generation = generationOf(tokens[tokens.length - 1]!)
      if (generation !== null) drop(1, true)
    }
    fullTokens = tokens
  } else if (cls !== "location" && cls !== "date") {
    fullTokens = tokens
    while (tokens.length > 1 && LEGAL_FORMS.has(tokens[tokens.length - 1]!)) drop(1, true)
  }
  const key = tokens.length > 0 ? tokens.join(" ") : surface.trim().toLowerCase()
  return {
    surface,
    cls,
    key,
    tokens: tokens.length > 0 ? tokens : [key],
    nicknames: nicknames.filter((n) => !tokens.includes(n)),
    gender,
    generation,
    acronym: acronymOf(surface),
    fullTokens
  }
}

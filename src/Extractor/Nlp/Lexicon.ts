/**
 * The embedded extractor's lexicon: what a word or a run of words can be
 * (a given name, a country, an organisation's head word, a title, …), as a
 * bit set per lower-cased key.
 *
 * Sources, all loaded from maintained npm packages at start-up (nothing is
 * copied into this repository):
 * - `compromise` (MIT, https://github.com/spencermountain/compromise): its
 *   English lexicon's given names (MaleName, FemaleName, FirstName), surnames
 *   (LastName), famous people (Person), countries, regions, cities, places,
 *   organisations and sports teams, honorifics, person nouns (Actor), and its
 *   organisation and place head words (`orgWords`, `placeWords`).
 * - `countries-list` (MIT): country names, native names, aliases, capitals.
 * - `country-region-data` (MIT): first-level regions (states, provinces) of every country.
 * - `city-timezones` (MIT, Natural Earth populated places): 7,300 cities with
 *   their province names.
 *
 * Our own small lists, below, are rules rather than gazetteers: which titles
 * are part of a name as CoNLL-style annotation writes it, AP-style
 * abbreviations of US states (AP Stylebook), and closed-class words.
 */
import * as Effect from "effect/Effect"

/** What a key can be; a key may have several. */
export const F = {
  GIVEN: 1 << 0,
  SURNAME: 1 << 1,
  PERSON: 1 << 2,
  COUNTRY: 1 << 3,
  REGION: 1 << 4,
  CITY: 1 << 5,
  PLACE: 1 << 6,
  ORG: 1 << 7,
  /** Head noun of organisation names: university, party, council, … */
  ORG_WORD: 1 << 8,
  /** Legal-form suffix: Inc., Corp., Ltd., … */
  ORG_SUFFIX: 1 << 9,
  /** Head noun of place names: river, county, island, street, … */
  PLACE_WORD: 1 << 10,
  /** A title written as part of a person's name in CoNLL-style annotation: Mr., Mrs., Dr., President, King, … */
  NAME_TITLE: 1 << 11,
  /** An office or rank written before a name but not part of it: Sen., Gov., Judge, Minister, … */
  TITLE: 1 << 12,
  /** A noun for a person's role or occupation (spokesman, chairman, composer, …); compromise's `Actor`. */
  ROLE: 1 << 13,
  DEMONYM: 1 << 14,
  /** Month or weekday. */
  CALENDAR: 1 << 15,
  /** An abbreviation of a US state or a country (AP style): Calif., N.Y., U.S. */
  PLACE_ABBR: 1 << 16,
  /** Closed-class words that are capitalised only at a sentence start: The, He, But, … */
  FUNCTION: 1 << 17,
  /** Never a name, whatever its case: GMT, TV, a.m. */
  NOT_NAME: 1 << 18,
  /** An ordinary English word in compromise's lexicon (adjective, verb, adverb, common noun, …). */
  COMMON: 1 << 19
} as const

export const LOCATION = F.COUNTRY | F.REGION | F.CITY | F.PLACE | F.PLACE_ABBR

export interface Lexicon {
  /** Flags of one word's key (lower case, trailing period removed). 0 when unknown. */
  readonly word: (key: string) => number
  /** Flags of a run of word keys joined by single spaces (two or more words). 0 when unknown. */
  readonly phrase: (keys: string) => number
  /** Longest phrase in words. */
  readonly maxPhrase: number
}

/** Lookup key of a token: lower case, trailing period dropped. */
export const keyOf = (value: string): string => {
  const lower = value.toLowerCase()
  return lower.length > 1 && lower.endsWith(".") ? lower.slice(0, -1) : lower
}

/** Titles that CoNLL-style annotation keeps inside a person's name ("President Lincoln", "Mrs. Parks"). */
const NAME_TITLES = [
  "mr",
  "mrs",
  "ms",
  "miss",
  "mme",
  "mlle",
  "messrs",
  "dr",
  "rev",
  "madame",
  "madam",
  "mademoiselle",
  "monsieur",
  "president",
  "king",
  "queen",
  "prince",
  "princess",
  "pope",
  "archduke",
  "archduchess",
  "emperor",
  "empress",
  "sheik",
  "sheikh",
  "sir",
  "dame",
  "lady",
  "lord",
  "tsar",
  "czar",
  "shah",
  "sultan",
  "ayatollah",
  "duke",
  "duchess",
  "count",
  "countess",
  "baron",
  "baroness",
  "earl"
]

/** Offices and ranks written before a name but not part of it (the head of a title such as "Foreign Minister"). */
const TITLES = [
  "sen",
  "senator",
  "rep",
  "representative",
  "gov",
  "governor",
  "judge",
  "justice",
  "lt",
  "gen",
  "col",
  "capt",
  "maj",
  "sgt",
  "adm",
  "cmdr",
  "cpl",
  "pvt",
  "atty",
  "supt",
  "prof",
  "professor",
  "premier",
  "minister",
  "secretary",
  "ambassador",
  "mayor",
  "chancellor",
  "chairman",
  "chairwoman",
  "director",
  "commissioner",
  "deputy",
  "spokesman",
  "spokeswoman",
  "chief",
  "officer",
  "attorney",
  "general",
  "inspector",
  "detective",
  "sheriff",
  "bishop",
  "archbishop",
  "cardinal",
  "father",
  "brother",
  "sister",
  "colonel",
  "captain",
  "major",
  "lieutenant",
  "sergeant",
  "admiral",
  "commander",
  "corporal",
  "marshal",
  "president-elect",
  "secretary-general",
  "congressman",
  "congresswoman",
  "delegate",
  "leader",
  "coach",
  "dean",
  "chairperson",
  "envoy",
  "consul",
  "counsel",
  "magistrate",
  "lawmaker",
  "speaker",
  "treasurer",
  "auditor",
  "comptroller",
  "superintendent",
  "rabbi",
  "imam",
  "reverend",
  "pastor",
  "mufti",
  "patriarch",
  "nuncio",
  "gens",
  "sens",
  "reps",
  "msgr",
  "fr",
  "hon",
  "asst",
  "amb",
  "pres"
]

/** Post-nominal suffixes that belong to a person's name. */
export const NAME_SUFFIXES = new Set(["jr", "sr", "ii", "iii", "iv", "esq", "phd", "md"])

/** AP-style abbreviations of US states and a few countries, as keys (lower case, final period dropped). */
const PLACE_ABBREVIATIONS = [
  "ala",
  "ariz",
  "ark",
  "calif",
  "colo",
  "conn",
  "del",
  "fla",
  "ga",
  "ill",
  "ind",
  "kan",
  "kans",
  "ky",
  "la",
  "md",
  "mass",
  "mich",
  "minn",
  "miss",
  "mo",
  "mont",
  "neb",
  "nebr",
  "nev",
  "n.h",
  "n.j",
  "n.m",
  "n.y",
  "n.c",
  "n.d",
  "okla",
  "ore",
  "pa",
  "penn",
  "r.i",
  "s.c",
  "s.d",
  "tenn",
  "tex",
  "vt",
  "va",
  "wash",
  "w.va",
  "wis",
  "wisc",
  "wyo",
  "d.c",
  "u.s",
  "u.k",
  "u.s.a",
  "u.s.s.r",
  "p.r",
  "ny",
  "us",
  "usa",
  "uk",
  "ussr"
]

/** Words that, capitalised, are almost never names: determiners, pronouns, conjunctions, common sentence openers. */
const FUNCTION_WORDS = [
  "the",
  "a",
  "an",
  "this",
  "that",
  "these",
  "those",
  "he",
  "she",
  "it",
  "they",
  "we",
  "i",
  "you",
  "his",
  "her",
  "its",
  "their",
  "our",
  "my",
  "your",
  "but",
  "and",
  "or",
  "nor",
  "so",
  "yet",
  "if",
  "when",
  "while",
  "after",
  "before",
  "although",
  "though",
  "because",
  "since",
  "as",
  "at",
  "in",
  "on",
  "of",
  "for",
  "from",
  "with",
  "by",
  "to",
  "into",
  "there",
  "here",
  "then",
  "now",
  "today",
  "yesterday",
  "tomorrow",
  "meanwhile",
  "however",
  "also",
  "even",
  "only",
  "both",
  "all",
  "some",
  "many",
  "most",
  "no",
  "not",
  "yes",
  "what",
  "who",
  "whom",
  "whose",
  "which",
  "where",
  "why",
  "how",
  "each",
  "every",
  "one",
  "two",
  "three",
  "other",
  "another",
  "such",
  "said",
  "says",
  "according",
  "under",
  "over",
  "about",
  "among",
  "between",
  "during",
  "until",
  "without",
  "within",
  "despite",
  "thus",
  "still",
  "just",
  "again",
  "once",
  "perhaps",
  "maybe",
  "indeed",
  "instead",
  "later",
  "earlier",
  "first",
  "last",
  "next",
  "former",
  "late",
  "ago",
  "would",
  "will",
  "can",
  "could",
  "should",
  "may",
  "might",
  "must",
  "do",
  "does",
  "did",
  "is",
  "are",
  "was",
  "were",
  "be",
  "been",
  "has",
  "have",
  "had",
  "let",
  "well",
  "oh",
  "ah",
  "o",
  "chapter"
]

/**
 * Head nouns of organisation names that compromise's `orgWords` lacks
 * (institutions of state, the military, the press).
 */
const ORG_HEADS = [
  "court",
  "courts",
  "congress",
  "senate",
  "parliament",
  "assembly",
  "duma",
  "knesset",
  "legislature",
  "cabinet",
  "commission",
  "embassy",
  "consulate",
  "government",
  "fleet",
  "navy",
  "guard",
  "corps",
  "agency",
  "network",
  "daily",
  "service",
  "services",
  "party",
  "front",
  "alliance",
  "council",
  "tribunal",
  "bureau",
  "department",
  "administration",
  "institution",
  "center",
  "centre",
  "centers",
  "laboratories",
  "exchange",
  "academy",
  "seminary",
  "conservatory",
  "federation",
  "confederation",
  "league",
  "movement",
  "brigade",
  "brigades",
  "regiment",
  "division",
  "battalion",
  "squadron",
  "command",
  "commission",
  "directorate",
  "secretariat",
  "inspectorate",
  "prosecutor",
  "mission",
  "delegation",
  "organisation",
  "corporation",
  "cooperative",
  "co-op",
  "airlines",
  "airways",
  "railways",
  "railroad",
  "lines",
  "shipping",
  "motors",
  "steel",
  "mills",
  "mining",
  "petroleum",
  "foods",
  "stores",
  "plastics",
  "chemical",
  "electronics",
  "aerospace",
  "aviation",
  "pharmaceuticals",
  "studios",
  "pictures",
  "records",
  "publishing",
  "publications",
  "broadcasting",
  "television",
  "radio",
  "post",
  "tribune",
  "herald",
  "gazette",
  "journal",
  "times",
  "observer",
  "globe",
  "courier",
  "chronicle",
  "monitor",
  "review",
  "magazine",
  "newspaper",
  "shimbun",
  "gazeta",
  "pravda",
  "izvestiya",
  "xinhua",
  "reuters",
  "committee",
  "subcommittee",
  "caucus",
  "union",
  "unions",
  "force",
  "forces",
  "depository",
  "gang",
  "cartel",
  "brotherhood",
  "tass",
  "interfax",
  "press"
]

/** Head nouns of place names that compromise's `placeWords` lacks. */
const PLACE_HEADS = [
  "sea",
  "seas",
  "ocean",
  "channel",
  "canal",
  "square",
  "plaza",
  "plateau",
  "wilderness",
  "prison",
  "penitentiary",
  "jail",
  "mall",
  "seashore",
  "parish",
  "boulevard",
  "highway",
  "freeway",
  "expressway",
  "peak",
  "glacier",
  "delta",
  "archipelago",
  "steppe",
  "statue",
  "shipyard",
  "dam",
  "reservoir",
  "bridge",
  "tunnel",
  "harbor",
  "harbour",
  "port",
  "strip",
  "bank",
  "heights",
  "isthmus",
  "range",
  "sound",
  "everglades",
  "territories"
]

/** World regions that are neither countries nor first-level regions. */
const WORLD_REGIONS = [
  "middle east",
  "near east",
  "far east",
  "western europe",
  "eastern europe",
  "central europe",
  "southern europe",
  "northern europe",
  "central america",
  "latin america",
  "north america",
  "south america",
  "southeast asia",
  "south asia",
  "east asia",
  "central asia",
  "west africa",
  "east africa",
  "north africa",
  "southern africa",
  "sub-saharan africa",
  "the balkans",
  "balkans",
  "scandinavia",
  "caribbean",
  "mediterranean",
  "persian gulf",
  "pacific",
  "atlantic",
  "arctic",
  "antarctic",
  "siberia",
  "sahara",
  "amazon",
  "alps",
  "himalayas",
  "andes",
  "midwest",
  "new england",
  "west bank",
  "gaza",
  "gaza strip",
  "golan heights",
  "kashmir",
  "tibet",
  "kurdistan",
  "transylvania"
]

/** Institutions named by their head word alone ("Congress said …"). */
export const STANDALONE_ORGS = new Set([
  "congress",
  "senate",
  "parliament",
  "navy",
  "army",
  "pentagon",
  "kremlin",
  "cabinet",
  "legislature",
  "politburo",
  "knesset",
  "duma",
  "interpol",
  "nato",
  "vatican",
  "congress's",
  "house"
])

/** Political labels written before a person's name. */
const PARTY_LABELS = [
  "republican",
  "democrat",
  "democratic",
  "conservative",
  "liberal",
  "socialist",
  "communist",
  "labourite",
  "tory",
  "independent",
  "nationalist",
  "loyalist",
  "separatist",
  "shiite",
  "sunni",
  "moslem",
  "muslim",
  "christian",
  "catholic",
  "protestant",
  "jewish",
  "hindu",
  "sikh",
  "buddhist",
  "mormon"
]

/** Time-zone and other upper-case abbreviations that are not names. */
const NOT_NAMES = [
  "gmt",
  "utc",
  "est",
  "edt",
  "cst",
  "cdt",
  "mst",
  "mdt",
  "pst",
  "pdt",
  "bst",
  "cet",
  "am",
  "pm",
  "a.m",
  "p.m",
  "ok",
  "tv",
  "ad",
  "bc",
  "b.c",
  "a.d",
  "no",
  "vs",
  "etc",
  "ps"
]

/** Short state-like names that commonly stand for a country ("Soviet President Gorbachev"). */
const COUNTRY_ALIASES = [
  "soviet",
  "soviet union",
  "britain",
  "great britain",
  "holland",
  "burma",
  "zaire",
  "yugoslavia",
  "czechoslovakia",
  "east germany",
  "west germany",
  "persia",
  "ceylon",
  "rhodesia",
  "siam",
  "america"
]

interface CompromiseModel {
  readonly one: { readonly lexicon: Record<string, string | ReadonlyArray<string>> }
  readonly two: { readonly orgWords: Record<string, unknown>; readonly placeWords: Record<string, unknown> }
}

/** compromise tags of ordinary words. */
const COMMON_TAGS = new Set([
  "Adjective",
  "Adverb",
  "Infinitive",
  "PastTense",
  "PresentTense",
  "Gerund",
  "Participle",
  "Singular",
  "Plural",
  "Uncountable",
  "Noun",
  "Preposition",
  "Conjunction",
  "Determiner",
  "Pronoun",
  "Expression",
  "Comparative",
  "Superlative",
  "Modal",
  "Copula",
  "Verb",
  "PhrasalVerb",
  "Cardinal",
  "Ordinal",
  "TextValue",
  "QuestionWord"
])

const TAG_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ["MaleName", F.GIVEN],
  ["FemaleName", F.GIVEN],
  ["FirstName", F.GIVEN],
  ["LastName", F.SURNAME],
  ["Person", F.PERSON],
  ["Country", F.COUNTRY],
  ["Region", F.REGION],
  ["City", F.CITY],
  ["Place", F.PLACE],
  ["Organization", F.ORG],
  ["SportsTeam", F.ORG],
  ["Demonym", F.DEMONYM],
  ["Actor", F.ROLE],
  ["Month", F.CALENDAR],
  ["WeekDay", F.CALENDAR]
]

/** Builds the lexicon from the packages above (about 400 ms, most of it importing compromise). */
export const loadLexicon: Effect.Effect<Lexicon> = Effect.promise(async () => {
  const [compromise, countriesList, regions, cities] = await Promise.all([
    import("compromise/two"),
    import("countries-list"),
    import("country-region-data"),
    import("city-timezones")
  ])
  const words = new Map<string, number>()
  const phrases = new Map<string, number>()
  let maxPhrase = 1
  const add = (name: string, flag: number) => {
    const key = name.toLowerCase().normalize("NFC").replace(/\s+/g, " ").trim()
    if (key === "") return
    const parts = key.split(" ")
    if (parts.length === 1) {
      words.set(key, (words.get(key) ?? 0) | flag)
    } else {
      phrases.set(key, (phrases.get(key) ?? 0) | flag)
      maxPhrase = Math.max(maxPhrase, parts.length)
      // "Port-au-Prince" as one hyphenated token, too
    }
    if (key.includes("-") && !key.includes(" ")) add(key.replace(/-/g, " "), flag)
  }

  const model = (compromise.default as unknown as { model: () => CompromiseModel }).model()
  for (const [word, tags] of Object.entries(model.one.lexicon)) {
    const list = typeof tags === "string" ? [tags] : tags
    let flags = 0
    for (const [tag, flag] of TAG_FLAGS) if (list.includes(tag)) flags |= flag
    if (list.includes("Abbreviation") && list.includes("Organization")) flags |= F.ORG_SUFFIX
    if (list.includes("Abbreviation") && list.includes("Place")) flags |= F.PLACE_ABBR
    if (list.includes("Honorific")) flags |= F.TITLE
    if (list.some((tag) => COMMON_TAGS.has(tag))) flags |= F.COMMON
    if (flags !== 0) add(word, flags)
  }
  for (const w of Object.keys(model.two.orgWords)) add(w, F.ORG_WORD)
  for (const w of Object.keys(model.two.placeWords)) {
    add(w, F.PLACE_WORD)
    if (!w.endsWith("s")) add(`${w}s`, F.PLACE_WORD) // "Franklin Lakes", "Rocky Mountains"
  }

  for (const c of Object.values(countriesList.countries)) {
    add(c.name, F.COUNTRY)
    // "Bosnia and Herzegovina", "Trinidad and Tobago": each part is a place too.
    if (c.name.includes(" and ")) { for (const part of c.name.split(" and ")) add(part, F.REGION) }
    if (/^[\p{Script=Latin}\s'-]+$/u.test(c.native)) add(c.native, F.COUNTRY)
    for (const a of c.alias ?? []) if (a.length > 3) add(a, F.COUNTRY)
    if (c.capital) add(c.capital, F.CITY)
  }
  for (const [, , list] of regions.allCountries) for (const [name] of list) add(name, F.REGION)
  for (const c of cities.default.cityMapping) {
    add(c.city_ascii, F.CITY)
    if (c.city !== c.city_ascii) add(c.city, F.CITY)
  }

  for (const w of NAME_TITLES) add(w, F.NAME_TITLE)
  for (const w of TITLES) add(w, F.TITLE)
  for (const w of PLACE_ABBREVIATIONS) words.set(w, (words.get(w) ?? 0) | F.PLACE_ABBR)
  for (const w of FUNCTION_WORDS) words.set(w, (words.get(w) ?? 0) | F.FUNCTION)
  for (const w of COUNTRY_ALIASES) add(w, F.COUNTRY)
  for (const w of ORG_HEADS) add(w, F.ORG_WORD)
  for (const w of PLACE_HEADS) add(w, F.PLACE_WORD)
  for (const w of WORLD_REGIONS) add(w, F.REGION)
  for (const c of Object.values(countriesList.continents)) add(c, F.REGION)
  // Party and creed labels before a name behave like demonyms ("Republican Terry Branstad").
  for (const w of PARTY_LABELS) add(w, F.DEMONYM)
  for (const w of NOT_NAMES) words.set(w, (words.get(w) ?? 0) | F.NOT_NAME)
  // Languages are adjectives of nationality for our purposes ("in English").
  for (const l of Object.values(countriesList.languages)) if (!l.name.includes(" ")) add(l.name, F.DEMONYM)
  // Suffixes the compromise lexicon lacks.
  for (
    const w of [
      "corp",
      "co",
      "inc",
      "ltd",
      "plc",
      "llc",
      "gmbh",
      "ag",
      "s.a",
      "n.v",
      "bhd",
      "pty",
      "cos",
      "incorporated"
    ]
  ) add(w, F.ORG_SUFFIX)

  return {
    word: (key) => words.get(key) ?? 0,
    phrase: (keys) => phrases.get(keys) ?? 0,
    maxPhrase
  } satisfies Lexicon
})

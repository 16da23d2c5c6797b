/**
 * Entity recognition for the embedded extractor: rules over wink-nlp's
 * tokens and tags and the {@link Lexicon}.
 *
 * 1. Candidate names are maximal runs of name-like tokens in one sentence
 *    (capitalised, not a closed-class word, not inside a date or amount, not
 *    a document number; at a sentence start only a proper noun or a lexicon
 *    name), joined across `of` after a head word ("Bank of England", "Duchess
 *    of York"), `for`/`on` after an organisation word ("Center for Strategic
 *    Studies"), `and` inside organisation names ("National Aeronautics and
 *    Space Administration"), name particles ("Fernandez de Cevallos"), `&`,
 *    and `'s` inside organisation or place names ("Croatian People's Party").
 * 2. Runs are split at titles ("U.S. Ambassador | Vernon A. Walters",
 *    "Indemerc-Louis Harris | President Vicente Licona"; courtesy titles
 *    always start a person: "Mrs. Hall"), at a place followed by an
 *    upper-case name or a broadcaster (news datelines: "Tokyo | YOMIURI
 *    SHIMBUN", "Paris | Radio Monte Carlo in Arabic"), at an institution
 *    before a person ("Senate | Bob Dole"), and lose a leading demonym or
 *    party label ("Russian | Boris Yeltsin", "Republican | Terry Branstad").
 * 3. Each name gets the type with the strongest evidence, from its own words
 *    (legal-form suffixes, organisation and place head words, gazetteers,
 *    given names and surnames, acronyms) and its context (a title or role
 *    noun before it, "City, State", a preposition of place, a speech verb, an
 *    age in commas). A name with no evidence is a Person if it has two or
 *    more words, else Other.
 * 4. Within the chunk, a name typed by strong evidence types its other
 *    occurrences and, for people, their surnames and given names standing
 *    alone ({@link harmonizeFound}); the document-level pass does the same
 *    across chunks (Consistency.ts).
 *
 * Scores are evidence strengths in [0, 1], not calibrated probabilities.
 */
import { F, type Lexicon, LOCATION, NAME_SUFFIXES, STANDALONE_ORGS } from "./Lexicon.js"
import type { Token, Tokenized } from "./Tokens.js"

export type EntityType = "Person" | "Organization" | "Location" | "Date" | "Money" | "Other"

/** A recognised entity mention: an inclusive token range of the chunk. */
export interface Found {
  type: EntityType
  readonly first: number
  readonly last: number
  /** Strength of the evidence for `type`, in [0, 1]. */
  score: number
  /** The evidence, in words (e.g. `title "Sen."`). */
  reason: string
}

/** Words that qualify the title after them: "Foreign Minister", "Vice President", "Prime Minister". */
const TITLE_MODIFIERS = new Set([
  "prime",
  "foreign",
  "vice",
  "deputy",
  "acting",
  "former",
  "assistant",
  "finance",
  "defense",
  "defence",
  "interior",
  "agriculture",
  "labor",
  "labour",
  "trade",
  "health",
  "justice",
  "economy",
  "education",
  "transport",
  "energy",
  "culture",
  "environment",
  "information",
  "communications",
  "internal",
  "home",
  "chief",
  "first",
  "second",
  "associate",
  "executive",
  "senior",
  "general",
  "attorney",
  "state",
  "district",
  "circuit",
  "supreme",
  "lieutenant",
  "majority",
  "minority",
  "opposition",
  "party",
  "then",
  "ex",
  "managing",
  "national",
  "security",
  "treasury"
])

/** Courtesy titles: what follows them is a person's name. */
const COURTESY = new Set([
  "mr",
  "mrs",
  "ms",
  "miss",
  "mme",
  "madame",
  "madam",
  "mlle",
  "mademoiselle",
  "monsieur",
  "messrs",
  "dr",
  "herr",
  "frau",
  "signor",
  "signora",
  "senor",
  "senora",
  "sir",
  "lady"
])

/** Department words that stand for a minister's office before a name. */
const OFFICE_PREFIXES = new Set([
  "foreign",
  "interior",
  "finance",
  "defense",
  "defence",
  "prime",
  "justice",
  "economy",
  "trade",
  "agriculture",
  "health",
  "education"
])

/** Heads after which "of" continues a name: "Republic of Korea", "Bank of England", "Duke of York". */
const OF_HEADS = new Set([
  "republic",
  "kingdom",
  "federation",
  "commonwealth",
  "union",
  "state",
  "states",
  "isle",
  "isles",
  "gulf",
  "bay",
  "cape",
  "sea",
  "lake",
  "city",
  "province",
  "county",
  "district",
  "duchy",
  "principality",
  "emirate",
  "sultanate",
  "order",
  "league",
  "house",
  "secretary",
  "duke",
  "duchess",
  "prince",
  "princess",
  "king",
  "queen",
  "earl",
  "archduke",
  "count",
  "countess",
  "baron",
  "emperor",
  "lord",
  "lady",
  "archbishop",
  "bishop",
  "sultan",
  "sheik",
  "sheikh",
  "mount",
  "strait",
  "straits",
  "islands",
  "museum",
  "cathedral",
  "church",
  "temple",
  "palace",
  "tower"
])

/** Place heads that come first: "Gulf of Mexico", "Isle of Man", "Mount Everest". */
const LEADING_PLACE_HEADS = new Set([
  "port",
  "mt",
  "ft",
  "lac",
  "loch",
  "republic",
  "kingdom",
  "gulf",
  "isle",
  "isles",
  "bay",
  "cape",
  "sea",
  "lake",
  "mount",
  "strait",
  "straits",
  "islands",
  "province",
  "county",
  "city",
  "state",
  "principality",
  "emirate",
  "sultanate",
  "commonwealth",
  "fort"
])

/** Place heads written before the name: "Lake Constance", "Mount Blanc", "Port Nolloth". */
const PLACE_PREFIXES = new Set(["lake", "mount", "mt", "fort", "ft", "port", "cape", "isle", "lac", "loch"])

/** Lower-case particles inside personal names. */
const NAME_PARTICLES = new Set([
  "de",
  "da",
  "del",
  "della",
  "di",
  "du",
  "van",
  "von",
  "der",
  "den",
  "le",
  "la",
  "bin",
  "ibn",
  "al",
  "el",
  "y",
  "dos",
  "das",
  "ter",
  "ten",
  "zu"
])

/** Prepositions that put a place after them. */
const PLACE_PREPOSITIONS = new Set([
  "in",
  "near",
  "from",
  "into",
  "across",
  "through",
  "toward",
  "towards",
  "outside",
  "throughout",
  "via",
  "to"
])

/** Verbs that follow a person ("…, Epps said"). */
const PERSON_VERBS = new Set([
  "said",
  "says",
  "told",
  "added",
  "asked",
  "replied",
  "wrote",
  "writes",
  "explained",
  "noted",
  "stated",
  "testified",
  "argued",
  "insisted",
  "recalled",
  "declared",
  "announced",
  "died",
  "smiled",
  "laughed",
  "nodded",
  "shouted",
  "cried",
  "whispered",
  "thought",
  "felt",
  "knew",
  "married",
  "believed",
  "admitted",
  "denied",
  "claimed",
  "urged",
  "warned",
  "agreed",
  "contended",
  "acknowledged",
  "predicted",
  "complained",
  "suggested",
  "sighed",
  "exclaimed",
  "answered",
  "murmured",
  "muttered",
  "observed",
  "remarked",
  "looked",
  "turned",
  "sat",
  "stood",
  "walked",
  "saw"
])

/** Nouns for organisations in an appositive: "Eaglebrook Plastics, a company that …". */
const ORG_NOUNS = new Set([
  "company",
  "firm",
  "corporation",
  "group",
  "agency",
  "newspaper",
  "organization",
  "organisation",
  "party",
  "union",
  "maker",
  "manufacturer",
  "bank",
  "chain",
  "network",
  "station",
  "magazine",
  "daily",
  "publisher",
  "subsidiary",
  "unit",
  "team",
  "band",
  "airline",
  "carrier",
  "retailer",
  "supplier",
  "producer",
  "concern",
  "conglomerate",
  "institute",
  "university",
  "foundation",
  "charity",
  "movement",
  "faction",
  "coalition",
  "militia",
  "ministry"
])

/** Heads of names of events, laws and works, which are Other: "World War II", "Clean Air Act". */
const EVENT_HEADS = new Set([
  "war",
  "revolution",
  "olympics",
  "games",
  "cup",
  "championship",
  "championships",
  "festival",
  "summit",
  "treaty",
  "act",
  "accord",
  "accords",
  "agreement",
  "pact",
  "convention",
  "crisis",
  "affair",
  "scandal",
  "massacre",
  "day",
  "prize",
  "award",
  "awards",
  "bill",
  "amendment",
  "doctrine",
  "plan",
  "program",
  "programme",
  "initiative",
  "report",
  "syndrome",
  "disease",
  "effect",
  "law",
  "theorem",
  "expo",
  "fair",
  "marathon",
  "series",
  "bowl",
  "open",
  "trophy"
])

const OPENERS = new Set(["\"", "'", "“", "‘", "(", "[", "«", ":", "—", "–", "_", "--", "`", "``", ";"])
const INITIAL = /^\p{Lu}\.$/u
const ROMAN = /^[IVXLC]+\.?$/
const NUMBER = /^\p{N}+$/u
const CLOSED_POS = new Set(["PRON", "DET", "ADP", "CCONJ", "SCONJ", "AUX", "PART", "INTJ", "PUNCT", "SYM", "NUM"])
const NAME_FLAGS = F.GIVEN | F.SURNAME | F.PERSON | LOCATION | F.ORG | F.NAME_TITLE | F.TITLE

/** Context shared by the rules of one chunk. */
class Recognizer {
  /** Per sentence: written in title case (a headline), so capitals say little. */
  readonly headline: Array<boolean> = []

  constructor(
    readonly tokens: ReadonlyArray<Token>,
    readonly lexicon: Lexicon,
    sentences: ReadonlyArray<readonly [number, number]>
  ) {
    for (const [s0, s1] of sentences) {
      let words = 0
      let lower = 0
      let caps = 0
      for (let k = s0; k <= s1; k++) {
        const t = tokens[k]!
        if (t.pos === "PUNCT" || t.pos === "NUM" || t.pos === "SYM" || t.pos === "SPACE") continue
        words++
        if (t.cap) caps++
        else if (!(t.flags & F.FUNCTION)) lower++
      }
      // Title case: no lower-case word but articles, prepositions and the like; or nearly every word capitalised.
      this.headline[tokens[s0]!.sentence] = words >= 3 && lower === 0 || words >= 6 && caps / words > 0.75
    }
  }

  /** First token of its sentence, or right after an opening quote, bracket or colon. */
  sentenceStart(i: number): boolean {
    const t = this.tokens[i]!
    const p = this.tokens[i - 1]
    if (p === undefined || p.sentence !== t.sentence) return true
    if (OPENERS.has(p.value)) return true
    return false
  }

  /** Can token i be part of a name? */
  nameLike(i: number): boolean {
    const t = this.tokens[i]
    if (t === undefined || !t.cap || t.entity !== "") return false
    if (INITIAL.test(t.value)) return true
    // Document numbers ("OW2102114194") and party-state labels ("D-Ariz.") are not names.
    if (/\p{N}{4,}/u.test(t.value) || /^[DRI]-\p{Lu}/u.test(t.value)) return false
    // "THE NATION": an upper-case article inside an upper-case name.
    if (t.key === "the" && t.upper && this.tokens[i + 1]?.upper && this.tokens[i + 1]!.cap) return true
    if (t.flags & F.CALENDAR && !(t.flags & (F.GIVEN | F.SURNAME))) return false
    if (t.flags & F.FUNCTION && !t.upper || t.flags & F.NOT_NAME) return false
    const lexical = t.flags & NAME_FLAGS
    if (t.pos === "PUNCT" || t.pos === "SYM" || t.pos === "NUM") return false
    if (this.sentenceStart(i) && !t.upper) return t.pos === "PROPN" || lexical !== 0
    return !CLOSED_POS.has(t.pos) || lexical !== 0
  }

  /** Token i stands among upper-case words ("CHAPTER II", "THE VERY END"): its case says nothing. */
  upperContext(i: number): boolean {
    const p = this.tokens[i - 1]
    const n = this.tokens[i + 1]
    const s = this.tokens[i]!.sentence
    return (p?.sentence === s && p.upper) || (n?.sentence === s && n.upper)
  }

  isTitle(i: number): boolean {
    const t = this.tokens[i]!
    if (t.flags & (F.NAME_TITLE | F.TITLE)) return true
    // A capitalised role noun before a name: "Composer Thomas", "Academician M. F. Reshetnov".
    const next = this.tokens[i + 1]
    if (t.flags & F.ROLE && !(t.flags & (F.GIVEN | F.SURNAME | LOCATION)) && next?.cap) {
      if (this.sentenceStart(i) || next.flags & F.GIVEN || INITIAL.test(next.value)) return true
    }
    if (!TITLE_MODIFIERS.has(t.key) || next === undefined) return false
    // "Foreign Minister …"; and a department word alone before a full name ("Foreign Roland Dumas"), as
    // news text that drops the office word has it.
    return (next.flags & (F.TITLE | F.NAME_TITLE)) !== 0 ||
      OFFICE_PREFIXES.has(t.key) && (next.flags & F.GIVEN) !== 0 && this.nameLike(i + 2)
  }

  /** Lexicon flags of tokens [a, b] as one name. */
  flagsOf(a: number, b: number): number {
    if (a === b) return this.tokens[a]!.flags
    if (b - a + 1 > this.lexicon.maxPhrase) return 0
    let keys = this.tokens[a]!.key
    for (let i = a + 1; i <= b; i++) keys += ` ${this.tokens[i]!.key}`
    return this.lexicon.phrase(keys)
  }

  /** Maximal name runs of one sentence, as inclusive token ranges. */
  runs(s0: number, s1: number): Array<[number, number]> {
    const out: Array<[number, number]> = []
    const tokens = this.tokens
    let i = s0
    while (i <= s1) {
      if (!this.nameLike(i)) {
        i++
        continue
      }
      let j = i
      for (;;) {
        const k = j + 1
        if (k > s1) break
        if (this.nameLike(k)) {
          j = k
          continue
        }
        const v = tokens[k]!.value
        if (v === "of" || v === "for" || v === "on") {
          let m = k + 1
          if (tokens[m]?.value === "the") m++
          const head = tokens[j]!
          const joins = head.flags & F.ORG_SUFFIX ? false : v === "of"
            ? head.flags & (F.ORG_WORD | F.PLACE_WORD) || OF_HEADS.has(head.key)
            : head.flags & F.ORG_WORD && !(head.flags & F.PLACE_WORD)
          if (m <= s1 && this.nameLike(m) && joins) {
            j = m
            continue
          }
          break
        }
        if (
          v === "and" && k + 1 <= s1 && this.nameLike(k + 1) &&
          (this.inOrgTail(i, j) && !(tokens[k + 1]!.flags & (F.GIVEN | F.SURNAME | F.PERSON)) ||
            this.orgAfterAnd(j, k + 1, s1))
        ) {
          j = k + 1
          continue
        }
        if (
          NAME_PARTICLES.has(v) && k + 1 <= s1 && this.nameLike(k + 1) &&
          !(tokens[j]!.flags & (F.ORG_WORD | F.ORG_SUFFIX))
        ) {
          j = k + 1
          continue
        }
        if (v === "&" && k + 1 <= s1 && this.nameLike(k + 1)) {
          j = k + 1
          continue
        }
        if (
          (v === "'s" || v === "’s") && k + 1 <= s1 && this.nameLike(k + 1) && this.possessiveInsideOrg(j, k + 1, s1)
        ) {
          j = k + 1
          continue
        }
        break
      }
      out.push([i, j])
      i = j + 1
    }
    return out
  }

  /** "Department of Health and Human Services": [i, j] has an organisation head followed by "of". */
  inOrgTail(i: number, j: number): boolean {
    for (let k = i; k < j; k++) {
      if (this.tokens[k]!.flags & F.ORG_WORD && this.tokens[k + 1]!.value === "of") return true
    }
    return false
  }

  /** "National Aeronautics and Space Administration": the names after "and" end in an organisation head. */
  orgAfterAnd(j: number, m: number, s1: number): boolean {
    if (this.tokens[j]!.flags & (F.ORG_WORD | F.ORG_SUFFIX | LOCATION | F.GIVEN)) return false
    let k = m
    while (k + 1 <= s1 && this.nameLike(k + 1)) k++
    return k - m <= 3 && (this.tokens[k]!.flags & F.ORG_WORD) !== 0 && !(this.tokens[m]!.flags & F.GIVEN)
  }

  /** "People 's Party": the possessive sits inside an organisation name when an org head word follows within three names. */
  possessiveInsideOrg(j: number, m: number, s1: number): boolean {
    const before = this.tokens[j]!
    if (before.flags & (F.ORG_WORD | F.PLACE_WORD | LOCATION)) return false
    for (let k = m; k <= Math.min(s1, m + 2) && this.nameLike(k); k++) {
      if (this.tokens[k]!.flags & (F.ORG_WORD | F.PLACE_WORD) && !(this.tokens[k + 1] && this.nameLike(k + 1))) {
        return true
      }
    }
    return false
  }

  /**
   * Splits a run into mentions and types them. `titled` is set when a title
   * precedes [a, b]: -1 for none, else the index of the first token of the
   * Person mention to be (a name-part title such as "President", or `a`).
   */
  analyse(a: number, b: number, out: Array<Found>, titled = -1, title = ""): void {
    const tokens = this.tokens
    // Drop connectors left at the edges by a split.
    while (a <= b && !tokens[a]!.cap) a++
    while (b >= a && !tokens[b]!.cap) b--
    if (a > b) return
    const lastFlags = tokens[b]!.flags
    // "Mrs. Hall", "Mr. Church": a courtesy title makes a person whatever the surname looks like.
    if (titled < 0 && b > a && COURTESY.has(tokens[a]!.key) && !(lastFlags & F.ORG_SUFFIX)) {
      this.analyse(a + 1, b, out, a, tokens[a]!.value)
      return
    }
    const headed = (lastFlags & (F.ORG_WORD | F.ORG_SUFFIX | F.PLACE_WORD)) !== 0 && b > a

    // A known multi-word name is taken whole.
    if (b > a && this.flagsOf(a, b) & (LOCATION | F.ORG | F.PERSON)) {
      out.push(this.titledType(a, b, titled, title))
      return
    }

    // Titles: [pre] Title [Name]
    if (!headed) {
      for (let t = a; t <= b; t++) {
        if (!this.isTitle(t)) continue
        // "Martin Luther King Jr.": a title word after a given name is a surname.
        if (t > a) {
          const before = tokens[t - 1]!
          if (before.flags & F.GIVEN && !(before.flags & LOCATION) || INITIAL.test(before.value)) continue
          const pre = this.type(a, t - 1)
          if (pre.type === "Person" && pre.score >= 0.75) continue
        }
        let e = t
        while (e + 1 <= b && this.isTitle(e + 1)) e++
        if (tokens[e]!.key === "secretary" && tokens[e + 1]?.value === "of") e += 2
        const post = e + 1
        if (post <= b && tokens[post]!.flags & (F.ORG_WORD | F.PLACE_WORD)) continue
        if (post > b || (post === b && NAME_SUFFIXES.has(tokens[b]!.key))) {
          // A title with no name after it in this run ("U.S. Ambassador"): only what precedes is a name.
          this.analyse(a, t - 1, out)
          return
        }
        this.analyse(a, t - 1, out)
        // Only a name-part title right before the name belongs to it ("Former President Reagan" → "President Reagan").
        this.analyse(post, b, out, tokens[e]!.flags & F.NAME_TITLE ? e : post, tokens[e]!.value)
        return
      }
    }

    // Place + another name: news datelines ("Tokyo YOMIURI SHIMBUN", "Moscow ITAR-TASS"), or a
    // place before a person ("U.S. Elizabeth Dole").
    if (b > a && !tokens[a]!.upper) {
      for (let p = Math.min(b - 1, a + 2); p >= a; p--) {
        const f = this.flagsOf(a, p)
        // "Senate Bob Dole": an institution before a person.
        if (p === a && STANDALONE_ORGS.has(tokens[a]!.key) && tokens[a + 1]!.flags & F.GIVEN && a + 1 < b) {
          out.push({ type: "Organization", first: a, last: a, score: 0.6, reason: "institution" })
          this.analyse(a + 1, b, out, titled, title)
          return
        }
        if (!(f & (F.COUNTRY | F.CITY | F.REGION | F.PLACE_ABBR)) || f & (F.GIVEN | F.PERSON)) continue
        const rest = tokens[p + 1]!
        if ((rest.flags & F.PLACE_ABBR || rest.flags & F.PLACE_WORD) && p + 1 === b) continue
        const person = rest.flags & F.GIVEN && p + 1 < b && !(lastFlags & (F.ORG_WORD | F.ORG_SUFFIX | F.PLACE_WORD))
        // "Havana Radio Reloj Network", "Tunis Tunisian Republic Radio Network": a city, then a broadcaster;
        // "Paris Radio Monte Carlo in Arabic": a news dateline, a city and a source in a language.
        const after = tokens[b + 1]
        const dateline = f & F.CITY && after?.value === "in" && (tokens[b + 2]?.flags ?? 0) & F.DEMONYM &&
          tokens[b + 2]!.sentence === after.sentence
        const media = f & F.CITY &&
          (dateline || p + 1 < b && rest.flags & (F.ORG_WORD | F.DEMONYM) && lastFlags & F.ORG_WORD)
        if (media) {
          out.push({ type: "Location", first: a, last: p, score: 0.8, reason: "known place" })
          out.push({
            type: "Organization",
            first: p + 1,
            last: b,
            score: 0.85,
            reason: `organisation word "${tokens[b]!.value}"`
          })
          return
        }
        if (rest.upper || person) {
          out.push({ type: "Location", first: a, last: p, score: 0.8, reason: "known place" })
          if (person) this.analyse(p + 1, b, out, titled, title)
          else {out.push({
              type: "Organization",
              first: p + 1,
              last: b,
              score: 0.6,
              reason: "upper-case name after a place"
            })}
          return
        }
      }
    }

    // A leading demonym is not part of a name unless an organisation's ("Russian State Duma").
    const t0 = tokens[a]!
    if (t0.flags & F.DEMONYM && !(t0.flags & LOCATION)) {
      if (a === b) return
      if (!(lastFlags & (F.ORG_WORD | F.ORG_SUFFIX))) {
        this.analyse(a + 1, b, out, titled, title)
        return
      }
    }
    out.push(this.titledType(a, b, titled, title))
  }

  /** {@link type}, unless a title precedes the name: then a Person (an organisation's strong evidence still wins). */
  titledType(a: number, b: number, titled: number, title: string): Found {
    const f = this.type(a, b)
    if (
      titled < 0 || f.type === "Organization" && f.score >= 0.8 && !(COURTESY.has(this.tokens[titled]!.key) && a === b)
    ) return f
    return { type: "Person", first: Math.min(titled, a), last: b, score: 0.95, reason: `title "${title}"` }
  }

  /** The best-supported type of the name [a, b], from its words and context. */
  type(a: number, b: number): Found {
    const tokens = this.tokens
    const first = tokens[a]!
    const last = tokens[b]!
    let words = 0
    for (let k = a; k <= b; k++) if (tokens[k]!.cap) words++
    const scores: Record<string, number> = { Person: 0, Organization: 0, Location: 0, Other: 0.2 }
    const reasons: Record<string, string> = { Other: "capitalised word with no cue" }
    const bump = (type: EntityType, score: number, reason: string) => {
      if (score > scores[type]!) {
        scores[type] = score
        reasons[type] = reason
      }
    }

    // The name's own words.
    const whole = this.flagsOf(a, b)
    const personal = (whole & (F.GIVEN | F.SURNAME | F.PERSON)) !== 0
    const known = words > 1 ? 0.05 : 0
    if (whole & F.ORG) bump("Organization", 0.85 + known, "known organisation")
    // A word that is both a place and a personal name ("Florence", "Mary", "Washington") is a place only with a
    // preposition of place before it.
    const s0 = first.sentence
    const before = tokens[a - 1]?.sentence === s0 ? tokens[a - 1] : undefined
    const ambiguous = personal && words === 1
    const placed = before !== undefined && PLACE_PREPOSITIONS.has(before.value)
    if (whole & (F.COUNTRY | F.REGION | F.PLACE_ABBR)) {
      bump("Location", ambiguous ? (placed ? 0.6 : 0.45) : 0.85 + known, "known country or region")
    }
    if (whole & (F.CITY | F.PLACE)) bump("Location", ambiguous ? (placed ? 0.6 : 0.45) : 0.75 + known, "known place")
    if (whole & F.PERSON) bump("Person", words === 1 ? 0.5 : 0.8, "known person")
    if (last.flags & F.ORG_SUFFIX && words > 1) bump("Organization", 0.95, `legal form "${last.value}"`)
    let ofAt = -1
    for (let k = a; k <= b; k++) if (tokens[k]!.value === "of") ofAt = ofAt < 0 ? k : ofAt
    const head = ofAt > a ? tokens[ofAt - 1]! : last
    if (words > 1 && head.flags & F.ORG_WORD) bump("Organization", 0.85, `organisation word "${head.value}"`)
    if (words > 1 && head.flags & F.PLACE_WORD && !(head.flags & F.ORG_WORD)) {
      bump("Location", 0.8, `place word "${head.value}"`)
    }
    if (words > 1 && LEADING_PLACE_HEADS.has(first.key) && (ofAt === a + 1 || PLACE_PREFIXES.has(first.key))) {
      bump("Location", 0.85, `place word "${first.value}"`)
    }
    if (words > 1 && first.flags & F.GIVEN && !(last.flags & (F.ORG_WORD | F.PLACE_WORD))) {
      bump("Person", 0.75, `given name "${first.value}"`)
    }
    if (words > 1 && !(last.flags & (F.ORG_WORD | F.PLACE_WORD))) {
      for (let k = a; k < b; k++) {
        if (tokens[k]!.flags & (F.GIVEN | F.PERSON) && !(tokens[k]!.flags & LOCATION)) {
          bump("Person", 0.7, `given name "${tokens[k]!.value}"`)
          break
        }
      }
    }
    if (words > 1 && last.flags & F.SURNAME && !(last.flags & (F.ORG_WORD | F.PLACE_WORD))) {
      bump("Person", 0.7, `surname "${last.value}"`)
    }
    const event = words > 1 && (EVENT_HEADS.has(last.key) || last.key === "ii" && EVENT_HEADS.has(tokens[b - 1]!.key))
    if (words > 1 && NAME_SUFFIXES.has(last.key) && !event) bump("Person", 0.9, `name suffix "${last.value}"`)
    for (let k = a + 1; k < b; k++) if (INITIAL.test(tokens[k]!.value)) bump("Person", 0.8, "middle initial")
    if (words > 1 && INITIAL.test(first.value) && !first.upper) bump("Person", 0.7, "initial")
    if (words === 1) {
      if (first.flags & F.GIVEN) bump("Person", 0.55, "given name")
      if (first.flags & F.SURNAME) bump("Person", 0.55, "surname")
      const letters = first.value.replace(/[^\p{L}]/gu, "").length
      if (/\p{N}/u.test(first.value)) bump("Other", 0.5, "code")
      else if (
        first.upper && !(whole & LOCATION) && !(first.flags & (F.FUNCTION | F.COMMON | F.GIVEN)) &&
        !ROMAN.test(first.value) && !this.upperContext(a)
      ) {
        bump(
          "Organization",
          first.value.includes(".") ? 0.5 : letters <= 6 || first.value.includes("-") ? 0.6 : 0.3,
          "acronym"
        )
      }
    }

    // Context.
    const s = first.sentence
    const at = (k: number) => (tokens[k]?.sentence === s ? tokens[k] : undefined)
    const prev = at(a - 1)
    const prev2 = at(a - 2)
    const next = at(b + 1)
    const next2 = at(b + 2)
    if (prev && !prev.cap && prev.flags & F.ROLE && prev.pos !== "VERB") bump("Person", 0.8, `role "${prev.value}"`)
    if (next?.value === "," && next2 && NUMBER.test(next2.value) && at(b + 3)?.value === ",") bump("Person", 0.8, "age")
    if (next && PERSON_VERBS.has(next.key) && !next.cap) bump("Person", 0.6, `"${next.value}"`)
    if (prev?.key === "said" && !prev.cap) bump("Person", 0.55, `"said"`)
    if (next?.value === "," && next2?.cap && next2.flags & (F.REGION | F.COUNTRY | F.PLACE_ABBR)) {
      bump("Location", 0.7, "City, State")
    }
    if (prev && PLACE_PREPOSITIONS.has(prev.value) && (words > 1 || first.pos === "PROPN")) {
      bump("Location", 0.45, `"${prev.value}"`)
    }
    if (prev?.value === "the" && prev2 && PLACE_PREPOSITIONS.has(prev2.value)) {
      bump("Location", 0.3, `"${prev2.value} the"`)
    }
    if (next?.value === "-" && next2 && /^(?:based|born|area)$/.test(next2.key)) {
      bump("Location", 0.8, `"-${next2.value}"`)
    }
    if ((prev?.value === "the" || prev?.value === "The") && (words > 1 || first.upper)) {
      bump("Organization", 0.35, `"the"`)
    }
    if (words === 1 && STANDALONE_ORGS.has(first.key)) bump("Organization", 0.6, "institution")
    if (next?.value === "," && next2?.value === "who") bump("Person", 0.6, `", who"`)
    if (next?.value === ",") {
      let k = b + 2
      if (/^(?:a|an|the)$/.test(tokens[k]?.value ?? "")) k++
      for (let m = k; m < k + 4 && at(m) && !at(m)!.cap; m++) {
        if (ORG_NOUNS.has(at(m)!.key)) {
          bump("Organization", 0.7, `"${at(m)!.value}"`)
          break
        }
        if (at(m)!.flags & F.ROLE && !(at(m)!.pos === "VERB")) {
          bump("Person", 0.6, `"${at(m)!.value}"`)
          break
        }
      }
    }
    if (event) bump("Other", 0.6, `event word "${last.value}"`)
    // A lone proper noun that no list knows: most often a surname.
    const headline = this.headline[first.sentence] === true
    let upper = true
    for (let k = a; k <= b; k++) if (tokens[k]!.cap && !tokens[k]!.upper) upper = false
    const clueless = scores.Person === 0 && scores.Organization === 0 && scores.Location === 0
    if (words > 1 && !((upper || headline) && clueless)) bump("Person", 0.35, "capitalised name")

    let type: EntityType = "Other"
    for (const t of ["Organization", "Location", "Person"] as const) if (scores[t]! > scores[type]!) type = t
    return { type, first: a, last: b, score: scores[type]!, reason: reasons[type]! }
  }
}

const normal = (tokens: ReadonlyArray<Token>, f: Found) => {
  let s = ""
  for (let k = f.first; k <= f.last; k++) s += (k > f.first ? " " : "") + tokens[k]!.key
  return s
}

/**
 * Makes the names of one chunk agree: every occurrence of a name takes the
 * type of its best-supported occurrence, and a surname or given name
 * standing alone is a Person when a full name containing it was typed
 * Person with good evidence. Mutates `found`.
 */
export const harmonizeFound = (tokens: ReadonlyArray<Token>, found: Array<Found>): void => {
  const best = new Map<string, Found>()
  const parts = new Map<string, Found>()
  for (const f of found) {
    if (f.type === "Date" || f.type === "Money" || f.type === "Other") continue
    const key = normal(tokens, f)
    const b = best.get(key)
    if (!b || f.score > b.score) best.set(key, f)
    if (f.type === "Person" && f.score >= 0.35 && f.last > f.first) {
      for (let k = f.first; k <= f.last; k++) {
        const t = tokens[k]!
        if (
          !t.cap || INITIAL.test(t.value) || t.flags & (F.NAME_TITLE | F.TITLE | LOCATION | F.ORG_WORD) ||
          NAME_SUFFIXES.has(t.key)
        ) continue
        const p = parts.get(t.key)
        if (!p || f.score > p.score) parts.set(t.key, f)
      }
    }
  }
  for (const f of found) {
    if (f.type === "Date" || f.type === "Money") continue
    const key = normal(tokens, f)
    const b = best.get(key)
    const p = f.first === f.last ? parts.get(key) : undefined
    if (
      p && p !== f && (!b || b.type !== "Person" && b.score < 0.6) && p.score * 0.8 > f.score && f.type !== "Person"
    ) {
      f.type = "Person"
      f.score = p.score * 0.8
      f.reason = `part of the name "${tokens.slice(p.first, p.last + 1).map((t) => t.value).join(" ")}"`
    } else if (b && b !== f && b.type !== f.type && b.score * 0.9 > f.score) {
      f.type = b.type
      f.score = b.score * 0.9
      f.reason = `same name as a ${b.type} (${b.reason})`
    }
  }
}

/**
 * Exclamations and oaths that novels write with capitals ("Good God!",
 * "Ha!", "By Jove"): capitalised, often tagged as proper nouns, never a
 * name. Compared on the run's lower-case words.
 */
const EXCLAMATIONS = new Set([
  "ha",
  "hah",
  "ah",
  "oh",
  "o",
  "alas",
  "hum",
  "hem",
  "pooh",
  "pshaw",
  "bah",
  "eh",
  "aha",
  "hurrah",
  "hullo",
  "halloa",
  "hallo",
  "tut",
  "lo",
  "ay",
  "aye",
  "nay",
  "yea",
  "amen",
  "egad",
  "gad",
  "zounds",
  "heigh",
  "ho",
  "hey",
  "ugh",
  "good god",
  "good heavens",
  "good heaven",
  "good lord",
  "good gracious",
  "gracious heavens",
  "great god",
  "great heavens",
  "merciful heavens",
  "my god",
  "oh god",
  "oh lord",
  "thank god",
  "thank heaven",
  "dear me",
  "by jove",
  "by george",
  "god bless",
  "god knows",
  "heaven knows",
  "lord bless"
])

/** A run that is no one's name: an exclamation, or a lone letter ("I." ending a sentence, "A"). */
const notAName = (tokens: ReadonlyArray<Token>, f: Found): boolean => {
  if (f.type === "Date" || f.type === "Money") return false
  const words = tokens.slice(f.first, f.last + 1).map((t) => t.key.replace(/\.$/, "")).filter((w) =>
    w !== "" && w !== "!"
  )
  if (words.length === 1 && words[0]!.length === 1) return true
  return EXCLAMATIONS.has(words.join(" "))
}

/** Recognises the entity mentions of one tokenized chunk, in text order. */
export const recognize = (tokenized: Tokenized, lexicon: Lexicon): Array<Found> => {
  const { entities, sentences, tokens } = tokenized
  const r = new Recognizer(tokens, lexicon, sentences)
  const found: Array<Found> = []
  for (const e of entities) {
    found.push({
      type: e.type,
      first: e.first,
      last: e.last,
      score: 0.9,
      reason: e.type === "Date" ? "date" : "amount"
    })
  }
  for (const [s0, s1] of sentences) {
    for (const [a, b] of r.runs(s0, s1)) r.analyse(a, b, found)
  }
  const names = found.filter((f) => !notAName(tokens, f))
  harmonizeFound(tokens, names)
  names.sort((x, y) => x.first - y.first || y.last - x.last)
  return names
}

/**
 * Relation extraction for the embedded extractor: lexical patterns over the
 * text between (and around) two typed entity mentions of one sentence.
 *
 * Predicates (subject → object), each with the patterns that state it:
 *
 * | predicate   | subject → object           | stated by, for example                                                     |
 * |-------------|----------------------------|----------------------------------------------------------------------------|
 * | worksFor    | Person → Organization      | "X, president of Y", "Y spokesman X", "X of Y", "X works for Y", "X heads Y" |
 * | memberOf    | Person/Org → Organization  | "X joined Y", "X, a member of Y"                                           |
 * | founded     | Person/Org → Organization  | "X founded Y", "X, founder of Y"                                           |
 * | killed      | Person → Person            | "X killed Y", "Y was shot by X", "X, the assassin of Y", "Y's killer, X", "X … for killing Y" |
 * | livesIn     | Person → Location          | "X of Y" (a place), "Y Governor X", "Y's X", "X lives in Y", "X, … from Y"   |
 * | bornIn      | Person → Location          | "X was born in Y"                                                          |
 * | basedIn     | Organization → Location    | "X in Y", "X of Y", "X, Y", "Y's X", "Y-based X", "X is headquartered in Y", datelines "Y, State (X)" |
 * | locatedIn   | Location → Location        | "X, Y" where Y is a state, region or country; "X in central Y"             |
 * | spouse      | Person → Person            | "X married Y", "X, the wife of Y"                                          |
 * | acquired    | Org/Person → Organization  | "X acquired Y", "X bought Y"                                               |
 *
 * A relation's evidence is its sentence. Relations are stated between
 * mentions at most {@link MAX_GAP} mentions and 200 characters apart.
 * Through a chain of places ("Patchogue, N.Y.", "Yatsushiro in Kumamoto
 * Prefecture"), a relation to the first place also holds for the ones that
 * contain it.
 */
import type { Found } from "./Entities.js"
import { F, type Lexicon } from "./Lexicon.js"
import type { Token } from "./Tokens.js"

export interface FoundRelation {
  readonly subject: Found
  readonly predicate: string
  readonly object: Found
  /** Index of the sentence in the chunk. */
  readonly sentence: number
}

/** Most mentions between the two arguments of a relation, plus one. */
export const MAX_GAP = 5

/** Heads of names of administrative areas, which contain other places: "Kumamoto Prefecture", "Loei Province". */
const ADMIN_HEADS = new Set([
  "province",
  "prefecture",
  "state",
  "county",
  "region",
  "territory",
  "oblast",
  "canton",
  "governorate",
  "emirate",
  "department",
  "district",
  "republic",
  "kingdom"
])

const TITLE_LIKE =
  /^(?:'s|’s|former|then|late|new|acting|first|second|deputy|vice|chief|senior|top|prime|foreign|lady|the|a|an|-)$/

const KILL_VERB =
  "(?:shot\\s+and\\s+killed|shot\\s+dead|shot\\s+to\\s+death|stabbed\\s+to\\s+death|beat\\s+to\\s+death|gunned\\s+down|killed|murdered|assassinated|shot|stabbed|slew|strangled|executed|poisoned|beheaded|hanged|lynched)"
const KILL_NOUN =
  "(?:assassinat(?:e|ed|ing|ion\\s+of)|kill(?:ed|ing)?(?:\\s+of)?|murder(?:ed|ing)?(?:\\s+of)?|slaying\\s+of|slew|shoot(?:ing)?(?:\\s+of)?|shot(?:\\s+and\\s+(?:killed|mortally\\s+wounded|fatally\\s+wounded))?|stabb?(?:ed|ing)?(?:\\s+of)?|death\\s+of)"
const DIRECTION =
  "(?:north|south|east|west|northern|southern|eastern|western|central|northeast|northwest|southeast|southwest|northeastern|northwestern|southeastern|southwestern|upstate|downstate|coastal|rural|suburban|downtown)"

const RX = {
  personRoleOf:
    /^\s*,\s*(?:[^,]{1,30},\s*)?(?:(?:a|an|the|its|his|her|their)\s+)?(?:[\p{L}'.-]+\s+){0,5}?(?:of|for|at|with|in)\s+(?:the\s+)?$/u,
  personCommaArticle: /^\s*,\s*(?:a|an|the)\s+(?:former\s+|senior\s+|top\s+|chief\s+)?$/u,
  personOf: /^\s*(?:,\s*\d+\s*)?,?\s*(?:of|at)\s+(?:the\s+)?$/u,
  named:
    /^\s*,?\s*(?:who\s+)?(?:(?:has|had|have)\s+been\s+|was\s+|is\s+|were\s+)?(?:named|appointed|elected|hired\s+as|promoted\s+to|chosen\s+as)\s+(?:the\s+|a\s+|an\s+)?(?:[\p{L}-]+\s+){0,3}?(?:of|at|for)\s+(?:the\s+)?$/u,
  personFrom: /^\s*(?:,\s*\d+\s*,\s*)?(?:(?:is|was|comes|came|hails)\s+)?(?:of|from)\s+(?:the\s+)?$/u,
  personRoleFrom: /^\s*,\s*(?:\d+\s*,\s*)?(?:(?:a|an|the)\s+)?(?:[\p{L}'.-]+\s+){0,5}?(?:of|from)\s+(?:the\s+)?$/u,
  worksVerb:
    /^\s*(?:,\s*(?:who|which)\s+)?(?:(?:also|now|later|then|currently|still)\s+)?(?:(?:is|was)\s+)?(?:works?|worked|working|employed|heads|headed|leads|led|runs|ran|chairs|chaired|directs|directed|manages|managed|serves|served|teaches|taught|covers|covered)\s+(?:(?:for|at|with|in|on|as\s+[\p{L}\s]{1,30}?\s+(?:of|for|at))\s+)?(?:the\s+)?$/u,
  founded:
    /^\s*(?:,\s*(?:who|which)\s+)?(?:(?:also|later)\s+)?(?:(?:co-?)?found(?:ed|s)|established|set\s+up|started|created)\s+(?:the\s+)?$|^\s*,\s*(?:the\s+|a\s+)?(?:co-?)?founder\s+of\s+(?:the\s+)?$/u,
  joined:
    /^\s*(?:,\s*(?:who|which)\s+)?(?:joined|(?:is|was|became)\s+a\s+member\s+of)\s+(?:the\s+)?$|^\s*,\s*(?:a|an)\s+(?:\p{L}+\s+)?member\s+of\s+(?:the\s+)?$/u,
  killActive: new RegExp(
    `^\\s*(?:,[^,]{0,60},\\s*)?(?:(?:allegedly|reportedly|fatally|mortally|later|then|had)\\s+)?${KILL_VERB}\\s+$`,
    "u"
  ),
  killPassive: new RegExp(
    `^\\s*(?:,[^,]{0,60},\\s*)?(?:(?:was|were|had\\s+been|has\\s+been|is|being)\\s+)?(?:fatally\\s+|mortally\\s+)?(?:${KILL_VERB}|slain|wounded|cut\\s+down)\\b[^.;]{0,60}?\\bby\\s+(?:\\p{Ll}[\\p{L}-]*\\s+){0,3}$`,
    "u"
  ),
  killAppositive: /^\s*,\s*(?:(?:the|a|an)\s+)?(?:[\p{L}-]+\s+){0,2}?(?:assassin|killer|murderer|slayer)\s+of\s+$/u,
  killPossessive: /^\s*(?:'s|’s)\s+(?:[\p{L}-]+\s+){0,2}?(?:assassin|killer|murderer|slayer)\s*,?\s*$/u,
  // the killing verb or noun, then at most three words describing the victim ("murdering Phoenix newspaper reporter")
  killNominal: new RegExp(
    `\\b${KILL_NOUN}\\s+(?:the\\s+)?(?:(?:former|then|late|his|her|their|[\\p{L}.-]*\\p{Lu}[\\p{L}.-]*|[\\p{Ll}-]+(?:er|or|ist|man|woman|ian|ant|ent))\\s+){0,3}$`,
    "u"
  ),
  killCompound: /\b(?:in|for|of|with|to)\s+the\s+$/u,
  killAfter: /^\s*(?:'s\s+)?(?:slaying|assassination|murder|killing|shooting)\b/u,
  lives:
    /^\s*(?:,[^,]{0,40},\s*)?(?:,?\s*who\s+)?(?:(?:is|was|has|had|have)\s+)?(?:also\s+)?(?:lives?|lived|living|resides?|resided|residing|grew\s+up|settled|moved|returned(?:\s+home)?|a\s+native|native|home)\b[^.;]{0,40}?\b(?:in|to|of|at|near)\s+(?:the\s+)?$/u,
  born: /^\s*(?:,[^,]{0,40},\s*)?(?:,?\s*who\s+)?(?:(?:was|is)\s+)?born\b[^.;]{0,40}?\bin\s+(?:the\s+)?$/u,
  orgIn:
    /^\s*(?:,\s*(?:which\s+is\s+|based\s+|headquartered\s+|located\s+)?|(?:(?:is|was|are|were)\s+)?(?:(?:based|headquartered|located|situated)\s+)?(?:in|of|at|near)\s+(?:the\s+)?(?:(?:city|town|state|province|capital)\s+of\s+)?)$/u,
  placeThenOrg: /^\s*(?:'s|’s)?\s*$/u,
  possessiveRole: /^\s*(?:'s|’s)\s+(?:[\p{L}-]+\s+){0,4}?[\p{L}-]+\s*,\s*$/u,
  basedHyphen: /^-based\s+(?:[\p{Ll}-]+\s+){0,3}$/u,
  comma: /^\s*,\s*$/u,
  possessive: /^\s*(?:'s|’s)\s*$/u,
  dateline: /^\s*(?:,[^()]{0,60}?)?\(\s*$/u,
  placeIn: new RegExp(`^\\s*(?:,\\s*)?(?:in|of)\\s+(?:the\\s+)?(?:${DIRECTION}\\s+)?$`, "u"),
  spouse:
    /^\s*(?:,[^,]{0,40},\s*)?(?:married|weds?|wedded)\s+$|^\s*,\s*(?:the\s+|his\s+|her\s+)?(?:wife|husband|widow|widower|spouse)\s+of\s+$/u,
  acquired:
    /^\s*(?:,[^,]{0,40},\s*)?(?:(?:has|had|have)\s+)?(?:acquired|bought|purchased|took\s+over|has\s+taken\s+over|agreed\s+to\s+(?:buy|acquire))\s+(?:the\s+)?$/u
}

/**
 * The relations stated in one chunk. `found` are the chunk's mentions,
 * typed; `text` is the chunk's text (token offsets index it).
 */
export const relate = (
  text: string,
  tokens: ReadonlyArray<Token>,
  found: ReadonlyArray<Found>,
  lexicon: Lexicon
): Array<FoundRelation> => {
  const out: Array<FoundRelation> = []
  const named = found.filter((f) => f.type === "Person" || f.type === "Organization" || f.type === "Location")
  const flagsOf = (f: Found) => {
    if (f.first === f.last) return tokens[f.first]!.flags
    let keys = tokens[f.first]!.key
    for (let k = f.first + 1; k <= f.last; k++) keys += ` ${tokens[k]!.key}`
    return lexicon.phrase(keys)
  }
  /** A place that contains others: a state, region or country (or an abbreviation of one). */
  const isContainer = (f: Found) =>
    f.type === "Location" &&
    ((flagsOf(f) & (F.COUNTRY | F.REGION | F.PLACE_ABBR)) !== 0 || ADMIN_HEADS.has(tokens[f.last]!.key))
  const titleLike = (a: number, b: number) => {
    let titled = false
    let unknown = 0
    for (let k = a; k <= b; k++) {
      const t = tokens[k]!
      if (t.flags & (F.TITLE | F.NAME_TITLE | F.ROLE)) titled = true
      else if (t.cap && k < b && ++unknown <= 2) continue // "CNEN Radioprotection Director …"
      else if (!TITLE_LIKE.test(t.key) && t.pos !== "ADJ" && !(t.flags & F.DEMONYM)) return false
    }
    return titled && (tokens[b]!.flags & (F.TITLE | F.NAME_TITLE | F.ROLE)) !== 0
  }

  /** "CBS anchorman", "Rochester teacher union leader": a few lower-case nouns ending in a role. */
  const roleNouns = (a: number, b: number) => {
    if (b < a || b - a > 3) return false
    for (let k = a; k <= b; k++) {
      const t = tokens[k]!
      if (t.cap || !(t.pos === "NOUN" || t.pos === "ADJ" || t.pos === "PROPN")) return false
    }
    return (tokens[b]!.flags & (F.ROLE | F.TITLE)) !== 0 ||
      tokens[b]!.pos === "NOUN" && ROLE_ENDING.test(tokens[b]!.key)
  }

  const bySentence = new Map<number, Array<Found>>()
  for (const f of named) {
    const s = tokens[f.first]!.sentence
    const list = bySentence.get(s)
    if (list) list.push(f)
    else bySentence.set(s, [f])
  }
  const add = (subject: Found, predicate: string, object: Found, sentence: number) => {
    if (subject !== object) out.push({ subject, predicate, object, sentence })
  }

  for (const [sentence, list] of bySentence) {
    const commaChain = new Map<Found, Array<Found>>() // place → the places that contain it, by "X, Y"
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length && j - i <= MAX_GAP; j++) {
        const x = list[i]!
        const y = list[j]!
        const from = tokens[x.last]!.end
        // Titles before the second name are read as part of it ("… of assassinating Sen. Robert F. Kennedy").
        let yStart = y.first
        while (yStart - 1 > x.last && tokens[yStart - 1]!.cap && tokens[yStart - 1]!.flags & (F.TITLE | F.NAME_TITLE)) {
          yStart--
        }
        const to = tokens[yStart]!.start
        if (to - from > 200) break
        const between = text.slice(from, to).toLowerCase().replace(/\s+/g, " ")
        const inner = list.slice(i + 1, j)
        const innerHas = (type: string) => inner.some((f) => f.type === type)
        const adjacent = inner.length === 0
        const X = x.type
        const Y = y.type
        const titled = () =>
          y.first > x.last + 1
            ? titleLike(x.last + 1, y.first - 1) || roleNouns(x.last + 1, y.first - 1) ||
              RX.possessiveRole.test(between) && hasRole(tokens, x.last + 1, y.first - 1)
            : (tokens[y.first]!.flags & F.NAME_TITLE) !== 0

        if (X === "Person" && Y === "Organization" && adjacent) {
          if (RX.founded.test(between)) add(x, "founded", y, sentence)
          else if (RX.joined.test(between)) add(x, "memberOf", y, sentence)
          else if (RX.worksVerb.test(between) || RX.personOf.test(between) || RX.named.test(between)) {
            add(x, "worksFor", y, sentence)
          } else if (
            RX.personRoleOf.test(between) && y.first > x.last + 1 && hasRole(tokens, x.last + 1, y.first - 1)
          ) add(x, "worksFor", y, sentence)
        }
        if (
          X === "Organization" && Y === "Person" && adjacent &&
          (titled() || RX.placeThenOrg.test(between) && between.includes("'"))
        ) {
          add(y, "worksFor", x, sentence)
        }
        // "Susan Cruzan, an FDA spokeswoman"
        if (
          X === "Person" && Y === "Organization" && adjacent &&
          (RX.personCommaArticle.test(between) || RX.comma.test(between)) &&
          roleAfter(tokens, y.last + 1, sentence)
        ) {
          add(x, "worksFor", y, sentence)
        }
        // "the chairman of the United Djibouti Opposition Front, Mohamed Ahmed Issa"
        if (
          X === "Organization" && Y === "Person" && adjacent && RX.comma.test(between) &&
          roleOfBefore(tokens, x.first, sentence)
        ) {
          add(y, "worksFor", x, sentence)
        }
        if (X === "Organization" && Y === "Organization" && adjacent && RX.acquired.test(between)) {
          add(x, "acquired", y, sentence)
        }
        if (X === "Person" && Y === "Person" && !innerHas("Person")) {
          if (RX.killPassive.test(between)) add(y, "killed", x, sentence)
          else if (adjacent && RX.killPossessive.test(between)) add(y, "killed", x, sentence)
          else if (RX.killActive.test(between) || RX.killAppositive.test(between)) add(x, "killed", y, sentence)
          else if (
            !/\bby\b/.test(between) && (RX.killNominal.test(between) ||
              RX.killCompound.test(between) &&
                RX.killAfter.test(text.slice(tokens[y.last]!.end, tokens[y.last]!.end + 20).toLowerCase()))
          ) {
            add(x, "killed", y, sentence)
          } else if (RX.spouse.test(between)) add(x, "spouse", y, sentence)
        }
        if (X === "Person" && Y === "Location" && !innerHas("Person")) {
          if (RX.born.test(between)) add(x, "bornIn", y, sentence)
          else if (RX.lives.test(between)) add(x, "livesIn", y, sentence)
          else if (adjacent && (RX.personFrom.test(between) || RX.personRoleFrom.test(between))) {
            add(x, "livesIn", y, sentence)
          }
        }
        if (
          X === "Location" && Y === "Person" && adjacent &&
          (titled() || RX.placeThenOrg.test(between) && between.includes("'"))
        ) {
          add(y, "livesIn", x, sentence)
        }
        if (X === "Organization" && Y === "Location" && adjacent && RX.orgIn.test(between)) {
          add(x, "basedIn", y, sentence)
        }
        // News datelines: "MILLINOCKET, Maine (AP)", "Seoul, May 20 (YONHAP) --"
        if (
          X === "Location" && Y === "Organization" && inner.every((f) => f.type === "Location") &&
          RX.dateline.test(between) &&
          /^\s*\)/u.test(text.slice(tokens[y.last]!.end, tokens[y.last]!.end + 3))
        ) {
          add(y, "basedIn", x, sentence)
        }
        if (
          X === "Location" && Y === "Organization" && adjacent &&
          (RX.placeThenOrg.test(between) || RX.basedHyphen.test(between))
        ) {
          add(y, "basedIn", x, sentence)
        }
        if (X === "Location" && Y === "Location" && adjacent) {
          if (RX.comma.test(between) && isContainer(y) && !(flagsOf(x) & F.COUNTRY)) {
            add(x, "locatedIn", y, sentence)
            const chain = commaChain.get(x)
            if (chain) chain.push(y)
            else commaChain.set(x, [y])
          } else if (RX.placeIn.test(between) && isContainer(y) && !(flagsOf(x) & F.COUNTRY)) {
            add(x, "locatedIn", y, sentence)
            const chain = commaChain.get(x)
            if (chain) chain.push(y)
            else commaChain.set(x, [y])
          } else if (RX.possessive.test(between) && !isContainer(y)) {
            // "Zambia's Kafue River", "Beijing's Tiananmen Square"
            add(y, "locatedIn", x, sentence)
          }
        }
        // "Morihiro Hosokawa, Japan's prime minister", "Richard Taylor, an Atlanta architect"
        if (X === "Person" && Y === "Location" && adjacent) {
          const after = tokens[y.last + 1]
          if (
            RX.comma.test(between) && (after?.value === "'s" || after?.value === "’s") &&
              isRole(tokens, y.last + 2, sentence) ||
            RX.personCommaArticle.test(between) && isRole(tokens, y.last + 1, sentence)
          ) {
            add(x, "livesIn", y, sentence)
          }
        }
      }
    }
    // Relations to a place also hold for the places after it in "X, Y, Z" (Patchogue, N.Y.).
    const extra: Array<FoundRelation> = []
    for (const r of out) {
      if (r.sentence !== sentence || r.object.type !== "Location") continue
      for (const outer of commaChain.get(r.object) ?? []) {
        if (outer !== r.subject) extra.push({ ...r, object: outer })
      }
    }
    // "Fire Island National Seashore, Patchogue, N.Y.": a non-container place followed by a place chain.
    for (let i = 0; i + 2 < list.length; i++) {
      const [a, b, c] = [list[i]!, list[i + 1]!, list[i + 2]!]
      const ab = text.slice(tokens[a.last]!.end, tokens[b.first]!.start)
      if (
        a.type === "Location" && b.type === "Location" && RX.comma.test(ab) && !isContainer(b) &&
        commaChain.get(b)?.includes(c)
      ) {
        extra.push({ subject: a, predicate: "locatedIn", object: b, sentence })
        extra.push({ subject: a, predicate: "locatedIn", object: c, sentence })
      }
    }
    const seen = new Set(out.map((r) => `${r.subject.first}:${r.predicate}:${r.object.first}`))
    for (const r of extra) {
      const key = `${r.subject.first}:${r.predicate}:${r.object.first}`
      if (!seen.has(key)) {
        seen.add(key)
        out.push(r)
      }
    }
  }
  return out
}

/** Lower-case nouns that name a role by their ending: manager, director, economist, spokesman, … */
const ROLE_ENDING = /(?:er|or|ist|man|woman|ant|ent|ian|ee|ive|ary)$/

/** Token k is a role noun: in the lexicon's person nouns or titles, or a lower-case noun with a role ending. */
const isRole = (tokens: ReadonlyArray<Token>, k: number, sentence: number) => {
  const t = tokens[k]
  if (t === undefined || t.sentence !== sentence) return false
  return (t.flags & (F.ROLE | F.TITLE | F.NAME_TITLE)) !== 0 || !t.cap && t.pos === "NOUN" && ROLE_ENDING.test(t.key)
}

const hasRole = (tokens: ReadonlyArray<Token>, a: number, b: number) => {
  for (let k = a; k <= b; k++) if (isRole(tokens, k, tokens[k]!.sentence)) return true
  return false
}

/** "Red Cross disaster chairman": at most two lower-case nouns, then a role, from token k on. */
const roleAfter = (tokens: ReadonlyArray<Token>, k: number, sentence: number) => {
  for (let m = k; m <= k + 2; m++) {
    if (isRole(tokens, m, sentence)) return true
    const t = tokens[m]
    if (t === undefined || t.sentence !== sentence || t.cap || t.pos !== "NOUN") return false
  }
  return false
}

/** "chairman of (the) X": a role and "of", "for" or "at" right before token `first`. */
const roleOfBefore = (tokens: ReadonlyArray<Token>, first: number, sentence: number) => {
  let k = first - 1
  if (tokens[k]?.key === "the") k--
  if (!/^(?:of|for|at)$/.test(tokens[k]?.key ?? "")) return false
  return isRole(tokens, k - 1, sentence)
}

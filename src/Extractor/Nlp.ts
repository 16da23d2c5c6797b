/**
 * The embedded offline extractor: rule-based entity recognition and
 * pattern-based relations over wink-nlp's tokens, part-of-speech tags and
 * entity recogniser (https://winkjs.org/wink-nlp/). No network, no key.
 *
 * Entities: Person, Organization, Location (proper-noun runs typed by
 * honorifics, cue words and context), Date and Money (wink-nlp's recogniser),
 * and Other for proper names with no cue. Relations: lexical patterns between
 * two entity mentions of one sentence (see {@link PATTERNS}).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Chunk } from "../Domain/Chunk.js"
import { ChunkExtraction, ExtractedRelation, Mention } from "../Domain/Extraction.js"
import { CodePointIndex, shiftSpan } from "../Domain/Span.js"
import { Extractor } from "../Extractor.js"
import { WinkNlp } from "../WinkNlp.js"

/** Titles that announce a person's name (compared without a trailing period, lower case). */
const HONORIFICS = new Set([
  "mr", "mrs", "ms", "miss", "mister", "madam", "madame", "dr", "doctor", "prof", "professor", "sir", "dame", "lady",
  "lord", "rev", "reverend", "father", "sister", "brother", "captain", "capt", "col", "colonel", "gen", "general",
  "major", "lieutenant", "lt", "sgt", "sergeant", "president", "senator", "governor", "judge", "justice", "king",
  "queen", "prince", "princess", "duke", "duchess", "count", "countess", "baron", "inspector", "uncle", "aunt",
  "mme", "mlle", "st", "saint", "pope", "bishop", "chancellor", "minister", "secretary", "ambassador", "mayor"
])

/** Words that make a proper-noun run an organization. */
const ORG_CUES = new Set([
  "inc", "corp", "corporation", "co", "company", "ltd", "llc", "plc", "gmbh", "ag", "sa", "group", "bank", "university",
  "college", "school", "institute", "academy", "society", "association", "church", "party", "army", "navy", "council",
  "committee", "commission", "department", "ministry", "agency", "bureau", "office", "court", "congress", "senate",
  "parliament", "union", "league", "club", "foundation", "fund", "trust", "museum", "hospital", "press", "times",
  "news", "airlines", "railway", "railroad", "motors", "industries", "systems", "technologies", "laboratories",
  "labs", "federation", "organization", "organisation", "board", "administration", "corps", "brigade", "regiment",
  "house", "firm", "associates", "partners", "brothers", "bros"
])

/** Words that make a proper-noun run a location. */
const LOC_CUES = new Set([
  "street", "st", "road", "avenue", "lane", "square", "place", "river", "lake", "mountain", "mountains", "mount",
  "valley", "island", "islands", "bay", "sea", "ocean", "city", "county", "state", "states", "province", "kingdom",
  "republic", "hill", "hills", "park", "bridge", "harbor", "harbour", "coast", "forest", "desert", "creek", "gulf",
  "strait", "peninsula", "village", "town", "district", "region", "hall", "castle", "abbey", "cathedral", "station"
])

/** Prepositions that, before a proper name with no other cue, suggest a place. */
const LOC_PREPOSITIONS = new Set(["in", "at", "from", "to", "near", "into", "toward", "towards", "across", "through"])

/** Connectors allowed inside a proper-noun run ("Bank of England", "Procter & Gamble"). */
const CONNECTORS = new Set(["of", "&", "and", "de", "la", "van", "von", "der", "du", "da", "del"])

interface Token {
  readonly value: string
  readonly lower: string
  readonly pos: string
  /** UTF-16 range within the chunk text. */
  readonly start: number
  readonly end: number
  readonly sentence: number
}

interface Found {
  readonly type: string
  readonly start: number
  readonly end: number
  readonly first: number
  readonly last: number
  readonly sentence: number
}

/**
 * Relation patterns: a regular expression that must match the text between
 * the subject and object mentions of one sentence (subject first), the
 * predicate it yields, and the entity types it requires.
 */
export const PATTERNS: ReadonlyArray<{
  readonly predicate: string
  readonly between: RegExp
  readonly subject: ReadonlyArray<string>
  readonly object: ReadonlyArray<string>
}> = [
  { predicate: "founded", between: /^\s*(?:,[^,]*,\s*)?(?:co-?)?found(?:ed|s)\s+(?:the\s+)?$/i, subject: ["Person", "Organization"], object: ["Organization"] },
  { predicate: "founded", between: /^\s*,?\s*(?:the\s+)?(?:co-?)?founder\s+of\s+(?:the\s+)?$/i, subject: ["Person"], object: ["Organization"] },
  { predicate: "worksFor", between: /^\s*(?:,[^,]*,\s*)?(?:works?|worked|working|is\s+employed|was\s+employed)\s+(?:for|at|with)\s+(?:the\s+)?$/i, subject: ["Person"], object: ["Organization"] },
  { predicate: "worksFor", between: /^\s*,?\s*(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,3}(?:president|chairman|chairwoman|director|chief|ceo|head|spokes(?:man|woman|person)|member|employee|officer|manager|leader|editor|professor|secretary|minister|partner|clerk)\s+(?:of|at|for)\s+(?:the\s+)?$/i, subject: ["Person"], object: ["Organization"] },
  { predicate: "memberOf", between: /^\s*(?:,[^,]*,\s*)?(?:joined|is\s+a\s+member\s+of|was\s+a\s+member\s+of)\s+(?:the\s+)?$/i, subject: ["Person", "Organization"], object: ["Organization"] },
  { predicate: "locatedIn", between: /^\s*(?:,\s*|\s+(?:is|was|are|were)\s+)?(?:located|based|headquartered|situated)\s+(?:in|at|near)\s+(?:the\s+)?$/i, subject: ["Organization", "Location"], object: ["Location"] },
  { predicate: "locatedIn", between: /^\s*,\s*$/, subject: ["Location"], object: ["Location"] },
  { predicate: "livesIn", between: /^\s*(?:,[^,]*,\s*)?(?:lives?|lived|living|resides?|resided|settled)\s+(?:in|at)\s+(?:the\s+)?$/i, subject: ["Person"], object: ["Location"] },
  { predicate: "bornIn", between: /^\s*(?:,[^,]*,\s*)?(?:was\s+)?born\s+(?:[^,.;]{0,40}\s+)?in\s+$/i, subject: ["Person"], object: ["Location"] },
  { predicate: "spouse", between: /^\s*(?:,[^,]*,\s*)?(?:married|weds?|wedded)\s+$/i, subject: ["Person"], object: ["Person"] },
  { predicate: "spouse", between: /^\s*,?\s*(?:the\s+)?(?:wife|husband|widow|widower)\s+of\s+$/i, subject: ["Person"], object: ["Person"] },
  { predicate: "killed", between: /^\s*(?:,[^,]*,\s*)?(?:killed|murdered|assassinated|shot|slew|stabbed)\s+$/i, subject: ["Person"], object: ["Person"] },
  { predicate: "acquired", between: /^\s*(?:,[^,]*,\s*)?(?:acquired|bought|purchased|took\s+over)\s+(?:the\s+)?$/i, subject: ["Organization", "Person"], object: ["Organization"] }
]

const bare = (s: string) => s.replace(/\.$/, "").toLowerCase()
const isCapitalised = (s: string) => /^\p{Lu}/u.test(s)

export const make = Effect.gen(function*() {
  const { as, its, nlp } = yield* WinkNlp

  const tokensOf = (text: string) => {
    const doc = nlp.readDoc(text)
    const values = doc.tokens().out(its.value) as Array<string>
    const spaces = doc.tokens().out(its.precedingSpaces) as Array<string>
    const pos = doc.tokens().out(its.pos) as Array<string>
    const sentenceOf = new Int32Array(values.length)
    doc.sentences().each((s: any, k: number) => {
      const [a, b] = s.out(its.span) as unknown as [number, number]
      for (let i = a; i <= b; i++) sentenceOf[i] = k
    })
    const tokens: Array<Token> = []
    let at = 0
    for (let i = 0; i < values.length; i++) {
      at += spaces[i]!.length
      const v = values[i]!
      tokens.push({ value: v, lower: v.toLowerCase(), pos: pos[i]!, start: at, end: at + v.length, sentence: sentenceOf[i]! })
      at += v.length
    }
    // wink's own entities (dates, money) as token ranges
    const winkEntities: Array<{ type: string; first: number; last: number }> = []
    doc.entities().each((e: any) => {
      const type = e.out(its.type) as string
      const [first, last] = e.out(its.span) as unknown as [number, number]
      if (type === "DATE") winkEntities.push({ type: "Date", first, last })
      else if (type === "MONEY") winkEntities.push({ type: "Money", first, last })
    })
    void as
    return { tokens, winkEntities, consistent: at <= text.length }
  }

  /** Type of a proper-noun run [first, last], from its words and what precedes it. */
  const typeOf = (tokens: ReadonlyArray<Token>, first: number, last: number): string => {
    const words = tokens.slice(first, last + 1).map((t) => bare(t.value))
    if (words.some((w) => ORG_CUES.has(w))) return "Organization"
    if (words.slice(1).some((w) => LOC_CUES.has(w)) || (words.length > 1 && LOC_CUES.has(words[0]!) && words[1] === "of")) {
      return "Location"
    }
    const prev = first > 0 ? tokens[first - 1]! : undefined
    if (prev && HONORIFICS.has(bare(prev.value)) && isCapitalised(prev.value)) return "Person"
    if (words.length >= 2 && words.every((w, i) => CONNECTORS.has(w) === false || (i > 0 && i < words.length - 1))) {
      // Two or more capitalised words with no cue: most often a person's full name.
      return "Person"
    }
    if (prev && LOC_PREPOSITIONS.has(prev.lower)) return "Location"
    return "Other"
  }

  const extract = Effect.fn("NlpExtractor.extract")(function*(chunk: Chunk) {
    const text = chunk.span.text
    const index = new CodePointIndex(text)
    const { consistent, tokens, winkEntities } = tokensOf(text)
    const found: Array<Found> = []
    if (consistent) {
      const taken = new Uint8Array(tokens.length)
      for (const e of winkEntities) {
        found.push({ type: e.type, start: tokens[e.first]!.start, end: tokens[e.last]!.end, first: e.first, last: e.last, sentence: tokens[e.first]!.sentence })
        for (let i = e.first; i <= e.last; i++) taken[i] = 1
      }
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i]!
        if (taken[i] || t.pos !== "PROPN" || !isCapitalised(t.value) || HONORIFICS.has(bare(t.value)) && tokens[i + 1]?.pos === "PROPN") continue
        let last = i
        while (last + 1 < tokens.length && tokens[last + 1]!.sentence === t.sentence && !taken[last + 1]) {
          const n = tokens[last + 1]!
          if (n.pos === "PROPN" && isCapitalised(n.value)) last++
          else if (CONNECTORS.has(n.lower) && tokens[last + 2]?.pos === "PROPN" && isCapitalised(tokens[last + 2]!.value)) last += 2
          else break
        }
        // A lone capitalised word opening a sentence is too often not a name.
        const sentenceStart = i === 0 || tokens[i - 1]!.sentence !== t.sentence || /^["'“‘(]$/.test(tokens[i - 1]!.value)
        if (!(last === i && sentenceStart && t.value.length < 3)) {
          found.push({ type: typeOf(tokens, i, last), start: t.start, end: tokens[last]!.end, first: i, last, sentence: t.sentence })
        }
        i = last
      }
    }
    found.sort((a, b) => a.start - b.start || b.end - a.end)

    const mentions: Array<Mention> = []
    const mentionOf = new Map<Found, Mention>()
    for (const f of found) {
      const m = new Mention({
        id: `c${chunk.index}-m${mentions.length + 1}`,
        type: f.type,
        span: shiftSpan(chunk.span.start, index.span(f.start, f.end)),
        chunk: chunk.index,
        grounding: "exact",
        description: null
      }, { disableValidation: true })
      mentions.push(m)
      mentionOf.set(f, m)
    }

    const relations: Array<ExtractedRelation> = []
    const bySentence = new Map<number, Array<Found>>()
    for (const f of found) {
      const list = bySentence.get(f.sentence) ?? []
      list.push(f)
      bySentence.set(f.sentence, list)
    }
    for (const [sentence, list] of bySentence) {
      const inSentence = tokens.filter((t) => t.sentence === sentence)
      const evidence = index.span(inSentence[0]!.start, inSentence[inSentence.length - 1]!.end)
      for (let a = 0; a < list.length; a++) {
        for (let b = a + 1; b < list.length && b <= a + 3; b++) {
          const s = list[a]!
          const o = list[b]!
          const between = text.slice(s.end, o.start)
          for (const p of PATTERNS) {
            if (p.subject.includes(s.type) && p.object.includes(o.type) && p.between.test(between)) {
              relations.push(new ExtractedRelation({
                subject: mentionOf.get(s)!.id,
                predicate: p.predicate,
                object: mentionOf.get(o)!.id,
                evidence: shiftSpan(chunk.span.start, evidence),
                chunk: chunk.index,
                grounding: "exact"
              }, { disableValidation: true }))
              break
            }
          }
        }
      }
    }
    return new ChunkExtraction({ chunk: chunk.index, extractor: "nlp", mentions, relations, ungrounded: 0 }, {
      disableValidation: true
    })
  })

  return Extractor.of({ kind: "nlp", extract })
})

/** The embedded extractor as the {@link Extractor}. */
export const layer = Layer.effect(Extractor, make).pipe(Layer.provide(WinkNlp.Default))

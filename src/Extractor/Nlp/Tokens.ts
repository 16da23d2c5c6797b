/**
 * Tokens of one chunk for the embedded extractor: wink-nlp's tokens,
 * part-of-speech tags (Universal POS) and sentences, with hyphenated names
 * re-joined, lexicon flags attached, and dates and amounts marked
 * (Amounts.ts).
 */
import { tokenOffsets } from "../../WinkNlp.js"
import { type Amount, findAmounts } from "./Amounts.js"
import { F, keyOf, type Lexicon, LOCATION } from "./Lexicon.js"

export interface Token {
  readonly value: string
  /** Lexicon key: lower case, trailing period dropped. */
  readonly key: string
  /** Universal POS tag from wink-nlp (PROPN, NOUN, ADP, …). */
  readonly pos: string
  /** UTF-16 range [start, end) in the chunk text. */
  readonly start: number
  readonly end: number
  /** Index of the sentence (wink-nlp's sentence boundaries) within the chunk. */
  readonly sentence: number
  /** Whitespace precedes the token. */
  readonly space: boolean
  /** Lexicon flags of `key` ({@link F}). */
  readonly flags: number
  /** Starts with an upper-case letter. */
  readonly cap: boolean
  /** Two or more letters, all upper case ("NATO", "ITAR-TASS", "U.S."). */
  readonly upper: boolean
  /** Type of the date or amount covering the token ("Date", "Money") or "" ({@link findAmounts}). */
  readonly entity: string
}

export interface Tokenized {
  readonly tokens: ReadonlyArray<Token>
  /** Dates and amounts of money, as inclusive token ranges. */
  readonly entities: ReadonlyArray<Amount>
  /** Inclusive token ranges of the sentences. */
  readonly sentences: ReadonlyArray<readonly [number, number]>
}

/** The part of wink-nlp's API we use. */
export interface Wink {
  readonly nlp: { readDoc: (text: string) => any }
  readonly its: any
}

const CAP = /^\p{Lu}/u
const LETTER = /\p{L}/u
const LOWER = /\p{Ll}/u
/** Particles that join a hyphenated name in lower case: al-Assad, bin-Laden. */
const PARTICLES = new Set(["al", "el", "bin", "ibn", "abu", "abd", "ben", "ould"])

/** A capitalised word with a possessive ending glued on. */
const POSSESSIVE = /^(\p{Lu}[\p{L}.-]+)(?:'s|’s)$/u

/** "al-Tuffah", "bin-Laden": a name after a lower-case particle. */
const PARTICLE_NAME = /^(?:al|el|bin|ibn|abu|abd|ben|ould)-\p{Lu}/u

const isUpper = (v: string) => {
  if (LOWER.test(v)) return false
  let letters = 0
  for (const c of v) if (LETTER.test(c) && ++letters >= 2) return true
  return false
}

/**
 * Tokenizes `text` (one chunk) with wink-nlp. wink's tokenizer is lossless
 * (each token keeps its preceding whitespace; the whitespace it would drop
 * is read as spaces, WinkNlp.ts `UNTOKENIZED_SPACE`), so offsets are exact;
 * each token is checked against the text at its offset, and if one is not
 * there, no tokens are returned.
 *
 * Hyphenated names that wink splits ("ITAR - TASS", "D - Ariz .",
 * "Bosnia - Herzegovina", "al - Assad") are re-joined when both sides are
 * capitalised or the left side is a name particle; "Chicago-based" stays
 * split so that "Chicago" is a name of its own.
 */
export const tokenize = (wink: Wink, lexicon: Lexicon, text: string): Tokenized => {
  const { its, nlp } = wink
  const doc = nlp.readDoc(text)
  const values = doc.tokens().out(its.value) as Array<string>
  const spaces = doc.tokens().out(its.precedingSpaces) as Array<string>
  const pos = doc.tokens().out(its.pos) as Array<string>
  const n = values.length
  const sentenceOf = new Int32Array(n)
  doc.sentences().each((s: any, k: number) => {
    const [a, b] = s.out(its.span) as unknown as [number, number]
    for (let i = a; i <= b; i++) sentenceOf[i] = k
  })
  // Raw offsets; a token that is not the text at its offset would ground mentions on the wrong characters: find none
  const starts = tokenOffsets(text, values, spaces)
  if (starts === undefined) return { tokens: [], entities: [], sentences: [] }

  const tokens: Array<Token & { entity: string }> = []
  const make = (
    value: string,
    p: string,
    start: number,
    space: boolean,
    sentence: number
  ): Token & { entity: string } => {
    const key = keyOf(value)
    const cap = CAP.test(value) || value.includes("-") && PARTICLE_NAME.test(value)
    let flags = lexicon.word(key)
    // "Bosnia-Herzegovina": a hyphenated pair of places is a place.
    if (flags === 0 && key.includes("-")) {
      const parts = key.split("-").map((k) => lexicon.word(k) & LOCATION)
      if (parts.every((f) => f !== 0)) flags = parts.reduce((a, b) => a | b, 0)
    }
    return {
      value,
      key,
      pos: p,
      start,
      end: start + value.length,
      sentence,
      space,
      flags,
      cap,
      upper: cap && isUpper(value),
      entity: ""
    }
  }
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    const prev = tokens[tokens.length - 1]
    // name - Name with no spaces: join
    if (
      prev !== undefined && v === "-" && spaces[i] === "" && i + 1 < n && spaces[i + 1] === "" &&
      /[\p{L}\p{N}]$/u.test(prev.value) && /^[\p{L}\p{N}]/u.test(values[i + 1]!) &&
      sentenceOf[i + 1] === prev.sentence &&
      ((CAP.test(values[i + 1]!) || /^\p{N}/u.test(values[i + 1]!)) && (prev.cap || /^\p{N}/u.test(prev.value)) ||
        PARTICLES.has(prev.key) && CAP.test(values[i + 1]!))
    ) {
      let value = `${prev.value}-${values[i + 1]!}`
      let last = i + 1
      // "D-N.Y.": a party-state label split by the tokenizer into D - N . Y.
      if (/^[DRI]$/.test(prev.value)) {
        while (last + 1 < n && spaces[last + 1] === "" && /^(?:\.|\p{Lu}\.?)$/u.test(values[last + 1]!)) {
          value += values[++last]!
        }
      }
      // "D-Ariz." : the period of an abbreviation
      if (
        last + 1 < n && values[last + 1] === "." && spaces[last + 1] === "" &&
        (lexicon.word(keyOf(values[last]!)) & F.PLACE_ABBR)
      ) {
        value += "."
        last++
      }
      const p = pos[i + 1] === "PROPN" || prev.pos === "PROPN" ? "PROPN" : prev.pos
      tokens[tokens.length - 1] = make(value, p, prev.start, prev.space, prev.sentence)
      i = last
      continue
    }
    const possessive = v.length > 3 && v.endsWith("s") ? POSSESSIVE.exec(v) : null
    if (possessive) {
      // "Ichabod’s" left whole by the tokenizer: the name, then the possessive.
      const name = possessive[1]!
      tokens.push(make(name, "PROPN", starts[i]!, spaces[i] !== "", sentenceOf[i]!))
      tokens.push(make(v.slice(name.length), "PART", starts[i]! + name.length, false, sentenceOf[i]!))
      continue
    }
    tokens.push(make(v, pos[i]!, starts[i]!, spaces[i] !== "", sentenceOf[i]!))
  }

  const entities = findAmounts(tokens)
  for (const e of entities) for (let k = e.first; k <= e.last; k++) tokens[k]!.entity = e.type
  const sentences: Array<[number, number]> = []
  for (let i = 0; i < tokens.length; i++) {
    const s = tokens[i]!.sentence
    const last = sentences[sentences.length - 1]
    if (last !== undefined && tokens[last[0]]!.sentence === s) last[1] = i
    else sentences.push([i, i])
  }
  return { tokens, entities, sentences }
}

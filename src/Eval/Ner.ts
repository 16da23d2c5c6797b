/**
 * The entity (named-entity recognition) scorer of `extract eval ner` and
 * `npm run eval:ner`. Matching is strict: a predicted entity is a true
 * positive when a gold entity of the same scored type has the same span.
 *
 * - Scored types: PER, ORG, LOC. Ours map onto them with {@link scoredTypeOf}
 *   (Person → PER, Organization → ORG, Location → LOC, plus a few synonyms);
 *   every other type (Date, Money, Other, Event…) and CoNLL04's `Other`
 *   (miscellaneous names) are not scored on either side.
 * - Spans: the same [start, end) in the item's text. With `trim` (CoNLL04)
 *   both spans are first shrunk past punctuation, symbols and whitespace at
 *   both ends, so "Mass." and "Mass" match; without it (LitBank) offsets must
 *   be equal.
 * - Each side is a set per type: a span predicted twice counts once.
 *   The overall figure is micro-averaged (the sum over the three types).
 */
import { compareKeys, type Tally, tally } from "./Score.js"

/** The entity types scored, in the order tables list them. */
export const SCORED_TYPES = ["PER", "ORG", "LOC"] as const
export type ScoredType = typeof SCORED_TYPES[number]

const SYNONYMS: Record<string, ScoredType> = {
  person: "PER",
  per: "PER",
  peop: "PER",
  organization: "ORG",
  organisation: "ORG",
  org: "ORG",
  location: "LOC",
  place: "LOC",
  loc: "LOC",
  gpe: "LOC",
  fac: "LOC"
}

/**
 * The scored type of one of our entity types, case-insensitively:
 * Person/PER → PER; Organization/Organisation/ORG → ORG;
 * Location/Place/LOC/GPE/FAC → LOC; anything else undefined (not scored).
 */
export const scoredTypeOf = (type: string): ScoredType | undefined => SYNONYMS[type.toLowerCase()]

/** A gold entity of an item: its type (PER, ORG, LOC or an unscored one) and UTF-16 offsets into the item's text. */
export interface GoldEntitySpan {
  readonly type: string
  readonly start: number
  readonly end: number
}

/** One scored unit: a CoNLL04 sentence or a LitBank document. */
export interface GoldItem {
  /** Sentence id (`#doc N`) or file name. */
  readonly id: string
  readonly text: string
  readonly entities: ReadonlyArray<GoldEntitySpan>
}

/** A predicted entity: its mention id, our type, and UTF-16 offsets into the item's text. */
export interface PredictedEntity {
  readonly id: string
  readonly type: string
  readonly start: number
  readonly end: number
}

/** A false positive (`fp`) or false negative (`fn`) entity, UTF-16 offsets of the (trimmed) span. */
export interface EntityMiss {
  readonly kind: "fp" | "fn"
  readonly type: ScoredType
  readonly start: number
  readonly end: number
}

const PUNCT = /[\p{P}\p{S}\s]/u

/** [start, end) shrunk past punctuation, symbols and whitespace at both ends (UTF-16 offsets into `text`). */
export const trimSpan = (text: string, start: number, end: number): readonly [number, number] => {
  while (start < end && PUNCT.test(text[start]!)) start++
  while (end > start && PUNCT.test(text[end - 1]!)) end--
  return [start, end]
}

/** The span key `start:end` under the matching rule (trimmed or not). */
export const spanKey = (text: string, start: number, end: number, trim: boolean): string =>
  trim ? trimSpan(text, start, end).join(":") : `${start}:${end}`

const parseKey = (key: string) => key.split(":").map(Number) as [number, number]

/** A tally for each scored type. */
export const typeTallies = (): Record<ScoredType, Tally> =>
  Object.fromEntries(SCORED_TYPES.map((t) => [t, tally()])) as Record<ScoredType, Tally>

/**
 * Scores one item's predicted entities against its gold ones, adding the
 * counts to `byType`, and returns every false positive and false negative
 * (false negatives first within a type, types in {@link SCORED_TYPES} order).
 */
export const scoreEntities = (
  item: GoldItem,
  predicted: ReadonlyArray<PredictedEntity>,
  options: { readonly trim: boolean },
  byType: Record<ScoredType, Tally>
): Array<EntityMiss> => {
  const key = (start: number, end: number) => spanKey(item.text, start, end, options.trim)
  const misses: Array<EntityMiss> = []
  for (const type of SCORED_TYPES) {
    const diff = compareKeys(
      item.entities.filter((e) => e.type === type).map((e) => key(e.start, e.end)),
      predicted.filter((p) => scoredTypeOf(p.type) === type).map((p) => key(p.start, p.end)),
      byType[type]
    )
    for (const k of diff.missed) misses.push({ kind: "fn", type, start: parseKey(k)[0], end: parseKey(k)[1] })
    for (const k of diff.wrong) misses.push({ kind: "fp", type, start: parseKey(k)[0], end: parseKey(k)[1] })
  }
  return misses
}

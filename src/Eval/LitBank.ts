/**
 * Reads LitBank's entity annotations (Bamman et al. 2019,
 * https://github.com/dbamman/litbank) as `../shared/data/litbank/entities/`
 * holds them: for each excerpt `NAME.txt` (about 2,000 words of a novel,
 * tokens separated by spaces) a brat standoff file `NAME.ann` with lines
 * `T<n> \t TYPE START END \t text`, offsets in UTF-16 code units of the
 * `.txt` (the texts are ASCII apart from a few quotes).
 *
 * Gold entities are the annotations that are proper names
 * ({@link isProperName}): LitBank also annotates common-noun phrases such as
 * "the wrathful skipper" and bare titles such as "Mr.", which a named-entity
 * recogniser does not aim at. Types: PER → PER, ORG → ORG, and places (LOC,
 * GPE, FAC) → LOC; VEH is not scored.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { GoldEntitySpan, GoldItem } from "./Ner.js"

/** LitBank types scored, as our scored types. */
export const LITBANK_TYPE: Record<string, string> = { PER: "PER", ORG: "ORG", LOC: "LOC", GPE: "LOC", FAC: "LOC" }

const DETERMINERS = new Set([
  "The",
  "A",
  "An",
  "This",
  "That",
  "These",
  "Those",
  "My",
  "His",
  "Her",
  "Their",
  "Our",
  "Your",
  "Its"
])
const LONE_TITLE =
  /^(?:Mr|Mrs|Ms|Miss|Sir|Madame|Madam|Mademoiselle|Monsieur|Lady|Lord|Captain|Colonel|General|Dr|St|Aunt|Uncle|Mother|Father|Master|Judge|Sister|Brother|Doctor|Professor)\.?$/
const CONNECTOR = /^(?:of|the|de|du|la|le|van|von|der|and|&|'s|’s)$/

/**
 * True when a LitBank mention is a proper name: every word capitalised or a
 * connector (of, the, de, van, 's…), the first not a determiner, and not a
 * lone title ("Mr.", "Madame").
 */
export const isProperName = (text: string): boolean => {
  const words = text.split(/\s+/)
  if (words.length === 1 && LONE_TITLE.test(words[0]!)) return false
  if (!/^\p{Lu}/u.test(words[0]!) || DETERMINERS.has(words[0]!)) return false
  return words.every((w) => /^\p{Lu}/u.test(w) || CONNECTOR.test(w))
}

/** One LitBank excerpt with its gold proper-name entities (UTF-16 offsets into `text`). */
export interface LitBankDocument extends GoldItem {
  /** The `.txt` bytes, for the document's digest. */
  readonly bytes: Uint8Array
}

/** The gold entities of one `.ann` file's text (see the module comment for what is kept). */
export const parseAnn = (ann: string): Array<GoldEntitySpan> =>
  ann.split("\n").flatMap((line) => {
    const m = /^T\d+\t(\w+) (\d+) (\d+)\t(.*)$/.exec(line)
    if (!m || !(m[1]! in LITBANK_TYPE) || !isProperName(m[4]!)) return []
    return [{ type: LITBANK_TYPE[m[1]!]!, start: Number(m[2]), end: Number(m[3]) }]
  })

/**
 * Every `NAME.txt` of `dir` that has a `NAME.ann`, sorted by name. Throws the
 * `fs` error when the directory or a file cannot be read.
 */
export const readLitBank = (dir: string): Array<LitBankDocument> =>
  readdirSync(dir).filter((f) => f.endsWith(".txt")).sort().flatMap((f) => {
    const annPath = join(dir, f.replace(/\.txt$/, ".ann"))
    let ann: string
    try {
      ann = readFileSync(annPath, "utf8")
    } catch {
      return []
    }
    const bytes = readFileSync(join(dir, f))
    return [{ id: f, text: bytes.toString("utf8"), bytes, entities: parseAnn(ann) }]
  })

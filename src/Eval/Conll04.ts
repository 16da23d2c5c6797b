/**
 * Reads the CoNLL04 entity and relation corpus (Roth & Yih 2004) in the
 * multi-head-selection layout of Bekoulis et al. 2018 that `../shared/data/conll04/`
 * holds: one token a line, `index \t token \t BIO-tag \t relations \t heads`,
 * `#doc N` starting each sentence. A relation label on token i with head j
 * relates the entity whose last token is i (subject) to the entity whose
 * last token is j (object); `N` means none.
 *
 * The corpus keeps only tokens, so the sentence text is rebuilt here. Two
 * ways, both with exact token offsets:
 * - `detokenize` (the default of `extract eval` and `eval:ner`): Penn-Treebank-style tokens are
 *   joined as running text would have them: no space before `, . ; : ? ! ) %`
 *   and clitics (`'s`, `n't`, `'Brien`), none after `( $`, the quote pairs
 *   `` ` ` `` and `' '` become `"`, `-LCB-`/`-RCB-`/`-LRB-`/`-RRB-` become
 *   brackets. The extractor then sees text as a user would give it.
 * - `spaced`: tokens joined by one space, as the original `conll04.corp` has them.
 *
 * Offsets are UTF-16 indices into the rebuilt sentence (the corpus is ASCII,
 * so they equal code points).
 */
import { readFileSync } from "node:fs"

export const CONLL04_TYPES = ["PER", "ORG", "LOC"] as const
export const CONLL04_LABELS = ["Work_For", "Kill", "OrgBased_In", "Live_In", "Located_In"] as const

export interface GoldEntity {
  /** `PER`, `ORG`, `LOC` or `Other` (CoNLL04's miscellaneous type). */
  readonly type: string
  readonly start: number
  readonly end: number
  /** Index of the entity's last token (what relation heads point at). */
  readonly lastToken: number
}

export interface GoldRelation {
  readonly label: string
  readonly subject: GoldEntity
  readonly object: GoldEntity
}

export interface Sentence {
  readonly id: string
  readonly text: string
  readonly tokens: ReadonlyArray<{ readonly value: string; readonly start: number; readonly end: number }>
  readonly entities: ReadonlyArray<GoldEntity>
  readonly relations: ReadonlyArray<GoldRelation>
}

const TYPE: Record<string, string> = { Peop: "PER", Org: "ORG", Loc: "LOC", Other: "Other" }
const BRACKETS: Record<string, string> = {
  "-LCB-": "{",
  "-RCB-": "}",
  "-LRB-": "(",
  "-RRB-": ")",
  "-LSB-": "[",
  "-RSB-": "]"
}
const NO_SPACE_BEFORE = /^(?:[,.;:?!)\]}%]|n't|'[A-Za-z]+)$/
const NO_SPACE_AFTER = /^[([{$]$/

/**
 * Each corpus token as it appears in the rebuilt text (a quote pair's second
 * token becomes the empty string) and whether a space precedes it.
 */
const render = (values: ReadonlyArray<string>, mode: "detokenize" | "spaced") => {
  if (mode === "spaced") return values.map((value, i) => ({ value, space: i > 0 }))
  const out: Array<{ value: string; space: boolean }> = []
  let glueNext = true
  for (let i = 0; i < values.length; i++) {
    const v = BRACKETS[values[i]!] ?? values[i]!
    const pair = (v === "`" || v === "'") && values[i + 1] === v
    if (v === "`") {
      // Opening quote (a pair is a double quote): spaced before, glued to what follows.
      out.push({ value: pair ? "\"" : "'", space: !glueNext })
      if (pair) {
        out.push({ value: "", space: false })
        i++
      }
      glueNext = true
      continue
    }
    if (v === "'") {
      // Closing quote or plural possessive: glued to what precedes.
      out.push({ value: pair ? "\"" : "'", space: false })
      if (pair) {
        out.push({ value: "", space: false })
        i++
      }
      glueNext = false
      continue
    }
    out.push({ value: v, space: !glueNext && !NO_SPACE_BEFORE.test(v) })
    glueNext = NO_SPACE_AFTER.test(v)
  }
  return out
}

/**
 * Parses one CoNLL04 file into sentences with gold entities and relations,
 * offsets over the rebuilt text (see the module comment for `mode`). Throws
 * the `fs` error when the file cannot be read; lines that are not
 * tab-separated token rows are skipped (a file with none gives no sentences).
 */
export const readConll04 = (path: string, mode: "detokenize" | "spaced" = "detokenize"): Array<Sentence> => {
  const sentences: Array<Sentence> = []
  let id = ""
  let rows: Array<Array<string>> = []
  const flush = () => {
    if (rows.length === 0) return
    const values = rows.map((r) => r[1]!)
    let text = ""
    const tokens: Array<{ value: string; start: number; end: number }> = []
    render(values, mode).forEach((piece, i) => {
      if (piece.space) text += " "
      tokens.push({ value: values[i]!, start: text.length, end: text.length + piece.value.length })
      text += piece.value
    })
    const entities: Array<GoldEntity> = []
    const byLast = new Map<number, GoldEntity>()
    let first = -1
    for (let i = 0; i < rows.length; i++) {
      const tag = rows[i]![2]!
      if (tag.startsWith("B-")) first = i
      if (tag !== "O" && !rows[i + 1]?.[2]?.startsWith("I-")) {
        const e = {
          type: TYPE[tag.slice(2)] ?? tag.slice(2),
          start: tokens[first]!.start,
          end: tokens[i]!.end,
          lastToken: i
        }
        entities.push(e)
        byLast.set(i, e)
      }
    }
    const relations: Array<GoldRelation> = []
    for (let i = 0; i < rows.length; i++) {
      const labels = JSON.parse(rows[i]![3]!.replace(/'/g, "\"")) as Array<string>
      const heads = JSON.parse(rows[i]![4]!) as Array<number>
      labels.forEach((label, j) => {
        if (label === "N") return
        const subject = byLast.get(i)
        const object = byLast.get(heads[j]!)
        if (subject && object) relations.push({ label, subject, object })
      })
    }
    sentences.push({ id, text, tokens, entities, relations })
    rows = []
  }
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.startsWith("#doc")) {
      flush()
      id = line.slice(4).trim()
    } else if (line.trim() !== "") {
      const row = line.split("\t")
      if (row.length >= 5) rows.push(row)
    }
  }
  flush()
  return sentences
}

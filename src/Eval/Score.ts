/**
 * Counting primitives shared by every `extract eval` task and the
 * `npm run eval:*` scripts: true positives, false positives and false
 * negatives over sets of keys, and precision / recall / F1 from them.
 *
 * - precision = tp / (tp + fp), recall = tp / (tp + fn),
 *   F1 = 2·P·R / (P + R); each is 0 when its denominator is 0.
 * - Figures are rounded to 4 decimals (as the eval scripts always printed them).
 */
import * as Schema from "effect/Schema"

/** Mutable counts of one scored category (an entity type, a relation label, or everything). */
export interface Tally {
  tp: number
  fp: number
  fn: number
}

/** A zeroed {@link Tally}. */
export const tally = (): Tally => ({ tp: 0, fp: 0, fn: 0 })

/** Precision, recall and F1 (rounded to 4 decimals) with the counts they come from. */
export class Prf extends Schema.Class<Prf>("Prf")({
  precision: Schema.Number,
  recall: Schema.Number,
  f1: Schema.Number,
  tp: Schema.Int,
  fp: Schema.Int,
  fn: Schema.Int
}) {}

const round4 = (x: number) => Math.round(x * 10000) / 10000

/** Precision / recall / F1 of a tally (see the module comment for the definitions). */
export const prf = (t: Tally): Prf => {
  const precision = t.tp + t.fp === 0 ? 0 : t.tp / (t.tp + t.fp)
  const recall = t.tp + t.fn === 0 ? 0 : t.tp / (t.tp + t.fn)
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
  return new Prf({ precision: round4(precision), recall: round4(recall), f1: round4(f1), tp: t.tp, fp: t.fp, fn: t.fn })
}

/** The sum of several tallies (micro-averaging). */
export const sumTallies = (tallies: Iterable<Tally>): Tally => {
  const s = tally()
  for (const t of tallies) {
    s.tp += t.tp
    s.fp += t.fp
    s.fn += t.fn
  }
  return s
}

/**
 * Compares gold and predicted keys as sets (a key given twice counts once),
 * adds the counts to `t`, and returns the keys only one side has: `missed`
 * (gold only: false negatives) and `wrong` (predicted only: false positives),
 * each in first-seen order.
 */
export const compareKeys = (
  gold: Iterable<string>,
  predicted: Iterable<string>,
  t: Tally
): { readonly missed: ReadonlyArray<string>; readonly wrong: ReadonlyArray<string> } => {
  const g = new Set(gold)
  const p = new Set(predicted)
  const missed: Array<string> = []
  const wrong: Array<string> = []
  for (const k of p) {
    if (g.has(k)) t.tp++
    else {
      t.fp++
      wrong.push(k)
    }
  }
  for (const k of g) {
    if (!p.has(k)) {
      t.fn++
      missed.push(k)
    }
  }
  return { missed, wrong }
}

/**
 * The relation scorer of `extract eval relations` and `npm run eval:ner`
 * on CoNLL04. Matching is strict: a predicted relation is a true positive
 * when a gold relation has the same label, the same subject span and the
 * same object span (both trimmed as in `Ner.ts`, {@link spanKey}).
 *
 * Our relations are scored only when both arguments are entities of a scored
 * type (PER, ORG, LOC; `Ner.ts`) and {@link conllLabel} maps the predicate
 * and the argument types onto one of CoNLL04's five labels; the others are
 * ignored, not counted as false positives. Sets per label; the overall
 * figure is micro-averaged over the labels.
 */
import { type GoldItem, type PredictedEntity, scoredTypeOf, spanKey } from "./Ner.js"
import { compareKeys, type Tally, tally } from "./Score.js"

/** CoNLL04's relation labels, in the order tables list them. */
export const CONLL04_LABELS = ["Work_For", "Kill", "OrgBased_In", "Live_In", "Located_In"] as const

/**
 * Predicates the llm extractor is offered for relation scoring when
 * `--relation-types` is not given: one per CoNLL04 label.
 */
export const EVAL_PREDICATES = ["worksFor", "killed", "livesIn", "basedIn", "locatedIn"] as const

/**
 * CoNLL04 label of one of our relations, from its predicate and the scored
 * types of its arguments, or undefined when CoNLL04 has no such label:
 * worksFor, memberOf, founded, leads (PER→ORG) → Work_For; killed (PER→PER)
 * → Kill; livesIn, bornIn, citizenOf (PER→LOC) → Live_In; basedIn,
 * locatedIn (ORG→LOC) → OrgBased_In, (LOC→LOC) → Located_In.
 */
export const conllLabel = (predicate: string, subjectType: string, objectType: string): string | undefined => {
  switch (predicate) {
    case "worksFor":
    case "memberOf":
    case "founded":
    case "leads":
      return subjectType === "PER" && objectType === "ORG" ? "Work_For" : undefined
    case "killed":
      return subjectType === "PER" && objectType === "PER" ? "Kill" : undefined
    case "livesIn":
    case "bornIn":
    case "citizenOf":
      return subjectType === "PER" && objectType === "LOC" ? "Live_In" : undefined
    case "basedIn":
    case "locatedIn":
      if (objectType !== "LOC") return undefined
      return subjectType === "ORG" ? "OrgBased_In" : subjectType === "LOC" ? "Located_In" : undefined
    default:
      return undefined
  }
}

/** A gold relation: its CoNLL04 label and its arguments' UTF-16 offsets into the item's text. */
export interface GoldRelationSpan {
  readonly label: string
  readonly subject: { readonly start: number; readonly end: number }
  readonly object: { readonly start: number; readonly end: number }
}

/** An item with gold relations (a CoNLL04 sentence). */
export interface GoldRelationItem extends GoldItem {
  readonly relations: ReadonlyArray<GoldRelationSpan>
}

/** A predicted relation between two predicted entities, by mention id. */
export interface PredictedRelation {
  readonly subject: string
  readonly predicate: string
  readonly object: string
}

/** A false positive or false negative relation; argument offsets are UTF-16, trimmed. */
export interface RelationMiss {
  readonly kind: "fp" | "fn"
  readonly label: string
  readonly subject: readonly [number, number]
  readonly object: readonly [number, number]
}

/** A tally for each CoNLL04 label (more are added if the gold data has others). */
export const labelTallies = (): Record<string, Tally> => Object.fromEntries(CONLL04_LABELS.map((l) => [l, tally()]))

/**
 * Scores one item's predicted relations against its gold ones, adding the
 * counts to `byLabel`, and returns every false negative and false positive
 * (per label, false negatives first).
 */
export const scoreRelations = (
  item: GoldRelationItem,
  entities: ReadonlyArray<PredictedEntity>,
  relations: ReadonlyArray<PredictedRelation>,
  byLabel: Record<string, Tally>
): Array<RelationMiss> => {
  const key = (start: number, end: number) => spanKey(item.text, start, end, true)
  const byId = new Map<string, { type: string; key: string }>()
  for (const e of entities) {
    const type = scoredTypeOf(e.type)
    if (type) byId.set(e.id, { type, key: key(e.start, e.end) })
  }
  const predicted = new Map<string, Array<string>>()
  for (const r of relations) {
    const a = byId.get(r.subject)
    const b = byId.get(r.object)
    if (!a || !b) continue
    const label = conllLabel(r.predicate, a.type, b.type)
    if (label) predicted.set(label, [...(predicted.get(label) ?? []), `${a.key}>${b.key}`])
  }
  const gold = new Map<string, Array<string>>()
  for (const r of item.relations) {
    gold.set(r.label, [
      ...(gold.get(r.label) ?? []),
      `${key(r.subject.start, r.subject.end)}>${key(r.object.start, r.object.end)}`
    ])
  }
  const misses: Array<RelationMiss> = []
  const labels = [...new Set([...Object.keys(byLabel), ...gold.keys(), ...predicted.keys()])]
  for (const label of labels) {
    const diff = compareKeys(gold.get(label) ?? [], predicted.get(label) ?? [], byLabel[label] ??= tally())
    const miss = (kind: "fp" | "fn", k: string): RelationMiss => {
      const [s, o] = k.split(">").map((part) => part.split(":").map(Number) as [number, number])
      return { kind, label, subject: s!, object: o! }
    }
    for (const k of diff.missed) misses.push(miss("fn", k))
    for (const k of diff.wrong) misses.push(miss("fp", k))
  }
  return misses
}

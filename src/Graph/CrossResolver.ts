/**
 * Cross-document entity resolution: which context entity each entity of a
 * newly added run joins. It applies the Resolver's own name analysis
 * (src/Resolver/Names.ts `analyzeName`, src/Resolver/EntityTypes.ts
 * `typeClassOf`) and rules (src/Resolver/Rules.ts) across documents, but
 * merges only on strong evidence, since another document may well mean
 * another "Smith":
 *
 * - `same-name`: a full name of the run's entity equals (normalised key,
 *   same type class) the label of a context entity;
 * - `alias`: it equals another name (alias) of a context entity, or one of
 *   its aliases equals a context entity's name;
 * - `acronym`: the shared name is an acronym that one of the documents
 *   defines (its resolver joined the acronym to the full name there), so
 *   the acronym is one of the entity's names.
 *
 * A *full name* is, for persons, a name of two or more words of two or more
 * letters (particles aside), or an acronym; a lone surname or a lone given
 * name ("Lincoln", "Abraham") never merges across documents. For other
 * classes every name counts (`Senate`, `Mexico`, `1990`).
 *
 * Blocking: every contribution persists its keys (`<class>\u0000<key>` per
 * full name) in the log; the state indexes them, and candidates are the
 * entities sharing a key: a lookup per name, never a scan over entities.
 * A key shared by two or more context entities is ambiguous and decides
 * nothing. A merge must keep the entity coherent (Resolver's coherence,
 * across documents): no clash of honorific genders or generation suffixes,
 * person full names that are variants of one another (`personVariant`, or
 * one's words a subsequence of the other's), and never two entities that
 * one document keeps apart (each holds a contribution of the same run).
 */
import * as Effect from "effect/Effect"
import { sha256Hex } from "../Digest.js"
import {
  contributionKey,
  type ContributionMention,
  type GraphChange,
  type MergeEvidence,
  type RunDocument
} from "../Domain/ContextGraph.js"
import type { KnowledgeGraph } from "../Domain/Graph.js"
import { slugify } from "../GraphBuilder.js"
import { typeClassOf } from "../Resolver/EntityTypes.js"
import { analyzeName, NAME_PARTICLES, type NameForm } from "../Resolver/Names.js"
import { isNumberToken, isSubsequence, MIN_FUZZY_LENGTH, personVariant, spellingVariant } from "../Resolver/Rules.js"
import type { GraphState } from "./GraphState.js"

/** Analyses of surface forms by class, memoised: the same names recur in every document. Cleared past 200,000. */
const analysed = new Map<string, NameForm>()
const analyze = (name: string, cls: string): NameForm => {
  const k = `${cls}\u0000${name}`
  let f = analysed.get(k)
  if (f === undefined) {
    if (analysed.size >= 200_000) analysed.clear()
    analysed.set(k, f = analyzeName(name, cls))
  }
  return f
}

/** A variant key held by more context entities than this is too common to decide anything; it is skipped. */
export const MAX_VARIANT_HOLDERS = 64

/** Full names of each side compared when checking a merge's coherence. */
const COHERENCE_CAP = 16

const GENDER_BIT = { m: 1, f: 2 } as const

/** One entity of a run, analysed for cross-document matching. */
export interface ContributionInput {
  readonly local: string
  readonly label: string
  readonly type: string
  readonly cls: string
  readonly names: ReadonlyArray<string>
  /** Full-name keys (see the module comment), de-duplicated. */
  readonly keys: ReadonlyArray<string>
  readonly genders: number
  readonly generation: string | null
  readonly mentions: ReadonlyArray<ContributionMention>
}

/** Whether a name is a full name of its class (see the module comment). */
export const isFullName = (form: NameForm): boolean => {
  if (form.acronym !== null) return form.acronym.length >= 2
  if (form.cls !== "person") return /[\p{L}\p{N}]/u.test(form.key)
  const core = form.tokens.filter((t) => !NAME_PARTICLES.has(t))
  return !core.includes("and") && core.filter((t) => t.length >= 2).length >= 2
}

/** The blocking key of a full name. */
export const nameKey = (form: NameForm): string => `${form.cls}\u0000${form.acronym ?? form.key}`

/** Marks a variant key: its holders are candidates only when a rule accepts the two names. */
const VARIANT = "~"

/**
 * Blocking keys for name variants, chosen as the Resolver's blocking is
 * (src/Resolver.ts): a person's first and last name (for `name-variant`:
 * the same person with names left out, "Henrik Angell" / "Henrik August
 * Angell"); other multi-word names with one word masked, one-word names by
 * first letter, ending and length (for `spellingVariant`).
 */
export const variantKeys = (form: NameForm): Array<string> => {
  if (form.acronym !== null) return []
  const c = form.cls === "person" ? form.tokens.filter((t) => !NAME_PARTICLES.has(t)) : form.tokens
  if (form.cls === "person") return c.length >= 2 ? [`${VARIANT}${form.cls}\u0000FL\u0000${c[0]}\u0000${c.at(-1)}`] : []
  const keys: Array<string> = []
  if (c.length >= 2) {
    for (let k = 0; k < c.length; k++) {
      if (c[k]!.length < MIN_FUZZY_LENGTH || isNumberToken(c[k]!)) continue
      keys.push(`${VARIANT}${form.cls}\u0000M\u0000${c.slice(0, k).join(" ")}\u0000${c.slice(k + 1).join(" ")}`)
    }
  } else if (c[0]!.length >= MIN_FUZZY_LENGTH && !isNumberToken(c[0]!)) {
    for (const length of [c[0]!.length, c[0]!.length + 1]) {
      keys.push(`${VARIANT}${form.cls}\u0000S\u0000${c[0]![0]}\u0000${c[0]!.slice(-2)}\u0000${length}`)
    }
  }
  return keys
}

/**
 * The variant rule two names of one class satisfy, if any: for persons
 * `name-variant` only, narrowed: a plain first name and surname standing
 * for the same names with whole middle names added ("Henrik Angell" /
 * "Henrik August Angell"; never when initials differ, and never the
 * Resolver's initials or nicknames across documents); for others
 * `spellingVariant` (one word differing in spelling).
 */
export const variantOf = (a: NameForm, b: NameForm): "name-variant" | "spelling-variant" | null => {
  if (a.cls !== b.cls || a.key === b.key || a.acronym !== null || b.acronym !== null) return null
  if (a.cls === "person") {
    // across documents, initials tell people apart ("George W. Bush", "George H. W. Bush"): the shorter name is
    // a plain first name and surname, and every name the longer adds is a whole word
    const [s, l] = a.tokens.length <= b.tokens.length ? [a, b] : [b, a]
    const sc = s.tokens.filter((t) => !NAME_PARTICLES.has(t))
    const extra = l.tokens.filter((t) => !NAME_PARTICLES.has(t) && !sc.includes(t))
    if (sc.length !== 2 || sc.some((t) => t.length < 2) || extra.some((t) => t.length < 2)) return null
    return personVariant(a, b)?.method === "name-variant" ? "name-variant" : null
  }
  return spellingVariant(a, b) !== null ? "spelling-variant" : null
}

/** Analyses every name of one knowledge-graph entity: its full-name keys, genders and generation. */
export const contributionOf = (entity: KnowledgeGraph["entities"][number]): ContributionInput => {
  const cls = typeClassOf(entity.type)
  const names = [entity.label, ...entity.aliases.filter((a) => a !== entity.label)]
  const keys = new Set<string>()
  let genders = 0
  let generation: string | null = null
  for (const name of names) {
    const form = analyze(name, cls)
    if (form.gender !== null) genders |= GENDER_BIT[form.gender]
    generation = generation ?? form.generation
    if (isFullName(form)) {
      keys.add(nameKey(form))
      for (const k of variantKeys(form)) keys.add(k)
    }
  }
  return {
    local: entity.id,
    label: entity.label,
    type: entity.type,
    cls,
    names,
    keys: [...keys],
    genders,
    generation,
    mentions: entity.mentions.map((m) => ({
      id: m.id,
      start: m.span.start,
      end: m.span.end,
      text: m.span.text,
      chunk: m.chunk
    }))
  }
}

const q = (s: string) => JSON.stringify(s)

/** What is known about a context entity (or a run's entity) when checking coherence. */
interface Side {
  readonly cls: string
  readonly genders: number
  readonly generation: string | null
  readonly runs: ReadonlySet<string>
  /** Person full names (analysed), at most {@link COHERENCE_CAP}. */
  readonly full: ReadonlyArray<NameForm>
}

const fullNamesCompatible = (x: NameForm, y: NameForm): boolean => {
  if (x.key === y.key) return true
  const [s, l] = x.tokens.length <= y.tokens.length ? [x, y] : [y, x]
  return personVariant(x, y) !== null || isSubsequence(s.tokens, l.tokens)
}

const coherent = (a: Side, b: Side): boolean => {
  if (a.cls !== b.cls) return false
  if ((a.genders | b.genders) === 3) return false
  if (a.generation !== null && b.generation !== null && a.generation !== b.generation) return false
  for (const r of a.runs) if (b.runs.has(r)) return false
  for (const x of a.full) for (const y of b.full) if (!fullNamesCompatible(x, y)) return false
  return true
}

const personFull = (cls: string, names: Iterable<string>): Array<NameForm> => {
  if (cls !== "person") return []
  const out: Array<NameForm> = []
  const seen = new Set<string>()
  for (const n of names) {
    const f = analyze(n, cls)
    if (f.acronym !== null || !isFullName(f) || seen.has(f.key)) continue
    seen.add(f.key)
    out.push(f)
    if (out.length >= COHERENCE_CAP) break
  }
  return out
}

/** Derived facts of an entity, valid while its version is unchanged. */
const derived = new WeakMap<
  object,
  { version: number; side?: Side; forms?: ReadonlyArray<{ form: NameForm; runId: string }> }
>()
const cacheOf = (e: { readonly version: number }) => {
  let c = derived.get(e)
  if (c === undefined || c.version !== e.version) derived.set(e, c = { version: e.version })
  return c
}

/** The coherence facts of a context entity, from its contributions (cached per entity version). */
const sideOfEntity = (state: GraphState, id: string): Side => {
  const e = state.entities.get(id)!
  const cache = cacheOf(e)
  return cache.side ??= computeSide(state, e)
}

const computeSide = (state: GraphState, e: NonNullable<ReturnType<GraphState["entities"]["get"]>>): Side => {
  let genders = 0
  let generation: string | null = null
  const runs = new Set<string>()
  const names: Array<string> = []
  let cls = ""
  for (const k of e.contributions) {
    const c = state.contributions.get(k)!
    genders |= c.genders
    generation = generation ?? c.generation
    runs.add(c.runId)
    cls = cls || typeClassOf(c.type)
    for (const n of c.names) names.push(n)
  }
  return { cls, genders, generation, runs, full: personFull(cls, names) }
}

const merged = (a: Side, b: Side): Side => ({
  cls: a.cls,
  genders: a.genders | b.genders,
  generation: a.generation ?? b.generation,
  runs: new Set([...a.runs, ...b.runs]),
  full: [...a.full, ...b.full].slice(0, COHERENCE_CAP)
})

/** A readable, collision-free id for a new context entity founded by `runId/local`. */
const mintId = (taken: (id: string) => boolean, label: string, founder: string): string => {
  const slug = slugify(label) || "entity"
  const hash = sha256Hex(founder)
  for (let n = 6; n <= 64; n += 6) {
    const id = `${slug}-${hash.slice(0, n)}`
    if (!taken(id)) return id
  }
  let k = 2
  while (taken(`${slug}-${hash}-${k}`)) k++
  return `${slug}-${hash}-${k}`
}

/** The id a split-off entity gets (`graph unmerge`). */
export const splitId = (state: GraphState, label: string, founder: string): string =>
  mintId((id) => state.entities.has(id), label, `split:${founder}`)

/** A run's document and the graph it contributes. */
export interface RunContribution {
  readonly runId: string
  readonly document: RunDocument
  /** SHA-256 of the run's knowledge-graph.json. */
  readonly digest: string
  readonly graph: KnowledgeGraph
}

/** What {@link planRun} decided, for the command's report. */
export interface PlanSummary {
  readonly created: number
  readonly attached: number
  readonly mergedEntities: number
  readonly relations: number
}

/**
 * The changes that add one run's graph to the context (without the
 * surrounding `run.removed`/`run.added`/`commit`, which the store writes):
 * per entity of the run, largest first, either `entity.created` +
 * `mentions.attached`, or `mentions.attached` to the one context entity its
 * full names point to (with evidence), plus `entities.merged` when its
 * names point to several context entities that may be one; then its
 * relations. Decisions are made against `state` as it was before the run;
 * the run's own entities never merge with each other. Pure.
 */
export const planRun = (
  state: GraphState,
  run: RunContribution
): { readonly changes: Array<GraphChange>; readonly summary: PlanSummary } => {
  const changes: Array<GraphChange> = []
  const entities = [...run.graph.entities].sort((a, b) =>
    b.mentions.length - a.mentions.length || (a.id < b.id ? -1 : 1)
  )
  /** Context entities merged away in this plan → the entity they went into. */
  const redirect = new Map<string, string>()
  const resolve = (id: string) => {
    while (redirect.has(id)) id = redirect.get(id)!
    return id
  }
  const sides = new Map<string, Side>()
  const side = (id: string) => {
    let s = sides.get(id)
    if (s === undefined) sides.set(id, s = sideOfEntity(state, id))
    return s
  }
  const created = new Set<string>()
  let attached = 0
  let mergedEntities = 0
  for (const entity of entities) {
    const input = contributionOf(entity)
    const own: Side = {
      cls: input.cls,
      genders: input.genders,
      generation: input.generation,
      runs: new Set([run.runId]),
      full: personFull(input.cls, input.names)
    }
    // candidates: per key, the context entities holding it; ambiguous keys decide nothing
    const matched = new Map<string, string>() // entity → key
    const ownForms = input.names.map((n) => analyze(n, input.cls)).filter(isFullName)
    // exact keys first: a variant never outranks a name match
    for (const variants of [false, true]) {
      for (const key of input.keys) {
        if (key.startsWith(VARIANT) !== variants) continue
        const holders = state.index.get(key)
        if (holders === undefined || (variants && holders.size > MAX_VARIANT_HOLDERS)) continue
        const targets = new Set<string>()
        for (const id of holders.keys()) {
          const target = resolve(id)
          if (created.has(target)) continue
          if (variants && variantRule(ownForms, state, target) === null) continue
          targets.add(target)
        }
        const fitting = [...targets].filter((id) => coherent(own, side(id)))
        if (fitting.length === 1 && !matched.has(fitting[0]!)) matched.set(fitting[0]!, key)
      }
    }
    // the largest matched entity takes the contribution; others join it when coherent
    const ordered = [...matched.keys()].sort((a, b) =>
      state.entities.get(b)!.contributions.length - state.entities.get(a)!.contributions.length ||
      state.entities.get(a)!.createdSeq - state.entities.get(b)!.createdSeq
    )
    const key = contributionKey(run.runId, entity.id)
    if (ordered.length === 0) {
      const id = mintId((x) => state.entities.has(x) || created.has(x), entity.label, key)
      created.add(id)
      changes.push({ _tag: "entity.created", entity: id, label: entity.label, type: entity.type })
      changes.push(attach(run.runId, input, id, null))
      continue
    }
    const into = ordered[0]!
    changes.push(attach(run.runId, input, into, evidenceOf(input, state, into, matched.get(into)!, run.runId)))
    attached++
    let target = merged(side(into), own)
    sides.set(into, target)
    for (const other of ordered.slice(1)) {
      const o = side(other)
      if (!coherent(target, { ...o, runs: new Set([...o.runs].filter((r) => r !== run.runId)) })) continue
      if ([...o.runs].some((r) => target.runs.has(r))) continue
      const ev = evidenceOf(input, state, other, matched.get(other)!, run.runId)
      changes.push({
        _tag: "entities.merged",
        into,
        from: other,
        moved: [...state.entities.get(other)!.contributions],
        evidence: {
          ...ev,
          reason: `${ev.reason}; the same entity of ${run.runId} also has a name of ${q(into)}`
        }
      })
      redirect.set(other, into)
      target = merged(target, o)
      sides.set(into, target)
      mergedEntities++
    }
  }
  for (const r of run.graph.relations) {
    changes.push({
      _tag: "relation.added",
      runId: run.runId,
      subject: r.subject,
      predicate: r.predicate,
      object: r.object,
      evidence: r.evidence.map((e) => ({ start: e.span.start, end: e.span.end, text: e.span.text, chunk: e.chunk }))
    })
  }
  return {
    changes,
    summary: { created: created.size, attached, mergedEntities, relations: run.graph.relations.length }
  }
}

/** The variant rule joining one of `own` to a name of context entity `id`, with both names; null when none does. */
const variantRule = (own: ReadonlyArray<NameForm>, state: GraphState, id: string) => {
  const e = state.entities.get(id)
  if (e === undefined) return null
  const cache = cacheOf(e)
  if (cache.forms === undefined) {
    const seen = new Set<string>()
    const forms: Array<{ form: NameForm; runId: string }> = []
    for (const k of e.contributions) {
      const c = state.contributions.get(k)!
      const cls = typeClassOf(c.type)
      for (const name of c.names) {
        const form = analyze(name, cls)
        if (!isFullName(form) || seen.has(`${cls}\u0000${form.key}`)) continue
        seen.add(`${cls}\u0000${form.key}`)
        forms.push({ form, runId: c.runId })
      }
    }
    cache.forms = forms
  }
  for (const { form: theirs, runId } of cache.forms) {
    for (const mine of own) {
      const rule = variantOf(mine, theirs)
      if (rule !== null) return { rule, mine, theirs, runId }
    }
  }
  return null
}

const attach = (runId: string, input: ContributionInput, entity: string, evidence: MergeEvidence | null) => ({
  _tag: "mentions.attached" as const,
  entity,
  runId,
  local: input.local,
  label: input.label,
  type: input.type,
  names: input.names,
  keys: input.keys,
  genders: input.genders,
  generation: input.generation,
  mentions: input.mentions,
  evidence
})

/** The evidence for joining `input` to context entity `id` through blocking key `key`. */
const evidenceOf = (
  input: ContributionInput,
  state: GraphState,
  id: string,
  key: string,
  runId: string
): MergeEvidence => {
  const entity = state.entities.get(id)!
  const cls = input.cls
  if (key.startsWith(VARIANT)) {
    const v = variantRule(input.names.map((n) => analyze(n, cls)).filter(isFullName), state, id)!
    return {
      rule: v.rule,
      score: v.rule === "name-variant" ? 0.9 : 0.85,
      reason: `${q(v.mine.surface)} of ${runId} is a ${
        v.rule === "name-variant" ? "shorter form" : "spelling variant"
      } of ${q(v.theirs.surface)} of ${v.runId}: ${q(input.label)} joins ${q(entity.label)}`,
      key: key.slice(1).replaceAll("\u0000", ":")
    }
  }
  const ownName = input.names.find((n) => nameKey(analyze(n, cls)) === key) ?? input.label
  let theirs = entity.label
  let theirRun = ""
  let theirLabel = false
  for (const k of entity.contributions) {
    const c = state.contributions.get(k)!
    if (!c.keys.includes(key)) continue
    const name = c.names.find((n) => nameKey(analyze(n, cls)) === key)
    if (name !== undefined) {
      theirs = name
      theirRun = c.runId
      theirLabel = name === c.label
      break
    }
  }
  const form = analyze(ownName, cls)
  const acronym = form.acronym !== null
  const sameName = ownName === input.label && theirLabel
  const rule = acronym ? "acronym" : sameName ? "same-name" : "alias"
  const score = sameName ? 1 : acronym ? 0.9 : 0.95
  const what = acronym
    ? `the acronym ${q(ownName)} is a name of both (a document defines it)`
    : sameName
    ? `same full name ${q(form.key)}`
    : `${q(ownName)} (${runId}) matches the name ${q(theirs)}`
  return {
    rule,
    score,
    reason: `${what}: ${q(input.label)} of ${runId} joins ${q(entity.label)}${theirRun ? ` of ${theirRun}` : ""}`,
    key: key.replace("\u0000", ":")
  }
}

/**
 * Cross-document entity resolution as a service: `plan` is {@link planRun}.
 * Never fails.
 */
export class CrossResolver extends Effect.Service<CrossResolver>()("CrossResolver", {
  succeed: {
    plan: Effect.fn("CrossResolver.plan")(function*(state: GraphState, run: RunContribution) {
      return yield* Effect.sync(() => planRun(state, run))
    })
  }
}) {}

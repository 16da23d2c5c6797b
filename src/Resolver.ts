/**
 * The resolve stage's service: entity resolution over the mentions of one
 * document. It merges mentions that name the same entity and nothing else,
 * and records, for every mention, the rule that put it in its entity.
 *
 * The algorithm (docs/resolution.md has the full account):
 * 1. Every surface form is analysed once per type class
 *    (src/Resolver/Names.ts); mentions with the same type class,
 *    normalised key, honorific gender and generation suffix are one *name*
 *    (rule `exact`). All later work is over distinct names, not mentions.
 * 2. Candidate pairs come from blocking, never from all pairs: each name
 *    gets the keys a rule needs a partner to share (persons: first name +
 *    surname, first two names, shape + initial + Double Metaphone code of
 *    the surname, last two names; other names: the name with one token
 *    masked, or first letter + ending + length). A block larger than
 *    {@link BLOCK_ALL_PAIRS} names is compared by sorted neighbourhood
 *    (each name with the next {@link WINDOW} in key order), so cost grows
 *    near-linearly with the number of names.
 * 3. Rules, in order of confidence (src/Resolver/Rules.ts): symmetric
 *    `similar-name` (spelling and initial variants of the same shape); then
 *    one-way rules, where the shorter name joins only when exactly one
 *    entity in the document could be meant and otherwise stays apart with
 *    its evidence saying why: `name-variant` (a person's name with names
 *    left out, or a nickname), `acronym` (IBM ↔ International Business
 *    Machines), `head-noun` ("the Committee" for "Committee against the
 *    Finnish White Terror"; needs the text), `short-form` (a person's
 *    surname, given name, nickname or multi-word surname) and `title`
 *    ("Gummidge" for "Mrs. Gummidge"); in a short document an ambiguous
 *    surname or head noun joins its class's first-named candidate
 *    (`topic`), and the surname of a person named in full once, in passing,
 *    joins no one (`passing-surname` is the rule that lets it, in long
 *    documents);
 *    last, untyped mentions (type `Other`) join the one typed entity they
 *    name. Between the symmetric and the one-way rules come aliases:
 *    place names the alias packages give for one place (`alias`,
 *    src/Resolver/Aliases.ts) and, when the document text is given,
 *    aliases the text defines ("X (Y)" acronyms, "X, also known as Y",
 *    "X, formerly Y", "Y, now X": `text-alias`, src/Resolver/TextAliases.ts)
 *    between mentions of compatible types. Rules in {@link RULES_OFF} are
 *    off, `given-name`, `cataphora` and `passing-surname` apply to long
 *    documents only and `topic` to short ones ({@link LONG_DOCUMENT}); all
 *    chosen by 5-fold cross-validation on
 *    Re-DocRED dev (docs/resolution.md).
 * 4. Every merge must keep its entity coherent: no two conflicting full
 *    names ("John Smith", "John Stone"), no clash of honorific genders
 *    ("Mr."/"Mrs.") or generation suffixes ("Jr."/"Sr."), never two type
 *    classes (src/Resolver/EntityTypes.ts).
 *
 * Cost: O(n log n) in the number of mentions n for sorting, plus
 * O(d · (b + W)) rule evaluations for d distinct names and bounded block
 * work; `npm run bench:resolution` measures it.
 */
import { doubleMetaphone } from "double-metaphone"
import * as Effect from "effect/Effect"
import { type Mention, surfaceOf } from "./Domain/Extraction.js"
import { Assignment, Cluster, Resolution } from "./Domain/Graph.js"
import { CodePointIndex } from "./Domain/Span.js"
import { type AliasTarget, aliasTargets, sharedPlace } from "./Resolver/Aliases.js"
import { typeClassOf, UNTYPED } from "./Resolver/EntityTypes.js"
import { analyzeName, NAME_PARTICLES, type NameForm } from "./Resolver/Names.js"
import {
  acronymKeys,
  isNumberToken,
  isSubsequence,
  MIN_FUZZY_LENGTH,
  personAttributesCompatible,
  personVariant,
  type RuleMatch,
  spellingVariant,
  surnameRun
} from "./Resolver/Rules.js"
import { type TextAlias, textAliases, type TextAliasRule } from "./Resolver/TextAliases.js"

/**
 * The rules of the resolver, by name: what {@link ResolveOptions.disable}
 * can leave out. `title` covers both title rules, `nickname` a person's
 * name with a nickname for the first name (method `name-variant`), `surname-run` a person's
 * multi-word surname (method `short-form`), `short-form` a person's
 * one-word short form (`given-name` the case where it is the first of the
 * full name's names, `cataphora` the case where the short form occurs
 * before the full name, `passing-surname` the case where the full name is
 * mentioned once and is not the document's first-named person), `head-noun`
 * a definite description by the head noun of an organisation's or work's
 * name, `topic` the choice of the first-named candidate for an ambiguous
 * surname or head noun, `untyped` every merge of an untyped mention, `alias`
 * the alias packages (src/Resolver/Aliases.ts), `text-*` the aliases the
 * text defines (src/Resolver/TextAliases.ts).
 */
export type RuleName =
  | "title"
  | "similar-name"
  | "name-variant"
  | "nickname"
  | "surname-run"
  | "acronym"
  | "head-noun"
  | "short-form"
  | "passing-surname"
  | "given-name"
  | "cataphora"
  | "untyped"
  | "topic"
  | "alias"
  | TextAliasRule

/**
 * Rules that are implemented but off unless asked for: each failed the
 * shipping test on Re-DocRED dev (docs/resolution.md, "Choosing rules by
 * cross-validation": 5 folds by document index; a rule ships when it
 * raises the folds' mean pairwise F1, the pairs it adds are at least 80 %
 * precise, and in every fold it either keeps precision at or above 0.97
 * or lowers it by at most 0.001, about one pair):
 * - `name-variant` (middle names left out: "Luis Roche"/"Luis Armando
 *   Roche"): its pairs are 60 % precise, it lowers fold 3 by 0.3 points;
 * - `given-name` ("Manon" for "Manon Balletti"): 68 %, fold 3 −1.1, and
 *   `cataphora` (a short form before its full name): lowers recall and
 *   fold 3's precision. These two are not off but limited to long
 *   documents ({@link LONG_DOCUMENT}), where Re-DocRED cannot judge them.
 * - `surname-run` ("Valenzuela Llanos"): 70 %;
 * - `text-parenthesis` (a second name in parentheses: as often where or
 *   what as who, "Altamira (Caracas)"): 78 %;
 * - `text-apposition` ("A, B,"): mostly lists, 3 %.
 */
export const RULES_OFF: ReadonlySet<RuleName> = new Set([
  "name-variant",
  "surname-run",
  "text-parenthesis",
  "text-apposition"
])

/**
 * Length, in code points of the document (its last mention's end), from
 * which the rules `given-name` and `cataphora` apply. In fiction and other
 * long narrative a person is mostly called by the first name ("Ichabod"
 * for "Ichabod Crane": 40 of 49 mentions in *The Legend of Sleepy
 * Hollow*), and a surname may come before the full name; in short
 * encyclopedic text (Re-DocRED's documents are at most 2,665 characters)
 * both cost precision (docs/resolution.md). No coreference gold for long
 * documents is at hand, so the two rules keep their earlier behaviour
 * there. Likewise a novel names a character in full once and by surname
 * for hundreds of pages, so `passing-surname` applies from here on; and
 * its topic shifts, so `topic` applies only below.
 */
export const LONG_DOCUMENT = 10_000
/** The rules that apply only from {@link LONG_DOCUMENT} on. */
export const LONG_ONLY: ReadonlySet<RuleName> = new Set(["given-name", "cataphora", "passing-surname"])
/** The rules that apply only below {@link LONG_DOCUMENT}. */
export const SHORT_ONLY: ReadonlySet<RuleName> = new Set(["topic"])

/** What the resolver may know besides the mentions. */
export interface ResolveOptions {
  /**
   * The document text the mentions' spans index (offsets in code points):
   * with it, aliases the text defines ("X (Y)", "X, also known as Y",
   * "X, formerly Y", "Y, now X") can join two names. Both callers of the
   * resolve stage (the pipeline and `runs verify --repair`) pass the run's
   * `input/document.txt`, so they resolve alike.
   */
  readonly text?: string
  /**
   * Rules to leave out (default {@link RULES_OFF}); for evaluation (what
   * each rule adds), never set by the pipeline.
   */
  readonly disable?: ReadonlySet<RuleName>
  /** Overrides {@link LONG_DOCUMENT}; for evaluation (0 measures the long-document rules on short documents). */
  readonly longDocument?: number
}

/** Blocks up to this many names are compared all-pairs; larger ones by sorted neighbourhood. */
export const BLOCK_ALL_PAIRS = 24
/** Sorted-neighbourhood window: each name is compared with this many following names of a large block. */
export const WINDOW = 12
/** Full names of each cluster checked for conflicts when two clusters merge (the most informative first). */
const COHERENCE_CAP = 16

/** One distinct name: the mentions that share a type class and normalised key. */
interface NameNode {
  readonly index: number
  readonly form: NameForm
  /** Tokens that carry identity: for persons without particles ("da", "von"). */
  readonly core: ReadonlyArray<string>
  /** Mentions in document order. */
  readonly mentions: Array<Mention>
  /** Sort key for "most informative": higher is better. */
  informativeness: number
}

/** A name a shorter name may stand for, and the rule that says so. */
interface Candidate {
  readonly to: number
  readonly method: string
  readonly score: number
  /**
   * A name the shorter one could stand for but may not join (the surname of
   * a person named once in passing): it counts as a candidate, so another
   * name sharing the surname stays ambiguous, but is never joined.
   */
  readonly blocked?: true
  /** The reason, built only for the candidate that is taken. */
  readonly explain: () => string
}

interface Edge {
  readonly from: number
  readonly to: number
  readonly match: RuleMatch & { readonly source?: string }
}

interface ClusterState {
  nodes: Array<number>
  /** Bit 1: a male honorific, bit 2: a female one. */
  genders: number
  /** Generation suffix of the cluster's names, null when none has one. */
  generation: string | null
  /** Multi-token names, most informative first, at most {@link COHERENCE_CAP}. */
  full: Array<number>
  /** The type class of the cluster's typed names; null while it holds only untyped ones. */
  cls: string | null
}

const q = (s: string) => JSON.stringify(s)

/** Appends `value` to the list under `key`, skipping an immediate repeat (names are added in index order). */
const append = <K, V>(map: Map<K, Array<V>>, key: K, value: V) => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else if (list[list.length - 1] !== value) list.push(value)
}
const GENDER_BIT = { m: 1, f: 2 } as const

/**
 * Whether two type classes allow a text-defined alias: equal, or one of
 * them untyped; never dates (or numbers), whose "X (Y)" is a range or a
 * conversion, not a second name.
 */
const typesCompatible = (a: string, b: string) =>
  a !== "date" && b !== "date" && a !== "number" && b !== "number" && (a === b || a === UNTYPED || b === UNTYPED)

/**
 * Whether a text-defined alias may join names of these type classes
 * (measured on Re-DocRED dev, docs/resolution.md "Aliases the text
 * defines"):
 * - always: the classes are compatible ({@link typesCompatible});
 * - a second name in parentheses: not of places ("Altamira (Caracas)",
 *   "Texas (United States)" say where, not who) nor of persons ("Derek
 *   Shepherd (Patrick Dempsey)" is a role and its actor);
 * - a later name of a place or a person only when the text says it names
 *   ("Kristiania, now known as Oslo"): "Raipur, Madhya Pradesh (now
 *   Chhattisgarh)" says the place is now in another, and in a novel "Mr.
 *   Wickfield, now Agnes" is the time, not a new name;
 * - an apposition: persons and organisations of one class only.
 */
const textAliasAllowed = (alias: TextAlias, a: string, b: string): boolean => {
  if (!typesCompatible(a, b)) return false
  const cls = a === UNTYPED ? b : a
  switch (alias.rule) {
    case "text-parenthesis":
      return cls !== "location" && cls !== "person"
    case "text-now":
      return alias.naming || (cls !== "location" && cls !== "person")
    case "text-apposition":
      return a === b && (a === "person" || a === "organization")
    default:
      return true
  }
}

/**
 * Type classes whose names a definite description by the head noun can
 * stand for (rule `head-noun`): organisations and the classes the resolver
 * has no rules for (works, events, products). Not persons (their short
 * forms are surnames), places ("Sacramento" for "Sacramento Valley" is
 * another place: docs/resolution.md), dates, numbers or untyped names.
 */
const HEAD_NOUN_CLASSES = (cls: string) =>
  cls !== "person" && cls !== "location" && cls !== "date" && cls !== "number" && cls !== UNTYPED
/**
 * Prepositions after which the first word of a name is its head ("Committee
 * against the Finnish White Terror", "House of Representatives"); otherwise
 * an English name's head is its last word ("Asian Games", "French Resistance").
 */
const HEAD_FIRST_LINKS = new Set(["of", "for", "against", "on"])
/** Whether a mention is a definite description: "the" starts its surface form or comes just before it. */
const definite = (m: Mention, text: CodePointIndex) =>
  /^the\s/iu.test(m.span.text) ||
  (m.span.start >= 4 && m.span.end <= text.length &&
    /(?:^|[^\p{L}])the\s+$/iu.test(text.slice(Math.max(0, m.span.start - 5), m.span.start)))

/**
 * Whether a surface form of two or more words is written all in lower case
 * ("two doors down"): an ordinary phrase, not the name its title-case form
 * is ("Two Doors Down", the song). Capitalisation at a sentence start makes
 * one-word names ambiguous, so they are never split this way; nor dates and
 * numbers, which are written in lower case.
 */
const lowerPhrase = (surface: string, form: NameForm) =>
  form.tokens.length >= 2 && form.cls !== "date" && form.cls !== "number" && /\p{L}/u.test(surface) &&
  surface === surface.toLowerCase()

const byPosition = (a: Mention, b: Mention) =>
  a.span.start - b.span.start || a.span.end - b.span.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * Resolves the mentions of one document into clusters. Pure and
 * deterministic: the same mentions (and options) in any order give the
 * same result. `options.text` must be the text the spans index (code
 * points); without it no text-defined alias is looked for.
 * Every mention gets exactly one assignment; clusters are ordered by their
 * first mention, their mentions by position.
 */
export const resolveMentions = (input: ReadonlyArray<Mention>, options: ResolveOptions = {}): Resolution => {
  const mentions = [...input].sort(byPosition)
  const disabled = options.disable ?? RULES_OFF
  let end = 0
  for (const m of mentions) end = Math.max(end, m.span.end)
  const long = end >= (options.longDocument ?? LONG_DOCUMENT)
  const on = (rule: RuleName) => !disabled.has(rule) && (long ? !SHORT_ONLY.has(rule) : !LONG_ONLY.has(rule))

  // 1. distinct names
  const classCache = new Map<string, string>()
  /** Per type class: surface form → its analysis and name id. */
  const formCache = new Map<string, Map<string, { readonly form: NameForm; readonly id: string }>>()
  const nodeOf = new Map<string, NameNode>()
  const nodes: Array<NameNode> = []
  /** Mention (in document order) → the name it is a mention of. */
  const nodeOfMention: Array<NameNode> = []
  for (const m of mentions) {
    let cls = classCache.get(m.type)
    if (cls === undefined) classCache.set(m.type, cls = typeClassOf(m.type))
    let forms = formCache.get(cls)
    if (forms === undefined) formCache.set(cls, forms = new Map())
    const surface = surfaceOf(m)
    let entry = forms.get(surface)
    if (entry === undefined) {
      const analysed = analyzeName(surface, cls)
      entry = {
        form: analysed,
        id: `${cls}\u0000${analysed.key}\u0000${analysed.gender ?? ""}\u0000${analysed.generation ?? ""}${
          lowerPhrase(surface, analysed) ? "\u0000lower" : ""
        }`
      }
      forms.set(surface, entry)
    }
    const { form, id } = entry
    let node = nodeOf.get(id)
    if (node === undefined) {
      const core = cls === "person" ? form.tokens.filter((t) => !NAME_PARTICLES.has(t)) : form.tokens
      node = { index: nodes.length, form, core: core.length > 0 ? core : form.tokens, mentions: [], informativeness: 0 }
      nodeOf.set(id, node)
      nodes.push(node)
    } else if (form.nicknames.some((n) => !node!.form.nicknames.includes(n))) {
      const merged = { ...node.form, nicknames: [...new Set([...node.form.nicknames, ...form.nicknames])] }
      nodes[node.index] = node = { ...node, form: merged }
      nodeOf.set(id, node)
    }
    node.mentions.push(m)
    nodeOfMention.push(node)
  }
  // names a node is an alias of by knowledge (alias packages), looked up for places only
  const places: Array<ReadonlyArray<AliasTarget>> = nodes.map((n) =>
    on("alias") && n.form.cls === "location" ? aliasTargets(n.form.key) : []
  )
  /** Pairs of names (x · n + y, x < y) that a rule outside their form says are one: alias packages, the text. */
  const declared = new Set<number>()
  const pairId = (a: number, b: number) => (a < b ? a * nodes.length + b : b * nodes.length + a)
  for (const n of nodes) {
    n.informativeness = (n.form.cls === UNTYPED ? 0 : 1e10) + (n.form.acronym === null ? 1e9 : 0) +
      (n.core.length + n.form.nicknames.length) * 1e6 +
      Math.min(n.form.key.length, 999) * 1e3 +
      // of a full name with and without a title, the plain one labels the entity ("Sherlock Holmes", not
      // "Mr. Sherlock Holmes"); a lone surname keeps its title ("Mrs. Gummidge", not "Gummidge")
      (n.form.gender === null && n.core.length >= 2 ? 500 : 0) + Math.min(n.mentions.length, 499)
  }

  // union-find over names, with the state coherence checks need
  const parent = new Int32Array(nodes.length).map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!
      i = parent[i]!
    }
    return i
  }
  const state = nodes.map((n): ClusterState => ({
    nodes: [n.index],
    genders: n.form.gender === null ? 0 : GENDER_BIT[n.form.gender],
    generation: n.form.generation,
    full: n.core.length >= 2 ? [n.index] : [],
    cls: n.form.cls === UNTYPED ? null : n.form.cls
  }))
  const edges: Array<Edge> = []

  const fullNamesCompatible = (x: NameNode, y: NameNode): boolean => {
    if (x.form.key === y.form.key || declared.has(pairId(x.index, y.index))) return true
    if (sharedPlace(places[x.index]!, places[y.index]!) !== null) return true
    const [s, l] = x.core.length <= y.core.length ? [x, y] : [y, x]
    if (x.form.cls === "person" && y.form.cls === "person") {
      return personVariant(x.form, y.form) !== null || isSubsequence(s.core, l.core)
    }
    return isSubsequence(s.core, l.core) || spellingVariant(x.form, y.form) !== null
  }
  const coherent = (ra: number, rb: number): boolean => {
    const a = state[ra]!
    const b = state[rb]!
    if (a.cls !== null && b.cls !== null && a.cls !== b.cls) return false
    if ((a.genders | b.genders) === 3) return false
    if (a.generation !== null && b.generation !== null && a.generation !== b.generation) return false
    for (const x of a.full) {
      for (const y of b.full) if (!fullNamesCompatible(nodes[x]!, nodes[y]!)) return false
    }
    return true
  }
  const union = (from: number, to: number, match: Edge["match"]): boolean => {
    let ra = find(from)
    let rb = find(to)
    if (ra === rb) return true
    if (!coherent(ra, rb)) return false
    if (state[ra]!.nodes.length < state[rb]!.nodes.length) [ra, rb] = [rb, ra]
    const a = state[ra]!
    const b = state[rb]!
    parent[rb] = ra
    for (const node of b.nodes) a.nodes.push(node)
    a.genders |= b.genders
    a.generation = a.generation ?? b.generation
    a.cls = a.cls ?? b.cls
    if (b.full.length > 0) {
      a.full = [...a.full, ...b.full]
        .sort((x, y) => nodes[y]!.informativeness - nodes[x]!.informativeness || x - y)
        .slice(0, COHERENCE_CAP)
    }
    b.nodes = []
    b.full = []
    edges.push({ from, to, match })
    return true
  }

  // 2. blocking: keys chosen so that every pair a rule can accept shares at least one
  const blocks = new Map<string, Array<number>>()
  const addToBlock = (key: string, i: number) => append(blocks, key, i)
  for (const n of nodes) {
    const cls = n.form.cls
    const c = n.core
    const first = c[0]!
    const last = c[c.length - 1]!
    if (cls === "person") {
      if (c.length < 2 || c.includes("and")) continue
      // name-variant: same first name (or a nickname for it) and surname, or same first two names
      for (const given of [first, ...n.form.nicknames]) {
        addToBlock(`${cls}\u0000FL\u0000${given}\u0000${last}`, n.index)
        addToBlock(`${cls}\u0000FS\u0000${given}\u0000${c[1]}`, n.index)
      }
      // similar-name: same shape, same initial, surnames that sound alike
      addToBlock(`${cls}\u0000SN\u0000${c.length}\u0000${first[0]}\u0000${doubleMetaphone(last)[0]}`, n.index)
      // multi-word surname standing for the full name: same last two names
      addToBlock(`${cls}\u0000L2\u0000${c[c.length - 2]}\u0000${last}`, n.index)
    } else if (c.length >= 2) {
      // spelling variant: equal but for one token, so equal with that token masked
      for (let k = 0; k < c.length; k++) {
        if (c[k]!.length < MIN_FUZZY_LENGTH || isNumberToken(c[k]!)) continue
        addToBlock(`${cls}\u0000M\u0000${c.slice(0, k).join(" ")}\u0000${c.slice(k + 1).join(" ")}`, n.index)
      }
    } else if (first.length >= MIN_FUZZY_LENGTH && !isNumberToken(first)) {
      // one-word spelling variant: same first letter and ending, lengths within one
      for (const length of [first.length, first.length + 1]) {
        addToBlock(`${cls}\u0000S\u0000${first[0]}\u0000${first.slice(-2)}\u0000${length}`, n.index)
      }
    }
  }
  // pairs packed as x · n + y (x < y), de-duplicated by sorting
  const packed: Array<number> = []
  const consider = (a: number, b: number) => {
    packed.push(a < b ? a * nodes.length + b : b * nodes.length + a)
  }
  for (const list of blocks.values()) {
    if (list.length < 2) continue
    if (list.length <= BLOCK_ALL_PAIRS) {
      for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) consider(list[i]!, list[j]!)
      continue
    }
    // sorted neighbourhood over large blocks
    const sorted = [...list].sort((a, b) => {
      const ka = nodes[a]!.form.key
      const kb = nodes[b]!.form.key
      return ka < kb ? -1 : ka > kb ? 1 : a - b
    })
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j <= i + WINDOW && j < sorted.length; j++) consider(sorted[i]!, sorted[j]!)
    }
  }
  const sortedPairs = Float64Array.from(packed).sort()
  const pairs: Array<readonly [number, number]> = []
  for (let k = 0; k < sortedPairs.length; k++) {
    const id = sortedPairs[k]!
    if (k > 0 && sortedPairs[k - 1] === id) continue
    pairs.push([Math.floor(id / nodes.length), id % nodes.length])
  }

  // 3a. symmetric rules (spelling variants, nicknames), best score first; one-way rules collected for 3b
  const symmetric: Array<Edge> = []
  /** Shorter name → longer names it may stand for (one-way rules, decided later with uniqueness). */
  const oneWay = new Map<number, Array<Candidate>>()
  const addOneWay = (from: number, to: number, match: RuleMatch) =>
    append(oneWay, from, { to, method: match.method, score: match.score, explain: () => match.reason })
  for (const [i, j] of pairs) {
    const a = nodes[i]!
    const b = nodes[j]!
    if (a.form.key === b.form.key) {
      // a phrase in lower case and a name in title case are one key, two names ("two doors down", "Two Doors Down")
      if (!on("title") || lowerPhrase(a.form.surface, a.form) !== lowerPhrase(b.form.surface, b.form)) continue
      // One name with and without a title ("Mr. Sherlock Holmes", "Sherlock Holmes"): the same person,
      // unless the titles clash (coherence refuses "Mr."/"Mrs.") or the generations differ ("Jr.").
      if (a.form.generation === b.form.generation) {
        const [titled, plain] = a.form.gender !== null ? [a, b] : [b, a]
        symmetric.push({
          from: i,
          to: j,
          match: {
            method: "title",
            score: 0.95,
            reason: plain.form.gender === null
              ? `${q(titled.form.surface)} is ${q(plain.form.surface)} with a title`
              : `${q(a.form.surface)} and ${q(b.form.surface)} are one name with different titles`
          }
        })
      }
      continue
    }
    if (a.form.cls !== "person") {
      const spelling = on("similar-name") ? spellingVariant(a.form, b.form) : null
      if (spelling !== null) symmetric.push({ from: i, to: j, match: spelling })
      continue
    }
    const [s, l] = a.core.length <= b.core.length ? [a, b] : [b, a]
    const variant = personVariant(a.form, b.form)
    // a nickname for the first name ("Willi Schneider" / `Wilfried "Willi" Schneider`) is rule `nickname`
    const rule: RuleName | null = variant === null
      ? null
      : variant.method === "name-variant" &&
          (a.form.nicknames.includes(b.core[0]!) || b.form.nicknames.includes(a.core[0]!))
      ? "nickname"
      : variant.method as RuleName
    const match = (rule !== null && on(rule) ? variant : null) ??
      (on("surname-run") ? surnameRun(s.form, l.form) : null)
    if (match === null) continue
    if (a.core.length === b.core.length) symmetric.push({ from: i, to: j, match })
    else addOneWay(s.index, l.index, match)
  }
  symmetric.sort((x, y) => y.match.score - x.match.score || x.from - y.from || x.to - y.to)
  for (const e of symmetric) union(e.from, e.to, e.match)

  // 3a'. aliases: names the alias packages give for one place, then aliases the text defines
  const byPlace = new Map<string, Array<number>>()
  for (const n of nodes) for (const t of places[n.index]!) append(byPlace, t.id, n.index)
  for (const list of byPlace.values()) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const a = nodes[list[x]!]!
        const b = nodes[list[y]!]!
        const place = sharedPlace(places[a.index]!, places[b.index]!)
        if (place === null || find(a.index) === find(b.index)) continue
        union(a.index, b.index, {
          method: "alias",
          score: 0.95,
          reason: `${q(a.form.surface)} and ${
            q(b.form.surface)
          } are names of one place (${place.id}) in ${place.source}`,
          source: place.source
        })
      }
    }
  }
  if (options.text !== undefined) {
    const index = new CodePointIndex(options.text)
    for (const alias of textAliases(index, mentions, (rule) => on(rule))) {
      const a = nodeOfMention[alias.first]!
      const b = nodeOfMention[alias.second]!
      if (a === b || !textAliasAllowed(alias, a.form.cls, b.form.cls)) continue
      declared.add(pairId(a.index, b.index))
      if (!union(a.index, b.index, { method: "text-alias", score: 0.9, reason: alias.reason })) {
        declared.delete(pairId(a.index, b.index))
      }
    }
  }

  /**
   * Joins name `from` to the one cluster its candidates point to, if
   * exactly one other cluster is a candidate and the merge keeps both
   * coherent; when two or more are, records them as the reason it stayed
   * apart.
   */
  const ambiguity = new Map<number, ReadonlyArray<number>>()
  /** Names left apart from the one name they could stand for, because it is a person named in passing. */
  const held = new Map<number, number>()
  /** Per type class, the name of two or more tokens mentioned first: the class's topic (rule `topic`). */
  const topicOf = new Map<string, number>()
  for (const n of nodeOfMention) if (n.core.length >= 2 && !topicOf.has(n.form.cls)) topicOf.set(n.form.cls, n.index)
  const joinUnique = (from: number, candidates: ReadonlyArray<Candidate>, preferTopic = false) => {
    const own = find(from)
    const byCluster = new Map<number, Candidate>()
    for (const c of candidates) {
      const root = find(c.to)
      if (root === own || byCluster.has(root)) continue
      if (!coherent(own, root)) continue
      byCluster.set(root, c)
      if (byCluster.size > 1 && !(preferTopic && on("topic"))) break
    }
    if (byCluster.size > 1 && preferTopic && on("topic")) {
      // the first-named entity of the class (the document's topic among them) wins over the others
      const topic = topicOf.get(nodes[from]!.form.cls)
      const chosen = topic === undefined ? undefined : byCluster.get(find(topic))
      if (chosen !== undefined && chosen.blocked !== true) {
        byCluster.clear()
        byCluster.set(find(topic!), {
          ...chosen,
          explain: () => `${chosen.explain()}, the first-named of the candidates`
        })
      }
    }
    if (byCluster.size === 1) {
      const [c] = byCluster.values()
      if (c!.blocked !== true) union(from, c!.to, { method: c!.method, score: c!.score, reason: c!.explain() })
      else held.set(from, c!.to)
    } else if (byCluster.size > 1) {
      ambiguity.set(from, [...byCluster.values()].map((c) => c.to))
    }
  }

  // 3b. one-way rules between full names, longest short names first
  const oneWayOrder = [...oneWay.keys()].sort((a, b) => nodes[b]!.core.length - nodes[a]!.core.length || a - b)
  for (const from of oneWayOrder) {
    const list = oneWay.get(from)!
    list.sort((x, y) => nodes[y.to]!.informativeness - nodes[x.to]!.informativeness || x.to - y.to)
    joinUnique(from, list)
  }

  // 3c. acronyms: an acronym-shaped name joins the one entity whose name it abbreviates
  const acronymIndex = new Map<string, Array<number>>()
  for (const n of nodes) {
    if (n.core.length < 2) continue
    for (const k of acronymKeys(n.form)) {
      const key = `${n.form.cls}\u0000${k}`
      append(acronymIndex, key, n.index)
    }
  }
  for (const n of nodes) {
    const letters = n.form.acronym
    if (letters === null || n.core.length !== 1 || !on("acronym")) continue
    const candidates = acronymIndex.get(`${n.form.cls}\u0000${letters}`) ?? []
    joinUnique(
      n.index,
      candidates.map((to) => ({
        to,
        method: "acronym",
        score: 0.95,
        explain: () => `${q(n.form.surface)} is the acronym of ${q(nodes[to]!.form.surface)}`
      }))
    )
  }

  // 3c'. a definite description by the head noun ("the Committee", "the Games") joins the one name it heads
  if (options.text !== undefined && on("head-noun")) {
    const text = new CodePointIndex(options.text)
    const heads = new Map<string, Array<number>>()
    for (const n of nodes) {
      if (!HEAD_NOUN_CLASSES(n.form.cls) || n.core.length < 2) continue
      append(heads, `${n.form.cls}\u0000${n.core[n.core.length - 1]}`, n.index)
      if (HEAD_FIRST_LINKS.has(n.core[1]!)) append(heads, `${n.form.cls}\u0000${n.core[0]}`, n.index)
    }
    for (const n of nodes) {
      // one word as written: "the Shougang Corporation" is a full name, not a head noun
      if (!HEAD_NOUN_CLASSES(n.form.cls) || n.form.fullTokens.length !== 1 || n.form.acronym !== null) continue
      const t = n.core[0]!
      if (
        t.length < MIN_FUZZY_LENGTH || isNumberToken(t) ||
        n.mentions.filter((m) => definite(m, text)).length * 2 <= n.mentions.length
      ) continue
      const candidates = heads.get(`${n.form.cls}\u0000${t}`) ?? []
      joinUnique(
        n.index,
        candidates.map((to) => ({
          to,
          method: "head-noun",
          score: 0.85,
          explain: () => `"the ${n.form.surface}" is the head of ${q(nodes[to]!.form.surface)}`
        })),
        true
      )
    }
  }

  // 3d. a person's one-word name (surname, given name, nickname; or a titled name) joins the one person it can be
  const postings = new Map<string, Array<number>>()
  const post = (key: string, i: number) => append(postings, key, i)
  for (const n of nodes) {
    // "Peggotty and Mr. Dick" names two people: it is no one's full name
    if (n.form.cls !== "person" || n.core.includes("and")) continue
    if (n.core.length >= 2) {
      for (const t of n.core) post(t, n.index)
      for (const t of n.form.nicknames) post(t, n.index)
    } else if (n.form.gender !== null) {
      post(`=\u0000${n.form.key}`, n.index)
    }
  }
  // the document's first-named person: the first person mention with two or more names
  const topic = topicOf.get("person")
  /** Mentions of a cluster's full names (its names of two or more tokens). */
  const fullMentions = (root: number) => {
    let count = 0
    for (const x of state[root]!.full) count += nodes[x]!.mentions.length
    return count
  }
  const shortForms = nodes
    .filter((n) =>
      n.form.cls === "person" && n.core.length === 1 && n.core[0]!.length > 1 && n.form.acronym === null &&
      !isNumberToken(n.core[0]!)
    )
    // titled names first, so "Mr. Smith" has found its person before a bare "Smith" counts the candidates
    .sort((a, b) => Number(b.form.gender !== null) - Number(a.form.gender !== null) || a.index - b.index)
  for (const s of shortForms) {
    const t = s.core[0]!
    const candidates: Array<Candidate> = []
    if (s.form.gender === null && s.form.generation === null && on("title")) {
      for (const to of postings.get(`=\u0000${s.form.key}`) ?? []) {
        candidates.push({
          to,
          method: "title",
          score: 0.9,
          explain: () => `${q(s.form.surface)} is ${q(nodes[to]!.form.surface)} without the title`
        })
      }
    }
    for (const to of on("short-form") ? postings.get(t) ?? [] : []) {
      const l = nodes[to]!
      if (!on("given-name") && l.core[0] === t && l.core[l.core.length - 1] !== t) continue
      if (!on("cataphora") && s.mentions[0]!.span.start < l.mentions[0]!.span.start) continue
      // the surname of a person named in full once, in passing (not the document's first-named person)
      const passing = !on("passing-surname") && (topic === undefined || find(to) !== find(topic)) &&
        fullMentions(find(to)) === 1
      // a numbered name ("Carol II") is complete: it only joins a name with the same number
      if (!personAttributesCompatible(s.form, l.form) || (s.form.generation !== null && l.form.generation === null)) {
        continue
      }
      candidates.push({
        to,
        ...(passing ? { blocked: true } : {}),
        method: "short-form",
        score: 0.9,
        explain: () =>
          l.form.nicknames.includes(t)
            ? `${q(s.form.surface)} is the nickname in ${q(l.form.surface)}`
            : `${q(s.form.surface)} is part of ${q(l.form.surface)}`
      })
    }
    joinUnique(s.index, candidates, true)
  }

  // 3e. an untyped name joins the one typed entity it names: same name, acronym, or a person's short form
  const typedByKey = new Map<string, Array<number>>()
  const classes = new Set<string>()
  for (const n of nodes) {
    if (n.form.cls === UNTYPED) continue
    classes.add(n.form.cls)
    append(typedByKey, n.form.key, n.index)
  }
  for (const u of nodes) {
    if (u.form.cls !== UNTYPED || !on("untyped")) continue
    const candidates: Array<Candidate> = []
    for (const to of typedByKey.get(u.form.key) ?? []) {
      candidates.push({
        to,
        method: "exact",
        score: 0.9,
        explain: () =>
          `same normalised name ${q(u.form.key)} as the ${nodes[to]!.form.cls} ${
            q(nodes[to]!.form.surface)
          }; the mention's own type says nothing`
      })
    }
    if (u.form.acronym !== null && u.core.length === 1) {
      for (const cls of classes) {
        for (const to of acronymIndex.get(`${cls}\u0000${u.form.acronym}`) ?? []) {
          candidates.push({
            to,
            method: "acronym",
            score: 0.9,
            explain: () => `${q(u.form.surface)} is the acronym of ${q(nodes[to]!.form.surface)}`
          })
        }
      }
    } else if (u.core.length === 1 && u.core[0]!.length > 1 && !isNumberToken(u.core[0]!)) {
      for (const to of postings.get(u.core[0]!) ?? []) {
        candidates.push({
          to,
          method: "short-form",
          score: 0.85,
          explain: () => `${q(u.form.surface)} is part of the person name ${q(nodes[to]!.form.surface)}`
        })
      }
    }
    if (candidates.length > 0) joinUnique(u.index, candidates)
  }

  return buildResolution(nodes, find, edges, ambiguity, held)
}

/** Turns the union-find state into clusters and one assignment per mention, with evidence. */
const buildResolution = (
  nodes: ReadonlyArray<NameNode>,
  find: (i: number) => number,
  edges: ReadonlyArray<Edge>,
  ambiguity: ReadonlyMap<number, ReadonlyArray<number>>,
  held: ReadonlyMap<number, number>
): Resolution => {
  const members = new Map<number, Array<NameNode>>()
  for (const n of nodes) {
    const root = find(n.index)
    append(members, root, n)
  }
  const adjacency = new Map<number, Array<Edge>>()
  for (const e of edges) {
    for (const end of [e.from, e.to]) {
      append(adjacency, end, e)
    }
  }
  // names are numbered in document order and visited in that order, so `members` lists clusters by first mention
  const clusters: Array<Cluster> = []
  const assignments: Array<Assignment> = []
  const via = new Map<number, Edge>()
  for (const list of members.values()) {
    const clusterIndex = clusters.length
    let canonical = list[0]!
    for (const n of list) if (n.informativeness > canonical.informativeness) canonical = n
    const allMentions = list.length === 1 ? list[0]!.mentions : list.flatMap((n) => n.mentions).sort(byPosition)
    clusters.push(
      new Cluster({
        label: labelOf(canonical),
        type: canonical.mentions[0]!.type,
        mentions: allMentions.map((m) => m.id)
      }, {
        disableValidation: true
      })
    )

    // evidence: the spanning tree of merge edges, walked breadth-first from the canonical name
    via.clear()
    if (list.length > 1) {
      const queue = [canonical.index]
      const reached = new Set(queue)
      for (let head = 0; head < queue.length; head++) {
        const at = queue[head]!
        for (const e of adjacency.get(at) ?? []) {
          const next = e.from === at ? e.to : e.from
          if (reached.has(next)) continue
          reached.add(next)
          via.set(next, e)
          queue.push(next)
        }
      }
    }
    const single = allMentions.length === 1
    for (const n of list) {
      const edge = via.get(n.index)
      const ambiguous = ambiguity.get(n.index)
      const passing = held.get(n.index)
      const note = ambiguous !== undefined
        ? `; not merged further: could be any of ${ambiguous.map((i) => q(nodes[i]!.form.surface)).join(", ")}`
        : passing !== undefined
        ? `; not merged with ${q(nodes[passing]!.form.surface)}, a person named in full once, in passing`
        : ""
      const anchor = n.mentions[0]!
      let method: string
      let score: number
      let reason: string
      let linkedTo: string | undefined
      let source: string | undefined
      if (edge !== undefined) {
        source = edge.match.source
        method = edge.match.method
        score = round(edge.match.score)
        reason = edge.match.reason + note
        linkedTo = nodes[edge.from === n.index ? edge.to : edge.from]!.mentions[0]!.id
      } else if (single) {
        method = "singleton"
        score = 1
        reason = `no other ${n.form.cls} mention names the same entity${note}`
      } else {
        method = "exact"
        score = 1
        reason = `same normalised name ${q(n.form.key)} and type class ${n.form.cls} as the label${note}`
      }
      for (const m of n.mentions) {
        const first = edge === undefined && m === anchor
        assignments.push(
          new Assignment({
            mention: m.id,
            cluster: clusterIndex,
            method,
            score,
            reason: first && !single
              ? `the entity's most informative name, normalised ${q(n.form.key)}${note}`
              : reason,
            ...(first ? {} : { via: linkedTo ?? anchor.id }),
            ...(source === undefined || first ? {} : { source })
          }, { disableValidation: true })
        )
      }
    }
  }
  return new Resolution({ clusters, assignments }, { disableValidation: true })
}

const round = (x: number) => Math.round(x * 1000) / 1000

/**
 * The label of a name: its most frequent surface form, preferring forms
 * without a possessive ending and not written all in capitals (chapter
 * headings, shouting) when the name also occurs otherwise; ties: the
 * longest, then the first.
 */
const labelOf = (n: NameNode): string => {
  const counts = new Map<string, number>()
  for (const m of n.mentions) counts.set(surfaceOf(m), (counts.get(surfaceOf(m)) ?? 0) + 1)
  const capitals = (text: string) => text === text.toUpperCase() && text !== text.toLowerCase()
  const mixed = [...counts.keys()].some((text) => !capitals(text))
  const plain = (text: string) => (/['’]s?$/u.test(text) ? 0 : 2) + (mixed && capitals(text) ? 0 : 1)
  let best = surfaceOf(n.mentions[0]!)
  for (const [text, count] of counts) {
    const b = counts.get(best)!
    const order = plain(text) - plain(best) || count - b || text.length - best.length
    if (order > 0) best = text
  }
  return best
}

/**
 * Entity resolution for the resolve stage. `resolve` takes the document's
 * mentions (any order; the extract stage's `Mention[]`) and, optionally,
 * {@link ResolveOptions} (the document text, for aliases the text
 * defines), and returns its clusters and one assignment per mention
 * ({@link resolveMentions}). Never fails.
 */
export class Resolver extends Effect.Service<Resolver>()("Resolver", {
  succeed: {
    resolve: Effect.fn("Resolver.resolve")(function*(mentions: ReadonlyArray<Mention>, options?: ResolveOptions) {
      return yield* Effect.sync(() => resolveMentions(mentions, options))
    })
  },
  accessors: true
}) {}

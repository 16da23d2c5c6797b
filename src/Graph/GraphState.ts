/**
 * A context graph in memory: what replaying its log gives. Pure data and
 * pure transitions: {@link GraphState.feed} applies one record, and records
 * apply in transactions (each command's records end with a `commit`
 * record), so a log cut short by a crash replays as if the unfinished
 * command never ran.
 *
 * The blocking index (`index`) maps each persisted cross-document key to
 * the entities holding it, with a count, so a new contribution finds its
 * candidates by lookup, never by scanning entities.
 */
import {
  contributionKey,
  type ContributionMention,
  type GraphRecord,
  type MergeEvidence,
  type RunDocument
} from "../Domain/ContextGraph.js"

/** One run's entity inside the context graph. */
export interface Contribution {
  readonly key: string
  readonly runId: string
  readonly local: string
  readonly label: string
  readonly type: string
  readonly names: ReadonlyArray<string>
  readonly keys: ReadonlyArray<string>
  readonly genders: number
  readonly generation: string | null
  readonly mentions: ReadonlyArray<ContributionMention>
  /** The context entity it belongs to now. */
  entity: string
  /** Seq of its `mentions.attached` record. */
  readonly seq: number
}

/** A merge an entity went through, for `graph unmerge`. */
export interface MergeStep {
  readonly seq: number
  /** Contributions the merge brought in. */
  readonly moved: ReadonlyArray<string>
  readonly evidence: MergeEvidence
}

/** A context entity: a set of contributions. */
export interface EntityNode {
  readonly id: string
  /** Contribution keys, in the order they joined. */
  contributions: Array<string>
  merges: Array<MergeStep>
  readonly createdSeq: number
  /** Bumped whenever its contributions change (for caches of derived facts). */
  version: number
  /** Label and type given when it was created (the founding contribution's). */
  readonly label: string
  readonly type: string
}

/** A relation of one run, between local entity ids. */
export interface RunRelation {
  readonly subject: string
  readonly predicate: string
  readonly object: string
  readonly evidence: ReadonlyArray<
    { readonly start: number; readonly end: number; readonly text: string; readonly chunk: number }
  >
}

/** A run whose contribution is in the graph. */
export interface RunEntry {
  readonly runId: string
  readonly document: RunDocument
  readonly digest: string
  readonly seq: number
  readonly contributions: Array<string>
  readonly relations: Array<RunRelation>
}

export class GraphState {
  /** Highest seq seen, applied or not. */
  seq = 0
  /** Seq of the last applied record. */
  applied = 0
  readonly runs = new Map<string, RunEntry>()
  readonly entities = new Map<string, EntityNode>()
  readonly contributions = new Map<string, Contribution>()
  /** Blocking key → entity id → number of its contributions with that key. */
  readonly index = new Map<string, Map<string, number>>()
  /** Records of the open transaction, applied at its commit. */
  private pending: Array<GraphRecord> = []
  /** Records dropped: transactions that never committed or did not add up, and out-of-order records. */
  skipped = 0

  /** Records of a transaction still open (a crash cut it short, or its commit has not been read yet). */
  get uncommitted(): number {
    return this.pending.length
  }

  /** Forgets the open transaction (its lines were cut from the log). */
  dropUncommitted(): void {
    this.pending = []
  }

  /**
   * Takes the next record of the log. Records are buffered until their
   * `commit`; a commit whose count or first seq does not match the buffer
   * (lines lost in between) drops the whole transaction. A record whose seq
   * is not above every seq seen so far is dropped.
   */
  feed(record: GraphRecord): void {
    if (record.seq <= this.seq) {
      this.skipped++
      return
    }
    this.seq = record.seq
    if (record._tag !== "commit") {
      this.pending.push(record)
      return
    }
    // records before `first` belong to a transaction that never committed (its writer died)
    const batch = this.pending.filter((r) => r.seq >= record.first)
    this.skipped += this.pending.length - batch.length
    this.pending = []
    if (batch.length !== record.count || (batch.length > 0 && batch[0]!.seq !== record.first)) {
      this.skipped += batch.length + 1
      return
    }
    for (const r of batch) this.apply(r)
    this.applied = record.seq
  }

  private indexAdd(key: string, entity: string, n: number) {
    let m = this.index.get(key)
    if (m === undefined) this.index.set(key, m = new Map())
    const next = (m.get(entity) ?? 0) + n
    if (next <= 0) m.delete(entity)
    else m.set(entity, next)
    if (m.size === 0) this.index.delete(key)
  }

  private move(c: Contribution, to: string) {
    for (const k of c.keys) {
      this.indexAdd(k, c.entity, -1)
      this.indexAdd(k, to, 1)
    }
    c.entity = to
  }

  private detach(key: string) {
    const c = this.contributions.get(key)
    if (c === undefined) return
    for (const k of c.keys) this.indexAdd(k, c.entity, -1)
    const e = this.entities.get(c.entity)
    if (e !== undefined) {
      e.contributions = e.contributions.filter((x) => x !== key)
      e.version++
      if (e.contributions.length === 0) this.entities.delete(e.id)
    }
    this.contributions.delete(key)
  }

  private apply(r: GraphRecord) {
    switch (r._tag) {
      case "run.added":
        this.runs.set(r.runId, {
          runId: r.runId,
          document: r.document,
          digest: r.digest,
          seq: r.seq,
          contributions: [],
          relations: []
        })
        break
      case "run.removed": {
        const run = this.runs.get(r.runId)
        if (run === undefined) break
        for (const key of run.contributions) this.detach(key)
        this.runs.delete(r.runId)
        break
      }
      case "entity.created":
        this.entities.set(r.entity, {
          id: r.entity,
          contributions: [],
          merges: [],
          createdSeq: r.seq,
          version: 0,
          label: r.label,
          type: r.type
        })
        break
      case "mentions.attached": {
        const entity = this.entities.get(r.entity)
        const run = this.runs.get(r.runId)
        if (entity === undefined || run === undefined) break
        const key = contributionKey(r.runId, r.local)
        const c: Contribution = {
          key,
          runId: r.runId,
          local: r.local,
          label: r.label,
          type: r.type,
          names: r.names,
          keys: r.keys,
          genders: r.genders,
          generation: r.generation,
          mentions: r.mentions,
          entity: r.entity,
          seq: r.seq
        }
        this.contributions.set(key, c)
        for (const k of c.keys) this.indexAdd(k, r.entity, 1)
        entity.contributions.push(key)
        entity.version++
        run.contributions.push(key)
        if (r.evidence !== null) entity.merges.push({ seq: r.seq, moved: [key], evidence: r.evidence })
        break
      }
      case "entities.merged": {
        const into = this.entities.get(r.into)
        const from = this.entities.get(r.from)
        if (into === undefined || from === undefined || into === from) break
        for (const key of from.contributions) this.move(this.contributions.get(key)!, into.id)
        into.contributions = into.contributions.concat(from.contributions)
        into.version++
        into.merges = into.merges.concat(from.merges, [{
          seq: r.seq,
          moved: [...from.contributions],
          evidence: r.evidence
        }])
          .sort((a, b) => a.seq - b.seq)
        this.entities.delete(from.id)
        break
      }
      case "merge.undone": {
        const from = this.entities.get(r.from)
        if (from === undefined) break
        const moved = new Set(r.moved.filter((k) => this.contributions.get(k)?.entity === from.id))
        if (moved.size === 0 || moved.size === from.contributions.length) break
        const split: EntityNode = {
          id: r.entity,
          contributions: from.contributions.filter((k) => moved.has(k)),
          merges: from.merges.filter((m) => m.seq !== r.undoes && m.moved.every((k) => moved.has(k))),
          createdSeq: r.seq,
          version: 0,
          label: this.contributions.get([...moved][0]!)!.label,
          type: this.contributions.get([...moved][0]!)!.type
        }
        from.contributions = from.contributions.filter((k) => !moved.has(k))
        from.version++
        from.merges = from.merges.filter((m) => m.seq !== r.undoes && !split.merges.includes(m))
        this.entities.set(split.id, split)
        for (const k of split.contributions) this.move(this.contributions.get(k)!, split.id)
        break
      }
      case "relation.added": {
        const run = this.runs.get(r.runId)
        if (run !== undefined) {
          run.relations.push({ subject: r.subject, predicate: r.predicate, object: r.object, evidence: r.evidence })
        }
        break
      }
      case "commit":
        break
    }
  }
}

/** Replays records in order into a fresh state. */
export const replay = (records: Iterable<GraphRecord>): GraphState => {
  const state = new GraphState()
  for (const r of records) state.feed(r)
  return state
}

/** What the graph says about one entity, computed from its contributions. */
export interface EntityView {
  readonly id: string
  readonly label: string
  readonly type: string
  /** Other names, sorted. */
  readonly aliases: ReadonlyArray<string>
  readonly contributions: ReadonlyArray<Contribution>
  readonly mentionCount: number
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * An entity's label, type and aliases: the label is the contribution label
 * with the most mentions in total (ties: the longer, then the earlier); the
 * type likewise; aliases are every other name of its contributions.
 */
export const viewOf = (state: GraphState, entity: EntityNode): EntityView => {
  const contributions = entity.contributions.map((k) => state.contributions.get(k)!)
  const labelWeight = new Map<string, number>()
  const typeWeight = new Map<string, number>()
  let mentionCount = 0
  for (const c of contributions) {
    labelWeight.set(c.label, (labelWeight.get(c.label) ?? 0) + c.mentions.length)
    typeWeight.set(c.type, (typeWeight.get(c.type) ?? 0) + c.mentions.length)
    mentionCount += c.mentions.length
  }
  const best = (weights: Map<string, number>, fallback: string) => {
    let top = fallback
    let w = -1
    for (const [k, v] of weights) if (v > w || (v === w && k.length > top.length)) [top, w] = [k, v]
    return top
  }
  const label = best(labelWeight, entity.label)
  const type = best(typeWeight, entity.type)
  const aliases = new Set<string>()
  for (const c of contributions) for (const n of c.names) if (n !== label) aliases.add(n)
  return { id: entity.id, label, type, aliases: [...aliases].sort(byCodeUnit), contributions, mentionCount }
}

/**
 * The context graph store: one knowledge graph per context under
 * `<output-dir>/graphs/<context>/` (docs/graph.md has the full account).
 *
 * - `log.jsonl` is the truth: an append-only log of records
 *   (src/Domain/ContextGraph.ts), each line with its SHA-256
 *   (src/Graph/GraphLog.ts). A command's records end with a `commit`
 *   record and are written in one append followed by fsync, so a crash
 *   leaves either the whole command or a tail that replays as nothing.
 * - `graph.jsonl` is a snapshot, in the MCP memory server's format
 *   (src/Graph/GraphSnapshot.ts), rewritten atomically
 *   (src/Store/AtomicFile.ts) at the end of every command that changed
 *   the graph. It equals a rendering of the replayed log.
 * - One writer at a time per context: `.lock`, taken with the run store's
 *   lock discipline (src/Store/RunLock.ts: hard-linked lock records, stale
 *   holders broken safely). Readers take no lock: they replay committed
 *   records only.
 * - `.backup/`: after each write, today's `daily-YYYY-MM-DD/` and this
 *   week's `weekly-GGGG-Www/` copies of the log and snapshot with a
 *   `manifest.json` of their checksums; the newest 7 daily and 4 weekly are
 *   kept (configurable).
 * - `.recovery/recovery-YYYY-MM-DD.log`: what every automatic healing and
 *   every `graph repair` did, one line per action.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { sha256Hex } from "../Digest.js"
import {
  contextProblem,
  type GraphChange,
  GraphError,
  type GraphRecord,
  type RunDocument
} from "../Domain/ContextGraph.js"
import { StoreError, UsageError } from "../Domain/Errors.js"
import { isStaleTemporary, writeFileAtomic } from "../Store/AtomicFile.js"
import { RunLock } from "../Store/RunLock.js"
import { planRun, type PlanSummary, type RunContribution, splitId } from "./CrossResolver.js"
import { encodeLine, type ParsedLog, parseLog } from "./GraphLog.js"
import { renderSnapshot } from "./GraphSnapshot.js"
import { GraphState, replay, viewOf } from "./GraphState.js"

/** Backups kept by default: daily and weekly copies. */
export const DEFAULT_KEEP_DAILY = 7
export const DEFAULT_KEEP_WEEKLY = 4

/** File names inside a context directory. */
export const GRAPH_FILES = {
  log: "log.jsonl",
  snapshot: "graph.jsonl",
  lock: ".lock",
  backup: ".backup",
  recovery: ".recovery"
} as const

/** Where the store keeps its graphs and how it waits and backs up. */
export class GraphStoreConfig extends Context.Tag("GraphStoreConfig")<GraphStoreConfig, {
  /** The output directory; graphs live in its `graphs/` folder, runs in `runs/`. */
  readonly outputDir: string
  /** Wait for a context another process is writing (default), or fail at once with RunLocked. */
  readonly wait?: boolean
  readonly onLockWait?: (message: string) => Effect.Effect<void>
  readonly keepDaily?: number
  readonly keepWeekly?: number
  /** The clock for backup names and timestamps (tests); default `new Date()`. */
  readonly now?: () => Date
}>() {
  static layer = (outputDir: string, options: Omit<GraphStoreConfig["Type"], "outputDir"> = {}) =>
    Layer.succeed(GraphStoreConfig, { outputDir, ...options })
}

/** What adding one run did. */
export interface AddResult extends PlanSummary {
  readonly runId: string
  /** `added`; `replaced` (a re-run's new graph replaced its old one); `unchanged` (the same graph was there). */
  readonly status: "added" | "replaced" | "unchanged"
}

/** What `verify` found. */
export interface VerifyReport {
  readonly context: string
  readonly ok: boolean
  readonly records: number
  readonly runs: number
  readonly entities: number
  readonly relations: number
  /** One line per problem; empty when ok. */
  readonly problems: ReadonlyArray<string>
}

/** What `repair` did. */
export interface RepairReport {
  readonly context: string
  /** Damaged log lines skipped (including a line cut short). */
  readonly damagedLines: number
  /** The backup whose records filled gaps, if one was used. */
  readonly backup: string | null
  /** Records taken from the backup. */
  readonly restoredRecords: number
  /** Records that could not be applied (transactions with lines lost for good). */
  readonly lostRecords: number
  readonly snapshotRewritten: boolean
  /** The recovery log written to, relative to the context directory. */
  readonly recoveryLog: string
  readonly actions: ReadonlyArray<string>
}

/** A context's state as this process last read it. */
interface Cached {
  state: GraphState
  /** Bytes of the log read so far (up to a line end). */
  bytes: number
  /** Bytes up to the end of the last committed transaction. */
  committed: number
  ino: number | null
  /** Seq of the snapshot on disk as far as we know (-1 unknown). */
  snapshotSeq: number
  /** Damage seen while reading (line numbers are per read). */
  damaged: number
  torn: boolean
}

const isNotFound = (e: { readonly _tag: string; readonly reason?: string }) =>
  e._tag === "SystemError" && e.reason === "NotFound"

/** ISO week of a date: `GGGG-Www` (ISO 8601). */
export const isoWeek = (d: Date): string => {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))
  const day = t.getUTCDay() || 7
  t.setUTCDate(t.getUTCDate() + 4 - day)
  const yearStart = new Date(Date.UTC(t.getUTCFullYear(), 0, 1))
  const week = Math.ceil(((t.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7)
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, "0")}`
}

export class GraphStore extends Effect.Service<GraphStore>()("GraphStore", {
  effect: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const config = yield* GraphStoreConfig
    const locks = yield* RunLock
    const graphsDir = path.resolve(config.outputDir, "graphs")
    const now = config.now ?? (() => new Date())
    const keepDaily = config.keepDaily ?? DEFAULT_KEEP_DAILY
    const keepWeekly = config.keepWeekly ?? DEFAULT_KEEP_WEEKLY
    const cache = new Map<string, Cached>()

    const dirOf = (context: string) => path.join(graphsDir, context)
    const fileOf = (context: string, name: string) => path.join(dirOf(context), name)
    const fail = (operation: string, file: string) => (e: { readonly message: string }) =>
      new StoreError({ operation, path: file, message: `cannot ${operation} ${file}: ${e.message.split("\n")[0]}` })
    const provide = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>) =>
      effect.pipe(Effect.provideService(FileSystem.FileSystem, fs), Effect.provideService(Path.Path, path))
    /** Atomic replacement; an empty content (the platform's writeAll refuses 0 bytes) becomes an empty file. */
    const writeAtomic = (file: string, content: string) =>
      (content === "" ? fs.writeFileString(file, "") : provide(writeFileAtomic(file, content))).pipe(
        Effect.mapError(fail("write", file))
      )

    const validate = (context: string) => {
      const problem = contextProblem(context)
      return problem === null ? Effect.succeed(context) : Effect.fail(new UsageError({ message: problem }))
    }

    const readOptional = (file: string): Effect.Effect<Option.Option<string>, StoreError> =>
      fs.readFileString(file).pipe(
        Effect.map((text) => Option.some(text)),
        Effect.catchIf(isNotFound, () => Effect.succeed(Option.none<string>())),
        Effect.mapError(fail("read", file))
      )

    const inoOf = (file: string) =>
      fs.stat(file).pipe(
        Effect.map((info) => ({ size: Number(info.size), ino: Option.getOrNull(info.ino) })),
        Effect.catchIf(isNotFound, () => Effect.succeed(null)),
        Effect.mapError(fail("stat", file))
      )

    /** Reads bytes `from`… of a file. */
    const readFrom = (file: string, from: number, size: number) =>
      Effect.scoped(Effect.gen(function*() {
        const handle = yield* fs.open(file, { flag: "r" })
        yield* handle.seek(from, "start")
        const bytes = yield* handle.readAlloc(size)
        return Option.match(bytes, { onNone: () => "", onSome: (b) => new TextDecoder().decode(b) })
      })).pipe(Effect.mapError(fail("read", file)))

    /**
     * The context's state, brought up to date with the log: from the cache
     * when the log only grew (its new lines are read and fed), else by a
     * full replay. A line cut short at the end is not consumed.
     */
    const refresh = (context: string) =>
      Effect.gen(function*() {
        const log = fileOf(context, GRAPH_FILES.log)
        const info = yield* inoOf(log)
        let cached = cache.get(context)
        if (info === null) {
          if (cached === undefined || cached.bytes > 0) {
            cached = {
              state: new GraphState(),
              bytes: 0,
              committed: 0,
              ino: null,
              snapshotSeq: -1,
              damaged: 0,
              torn: false
            }
            cache.set(context, cached)
          }
          return cached
        }
        if (cached === undefined || cached.ino !== info.ino || info.size < cached.bytes) {
          cached = {
            state: new GraphState(),
            bytes: 0,
            committed: 0,
            ino: info.ino,
            snapshotSeq: -1,
            damaged: 0,
            torn: false
          }
          cache.set(context, cached)
        }
        if (info.size > cached.bytes) {
          const text = yield* readFrom(log, cached.bytes, info.size - cached.bytes)
          const parsed = parseLog(text)
          for (const r of parsed.records) cached.state.feed(r)
          if (parsed.committedBytes > 0) cached.committed = cached.bytes + parsed.committedBytes
          cached.bytes += parsed.completeBytes
          cached.damaged += parsed.damaged.filter((d) => !(parsed.torn && d === parsed.damaged.at(-1))).length
          cached.torn = parsed.torn
        } else cached.torn = false
        return cached
      })

    const stamp = () => now().toISOString()

    /** Appends a line to `.recovery/recovery-<date>.log`. */
    const noteRecovery = (context: string, lines: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        if (lines.length === 0) return
        const dir = fileOf(context, GRAPH_FILES.recovery)
        yield* fs.makeDirectory(dir, { recursive: true })
        const file = path.join(dir, `recovery-${stamp().slice(0, 10)}.log`)
        yield* fs.writeFileString(file, lines.map((l) => `${stamp()} ${l}\n`).join(""), { flag: "a" })
      }).pipe(Effect.mapError(fail("write", fileOf(context, GRAPH_FILES.recovery))))

    /**
     * With the lock held: removes temporary files of dead writers and cuts a
     * line left half-written by a killed writer, noting both.
     */
    const heal = (context: string, cached: Cached) =>
      Effect.gen(function*() {
        const notes: Array<string> = []
        const entries = yield* fs.readDirectory(dirOf(context)).pipe(Effect.orElseSucceed(() => [] as Array<string>))
        for (const name of entries) {
          if (isStaleTemporary(name)) {
            yield* fs.remove(path.join(dirOf(context), name)).pipe(Effect.ignore)
            notes.push(`removed ${name}, left by a writer that died`)
          }
        }
        if (cached.torn || cached.state.uncommitted > 0) {
          // we hold the lock, so whatever follows the last commit was left by a writer that died
          const log = fileOf(context, GRAPH_FILES.log)
          const info = yield* inoOf(log)
          yield* fs.truncate(log, cached.committed).pipe(Effect.mapError(fail("truncate", log)))
          notes.push(
            `cut the unfinished transaction an interrupted write left at the end of ${GRAPH_FILES.log}: ${cached.state.uncommitted} record(s), ${
              (info?.size ?? cached.committed) - cached.committed
            } bytes`
          )
          cached.state.dropUncommitted()
          cached.bytes = cached.committed
          cached.torn = false
        }
        yield* noteRecovery(context, notes)
      })

    /** Runs `f` holding the context's lock, with the state up to date and healed. */
    const withLock = <A, E, R>(context: string, f: (cached: Cached) => Effect.Effect<A, E, R>) =>
      Effect.scoped(Effect.gen(function*() {
        yield* validate(context)
        const dir = dirOf(context)
        yield* fs.makeDirectory(dir, { recursive: true }).pipe(Effect.mapError(fail("create", dir)))
        yield* locks.scoped(fileOf(context, GRAPH_FILES.lock), {
          wait: config.wait ?? true,
          what: `context graph ${context}`,
          ...(config.onLockWait
            ? { onWait: (h) => config.onLockWait!(`waiting for context ${context}: locked by pid ${h.pid}`) }
            : {})
        })
        const cached = yield* refresh(context)
        yield* heal(context, cached)
        return yield* f(cached)
      }))

    /**
     * Appends one transaction (the changes plus their `commit`) in one write
     * and one fsync, then applies it to the cached state. Lock held.
     */
    const append = (context: string, cached: Cached, changes: ReadonlyArray<GraphChange>) =>
      Effect.gen(function*() {
        if (changes.length === 0) return
        const at = stamp()
        const first = cached.state.seq + 1
        const records: Array<GraphRecord> = changes.map((c, i) => ({ ...c, seq: first + i, at }) as GraphRecord)
        records.push({ _tag: "commit", first, count: changes.length, seq: first + changes.length, at })
        const text = records.map(encodeLine).join("")
        const log = fileOf(context, GRAPH_FILES.log)
        yield* Effect.scoped(Effect.gen(function*() {
          const handle = yield* fs.open(log, { flag: "a" })
          yield* handle.writeAll(new TextEncoder().encode(text))
          yield* handle.sync
        })).pipe(Effect.mapError(fail("append to", log)), Effect.uninterruptible)
        for (const r of records) cached.state.feed(r)
        cached.bytes += Buffer.byteLength(text)
        cached.committed = cached.bytes
        if (cached.ino === null) cached.ino = (yield* inoOf(log))?.ino ?? null
      })

    const snapshotSeqOf = (context: string) =>
      readOptional(fileOf(context, GRAPH_FILES.snapshot)).pipe(
        Effect.map(Option.match({
          onNone: () => -1,
          onSome: (text) => {
            try {
              const head = JSON.parse(text.slice(0, text.indexOf("\n"))) as { type?: string; seq?: number }
              return head.type === "snapshot" && typeof head.seq === "number" ? head.seq : -1
            } catch {
              return -1
            }
          }
        }))
      )

    /** A backup directory's manifest, if its files match it. */
    const validBackup = (dir: string) =>
      Effect.gen(function*() {
        const manifest = yield* readOptional(path.join(dir, "manifest.json"))
        if (Option.isNone(manifest)) return Option.none<{ seq: number; log: string }>()
        const m = JSON.parse(manifest.value) as { seq: number; log: { sha256: string }; graph: { sha256: string } }
        const log = yield* readOptional(path.join(dir, GRAPH_FILES.log))
        const graph = yield* readOptional(path.join(dir, GRAPH_FILES.snapshot))
        if (Option.isNone(log) || Option.isNone(graph)) return Option.none()
        if (sha256Hex(log.value) !== m.log.sha256 || sha256Hex(graph.value) !== m.graph.sha256) return Option.none()
        return Option.some({ seq: m.seq, log: log.value })
      }).pipe(Effect.catchAll(() => Effect.succeed(Option.none<{ seq: number; log: string }>())))

    /** Refreshes today's daily and this week's weekly backup, then rotates. Lock held; the log must be sound. */
    const backup = (context: string, cached: Cached) =>
      Effect.gen(function*() {
        const root = fileOf(context, GRAPH_FILES.backup)
        const today = now()
        const targets = [`daily-${today.toISOString().slice(0, 10)}`, `weekly-${isoWeek(today)}`]
        let log: string | null = null
        let graph: string | null = null
        for (const name of targets) {
          const dir = path.join(root, name)
          const manifest = yield* readOptional(path.join(dir, "manifest.json")).pipe(
            Effect.orElseSucceed(() => Option.none<string>())
          )
          const seq = Option.match(manifest, {
            onNone: () => -1,
            onSome: (t) => {
              try {
                return (JSON.parse(t) as { seq: number }).seq
              } catch {
                return -1
              }
            }
          })
          if (seq === cached.state.applied) continue
          log ??= Option.getOrElse(yield* readOptional(fileOf(context, GRAPH_FILES.log)), () => "")
          graph ??= Option.getOrElse(yield* readOptional(fileOf(context, GRAPH_FILES.snapshot)), () => "")
          yield* fs.makeDirectory(dir, { recursive: true }).pipe(Effect.mapError(fail("create", dir)))
          yield* fs.remove(path.join(dir, "manifest.json")).pipe(Effect.ignore)
          yield* writeAtomic(path.join(dir, GRAPH_FILES.log), log)
          yield* writeAtomic(path.join(dir, GRAPH_FILES.snapshot), graph)
          yield* writeAtomic(
            path.join(dir, "manifest.json"),
            JSON.stringify(
              {
                context,
                seq: cached.state.applied,
                createdAt: stamp(),
                log: { sha256: sha256Hex(log), bytes: Buffer.byteLength(log) },
                graph: { sha256: sha256Hex(graph), bytes: Buffer.byteLength(graph) }
              },
              null,
              2
            ) + "\n"
          )
        }
        const names = yield* fs.readDirectory(root).pipe(Effect.orElseSucceed(() => [] as Array<string>))
        const rotate = (prefix: string, keep: number) =>
          names.filter((n) => n.startsWith(prefix)).sort().reverse().slice(keep)
        for (const old of [...rotate("daily-", keepDaily), ...rotate("weekly-", keepWeekly)]) {
          yield* fs.remove(path.join(root, old), { recursive: true }).pipe(Effect.ignore)
        }
      })

    /** Writes graph.jsonl if it is not the rendering of the current state, then backs up. Lock held. */
    const flushLocked = (context: string, cached: Cached) =>
      Effect.gen(function*() {
        if (cached.snapshotSeq < 0) cached.snapshotSeq = yield* snapshotSeqOf(context)
        if (cached.snapshotSeq !== cached.state.applied || cached.state.applied === 0) {
          yield* writeAtomic(fileOf(context, GRAPH_FILES.snapshot), renderSnapshot(cached.state, context))
          cached.snapshotSeq = cached.state.applied
        }
        if (cached.damaged === 0) yield* backup(context, cached)
      })

    /**
     * Adds runs' graphs to a context (created if need be). A run whose
     * graph is already there unchanged (same digest) is left alone; a run
     * there with another digest (a re-run) has its old contribution removed
     * and the new one added. Cross-document resolution by
     * {@link planRun}. With `flush` (the default), graph.jsonl and the
     * backups are brought up to date before the lock is released; without,
     * call {@link flush} when a batch is done.
     *
     * @throws UsageError (bad context name), RunLocked (`wait: false`), StoreError
     */
    const add = Effect.fn("GraphStore.add")(function*(
      context: string,
      runs: ReadonlyArray<RunContribution>,
      options: { readonly flush?: boolean } = {}
    ) {
      return yield* withLock(context, (cached) =>
        Effect.gen(function*() {
          const results: Array<AddResult> = []
          for (const run of runs) {
            const existing = cached.state.runs.get(run.runId)
            if (existing !== undefined && existing.digest === run.digest) {
              results.push({
                runId: run.runId,
                status: "unchanged",
                created: 0,
                attached: 0,
                mergedEntities: 0,
                relations: 0
              })
              continue
            }
            if (existing !== undefined) yield* append(context, cached, [{ _tag: "run.removed", runId: run.runId }])
            const plan = planRun(cached.state, run)
            yield* append(context, cached, [
              {
                _tag: "run.added",
                runId: run.runId,
                document: run.document,
                digest: run.digest,
                replaces: existing !== undefined
              },
              ...plan.changes
            ])
            results.push({ runId: run.runId, status: existing === undefined ? "added" : "replaced", ...plan.summary })
          }
          if (options.flush ?? true) yield* flushLocked(context, cached)
          return results
        }))
    })

    /** Brings graph.jsonl and the backups of a context up to date. */
    const flush = Effect.fn("GraphStore.flush")(function*(context: string) {
      yield* withLock(context, (cached) => flushLocked(context, cached))
    })

    const exists = (context: string) => fs.exists(dirOf(context)).pipe(Effect.orElseSucceed(() => false))

    /**
     * The context's state for reading (no lock: committed records only).
     * @throws UsageError (bad name), GraphError (no such context), StoreError
     */
    const read = Effect.fn("GraphStore.read")(function*(context: string) {
      yield* validate(context)
      if (!(yield* exists(context))) {
        return yield* new GraphError({ context, message: `no context graph "${context}" in ${config.outputDir}` })
      }
      return (yield* refresh(context)).state
    })

    /** Contexts (directory names that are valid context names), sorted. */
    const contexts = Effect.fn("GraphStore.contexts")(function*() {
      const names = yield* fs.readDirectory(graphsDir).pipe(
        Effect.catchIf(isNotFound, () => Effect.succeed([] as Array<string>)),
        Effect.mapError(fail("list", graphsDir))
      )
      return names.filter((n) => contextProblem(n) === null).sort()
    })

    /** Full check of a context (see docs/graph.md, "Verify"). `runExists` answers whether a run is in the run store. */
    const verify = Effect.fn("GraphStore.verify")(function*(
      context: string,
      runExists: (runId: string) => Effect.Effect<boolean>
    ) {
      yield* validate(context)
      if (!(yield* exists(context))) {
        return yield* new GraphError({ context, message: `no context graph "${context}" in ${config.outputDir}` })
      }
      return yield* Effect.scoped(Effect.gen(function*() {
        yield* locks.scoped(fileOf(context, GRAPH_FILES.lock), { wait: true, what: `context graph ${context}` })
        const problems: Array<string> = []
        const text = Option.getOrElse(yield* readOptional(fileOf(context, GRAPH_FILES.log)), () => "")
        const parsed = parseLog(text)
        for (const d of parsed.damaged) problems.push(`${GRAPH_FILES.log} line ${d.line}: ${d.reason}`)
        const state = replay(parsed.records)
        if (state.skipped > 0) problems.push(`${state.skipped} log records belong to incomplete transactions`)
        if (state.uncommitted > 0) {
          problems.push(`${state.uncommitted} log records at the end were never committed (an interrupted write)`)
        }
        for (const run of state.runs.values()) {
          if (!(yield* runExists(run.runId))) {
            problems.push(`run ${run.runId} (${run.document.path}) is not in the run store`)
          }
          for (const r of run.relations) {
            for (const end of [r.subject, r.object]) {
              if (!state.contributions.has(`${run.runId}/${end}`)) {
                problems.push(`relation ${r.predicate} of ${run.runId}: endpoint ${end} is not in the graph`)
              }
            }
          }
        }
        for (const e of state.entities.values()) {
          if (e.contributions.length === 0) problems.push(`entity ${e.id} has no mentions`)
        }
        const snapshot = yield* readOptional(fileOf(context, GRAPH_FILES.snapshot))
        const expected = renderSnapshot(state, context)
        if (Option.isNone(snapshot)) problems.push(`${GRAPH_FILES.snapshot} is missing`)
        else if (snapshot.value !== expected) {
          const a = snapshot.value.split("\n")
          const b = expected.split("\n")
          let line = 0
          while (line < a.length && a[line] === b[line]) line++
          problems.push(
            `${GRAPH_FILES.snapshot} differs from a replay of the log from line ${line + 1} on (${
              a.length - 1
            } lines, expected ${b.length - 1})`
          )
        }
        const relations = new Set<string>()
        for (const line of expected.split("\n")) if (line.startsWith(`{"type":"relation"`)) relations.add(line)
        return {
          context,
          ok: problems.length === 0,
          records: parsed.records.length,
          runs: state.runs.size,
          entities: state.entities.size,
          relations: relations.size,
          problems
        } satisfies VerifyReport
      }))
    })

    /**
     * Rebuilds a context from its log (see docs/graph.md, "Repair"):
     * damaged lines are skipped and counted; when there are any, the
     * newest valid backup fills in the records it has; the log is rewritten
     * (the damaged original kept in `.recovery/`), the snapshot re-rendered,
     * and every step written to `.recovery/recovery-<date>.log`.
     */
    const repair = Effect.fn("GraphStore.repair")(function*(context: string) {
      yield* validate(context)
      if (!(yield* exists(context))) {
        return yield* new GraphError({ context, message: `no context graph "${context}" in ${config.outputDir}` })
      }
      return yield* withLock(context, (cached) =>
        Effect.gen(function*() {
          const actions: Array<string> = []
          const logFile = fileOf(context, GRAPH_FILES.log)
          const text = Option.getOrElse(yield* readOptional(logFile), () => "")
          const parsed: ParsedLog = parseLog(text)
          const bySeq = new Map<number, GraphRecord>()
          for (const r of parsed.records) if (!bySeq.has(r.seq)) bySeq.set(r.seq, r)
          let usedBackup: string | null = null
          let restored = 0
          if (parsed.damaged.length > 0) {
            actions.push(
              `${parsed.damaged.length} damaged line(s) in ${GRAPH_FILES.log}: ${
                parsed.damaged.slice(0, 5).map((d) => `line ${d.line} (${d.reason})`).join(", ")
              }${parsed.damaged.length > 5 ? ", …" : ""}`
            )
            const root = fileOf(context, GRAPH_FILES.backup)
            const names = yield* fs.readDirectory(root).pipe(Effect.orElseSucceed(() => [] as Array<string>))
            const candidates: Array<{ name: string; seq: number; log: string }> = []
            for (const name of names) {
              const b = yield* validBackup(path.join(root, name))
              if (Option.isSome(b)) candidates.push({ name, ...b.value })
            }
            candidates.sort((x, y) => y.seq - x.seq || (x.name < y.name ? 1 : -1))
            const newest = candidates[0]
            if (newest !== undefined) {
              usedBackup = newest.name
              for (const r of parseLog(newest.log).records) {
                if (!bySeq.has(r.seq)) {
                  bySeq.set(r.seq, r)
                  restored++
                }
              }
              actions.push(
                `took ${restored} record(s) missing from the log from backup ${newest.name} (seq ≤ ${newest.seq})`
              )
            } else actions.push("no valid backup to take lost records from")
            const keep = path.join(
              fileOf(context, GRAPH_FILES.recovery),
              `log-${stamp().replace(/[:.]/g, "-")}.damaged.jsonl`
            )
            yield* fs.makeDirectory(path.dirname(keep), { recursive: true }).pipe(Effect.mapError(fail("create", keep)))
            yield* writeAtomic(keep, text)
            actions.push(`kept the damaged log as ${path.relative(dirOf(context), keep)}`)
          }
          const records = [...bySeq.values()].sort((a, b) => a.seq - b.seq)
          const state = replay(records)
          if (parsed.damaged.length > 0 || restored > 0) {
            yield* writeAtomic(logFile, records.map(encodeLine).join(""))
            actions.push(`rewrote ${GRAPH_FILES.log} with ${records.length} good record(s)`)
          }
          const lost = state.skipped + state.uncommitted
          if (lost > 0) actions.push(`${lost} record(s) of incomplete transactions could not be applied`)
          const expected = renderSnapshot(state, context)
          const current = yield* readOptional(fileOf(context, GRAPH_FILES.snapshot))
          const rewrite = Option.isNone(current) || current.value !== expected
          if (rewrite) {
            yield* writeAtomic(fileOf(context, GRAPH_FILES.snapshot), expected)
            actions.push(
              `${
                Option.isNone(current) ? "rebuilt the missing" : "rewrote the damaged or stale"
              } ${GRAPH_FILES.snapshot} from the log (${state.entities.size} entities)`
            )
          }
          if (actions.length === 0) actions.push("nothing to repair")
          yield* noteRecovery(context, actions.map((a) => `repair: ${a}`))
          cache.delete(context)
          const fresh = yield* refresh(context)
          fresh.snapshotSeq = state.applied
          yield* backup(context, fresh)
          return {
            context,
            damagedLines: parsed.damaged.length,
            backup: usedBackup,
            restoredRecords: restored,
            lostRecords: lost,
            snapshotRewritten: rewrite,
            recoveryLog: `${GRAPH_FILES.recovery}/recovery-${stamp().slice(0, 10)}.log`,
            actions
          } satisfies RepairReport
        }).pipe(Effect.tap(() => Effect.sync(() => void cached))))
    })

    /**
     * Reverses the latest cross-document merge of an entity (by id, or by
     * label when that names one entity): appends a `merge.undone` record,
     * after which the contributions that merge brought in form an entity of
     * their own. Returns the entity, the new entity's id and the evidence undone.
     *
     * @throws GraphError (no such entity, several, or no merge to undo)
     */
    const unmerge = Effect.fn("GraphStore.unmerge")(function*(context: string, ref: string) {
      yield* validate(context)
      if (!(yield* exists(context))) {
        return yield* new GraphError({ context, message: `no context graph "${context}" in ${config.outputDir}` })
      }
      return yield* withLock(context, (cached) =>
        Effect.gen(function*() {
          const state = cached.state
          const entity = state.entities.get(ref) ?? (() => {
            const found = [...state.entities.values()].filter((e) =>
              viewOf(state, e).label.toLowerCase() === ref.toLowerCase()
            )
            return found.length === 1 ? found[0] : undefined
          })()
          if (entity === undefined) {
            return yield* new GraphError({
              context,
              message: `no single entity "${ref}" in context ${context} (give its id; see extract graph search)`
            })
          }
          const step = entity.merges.at(-1)
          if (step === undefined) {
            return yield* new GraphError({
              context,
              message: `entity ${entity.id} has no cross-document merge to undo`
            })
          }
          const first = state.contributions.get(step.moved.find((k) => state.contributions.has(k)) ?? "")
          const id = splitId(state, first?.label ?? entity.label, `${step.seq}:${step.moved[0]}`)
          yield* append(context, cached, [{
            _tag: "merge.undone",
            from: entity.id,
            undoes: step.seq,
            entity: id,
            moved: step.moved
          }])
          yield* flushLocked(context, cached)
          return { entity: entity.id, split: id, evidence: step.evidence, moved: step.moved }
        }))
    })

    return { add, flush, read, contexts, verify, repair, unmerge, dirOf } as const
  }),
  dependencies: [RunLock.Default]
}) {}

/** The document and digest of a run from its metadata and knowledge-graph.json text. */
export const runDocumentOf = (
  input: { readonly path: string; readonly sha256: string },
  length: number
): RunDocument => ({
  path: input.path,
  sha256: input.sha256,
  length
})

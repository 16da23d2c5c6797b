/**
 * The run store: every run of the pipeline lives in
 * `<output-dir>/runs/<runId>/` with its input, chunks, per-chunk extraction
 * results, outputs and `metadata.json` (status, config, stats, output
 * checksums, and the audit trail of events and errors).
 *
 * Guarantees (see docs/reliability.md):
 * - every file is replaced atomically ({@link writeFileAtomic}): a reader
 *   sees the old content or the new, never a partial file;
 * - a run directory is written by one process at a time: `createRun` takes
 *   the run's lock ({@link RunLock}), held until the run completes, fails or
 *   is interrupted; a second process waits for it or fails at once
 *   (RunLocked). Runs of different documents do not share a lock;
 * - no recorded change is lost: each change (event, error, output, status)
 *   is appended to the run's journal (`journal.jsonl`, see
 *   {@link parseJournal}) and flushed with fsync before the call returns;
 *   concurrent changes from many fibers are written in one append and one
 *   fsync (group commit). `metadata.json` is a snapshot of journal + base,
 *   rewritten atomically at most every {@link DEFAULT_SNAPSHOT_EVERY} records
 *   or {@link DEFAULT_SNAPSHOT_INTERVAL_MS} ms, and at every status change;
 * - a `metadata.json` damaged from outside (truncated, invalid JSON) is
 *   detected and rebuilt from the journal; a `running` run whose lock holder
 *   is gone reads as `interrupted`;
 * - run ids are validated before they reach the filesystem.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { sha256Hex } from "../Digest.js"
import type { Chunk } from "../Domain/Chunk.js"
import { RUN_ID_PATTERN, type SourceDocument } from "../Domain/Document.js"
import { RunNotFound, StoreError, UsageError } from "../Domain/Errors.js"
import { ChunkExtraction } from "../Domain/Extraction.js"
import {
  emptyStats,
  METADATA_SCHEMA_VERSION,
  OutputFile,
  RunConfig,
  RunError,
  RunEvent,
  RunMetadata,
  RunStats
} from "../Domain/Run.js"
import { isStaleTemporary, writeFileAtomic } from "./AtomicFile.js"
import {
  applyRecord,
  encodeRecord,
  type JournalChange,
  type JournalRecord,
  type MetadataJson,
  parseJournal,
  replay
} from "./RunJournal.js"
import { describeHolder, type HeldLock, type LockRecord, type LockState, RunLock } from "./RunLock.js"

/** Snapshot `metadata.json` after this many journal records at the latest. */
export const DEFAULT_SNAPSHOT_EVERY = 64
/** Snapshot `metadata.json` when the last snapshot is older than this, in milliseconds. */
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 1000

/** Where the store keeps its runs, and how it waits for locks. */
export class RunStoreConfig extends Context.Tag("RunStoreConfig")<RunStoreConfig, {
  /** The output directory (`--output-dir`); runs live in its `runs/` folder. */
  readonly outputDir: string
  /** Wait for a run locked by another process (default), or fail at once with RunLocked (`--no-wait`). */
  readonly wait?: boolean
  /** Called once when createRun starts waiting for a lock. */
  readonly onLockWait?: (message: string) => Effect.Effect<void>
  /** Snapshot policy (see {@link DEFAULT_SNAPSHOT_EVERY}); 1 rewrites metadata.json on every change. */
  readonly snapshotEvery?: number
  readonly snapshotIntervalMs?: number
  /** Writes each status change through to the SQL mirror (src/Sql/StoreMirror.ts); none by default. */
  readonly mirror?: RunStoreMirror
}>() {
  static layer = (outputDir: string, options: Omit<RunStoreConfig["Type"], "outputDir"> = {}) =>
    Layer.succeed(RunStoreConfig, { outputDir, ...options })
}

/**
 * The SQL mirror as the store sees it (issue 10's dual write). The store
 * calls `write` with a run's current metadata when the run opens (`final`
 * false) and when it ends (`final` true, after the last snapshot). A failure
 * never fails the run: the store records a `mirror.failed` event.
 */
export interface RunStoreMirror {
  /** The database, fit to print. */
  readonly display: string
  readonly write: (
    runDir: string,
    metadata: RunMetadata,
    final: boolean
  ) => Effect.Effect<void, { readonly database: string; readonly message: string }>
}

/** A file to write under a run directory. */
export interface OutputContent {
  /** Output kind, e.g. `knowledge-graph`. */
  readonly type: string
  /** Path relative to the run directory, `/`-separated, e.g. `outputs/knowledge-graph.json`. */
  readonly path: string
  readonly content: string
}

/** What createRun found and did. */
export interface RunHandle {
  readonly runId: string
  /** Absolute path of the run directory. */
  readonly runDir: string
  /** Metadata as it was before this call, if the run existed. */
  readonly previous: Option.Option<RunMetadata>
}

/** A run as read from disk, with what the store noticed about it. */
export interface RunView {
  readonly metadata: RunMetadata
  /** Why `metadata.json` could not be used and what it was rebuilt from, if it was damaged. */
  readonly recovered: string | null
  /** The live lock holder ("pid N on HOST since T"), if a process is writing the run now. */
  readonly writer: string | null
}

/** File names inside a run directory. */
export const RUN_FILES = { metadata: "metadata.json", journal: "journal.jsonl", lock: ".lock" } as const

/** Output paths: relative, `/`-separated, plain names (checked before anything is written). */
const OUTPUT_PATH = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/

const decodeMetadata = Schema.decodeUnknownEither(RunMetadata)
const encodeMetadata = Schema.encodeSync(RunMetadata)
const encodeEvent = Schema.encodeSync(RunEvent)
const encodeError = Schema.encodeSync(RunError)
const encodeOutput = Schema.encodeSync(OutputFile)
const encodeStats = Schema.encodeSync(RunStats)
const ChunkExtractionJson = Schema.parseJson(ChunkExtraction)

/** A one-line description of a file-system failure, e.g. "no space left on device (ENOSPC)". */
export const describeFsError = (e: { readonly message: string; readonly cause?: unknown }): string => {
  const code = (e.cause as { code?: string } | undefined)?.code
  switch (code) {
    case "ENOSPC":
      return "no space left on device (ENOSPC)"
    case "EDQUOT":
      return "disk quota exceeded (EDQUOT)"
    case "EACCES":
    case "EPERM":
      return `permission denied (${code})`
    case "EROFS":
      return "read-only file system (EROFS)"
    case "ENOENT":
      return "no such file or directory (ENOENT)"
    default:
      return code ? `${(e.cause as Error).message ?? code}` : e.message.split("\n")[0]!
  }
}

const storeError =
  (operation: string, path: string) => (cause: { readonly message: string; readonly cause?: unknown }) =>
    new StoreError({ operation, path, message: `cannot ${operation} ${path}: ${describeFsError(cause)}` })

/** A run this process holds the lock of and writes. */
interface LiveRun {
  readonly runId: string
  readonly dir: string
  readonly lock: HeldLock
  /** Closes the journal file. */
  readonly scope: Scope.CloseableScope
  readonly journal: FileSystem.File
  /** Serialises snapshots. */
  readonly mutex: Effect.Semaphore
  /** Current metadata (JSON form), including changes not yet flushed. */
  state: MetadataJson
  /** Records applied to `state` but not yet written to the journal. */
  pending: Array<string>
  /** Last seq assigned / written durably / included in metadata.json. */
  seq: number
  written: number
  snapshotted: number
  lastSnapshotAt: number
  /** Set when a journal write failed: the run cannot record anything more. */
  broken: StoreError | null
  /** True while a fiber is writing the journal; others wait in `waiters` for their seq to be written. */
  flushing: boolean
  /** True while a policy snapshot is being written. */
  snapshotting: boolean
  /** Chunk extraction results saved by this process (reported in `run.interrupted`). */
  extractionsSaved: number
  waiters: Array<{ readonly seq: number; readonly done: Deferred.Deferred<void, StoreError> }>
  /** Last timestamp used, in ms since the epoch: timestamps strictly increase within a run. */
  lastTimestamp: number
}

export class ExtractionRunService extends Effect.Service<ExtractionRunService>()("ExtractionRunService", {
  scoped: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const config = yield* RunStoreConfig
    const locks = yield* RunLock
    const { outputDir } = config
    const runsDir = path.resolve(outputDir, "runs")
    const snapshotEvery = Math.max(1, config.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY)
    const snapshotIntervalMs = config.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS

    /** Runs this process writes, by id. */
    const live = new Map<string, LiveRun>()

    const validateRunId = (runId: string) =>
      RUN_ID_PATTERN.test(runId)
        ? Effect.succeed(runId)
        : Effect.fail(new UsageError({ message: `invalid run id "${runId}": expected doc- and 12 hex digits` }))

    const runDirOf = (runId: string) => path.join(runsDir, runId)
    const fileOf = (runId: string, name: string) => path.join(runDirOf(runId), name)

    // The directory is made only when the write finds it missing: one `mkdir -p` per directory, not per file.
    const write = (file: string, content: string | Uint8Array) =>
      writeFileAtomic(file, content).pipe(
        Effect.catchIf((e) => e._tag === "SystemError" && e.reason === "NotFound", () =>
          Effect.zipRight(
            fs.makeDirectory(path.dirname(file), { recursive: true }),
            writeFileAtomic(file, content)
          )),
        Effect.provideService(FileSystem.FileSystem, fs),
        Effect.provideService(Path.Path, path),
        Effect.mapError(storeError("write", file))
      )

    /** Reads a file as text; None when it does not exist. */
    const readOptional = (file: string) =>
      fs.readFileString(file).pipe(
        Effect.map(Option.some),
        Effect.catchIf((e) => e._tag === "SystemError" && e.reason === "NotFound", () => Effect.succeedNone),
        Effect.mapError(storeError("read", file))
      )

    /**
     * The stored state of a run: the snapshot with the journal replayed over
     * it. When `metadata.json` is damaged, the state is rebuilt from the
     * journal and `recovered` says why. Fails with RunNotFound when there is
     * neither, StoreError when neither can be used.
     */
    const load = (runId: string) =>
      Effect.gen(function*() {
        const metaFile = fileOf(runId, RUN_FILES.metadata)
        const journalFile = fileOf(runId, RUN_FILES.journal)
        const [metaText, journalText] = yield* Effect.all([readOptional(metaFile), readOptional(journalFile)])
        if (Option.isNone(metaText) && Option.isNone(journalText)) {
          return yield* new RunNotFound({ runId, message: `no run ${runId} in ${outputDir}` })
        }
        const journal = parseJournal(Option.getOrElse(journalText, () => ""))
        let snapshot: MetadataJson | undefined
        let damage: string | null = null
        if (Option.isSome(metaText)) {
          try {
            const parsed = JSON.parse(metaText.value)
            const decoded = decodeMetadata(parsed)
            if (decoded._tag === "Left") damage = `not valid run metadata (${decoded.left.message.split("\n")[0]})`
            else snapshot = { ...parsed, ...encodeMetadata(decoded.right) } as MetadataJson
          } catch (e) {
            damage = `not valid JSON (${(e as Error).message})`
          }
        } else damage = "missing"
        const state = replay(damage === null ? snapshot : undefined, journal.records)
        if (state === undefined) {
          return yield* new StoreError({
            operation: "read",
            path: metaFile,
            message: `${metaFile} is ${damage ?? "unusable"}, and there is no journal to rebuild it from`
          })
        }
        const decoded = decodeMetadata(state)
        if (decoded._tag === "Left") {
          return yield* new StoreError({
            operation: "read",
            path: metaFile,
            message: `the run metadata of ${runId} cannot be rebuilt: ${decoded.left.message.split("\n")[0]}`
          })
        }
        const recovered = damage === null
          ? null
          : `${metaFile} is ${damage}; rebuilt from ${RUN_FILES.journal} (${journal.records.length} records)`
        return { state, metadata: decoded.right, recovered, journal }
      })

    /** Next timestamp of a live run: ISO-8601, strictly increasing, never before the run's last recorded one. */
    const nextTimestamp = (run: LiveRun) =>
      Effect.map(Clock.currentTimeMillis, (ms) => {
        run.lastTimestamp = Math.max(ms, run.lastTimestamp + 1)
        return new Date(run.lastTimestamp).toISOString()
      })

    /**
     * Group commit: makes every record up to `seq` durable. The first fiber
     * to arrive becomes the flusher and writes whatever is pending in one
     * append and one fsync, again and again until nothing is pending; fibers
     * arriving meanwhile wait for the batch holding their record and are all
     * released together when it is on disk.
     */
    const commit = (run: LiveRun, seq: number): Effect.Effect<void, StoreError> =>
      Effect.suspend(() => {
        if (run.written >= seq) return Effect.void
        if (run.broken) return Effect.fail(run.broken)
        if (run.flushing) {
          return Effect.flatMap(Deferred.make<void, StoreError>(), (done) => {
            run.waiters.push({ seq, done })
            return Deferred.await(done)
          })
        }
        run.flushing = true
        const flush = Effect.gen(function*() {
          while (run.pending.length > 0) {
            // let fibers that are ready to record join this batch
            yield* Effect.yieldNow()
            const lines = run.pending.join("")
            const upTo = run.seq
            run.pending = []
            yield* run.journal.writeAll(new TextEncoder().encode(lines)).pipe(
              Effect.zipRight(run.journal.sync),
              Effect.mapError((e) => (run.broken = storeError("append to", fileOf(run.runId, RUN_FILES.journal))(e)))
            )
            run.written = upTo
            const released = run.waiters.filter((w) => w.seq <= upTo)
            run.waiters = run.waiters.filter((w) => w.seq > upTo)
            for (const w of released) Deferred.unsafeDone(w.done, Exit.void)
          }
        })
        return flush.pipe(
          Effect.onError(() =>
            Effect.sync(() => {
              const failed = run.waiters
              run.waiters = []
              for (const w of failed) Deferred.unsafeDone(w.done, Exit.fail(run.broken!))
            })
          ),
          Effect.ensuring(Effect.sync(() => (run.flushing = false))),
          Effect.uninterruptible
        )
      })

    /**
     * Writes `metadata.json` from the state once the state equals the
     * durable journal (snapshots are serialised by the run's mutex, so a
     * later revision never loses to an earlier one).
     */
    const snapshot = (run: LiveRun) =>
      run.mutex.withPermits(1)(Effect.gen(function*() {
        while (run.written < run.seq) yield* commit(run, run.seq)
        // No yield between the check above and serialising: the snapshot holds exactly the written records.
        const revision = run.state.revision
        if (run.snapshotted >= revision && run.snapshotted > 0) return
        const text = JSON.stringify(run.state, null, 2) + "\n"
        yield* write(fileOf(run.runId, RUN_FILES.metadata), text)
        run.snapshotted = Math.max(run.snapshotted, revision)
        run.lastSnapshotAt = Date.now()
      }))

    /**
     * Records a change: applies it to the in-memory state, appends it to the
     * journal and waits until it is on disk (fsync, see {@link commit}).
     * Writes a snapshot when the policy says so or `force`.
     */
    const record = (
      runId: string,
      change: (timestamp: string) => ReadonlyArray<JournalChange>,
      force = false
    ) =>
      Effect.gen(function*() {
        const run = live.get(runId)
        if (!run) {
          return yield* new StoreError({
            operation: "update",
            path: fileOf(runId, RUN_FILES.metadata),
            message: `run ${runId} is not open in this process`
          })
        }
        if (run.broken) return yield* run.broken
        const at = yield* nextTimestamp(run)
        for (const partial of change(at)) {
          const rec = { seq: ++run.seq, at, ...partial } as JournalRecord
          // apply in memory now, so readers in this process see it at once
          run.state = applyRecord(run.state, rec)!
          run.pending.push(encodeRecord(rec))
        }
        const mine = run.seq
        yield* commit(run, mine)
        if (force) yield* snapshot(run)
        else if (
          !run.snapshotting &&
          (run.written - run.snapshotted >= snapshotEvery || Date.now() - run.lastSnapshotAt >= snapshotIntervalMs)
        ) {
          // one fiber takes the snapshot; the others go on instead of queueing behind it
          run.snapshotting = true
          yield* snapshot(run).pipe(Effect.ensuring(Effect.sync(() => (run.snapshotting = false))))
        }
      })

    /**
     * Removes temporary files left in a run directory by processes that died
     * (their pid is in the name), and lock-break claims of dead breakers.
     * Files of live processes are left alone: waiters write lock files here too.
     */
    const sweepTemporaries = (runId: string) =>
      Effect.gen(function*() {
        const dir = runDirOf(runId)
        const entries = yield* fs.readDirectory(dir, { recursive: true }).pipe(
          Effect.orElseSucceed(() => [] as Array<string>)
        )
        const stale: Array<string> = []
        for (const rel of entries) {
          const base = path.basename(rel)
          if (isStaleTemporary(base)) stale.push(rel)
          else if (base.startsWith(`${RUN_FILES.lock}.break-`)) {
            const claim = yield* locks.inspect(path.join(dir, rel)).pipe(
              Effect.orElseSucceed(() => Option.none<LockState>())
            )
            if (Option.isSome(claim) && claim.value.stale) stale.push(rel)
          }
        }
        yield* Effect.forEach(stale, (rel) => fs.remove(path.join(dir, rel)).pipe(Effect.ignore), { discard: true })
        return stale.length
      })

    /**
     * Takes the run's lock and opens its journal for appending. On failure
     * the lock is released again.
     */
    const openLive = (runId: string, restore: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        const dir = runDirOf(runId)
        yield* fs.makeDirectory(dir, { recursive: true }).pipe(Effect.mapError(storeError("create", dir)))
        // Waiting for the lock can be interrupted; once taken, the run is set up (or the lock released) without interruption.
        const lock = yield* restore(locks.acquire(path.join(dir, RUN_FILES.lock), {
          wait: config.wait ?? true,
          what: `run ${runId}`,
          onWait: (holder: LockRecord) =>
            config.onLockWait
              ? config.onLockWait(
                `waiting for run ${runId}: locked by ${describeHolder(holder)} (--no-wait fails instead)`
              )
              : Effect.void
        }))
        const scope = yield* Scope.make()
        const journalFile = path.join(dir, RUN_FILES.journal)
        const opened = yield* Effect.gen(function*() {
          const existing = yield* load(runId).pipe(
            Effect.map(Option.some),
            Effect.catchTag("RunNotFound", () => Effect.succeedNone)
          )
          const swept = yield* sweepTemporaries(runId)
          const journal = yield* fs.open(journalFile, { flag: "a" }).pipe(
            Scope.extend(scope),
            Effect.mapError(storeError("open", journalFile))
          )
          // A torn last line from a crash: start our records on a fresh line.
          if (Option.isSome(existing) && existing.value.journal.tornTail) {
            yield* journal.writeAll(new TextEncoder().encode("\n")).pipe(
              Effect.mapError(storeError("append to", journalFile))
            )
          }
          return { existing, journal, swept }
        }).pipe(
          Effect.onError((cause) =>
            Scope.close(scope, Exit.failCause(cause)).pipe(Effect.zipRight(locks.release(lock)))
          )
        )
        return { lock, scope, ...opened }
      })

    type Opened = Effect.Effect.Success<ReturnType<typeof openLive>>
    type Loaded = Effect.Effect.Success<ReturnType<typeof load>>

    /** The latest timestamp a run recorded, in ms since the epoch (0 for none). */
    const latestTimestamp = (m: RunMetadata) => {
      let latest = Date.parse(m.updatedAt) || 0
      for (const e of m.events) latest = Math.max(latest, Date.parse(e.timestamp) || 0)
      for (const e of m.errors) latest = Math.max(latest, Date.parse(e.timestamp) || 0)
      return latest
    }

    /** Registers an opened run as live in this process: its state, journal position and clock continue the stored ones. */
    const goLive = (runId: string, opened: Opened) =>
      Effect.map(Effect.makeSemaphore(1), (mutex) => {
        const existing = Option.getOrUndefined(opened.existing)
        const seq = existing
          ? existing.journal.records.reduce((max, r) => Math.max(max, r.seq), existing.state.revision)
          : 0
        const run: LiveRun = {
          runId,
          dir: runDirOf(runId),
          lock: opened.lock,
          scope: opened.scope,
          journal: opened.journal,
          mutex,
          // a new run gets its state from its first (base) record
          state: existing ? existing.state : (undefined as unknown as MetadataJson),
          pending: [],
          seq,
          written: seq,
          snapshotted: 0,
          lastSnapshotAt: 0,
          broken: null,
          flushing: false,
          snapshotting: false,
          extractionsSaved: 0,
          waiters: [],
          lastTimestamp: existing ? latestTimestamp(existing.metadata) : 0
        }
        live.set(runId, run)
        return run
      })

    /**
     * Records for an existing run a writer opens: a `base` when its journal
     * has none (runs from before the journal), so the journal alone can
     * rebuild the metadata; `metadata.recovered` when metadata.json was
     * damaged and rebuilt.
     */
    const recoveryChanges = (existing: Loaded, timestamp: string): Array<JournalChange> => {
      const changes: Array<JournalChange> = []
      if (!existing.journal.records.some((r) => r.op === "base")) {
        changes.push({ op: "base", metadata: { ...existing.state } })
      }
      if (existing.recovered) {
        changes.push({
          op: "event",
          event: encodeEvent(
            new RunEvent({
              timestamp,
              type: "metadata.recovered",
              data: { reason: existing.recovered, records: existing.journal.records.length }
            })
          )
        })
      }
      return changes
    }

    /** Undoes {@link openLive} when setting the run up failed before or after it went live. Never fails. */
    const abandon = (runId: string, opened: { readonly lock: HeldLock; readonly scope: Scope.CloseableScope }) =>
      live.has(runId)
        ? closeLive(runId)
        : Scope.close(opened.scope, Exit.void).pipe(Effect.zipRight(locks.release(opened.lock)))

    /** Final snapshot, journal closed, lock released, run forgotten. Never fails. */
    const closeLive = (runId: string) =>
      Effect.gen(function*() {
        const run = live.get(runId)
        if (!run) return
        live.delete(runId)
        yield* Scope.close(run.scope, Exit.void)
        yield* locks.release(run.lock)
      })

    /**
     * Opens the run for `document`, creating its directory and
     * `input/document.txt` if new, and marks it `running`. Takes the run's
     * lock first: if another live process holds it, waits (or fails with
     * RunLocked when the store is configured not to wait); a stale lock is
     * broken. An existing run keeps its events and errors; a damaged
     * `metadata.json` is rebuilt from the journal (and the event
     * `metadata.recovered` says so). Records `run.created` for a new run.
     *
     * @returns the run's id and directory, and its previous metadata if it existed
     * @throws RunLocked, StoreError when the directory or files cannot be written
     */
    const createRun = (document: SourceDocument, runConfig: RunConfig) =>
      Effect.uninterruptibleMask((restore) => createRunLocked(document, runConfig, restore)).pipe(
        Effect.withSpan("ExtractionRunService.createRun")
      )

    const createRunLocked = Effect.fnUntraced(function*(
      document: SourceDocument,
      runConfig: RunConfig,
      restore: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    ) {
      const runId = document.runId
      const runDir = runDirOf(runId)
      const opened = yield* openLive(runId, restore)
      const documentFile = path.join(runDir, "input", "document.txt")
      const textSha256 = sha256Hex(document.text)
      const input = {
        path: document.path,
        bytes: document.bytes,
        sha256: document.sha256,
        encoding: document.encoding,
        textSha256
      }
      const setup = Effect.gen(function*() {
        const previous = Option.map(opened.existing, (e) => e.metadata)
        const storedText = Option.flatMap(previous, (m) => Option.fromNullable(m.input.textSha256))
        const hasDocument = yield* fs.exists(documentFile).pipe(Effect.orElseSucceed(() => false))
        if (!hasDocument || Option.isNone(storedText) || storedText.value !== textSha256) {
          yield* write(documentFile, document.text)
        }
        const run = yield* goLive(runId, opened)
        const lastTimestamp = run.lastTimestamp
        const timestamp = new Date(Math.max(Date.now(), lastTimestamp + 1)).toISOString()
        run.lastTimestamp = Date.parse(timestamp)
        if (Option.isNone(opened.existing)) {
          const base = new RunMetadata({
            schemaVersion: METADATA_SCHEMA_VERSION,
            revision: 0,
            runId,
            status: "running",
            createdAt: timestamp,
            updatedAt: timestamp,
            completedAt: null,
            input,
            config: runConfig,
            stats: emptyStats(),
            outputs: [],
            events: [
              new RunEvent({
                timestamp,
                type: "run.created",
                data: { runId, input: document.path, bytes: document.bytes }
              })
            ],
            errors: []
          })
          yield* record(runId, () => [{ op: "base", metadata: encodeMetadata(base) }], true)
        } else {
          const existing = opened.existing.value
          const changes: Array<JournalChange> = recoveryChanges(existing, timestamp)
          changes.push({
            op: "set",
            fields: { status: "running", completedAt: null, input, config: Schema.encodeSync(RunConfig)(runConfig) }
          })
          if (existing.journal.corruptLines > 0) {
            changes.push({
              op: "error",
              error: encodeError(
                new RunError({
                  timestamp,
                  type: "journal.damaged",
                  message: `${existing.journal.corruptLines} damaged line(s) in ${RUN_FILES.journal} were skipped`,
                  context: {}
                })
              )
            })
          }
          yield* record(runId, () => changes, true)
        }
        if (document.replacements > 0) {
          yield* emitError(
            runId,
            "InputDecoding",
            `${document.replacements} invalid byte sequence(s) were decoded as U+FFFD (encoding ${document.encoding})`,
            {
              encoding: document.encoding,
              replacements: document.replacements
            }
          )
        }
        yield* mirror(runId, false)
        return { runId, runDir, previous } satisfies RunHandle
      })
      return yield* setup.pipe(Effect.onError(() => abandon(runId, opened)))
    })

    /**
     * Removes chunk and extraction files left from an earlier run of the
     * document with more than `chunkCount` chunks, and temporary files of
     * writers that are gone. Safe while this process is still writing chunk
     * files (its own temporary files are kept).
     */
    const pruneChunks = Effect.fn("ExtractionRunService.pruneChunks")(function*(runId: string, chunkCount: number) {
      const dir = path.join(runDirOf(runId), "input", "chunks")
      yield* fs.makeDirectory(dir, { recursive: true }).pipe(Effect.mapError(storeError("create", dir)))
      const stale = (name: string, ext: string) => {
        const m = /^chunk-(\d+)\.(txt|json)$/.exec(name)
        return m !== null && m[2] === ext && Number(m[1]) >= chunkCount
      }
      const existing = yield* fs.readDirectory(dir).pipe(Effect.mapError(storeError("list", dir)))
      yield* Effect.forEach(
        existing.filter((f) => stale(f, "txt") || isStaleTemporary(f)),
        (f) => fs.remove(path.join(dir, f)).pipe(Effect.ignore)
      )
      const extractions = path.join(runDirOf(runId), "extractions")
      const stored = yield* fs.readDirectory(extractions).pipe(Effect.orElseSucceed(() => [] as Array<string>))
      yield* Effect.forEach(
        stored.filter((f) => stale(f, "json") || isStaleTemporary(f)),
        (f) => fs.remove(path.join(extractions, f)).pipe(Effect.ignore)
      )
    })

    /**
     * Writes every chunk's text to `input/chunks/chunk-<N>.txt`, the chunk
     * index `input/chunks.json` ({@link saveChunkIndex}), and removes
     * chunk and extraction files left from an earlier run with more chunks.
     */
    const saveChunks = Effect.fn("ExtractionRunService.saveChunks")(
      function*(runId: string, chunks: ReadonlyArray<Chunk>) {
        yield* pruneChunks(runId, chunks.length)
        yield* Effect.forEach(chunks, (c) => saveChunk(runId, c), { concurrency: 8, discard: true })
        yield* saveChunkIndex(runId, chunks)
      }
    )

    /**
     * Writes `input/chunks.json`: per chunk, its index, offsets (code points
     * over input/document.txt), token count and the SHA-256 of its text (hex),
     * for the SQL mirror's chunk rows (issue 10; docs/database.md).
     */
    const saveChunkIndex = (runId: string, chunks: ReadonlyArray<Chunk>) =>
      write(
        path.join(runDirOf(runId), "input", "chunks.json"),
        JSON.stringify(
          chunks.map((c) => ({
            index: c.index,
            start: c.span.start,
            end: c.span.end,
            tokens: c.tokens,
            sha256: sha256Hex(c.span.text)
          }))
        ) +
          "\n"
      )

    /** Writes one chunk's text to `input/chunks/chunk-<N>.txt`. */
    const saveChunk = (runId: string, chunk: Chunk) =>
      write(path.join(runDirOf(runId), "input", "chunks", `chunk-${chunk.index}.txt`), chunk.span.text)

    /** Persists one chunk's extraction result to `extractions/chunk-<N>.json` (used to resume and re-render). */
    const saveExtraction = Effect.fn("ExtractionRunService.saveExtraction")(
      function*(runId: string, extraction: ChunkExtraction) {
        const file = path.join(runDirOf(runId), "extractions", `chunk-${extraction.chunk}.json`)
        // the count in run.interrupted must match the files on disk: count in the same uninterruptible step
        yield* Effect.uninterruptible(
          write(file, Schema.encodeSync(ChunkExtractionJson)(extraction)).pipe(
            Effect.tap(() => {
              const run = live.get(runId)
              if (run) run.extractionsSaved++
            })
          )
        )
      }
    )

    /** The stored extraction result of a chunk, if there is a valid one. */
    const loadExtraction = Effect.fn("ExtractionRunService.loadExtraction")(function*(runId: string, chunk: number) {
      yield* validateRunId(runId)
      const file = path.join(runDirOf(runId), "extractions", `chunk-${chunk}.json`)
      return yield* fs.readFileString(file).pipe(
        Effect.flatMap(Schema.decodeUnknown(ChunkExtractionJson)),
        Effect.option
      )
    })

    /**
     * Writes an output file and records it (type, path, SHA-256, bytes) in
     * `metadata.json`, replacing any earlier record for the same path.
     */
    const saveOutput = Effect.fn("ExtractionRunService.saveOutput")(function*(runId: string, output: OutputContent) {
      if (!OUTPUT_PATH.test(output.path) || output.path.split("/").some((seg) => seg === "." || seg === "..")) {
        return yield* new StoreError({
          operation: "write",
          path: output.path,
          message: `refusing to write ${JSON.stringify(output.path)}: not a relative path inside the run directory`
        })
      }
      const bytes = new TextEncoder().encode(output.content)
      yield* write(path.join(runDirOf(runId), ...output.path.split("/")), bytes)
      const file = new OutputFile({
        type: output.type,
        path: output.path,
        sha256: sha256Hex(bytes),
        bytes: bytes.length
      })
      yield* record(runId, () => [{ op: "output", output: encodeOutput(file) }])
      return file
    })

    // --- outputs (issue 5) ---
    /**
     * Deletes the output files recorded for the run whose paths are not in
     * `keep` (left by an earlier run with other `--formats`) and drops their
     * records from `metadata.json`; folders below `outputs/` left empty are
     * removed too. Files already gone are fine.
     *
     * @returns the paths removed
     */
    const pruneOutputs = Effect.fn("ExtractionRunService.pruneOutputs")(
      function*(runId: string, keep: ReadonlyArray<string>) {
        const kept = new Set(keep)
        const recorded: ReadonlyArray<{ readonly path: string }> = live.get(runId)?.state.outputs ?? []
        const stale = recorded.filter((o) => !kept.has(o.path)).map((o) => o.path)
        if (stale.length === 0) return stale
        for (const p of stale) {
          const file = path.join(runDirOf(runId), ...p.split("/"))
          yield* fs.remove(file).pipe(
            Effect.catchIf((e) => e._tag === "SystemError" && e.reason === "NotFound", () => Effect.void),
            Effect.mapError(storeError("remove", file))
          )
        }
        // Folders such as outputs/neo4j/ that are left empty go too.
        const folders = [
          ...new Set(
            stale.map((p) => p.split("/").slice(0, -1).join("/")).filter((d: string) => d.includes("/"))
          )
        ]
        for (const d of folders.sort().reverse()) {
          const dir = path.join(runDirOf(runId), ...d.split("/"))
          const left = yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed(() => ["?"]))
          if (left.length === 0) yield* fs.remove(dir, { recursive: true }).pipe(Effect.ignore)
        }
        yield* record(runId, () => [{ op: "set", fields: { outputs: recorded.filter((o) => kept.has(o.path)) } }])
        return stale
      }
    )

    /** Appends an audit event `{timestamp, type, data}` to the run's metadata. */
    const emitEvent = Effect.fn("ExtractionRunService.emitEvent")(
      function*(runId: string, type: string, data: Record<string, unknown> = {}) {
        yield* record(
          runId,
          (timestamp) => [{ op: "event", event: encodeEvent(new RunEvent({ timestamp, type, data })) }]
        )
      }
    )

    /** Appends an error `{timestamp, type, message, context}` to the run's metadata. */
    const emitError = Effect.fn("ExtractionRunService.emitError")(
      function*(runId: string, type: string, message: string, context: Record<string, unknown> = {}) {
        yield* record(
          runId,
          (timestamp) => [{ op: "error", error: encodeError(new RunError({ timestamp, type, message, context })) }]
        )
      }
    )

    /** Records the end of a run (status, event, maybe an error), writes the snapshot, releases the lock. */
    const finish = (runId: string, changes: (timestamp: string) => ReadonlyArray<JournalChange>) =>
      record(runId, changes, true).pipe(Effect.zipRight(mirror(runId, true)), Effect.ensuring(closeLive(runId)))

    // --- SQL mirror (issue 10) ---
    /**
     * Writes a live run's state through to the mirror, if one is configured.
     * A failure becomes a `mirror.failed` event (database, error, status);
     * it never fails the run.
     */
    const mirror = (runId: string, final: boolean): Effect.Effect<void> =>
      Effect.gen(function*() {
        const hook = config.mirror
        const run = live.get(runId)
        if (hook === undefined || run === undefined) return
        const metadata = Schema.decodeUnknownSync(RunMetadata)(run.state)
        yield* hook.write(run.dir, metadata, final).pipe(
          Effect.catchAll((e) =>
            record(runId, (timestamp) => [{
              op: "event",
              event: encodeEvent(
                new RunEvent({
                  timestamp,
                  type: "mirror.failed",
                  data: { database: e.database, error: e.message, status: metadata.status }
                })
              )
            }], true).pipe(Effect.ignore)
          )
        )
      }).pipe(Effect.catchAllDefect((defect) => Effect.logWarning(`mirror: ${String(defect)}`)))

    /** Marks the run `completed` with its final stats and records `run.completed`; releases the lock. */
    const completeRun = Effect.fn("ExtractionRunService.completeRun")(
      function*(runId: string, stats: RunStats, data: Record<string, unknown> = {}) {
        yield* finish(runId, (timestamp) => [
          { op: "set", fields: { status: "completed", completedAt: timestamp, stats: encodeStats(stats) } },
          {
            op: "event",
            event: encodeEvent(
              new RunEvent({ timestamp, type: "run.completed", data: { ...data, stats: encodeStats(stats) } })
            )
          }
        ])
      }
    )

    /** Marks the run `failed`, records the error and `run.failed`; releases the lock. */
    const failRun = Effect.fn("ExtractionRunService.failRun")(
      function*(runId: string, error: { readonly _tag: string; readonly message: string }, stats?: RunStats) {
        yield* finish(runId, (timestamp) => [
          { op: "set", fields: { status: "failed", ...(stats ? { stats: encodeStats(stats) } : {}) } },
          {
            op: "error",
            error: encodeError(new RunError({ timestamp, type: error._tag, message: error.message, context: {} }))
          },
          {
            op: "event",
            event: encodeEvent(new RunEvent({ timestamp, type: "run.failed", data: { error: error.message } }))
          }
        ])
      }
    )

    /**
     * Marks the run `interrupted` and records `run.interrupted` with what was
     * done (`data`, plus `extractionsSaved`: chunk results this process
     * saved); releases the lock.
     */
    const interruptRun = Effect.fn("ExtractionRunService.interruptRun")(
      function*(runId: string, data: Record<string, unknown>) {
        const extractionsSaved = live.get(runId)?.extractionsSaved ?? 0
        yield* finish(runId, (timestamp) => [
          { op: "set", fields: { status: "interrupted" } },
          {
            op: "event",
            event: encodeEvent(
              new RunEvent({ timestamp, type: "run.interrupted", data: { ...data, extractionsSaved } })
            )
          }
        ])
      }
    )

    /** True when this process has the run open for writing (holds its lock); for durable activities (src/Workflow/). */
    const isOpen = (runId: string): boolean => live.has(runId)

    /**
     * Opens an existing run for writing without starting it (for repairs):
     * takes its lock (waiting as configured) and rebuilds a damaged
     * metadata.json. Close it with {@link closeRun}.
     */
    const openRun = (runId: string) => Effect.uninterruptibleMask((restore) => openRunLocked(runId, restore))

    const openRunLocked = Effect.fnUntraced(
      function*(runId: string, restore: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) {
        yield* validateRunId(runId)
        if (!(yield* fs.exists(runDirOf(runId)).pipe(Effect.orElseSucceed(() => false)))) {
          return yield* new RunNotFound({ runId, message: `no run ${runId} in ${outputDir}` })
        }
        const opened = yield* openLive(runId, restore)
        const setup = Effect.gen(function*() {
          if (Option.isNone(opened.existing)) {
            return yield* new RunNotFound({ runId, message: `no run ${runId} in ${outputDir}` })
          }
          const existing = opened.existing.value
          const run = yield* goLive(runId, opened)
          const changes = recoveryChanges(existing, new Date(Math.max(Date.now(), run.lastTimestamp + 1)).toISOString())
          if (changes.length > 0) yield* record(runId, () => changes, true)
          return { metadata: existing.metadata, recovered: existing.recovered, swept: opened.swept }
        })
        return yield* setup.pipe(Effect.onError(() => abandon(runId, opened)))
      }
    )

    /** Writes the final snapshot of a run opened with {@link openRun} and releases its lock. */
    const closeRun = Effect.fn("ExtractionRunService.closeRun")(function*(runId: string) {
      const run = live.get(runId)
      if (!run) return
      yield* snapshot(run).pipe(Effect.ensuring(closeLive(runId)))
    })

    /**
     * A run with what the store noticed: a damaged metadata.json rebuilt from
     * the journal, the live writer if any. A `running` run whose writer is
     * gone (no lock, or a stale one) reads as `interrupted`. Fails with
     * UsageError for a malformed id, RunNotFound when there is no such run,
     * StoreError when its metadata cannot be read or rebuilt.
     */
    const inspectRun = Effect.fn("ExtractionRunService.inspectRun")(function*(runId: string) {
      yield* validateRunId(runId)
      const mine = live.get(runId)
      if (mine) {
        return {
          metadata: Schema.decodeUnknownSync(RunMetadata)(mine.state),
          recovered: null,
          writer: describeHolder(mine.lock.record)
        } satisfies RunView
      }
      const loaded = yield* load(runId)
      const lock = yield* locks.inspect(fileOf(runId, RUN_FILES.lock))
      const writer = Option.match(lock, {
        onNone: () => null,
        onSome: (l) => (l.stale ? null : describeHolder(l.record))
      })
      const metadata = loaded.metadata.status === "running" && writer === null
        ? new RunMetadata({ ...loaded.metadata, status: "interrupted" }, { disableValidation: true })
        : loaded.metadata
      return { metadata, recovered: loaded.recovered, writer } satisfies RunView
    })

    /**
     * Metadata of a run (see {@link inspectRun} for what it notices). Fails
     * with UsageError for a malformed id, RunNotFound when there is no such
     * run, StoreError when its metadata cannot be read.
     */
    const getRun = Effect.fn("ExtractionRunService.getRun")(function*(runId: string) {
      return (yield* inspectRun(runId)).metadata
    })

    /** Metadata of every run in the output directory, oldest first; unreadable runs are skipped. */
    const listRuns = Effect.fn("ExtractionRunService.listRuns")(function*() {
      const names = yield* fs.readDirectory(runsDir).pipe(
        Effect.catchIf(
          (e) => e._tag === "SystemError" && e.reason === "NotFound",
          () => Effect.succeed([] as Array<string>)
        ),
        Effect.mapError(storeError("list", runsDir))
      )
      const runs = yield* Effect.forEach(
        names.filter((n) => RUN_ID_PATTERN.test(n)).sort(),
        (n) => getRun(n).pipe(Effect.option),
        { concurrency: 8 }
      )
      return runs
        .flatMap((r) => (Option.isSome(r) ? [r.value] : []))
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    })

    /** Content of a run's output of the given type (e.g. `knowledge-graph`). */
    const getOutput = Effect.fn("ExtractionRunService.getOutput")(function*(runId: string, type: string) {
      const run = yield* getRun(runId)
      const output = run.outputs.find((o) => o.type === type)
      if (!output) return yield* new RunNotFound({ runId, message: `run ${runId} has no ${type} output` })
      const file = path.join(runDirOf(runId), ...output.path.split("/"))
      return yield* fs.readFileString(file).pipe(Effect.mapError(storeError("read", file)))
    })

    /** The run's events, in timestamp order. */
    const getRunTimeline = Effect.fn("ExtractionRunService.getRunTimeline")(function*(runId: string) {
      const run = yield* getRun(runId)
      return [...run.events].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))
    })

    // Runs still open when the store goes away (an interruption before the pipeline could record it): release their locks.
    yield* Effect.addFinalizer(() => Effect.forEach([...live.keys()], closeLive, { discard: true }))

    return {
      outputDir,
      runDirOf,
      validateRunId,
      createRun,
      openRun,
      isOpen,
      closeRun,
      saveChunks,
      pruneChunks,
      saveChunkIndex,
      saveChunk,
      saveExtraction,
      loadExtraction,
      saveOutput,
      pruneOutputs,
      emitEvent,
      emitError,
      completeRun,
      failRun,
      interruptRun,
      inspectRun,
      getRun,
      listRuns,
      getOutput,
      getRunTimeline
    } as const
  }),
  dependencies: [RunLock.Default]
}) {}

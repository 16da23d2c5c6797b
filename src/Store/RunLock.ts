/**
 * Exclusive, crash-safe locks on run directories, across processes.
 *
 * A lock is a small file (`<runDir>/.lock`) holding a {@link LockRecord}:
 * who holds it (pid, host, the process's start time) and a random token.
 * It is created complete and atomically: the record is written to a
 * temporary file, then hard-linked to the lock path (`link(2)` fails with
 * EEXIST if a lock is there), so nobody ever reads a half-written lock.
 *
 * A lock is *stale* when its holder is on this host and no longer runs: no
 * process has its pid, or the process with that pid started at another time
 * (the pid was reused; Linux `/proc/<pid>/stat` field 22). Locks held on
 * another host are never broken automatically: this host cannot see whether
 * that process lives.
 *
 * Breaking a stale lock is itself exclusive: the breaker first creates a
 * claim `<lock>.break-<token>` for that very lock (again by `link(2)`), then
 * checks that the lock still holds the same token and removes it. Only the
 * holder of the claim for token T may remove a lock with token T, the holder
 * of T is dead, and tokens are never reused, so the removal can never hit a
 * fresh lock taken by someone else in between. A breaker that dies while
 * holding a claim leaves a stale claim, which is broken the same way (one
 * level deeper).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { hostname } from "node:os"
import { RunLocked, StoreError } from "../Domain/Errors.js"
import { pidExists } from "./AtomicFile.js"

/** Content of a lock file (JSON). */
export class LockRecord extends Schema.Class<LockRecord>("LockRecord")({
  /** Process id of the holder. */
  pid: Schema.Int,
  /** `os.hostname()` of the holder's machine. */
  host: Schema.String,
  /** When the lock was taken, ISO-8601 UTC. */
  startedAt: Schema.String,
  /** Start time of the holder process in clock ticks since boot (Linux), to tell a reused pid; null elsewhere. */
  processStart: Schema.NullOr(Schema.String),
  /** Random hex, unique to this acquisition. */
  token: Schema.String
}) {}

const LockJson = Schema.parseJson(LockRecord)
const decodeLock = Schema.decodeUnknownOption(LockJson)
const encodeLock = Schema.encodeSync(LockJson)

/** What is known about a lock file. */
export interface LockState {
  readonly record: LockRecord
  /** True when the holder is known to be gone (same host, process not running). */
  readonly stale: boolean
}

/** Start time of process `pid` in clock ticks since boot, from `/proc` (Linux); None where unavailable. */
export const processStartOf = (pid: number): Option.Option<string> => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name (field 2) is in parentheses and may contain spaces; fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const start = fields[19] // field 22 overall
    return start ? Option.some(start) : Option.none()
  } catch {
    return Option.none()
  }
}

/** Whether the holder of `record` still runs. Holders on other hosts are assumed alive. */
export const holderAlive = (record: LockRecord): boolean => {
  if (record.host !== hostname()) return true
  if (!pidExists(record.pid)) return false
  if (record.processStart === null) return true
  return Option.match(processStartOf(record.pid), {
    onNone: () => true,
    onSome: (start) => start === record.processStart
  })
}

const SELF_START = processStartOf(process.pid)

/** A new lock record for this process. */
export const ownRecord = (): LockRecord =>
  new LockRecord({
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    processStart: Option.getOrNull(SELF_START),
    token: randomBytes(12).toString("hex")
  })

/** "pid 123 on host h since 2026-…" */
export const describeHolder = (record: LockRecord) => `pid ${record.pid} on ${record.host} since ${record.startedAt}`

/** A lock this process holds. */
export interface HeldLock {
  readonly path: string
  readonly record: LockRecord
}

const UNREADABLE_HOST = "(unknown: not a lock record)"
/** An unreadable lock file this old is taken as left by a crash, in milliseconds. */
const UNREADABLE_STALE_MS = 10_000

/** Polling interval while waiting for a lock, in milliseconds (doubles up to {@link MAX_POLL_MS}). */
const FIRST_POLL_MS = 25
const MAX_POLL_MS = 250

const isCode = (code: string) => (e: unknown) => {
  const err = e as { _tag?: string; reason?: string; cause?: { code?: string } }
  return err._tag === "SystemError" &&
    (err.cause?.code === code || (code === "EEXIST" && err.reason === "AlreadyExists") ||
      (code === "ENOENT" && err.reason === "NotFound"))
}

/** Numbers temporary file names; shared by every RunLock in the process, so their names never collide. */
let counter = 0

export class RunLock extends Effect.Service<RunLock>()("RunLock", {
  effect: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path

    const fail = (operation: string, file: string) => (e: { readonly message: string }) =>
      new StoreError({ operation, path: file, message: `${operation} ${file}: ${e.message}` })

    /**
     * Reads a lock or claim file; None if it is not there. A file that is
     * not a lock record (damaged from outside, or cut short on a file
     * system without hard links) reads as held by pid 0, a holder nobody
     * can check; its token names its modification time, so a later
     * rewrite is a different lock.
     */
    const read = (file: string): Effect.Effect<Option.Option<LockRecord>, StoreError> =>
      fs.readFileString(file).pipe(
        Effect.flatMap((text) =>
          Option.match(decodeLock(text), {
            onSome: (r) => Effect.succeed(Option.some(r)),
            onNone: () =>
              fs.stat(file).pipe(Effect.map((info) => {
                const mtime = Option.getOrElse(info.mtime, () => new Date(0))
                return Option.some(
                  new LockRecord({
                    pid: 0,
                    host: UNREADABLE_HOST,
                    startedAt: mtime.toISOString(),
                    processStart: null,
                    token: `unreadable-${mtime.getTime()}`
                  })
                )
              }))
          })
        ),
        Effect.catchIf(isCode("ENOENT"), () => Effect.succeedNone),
        Effect.mapError(fail("read", file))
      )

    /** A holder is gone: dead on this host, or an unreadable lock file older than {@link UNREADABLE_STALE_MS}. */
    const isStale = (r: LockRecord) =>
      r.pid === 0 ? Date.now() - Date.parse(r.startedAt) > UNREADABLE_STALE_MS : !holderAlive(r)

    /** Creates `file` holding `record`, atomically; false if it already exists. */
    const create = (file: string, record: LockRecord) =>
      Effect.gen(function*() {
        const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${++counter}.tmp`)
        yield* fs.writeFileString(temp, encodeLock(record)).pipe(Effect.mapError(fail("write", temp)))
        return yield* fs.link(temp, file).pipe(
          Effect.as(true),
          Effect.catchIf(isCode("EEXIST"), () => Effect.succeed(false)),
          // file systems without hard links: exclusive create (a reader may briefly see it empty: see `read`)
          Effect.catchIf((e) => ["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].some((c) => isCode(c)(e)), () =>
            fs.writeFileString(file, encodeLock(record), { flag: "wx" }).pipe(
              Effect.as(true),
              Effect.catchIf(isCode("EEXIST"), () =>
                Effect.succeed(false))
            )),
          Effect.mapError(fail("lock", file)),
          Effect.ensuring(fs.remove(temp).pipe(Effect.ignore))
        )
      })

    /**
     * Removes the stale lock `file` whose token is `token`, through the claim
     * `<file>.break-<token>` (see the module comment). Returns without doing
     * anything if another live process is breaking it.
     */
    const breakStale = (file: string, token: string, depth = 0): Effect.Effect<void, StoreError> =>
      Effect.gen(function*() {
        if (depth > 4) {
          return yield* new StoreError({
            operation: "lock",
            path: file,
            message: `cannot break the stale lock ${file}: too many dead breakers; remove it by hand`
          })
        }
        const claim = `${file}.break-${token.slice(0, 24)}`
        const mine = ownRecord()
        if (!(yield* create(claim, mine))) {
          const other = yield* read(claim)
          if (Option.isSome(other) && isStale(other.value)) yield* breakStale(claim, other.value.token, depth + 1)
          return
        }
        const current = yield* read(file)
        if (Option.isSome(current) && current.value.token === token) {
          yield* fs.remove(file).pipe(
            Effect.catchIf(isCode("ENOENT"), () => Effect.void),
            Effect.mapError(fail("unlock", file))
          )
        }
        yield* fs.remove(claim).pipe(Effect.ignore)
      })

    /**
     * The state of the lock at `file`, if there is one.
     */
    const inspect = Effect.fn("RunLock.inspect")(function*(file: string) {
      const record = yield* read(file)
      return Option.map(record, (r): LockState => ({ record: r, stale: isStale(r) }))
    })

    /**
     * Takes the lock at `file` (its directory must exist). If a live process
     * holds it: with `wait`, polls until it is free (calling `onWait` once
     * with the holder); without, fails at once with RunLocked naming the
     * holder. Stale locks are broken (see the module comment).
     *
     * @returns the held lock; release it with {@link release}
     * @throws RunLocked (without `wait`), StoreError when the lock cannot be written
     */
    const acquire = Effect.fn("RunLock.acquire")(function*(
      file: string,
      options: {
        readonly wait: boolean
        readonly onWait?: (holder: LockRecord) => Effect.Effect<void>
        readonly what: string
      }
    ) {
      const record = ownRecord()
      let poll = FIRST_POLL_MS
      let told = false
      for (;;) {
        if (yield* create(file, record)) return { path: file, record } satisfies HeldLock
        const holder = yield* read(file)
        if (Option.isNone(holder)) continue // released between our attempt and the read
        const h = holder.value
        if (isStale(h)) {
          yield* breakStale(file, h.token)
          continue
        }
        if (!options.wait) {
          return yield* new RunLocked({
            path: file,
            holder: describeHolder(h),
            message: `${options.what} is locked by ${
              describeHolder(h)
            } (another extract is writing it); wait for it, or run without --no-wait to wait`
          })
        }
        if (!told && options.onWait) yield* options.onWait(h)
        told = true
        yield* Effect.sleep(Duration.millis(poll))
        poll = Math.min(MAX_POLL_MS, poll * 2)
      }
    })

    /** Releases a lock taken by {@link acquire}, if it is still ours. Never fails. */
    const release = Effect.fn("RunLock.release")(function*(lock: HeldLock) {
      const current = yield* read(lock.path).pipe(Effect.orElseSucceed(() => Option.none<LockRecord>()))
      if (Option.isSome(current) && current.value.token === lock.record.token) {
        yield* fs.remove(lock.path).pipe(Effect.ignore)
      }
    })

    /** {@link acquire} for the lifetime of the current scope. */
    const scoped = (
      file: string,
      options: Parameters<typeof acquire>[1]
    ): Effect.Effect<HeldLock, RunLocked | StoreError, Scope.Scope> =>
      Effect.acquireRelease(acquire(file, options), release)

    /** True when `lock` is still in place with our token (a fencing check before writes). */
    const stillHeld = (lock: HeldLock) =>
      read(lock.path).pipe(Effect.map((r) => Option.isSome(r) && r.value.token === lock.record.token))

    return { acquire, release, scoped, inspect, stillHeld } as const
  })
}) {}

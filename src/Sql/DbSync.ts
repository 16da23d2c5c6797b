/**
 * `extract db sync [runId…] [--rebuild]`: the backfill. Mirrors the runs of
 * an output directory that the database lacks or has out of date (every run
 * the store can read, whatever metadata version it was written with), and
 * removes mirrored runs that are gone from disk. Idempotent: a second sync
 * finds nothing to do and writes nothing. `--rebuild` first deletes the
 * database (an SQLite file, even a corrupt one; on PostgreSQL the mirror's
 * tables) and recreates it from the runs.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { existsSync, rmSync } from "node:fs"
import type { PostgresUrl, SqliteUrl } from "../Domain/DatabaseUrl.js"
import { ProgressSink } from "../Progress.js"
import { ExtractionRunService } from "../Store/ExtractionRunService.js"
import * as Database from "./Database.js"
import { DatabaseError, describeCause } from "./Database.js"
import { DbVerify } from "./DbVerify.js"
import { MIGRATIONS_TABLE } from "./Migrations.js"
import { mirrorSchema } from "./Migrations/0001_mirror.js"
import { MirrorReader } from "./MirrorReader.js"
import { RunMirror } from "./RunMirror.js"

/** What a sync did. */
export interface SyncSummary {
  /** Runs written to the database. */
  readonly mirrored: number
  /** Runs already up to date, left alone. */
  readonly upToDate: number
  /** Mirrored runs no longer on disk, deleted from the database. */
  readonly removed: number
}

/** The mirror's tables, from migration 1's statements. */
const mirrorTables = (): Array<string> =>
  mirrorSchema("pg").flatMap((s) => {
    const m = /^CREATE TABLE (\w+)/.exec(s)
    return m ? [m[1]!] : []
  })

/**
 * Deletes the mirror so it can be rebuilt: an SQLite file with its `-wal`
 * and `-shm` files (it need not be readable), or on PostgreSQL the mirror's
 * tables and its migrations table (other tables, such as the workflow
 * engine's, are left alone).
 *
 * @throws DatabaseError when the file cannot be removed or the server refuses
 */
export const resetDatabase = (url: SqliteUrl | PostgresUrl): Effect.Effect<void, DatabaseError> =>
  url._tag === "SqliteUrl"
    ? Effect.try({
      try: () => {
        for (const suffix of ["", "-wal", "-shm", "-journal"]) {
          if (existsSync(url.path + suffix)) rmSync(url.path + suffix)
        }
      },
      catch: (e) =>
        new DatabaseError({ database: url.display, message: `cannot remove ${url.path}: ${describeCause(e)}` })
    })
    : Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql.unsafe(`DROP TABLE IF EXISTS ${[...mirrorTables(), MIGRATIONS_TABLE].join(", ")}`)
    }).pipe(
      Effect.provide(Database.layer(url)),
      Effect.catchTag(
        "SqlError",
        (e) => new DatabaseError({ database: url.display, message: `cannot reset ${url.display}: ${describeCause(e)}` })
      )
    )

export class DbSync extends Effect.Service<DbSync>()("DbSync", {
  effect: Effect.gen(function*() {
    const store = yield* ExtractionRunService
    const mirror = yield* RunMirror
    const verify = yield* DbVerify
    const sink = yield* ProgressSink

    /** A bar on a terminal (`db sync ███░░  40% 4/10 runs`), nothing otherwise. */
    const progress = (done: number, total: number) => {
      if (!sink.isTTY || sink.quiet || total === 0) return
      const width = 30
      const filled = Math.round((done / total) * width)
      sink.write(
        `\r\x1b[2Kdb sync ${"█".repeat(filled)}${"░".repeat(width - filled)} ${
          String(Math.round((done / total) * 100)).padStart(3)
        }% ${done}/${total} runs` + (done === total ? "\r\x1b[2K" : "")
      )
    }

    /**
     * Mirrors the runs of `outputDir` (absolute) that differ from the
     * database ({@link DbVerify.compare}), or exactly `runIds` when given
     * (always rewritten), and deletes runs that are only in the database.
     *
     * @throws RunNotFound for a given run id that is not on disk; SqlError, StoreError
     */
    const sync = Effect.fn("DbSync.sync")(function*(outputDir: string, runIds: ReadonlyArray<string>) {
      const { differences, runs } = yield* verify.compare(outputDir)
      const stale = new Set(differences.map((d) => d.runId))
      const onDisk = new Set(runs.map((r) => r.runId))
      let todo = runs.filter((r) => stale.has(r.runId))
      let removed = 0
      if (runIds.length > 0) {
        todo = yield* Effect.forEach(runIds, (id) => store.getRun(id))
      } else {
        for (const runId of stale) {
          if (onDisk.has(runId)) continue
          yield* mirror.remove(runId)
          removed++
        }
      }
      let done = 0
      progress(0, todo.length)
      for (const m of todo) {
        yield* mirror.write(store.runDirOf(m.runId), outputDir, m, true)
        progress(++done, todo.length)
      }
      return {
        mirrored: todo.length,
        upToDate: runIds.length > 0 ? 0 : runs.length - todo.length,
        removed
      } satisfies SyncSummary
    })

    return { sync } as const
  })
}) {}

/** {@link DbSync} with what it needs, given a database layer and the run store. */
export const DbSyncLive = DbSync.Default.pipe(
  Layer.provideMerge(Layer.mergeAll(RunMirror.Default, DbVerify.Default)),
  Layer.provideMerge(MirrorReader.Default)
)

/**
 * Versioned schema migrations of the mirror, run with `@effect/sql`'s
 * Migrator (the engine under `SqliteMigrator` and `PgMigrator`, which only
 * add schema dumps we do not use) from an in-code record, so the migrations
 * bundle with the build. Bookkeeping lives in its own table,
 * {@link MIGRATIONS_TABLE}, apart from any other user of the database (the
 * workflow engine keeps `cluster_*` tables).
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { PostgresUrl, SqliteUrl } from "../Domain/DatabaseUrl.js"
import * as Database from "./Database.js"
import { DatabaseError, DatabaseInfo, describeCause } from "./Database.js"
import Mirror from "./Migrations/0001_mirror.js"
import RunsList from "./Migrations/0002_runs_list.js"

/** The table where the Migrator records applied migrations. */
export const MIGRATIONS_TABLE = "extract_migrations"

/** Every migration, keyed `<id>_<name>` as `Migrator.fromRecord` wants. */
const MIGRATIONS = {
  "1_mirror": Mirror,
  "2_runs_list": RunsList
} as const

/** The schema version this build writes: the id of its newest migration. */
export const SCHEMA_VERSION = 2

/** Another process is migrating the same database: its schema is not committed yet. */
class SchemaPending extends Data.TaggedError("SchemaPending")<{}> {
  override get message() {
    return "another process is creating the schema"
  }
}

/** Another process holds SQLite's write lock past the busy timeout, or changed the schema under us. */
const isBusy = (error: unknown) => /SQLITE_BUSY|database is locked/i.test(describeCause(error))

/**
 * The schema version recorded in the database: the highest applied
 * migration id, 0 for a database without the mirror's tables.
 */
export const schemaVersion: Effect.Effect<number, DatabaseError, SqlClient.SqlClient | DatabaseInfo> = Effect.gen(
  function*() {
    const sql = yield* SqlClient.SqlClient
    const info = yield* DatabaseInfo
    const present = info.dialect === "pg"
      ? yield* sql<{ present: boolean }>`SELECT to_regclass(${MIGRATIONS_TABLE}) IS NOT NULL AS present`
      : yield* sql<{ present: number }>`SELECT count(*) AS present FROM sqlite_master
          WHERE type = 'table' AND name = ${MIGRATIONS_TABLE}`
    if (!present[0]?.present) return 0
    const rows = yield* sql<{ version: number | null }>`SELECT max(migration_id) AS version FROM ${
      sql(MIGRATIONS_TABLE)
    }`
    return Number(rows[0]?.version ?? 0)
  }
).pipe(Effect.catchTag("SqlError", (e) =>
  Effect.flatMap(DatabaseInfo, (info) =>
    new DatabaseError({
      database: info.display,
      message: `cannot read the schema version of ${info.display}: ${describeCause(e)}`
    }))))

/**
 * Brings the schema up to {@link SCHEMA_VERSION}. A database already there is
 * left untouched (one query). A database whose schema is newer than this
 * build is refused before anything is written.
 *
 * @returns the migrations applied now, as `[id, name]`
 * @throws DatabaseError when the schema is newer, or a statement fails
 */
export const migrate: Effect.Effect<
  ReadonlyArray<readonly [number, string]>,
  DatabaseError,
  SqlClient.SqlClient | DatabaseInfo
> = Effect.gen(function*() {
  const info = yield* DatabaseInfo
  const current = yield* schemaVersion
  if (current > SCHEMA_VERSION) {
    return yield* new DatabaseError({
      database: info.display,
      message: `${info.display} has schema version ${current}, newer than this build of extract understands ` +
        `(${SCHEMA_VERSION}); upgrade extract. The database was not changed.`
    })
  }
  if (current === SCHEMA_VERSION) return []
  // Concurrent first use of one database: the Migrator of a process that
  // loses the race returns at once ("already running") while the winner's
  // transaction is still open. So each attempt ends by reading the version
  // the database has committed, and tries again until it is ours.
  const attempt = Effect.gen(function*() {
    const applied = yield* Migrator.make({})({ loader: Migrator.fromRecord(MIGRATIONS), table: MIGRATIONS_TABLE })
    const now = yield* schemaVersion
    if (now < SCHEMA_VERSION) return yield* Effect.fail(new SchemaPending())
    return applied
  })
  return yield* attempt.pipe(
    Effect.retry({
      while: (e) => e._tag === "SchemaPending" || isBusy(e),
      schedule: Schedule.spaced("50 millis"),
      times: 600
    }),
    Effect.catchAll((e) =>
      new DatabaseError({
        database: info.display,
        message: `cannot migrate ${info.display} to schema version ${SCHEMA_VERSION}: ${describeCause(e)}`
      })
    ),
    // the Migrator reports a failed migration statement (e.g. a full disk) as a defect
    Effect.catchAllDefect((defect) =>
      new DatabaseError({
        database: info.display,
        message: `cannot migrate ${info.display} to schema version ${SCHEMA_VERSION}: ${describeCause(defect)}`
      })
    )
  )
})

/**
 * {@link Database.layer} with the schema brought up to date: what every
 * command that reads or writes the mirror runs with.
 *
 * @throws DatabaseError as Database.layer and {@link migrate}
 */
export const migratedLayer = (
  url: SqliteUrl | PostgresUrl
): Layer.Layer<SqlClient.SqlClient | DatabaseInfo, DatabaseError> =>
  Layer.effectDiscard(migrate).pipe(Layer.provideMerge(Database.layer(url)))

/**
 * The one SQL connection of a process: a `SqlClient` over SQLite
 * (`@effect/sql-sqlite-node`, better-sqlite3) or PostgreSQL (`@effect/sql-pg`),
 * chosen by a parsed {@link DatabaseUrl}. The run-store mirror uses it, and so
 * can anything else that persists state in the same database (the durable
 * workflow engine). Schema migrations are separate (`src/Sql/Migrations.ts`).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { mkdirSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname } from "node:path"
import type { PostgresUrl, SqliteUrl } from "../Domain/DatabaseUrl.js"

/** SQL dialects the mirror supports (the names `SqlClient.onDialect` uses). */
export type Dialect = "sqlite" | "pg"

/**
 * The database could not be opened or used: unreachable server, corrupt
 * file, a schema newer than this build. Exit code 1. `message` is fit to
 * print and never holds a password.
 */
export class DatabaseError extends Schema.TaggedError<DatabaseError>()("DatabaseError", {
  /** The database, as printed (`sqlite:PATH` or the URL without its password). */
  database: Schema.String,
  message: Schema.String
}) {}

/** Which database the `SqlClient` in context talks to. */
export class DatabaseInfo extends Context.Tag("DatabaseInfo")<DatabaseInfo, {
  readonly dialect: Dialect
  /** The database, fit to print (no password). */
  readonly display: string
  readonly url: SqliteUrl | PostgresUrl
}>() {}

/**
 * How long an SQLite connection waits for another process's write lock
 * before failing with SQLITE_BUSY, in milliseconds. A mirror write holds the
 * lock for one run's rows (milliseconds), so 8 concurrent writers stay far
 * below this.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 30_000

/** How long to wait for a PostgreSQL connection before giving up. */
export const PG_CONNECT_TIMEOUT = Duration.seconds(5)

/** The first line of an error's message (and of its cause's), without a stack. */
export const describeCause = (error: unknown): string => {
  const parts: Array<string> = []
  let e: unknown = error
  for (let depth = 0; depth < 4 && e !== undefined && e !== null; depth++) {
    const message = typeof e === "object" && "message" in e ? String((e as { message: unknown }).message) : String(e)
    const line = message.split("\n")[0]!.trim()
    if (line !== "" && !parts.includes(line)) parts.push(line)
    e = typeof e === "object" && "cause" in e ? (e as { cause: unknown }).cause : undefined
  }
  return parts.join(": ")
}

/** SQLite's "file is not a database" and friends: the file is damaged. */
const isCorruption = (text: string) => /not a database|malformed|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(text)

const sqliteLayer = (url: SqliteUrl) => {
  const display = url.display
  const fail = (error: unknown) => {
    const text = describeCause(error)
    return new DatabaseError({
      database: display,
      message: isCorruption(text)
        ? `${display} is not a usable SQLite database (${text}); \`extract db sync --rebuild\` recreates it from the runs`
        : `cannot open ${display}: ${text}`
    })
  }
  const client = Layer.unwrapEffect(Effect.sync(() => {
    if (url.path !== ":memory:") {
      try {
        mkdirSync(dirname(url.path), { recursive: true })
      } catch {
        // opening the file reports the real problem
      }
    }
    // loaded on demand: a process needs one dialect's driver, not both
    return Layer.unwrapEffect(
      Effect.promise(() => import("@effect/sql-sqlite-node/SqliteClient")).pipe(
        Effect.map((SqliteClient) => SqliteClient.layer({ filename: url.path, disableWAL: url.path === ":memory:" }))
      )
    )
  }))
  // Per connection: wait for other processes' locks instead of failing with
  // SQLITE_BUSY; WAL with synchronous=NORMAL survives process crashes (the
  // run store on disk stays the source of truth in any case).
  const setup = Layer.effectDiscard(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`)
    yield* sql.unsafe("PRAGMA synchronous = NORMAL")
    // reading the schema fails on a damaged file
    yield* sql.unsafe("SELECT count(*) FROM sqlite_master")
  }))
  return setup.pipe(
    Layer.provideMerge(client),
    Layer.catchAllCause((cause) => Layer.fail(fail(Cause.squash(cause)))),
    Layer.map((ctx) => Context.add(ctx, DatabaseInfo, { dialect: "sqlite", display, url }))
  )
}

interface PgTypes {
  readonly getTypeParser: (oid: number, format?: string) => (value: string) => unknown
}

/** node-postgres's default type parsers (pg is a dependency of @effect/sql-pg). */
const pgTypes = (): PgTypes => (createRequire(import.meta.url)("pg") as { types: PgTypes }).types

/** OIDs of int8 (count(*), sum(int)) and numeric, which node-postgres returns as strings. */
const PG_NUMBER_OIDS = new Set([20, 1700])

const pgLayer = (url: PostgresUrl) => {
  const display = url.display
  const types = pgTypes()
  return Layer.unwrapEffect(
    Effect.map(Effect.promise(() => import("@effect/sql-pg/PgClient")), (PgClient) =>
      PgClient.layer({
        url: url.url,
        connectTimeout: PG_CONNECT_TIMEOUT,
        applicationName: "extract",
        maxConnections: 4,
        // counts and sums come back as numbers, as on SQLite (exact below 2^53)
        types: {
          getTypeParser: ((oid: number, format?: string) =>
            PG_NUMBER_OIDS.has(oid) && format !== "binary"
              ? (value: string) => Number(value)
              : types.getTypeParser(oid, format)) as never
        }
      }))
  ).pipe(
    Layer.catchAllCause((cause) =>
      Layer.fail(
        new DatabaseError({
          database: display,
          message: `cannot connect to ${display}: ${describeCause(Cause.squash(cause))}`
        })
      )
    ),
    Layer.map((ctx) => Context.add(ctx, DatabaseInfo, { dialect: "pg", display, url }))
  )
}

/**
 * A `SqlClient.SqlClient` (and {@link DatabaseInfo}) for `url`.
 *
 * - SQLite: creates the file's directory, opens the file in WAL mode with a
 *   {@link SQLITE_BUSY_TIMEOUT_MS} busy timeout, and checks it is readable.
 * - PostgreSQL: a pool of up to 4 connections, checked with `SELECT 1`
 *   within {@link PG_CONNECT_TIMEOUT}; int8/numeric results are numbers.
 *
 * Fails with {@link DatabaseError} when the database cannot be opened (a
 * corrupt SQLite file says so and names `extract db sync --rebuild`).
 */
export const layer = (url: SqliteUrl | PostgresUrl): Layer.Layer<SqlClient.SqlClient | DatabaseInfo, DatabaseError> =>
  url._tag === "SqliteUrl" ? sqliteLayer(url) : pgLayer(url)

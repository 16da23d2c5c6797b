/**
 * `extract db query "<SQL>" [--json]`: read-only SQL over the mirror. On
 * SQLite the connection is switched to `PRAGMA query_only`; on PostgreSQL the
 * statement runs in a READ ONLY transaction. A statement that would write
 * fails with UsageError (exit code 2). Results: an aligned table, or with
 * `--json` one JSON object per row keyed by column name (for `jq`).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { UsageError } from "../Domain/Errors.js"
import { formatTable } from "../RunsReport.js"
import { DatabaseInfo, describeCause } from "./Database.js"

/** Errors by which SQLite and PostgreSQL refuse a write in read-only mode. */
const READ_ONLY_REFUSAL = /readonly database|read-only transaction|SQLITE_READONLY|query_only/i

/** A cell as printed in the table: NULL, JSON for objects, text otherwise. */
const cell = (v: unknown): string =>
  v === null || v === undefined
    ? "NULL"
    : typeof v === "object" && !(v instanceof Uint8Array)
    ? JSON.stringify(v)
    : v instanceof Uint8Array
    ? `x'${Buffer.from(v).toString("hex")}'`
    : String(v)

/** A value as written to JSON: blobs as hex, bigints as numbers. */
const jsonValue = (v: unknown): unknown =>
  v instanceof Uint8Array ? Buffer.from(v).toString("hex") : typeof v === "bigint" ? Number(v) : v

export class DbQuery extends Effect.Service<DbQuery>()("DbQuery", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const info = yield* DatabaseInfo

    /**
     * Runs `statement` read-only and returns its rows (column order as the
     * database gives it).
     *
     * @throws UsageError (exit 2) for a statement that writes, or that the database rejects
     */
    const rows = Effect.fn("DbQuery.rows")(function*(statement: string) {
      const text = statement.trim()
      if (text === "") return yield* new UsageError({ message: "db query: no SQL given" })
      // the one way around query_only would be to switch it off
      if (info.dialect === "sqlite" && /\bquery_only\b/i.test(text)) {
        return yield* new UsageError({ message: "db query is read-only: it may not change PRAGMA query_only" })
      }
      const run = info.dialect === "pg"
        ? sql.withTransaction(
          sql.unsafe("SET TRANSACTION READ ONLY").pipe(Effect.zipRight(sql.unsafe<Record<string, unknown>>(text)))
        )
        : sql.unsafe("PRAGMA query_only = ON").pipe(
          Effect.zipRight(sql.unsafe<Record<string, unknown>>(text)),
          Effect.ensuring(Effect.ignore(sql.unsafe("PRAGMA query_only = OFF")))
        )
      return yield* run.pipe(
        Effect.mapError((e) => {
          const why = describeCause(e).replace(/^Failed to (execute|prepare) statement\s*:\s*/i, "")
          return new UsageError({
            message: READ_ONLY_REFUSAL.test(why)
              ? `db query is read-only: the statement would change the database (${why})`
              : `db query: ${why}`
          })
        })
      )
    })

    /** Prints the rows of `statement`: a table (nothing but a note on stderr for no rows), or JSON lines. */
    const run = Effect.fn("DbQuery.run")(function*(statement: string, json: boolean) {
      const result = yield* rows(statement)
      // PostgreSQL gives an array per statement for several statements: print the last
      const last: ReadonlyArray<Record<string, unknown>> = Array.isArray(result[0]) ?
        (result[result.length - 1] as unknown as ReadonlyArray<Record<string, unknown>>) :
        result
      if (json) {
        for (const row of last) {
          yield* Console.log(JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonValue(v)]))))
        }
        return
      }
      if (last.length === 0) return yield* Console.error("(0 rows)")
      const columns = Object.keys(last[0]!)
      yield* Console.log(formatTable([columns, ...last.map((r) => columns.map((c) => cell(r[c])))]))
    })

    return { rows, run } as const
  })
}) {}

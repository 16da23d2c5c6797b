/** Helpers of the mirror tests: reading a database directly, and run directories. */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parseDatabaseUrl, type PostgresUrl, type SqliteUrl } from "../../src/Domain/DatabaseUrl.js"
import * as Database from "../../src/Sql/Database.js"

/** Every table of the mirror. */
export const MIRROR_TABLES = [
  "documents",
  "runs",
  "chunks",
  "events",
  "errors",
  "entities",
  "entity_names",
  "mentions",
  "relations",
  "outputs",
  "llm_usage"
] as const

/** Runs `f` with a SqlClient on `url` (`--database` syntax). */
export const withSql = <A>(url: string, f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, f).pipe(
      Effect.provide(Database.layer(Effect.runSync(parseDatabaseUrl(url, ".")) as SqliteUrl | PostgresUrl))
    ) as Effect.Effect<A>
  )

/** Rows of a query on `url`. */
export const query = (url: string, statement: string) =>
  withSql(url, (sql) => sql.unsafe<Record<string, unknown>>(statement))

/** Every row of every mirror table, each table sorted, JSON columns parsed: for comparing two databases. */
export const dump = (url: string) =>
  withSql(
    url,
    (sql) =>
      Effect.forEach(MIRROR_TABLES, (table) =>
        Effect.map(sql.unsafe<Record<string, unknown>>(`SELECT * FROM ${table}`), (rows) => {
          const normal = rows.map((r) =>
            JSON.stringify(
              Object.fromEntries(
                Object.keys(r).sort().map((k) => {
                  const v = r[k]
                  if (typeof v === "string" && (v.startsWith("{") || v.startsWith("["))) {
                    try {
                      return [k, JSON.parse(v)]
                    } catch {
                      return [k, v]
                    }
                  }
                  return [k, v]
                })
              )
            )
          )
          return [table, normal.sort()] as const
        })).pipe(Effect.map((entries) =>
          Object.fromEntries(entries)
        ))
  )

/** A run's metadata.json. */
export const metadataOf = (outputDir: string, runId: string) =>
  JSON.parse(readFileSync(join(outputDir, "runs", runId, "metadata.json"), "utf8"))

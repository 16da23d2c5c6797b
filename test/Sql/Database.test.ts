import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { writeFileSync } from "node:fs"
import { type DatabaseUrl, parseDatabaseUrl, PostgresUrl, SqliteUrl } from "../../src/Domain/DatabaseUrl.js"
import * as Database from "../../src/Sql/Database.js"
import { migrate, MIGRATIONS_TABLE, SCHEMA_VERSION, schemaVersion } from "../../src/Sql/Migrations.js"
import { dialects } from "./Dialects.js"

const parse = (raw: string | undefined) => Effect.runSync(Effect.either(parseDatabaseUrl(raw, "out")))
const open = (raw: string) => {
  const url = Effect.runSync(parseDatabaseUrl(raw, "out")) as SqliteUrl | PostgresUrl
  return Database.layer(url)
}
const tables = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql.onDialectOrElse({
    pg: () =>
      sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`,
    orElse: () => sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`
  })
  return rows.map((r) => r.name).sort()
})

describe("parseDatabaseUrl", () => {
  it("defaults to <output-dir>/extract.db", () => {
    const r = parse(undefined)
    expect(r._tag === "Right" && r.right).toEqual(new SqliteUrl({ path: "out/extract.db" }))
  })
  it("reads sqlite:, postgres:// and none", () => {
    const kinds = ["sqlite:/tmp/x.db", "sqlite://rel/x.db", "postgres://u@h:5432/db", "postgresql://h/db", "none"]
      .map((raw) => parse(raw))
      .map((r) => (r._tag === "Right" ? (r.right as DatabaseUrl)._tag : "error"))
    expect(kinds).toEqual(["SqliteUrl", "SqliteUrl", "PostgresUrl", "PostgresUrl", "NoDatabase"])
  })
  it("refuses anything else with a UsageError that hides the password", () => {
    for (const raw of ["mysql://h/db", "sqlite:", "postgres://", "postgres://u:secret@h:99999/db", "extract.db"]) {
      const r = parse(raw)
      expect(r._tag).toBe("Left")
      if (r._tag === "Left") {
        expect(r.left._tag).toBe("UsageError")
        expect(r.left.message).toMatch(/^invalid --database/)
        expect(r.left.message).not.toContain("secret")
      }
    }
  })
  it("prints a Postgres URL without its password", () => {
    const r = parse("postgres://me:hunter2@db.example:5432/runs")
    expect(r._tag === "Right" && (r.right as PostgresUrl).display).toBe("postgres://me:***@db.example:5432/runs")
  })
})

describe.each(dialects)("migrations on $name", (dialect) => {
  it.effect("create every mirror table once, then change nothing", () =>
    Effect.gen(function*() {
      const url = dialect.fresh("migrate")
      const run = Effect.gen(function*() {
        const first = yield* migrate
        const second = yield* migrate
        return { first, second, version: yield* schemaVersion, tables: yield* tables }
      }).pipe(Effect.provide(open(url)), Effect.ensuring(Effect.sync(() => dialect.drop(url))))
      const r = yield* run
      expect(r.first.map(([id]) => id)).toEqual([1])
      expect(r.second).toEqual([])
      expect(r.version).toBe(SCHEMA_VERSION)
      expect(r.tables).toEqual(expect.arrayContaining([
        "chunks",
        "documents",
        "entities",
        "errors",
        "events",
        "llm_usage",
        "mentions",
        "outputs",
        "relations",
        "runs",
        MIGRATIONS_TABLE
      ]))
    }))

  it.effect("refuse a schema newer than this build, naming both versions, and leave it alone", () =>
    Effect.gen(function*() {
      const url = dialect.fresh("newer")
      const r = yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql.unsafe(
          `CREATE TABLE ${MIGRATIONS_TABLE} (migration_id integer primary key, created_at text, name text not null)`
        )
        yield* sql.unsafe(`INSERT INTO ${MIGRATIONS_TABLE} (migration_id, name) VALUES (7, 'future')`)
        const before = yield* tables
        const exit = yield* Effect.exit(migrate)
        return { exit, before, after: yield* tables }
      }).pipe(Effect.provide(open(url)), Effect.ensuring(Effect.sync(() => dialect.drop(url))))
      expect(Exit.isFailure(r.exit)).toBe(true)
      const message = Exit.isFailure(r.exit) ? JSON.stringify(r.exit.cause) : ""
      expect(message).toContain("schema version 7")
      expect(message).toContain(`(${SCHEMA_VERSION})`)
      expect(r.after).toEqual(r.before)
    }))
})

describe("a corrupt SQLite file", () => {
  it.effect("fails to open with a message naming db sync --rebuild", () =>
    Effect.gen(function*() {
      const url = dialects[0]!.fresh("corrupt")
      writeFileSync(url.slice("sqlite:".length), "this is not an SQLite database, just text ".repeat(200))
      const exit = yield* Effect.exit(Effect.provide(migrate, open(url)))
      expect(Exit.isFailure(exit)).toBe(true)
      const text = Exit.isFailure(exit) ? JSON.stringify(exit.cause) : ""
      expect(text).toContain("DatabaseError")
      expect(text).toContain("extract db sync --rebuild")
    }))
})

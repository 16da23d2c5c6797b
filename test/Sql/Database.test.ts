import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { writeFileSync } from "node:fs"
import { type DatabaseUrl, parseDatabaseUrl, PostgresUrl, SqliteUrl } from "../../src/Domain/DatabaseUrl.js"
import * as Database from "../../src/Sql/Database.js"
import { migrate, MIGRATIONS_TABLE, SCHEMA_VERSION, schemaVersion } from "../../src/Sql/Migrations.js"
import Mirror from "../../src/Sql/Migrations/0001_mirror.js"
import { MirrorReader } from "../../src/Sql/MirrorReader.js"
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
      expect(r.first.map(([id]) => id)).toEqual([1, 2])
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

  it.effect("upgrade a version-1 database with runs in place, and list them from one index", () =>
    Effect.gen(function*() {
      const url = dialect.fresh("upgrade")
      const run = (id: string, created: string, entities: number) =>
        `INSERT INTO runs VALUES ('${id}', 'd', 'completed', 'nlp', NULL, '{}', 1, 2, ${entities}, 4, 5.5, ` +
        `'${created}', '${created}', NULL, 1, 1, 'a.txt', '{"path":"a.txt"}', '{"entityCount":${entities}}', '/out')`
      const r = yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* Migrator.make({})({ loader: Migrator.fromRecord({ "1_mirror": Mirror }), table: MIGRATIONS_TABLE })
        yield* sql.unsafe(run("doc-00000000000b", "2026-01-02T00:00:00.000Z", 3))
        yield* sql.unsafe(run("doc-00000000000a", "2026-01-02T00:00:00.000Z", 7))
        yield* sql.unsafe(run("doc-000000000000", "2026-01-03T00:00:00.000Z", 9))
        const before = yield* schemaVersion
        const applied = yield* migrate
        const reader = yield* MirrorReader
        const listed = yield* reader.listSummaries("/out", { detail: false })
        const detailed = yield* reader.listSummaries("/out", { detail: true })
        const plan = yield* sql.onDialectOrElse({
          pg: () => Effect.succeed([]),
          orElse: () =>
            sql.unsafe<{ detail: string }>(
              `EXPLAIN QUERY PLAN SELECT run_id, status, created_at, completed_at, input_path, extractor, ` +
                `entity_count, relation_count FROM runs WHERE output_dir = '/out' ORDER BY created_at, run_id`
            )
        })
        return { before, applied, listed, detailed, plan: plan.map((p) => p.detail) }
      }).pipe(
        Effect.provide(MirrorReader.Default.pipe(Layer.provideMerge(open(url)))),
        Effect.ensuring(Effect.sync(() => dialect.drop(url)))
      )
      expect(r.before).toBe(1)
      expect(r.applied.map(([id]) => id)).toEqual([2])
      // oldest first, ties by run id
      expect(r.listed.map((s) => [s.runId, s.entityCount, s.relationCount, s.inputPath, s.detail])).toEqual([
        ["doc-00000000000a", 7, 4, "a.txt", undefined],
        ["doc-00000000000b", 3, 4, "a.txt", undefined],
        ["doc-000000000000", 9, 4, "a.txt", undefined]
      ])
      expect(r.detailed.map((s) => s.detail?.())).toEqual([
        { inputJson: "{\"path\":\"a.txt\"}", statsJson: "{\"entityCount\":7}" },
        { inputJson: "{\"path\":\"a.txt\"}", statsJson: "{\"entityCount\":3}" },
        { inputJson: "{\"path\":\"a.txt\"}", statsJson: "{\"entityCount\":9}" }
      ])
      // SQLite reads the list from the covering index alone, without sorting
      if (dialect.name === "sqlite") {
        expect(r.plan).toEqual(["SEARCH runs USING COVERING INDEX runs_list (output_dir=?)"])
      }
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

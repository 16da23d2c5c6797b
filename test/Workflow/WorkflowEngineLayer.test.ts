/**
 * The engine's start-up on Postgres (src/Workflow/WorkflowEngineLayer.ts):
 * engines that start at once on an empty database all start. Without the
 * start-up lock, @effect/cluster's `CREATE TABLE IF NOT EXISTS` in several
 * sessions at once made some of them fail with `duplicate key value
 * violates unique constraint "pg_type_typname_nsp_index"`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { execFileSync } from "node:child_process"
import { PostgresUrl } from "../../src/Domain/DatabaseUrl.js"
import { engineLayer, STARTUP_LOCK } from "../../src/Workflow/WorkflowEngineLayer.js"
import { dropDatabase, freshDatabase, postgresUrl } from "../support/Postgres.js"

const psql = (database: string, query: string) =>
  execFileSync("psql", [database, "-Atc", query], { encoding: "utf8" }).trim()

describe.skipIf(postgresUrl === undefined)("the workflow engine's start-up on Postgres", () => {
  it.live(
    "engines that start at once on an empty database all start, and none holds the start-up lock after",
    () =>
      Effect.gen(function*() {
        // Several tries: one try raced in about half of the attempts without the lock.
        for (let attempt = 0; attempt < 3; attempt++) {
          const database = freshDatabase("engine_startup")
          try {
            const url = new PostgresUrl({ url: Redacted.make(database) })
            const exits = yield* Effect.all(
              Array.from({ length: 4 }, () => Effect.exit(Effect.scoped(Layer.build(engineLayer("client", url))))),
              { concurrency: "unbounded" }
            )
            expect(exits.filter(Exit.isFailure).map(String)).toEqual([])
            // @effect/cluster's tables are there, created once
            const tables = psql(
              database,
              "select count(*) from information_schema.tables where table_name like 'cluster_%' and table_schema = 'public'"
            )
            expect(Number(tables)).toBeGreaterThanOrEqual(3)
            // the lock is released: this session takes it at once
            expect(psql(database, `select pg_try_advisory_lock(${STARTUP_LOCK})`)).toBe("t")
          } finally {
            dropDatabase(database)
          }
        }
      }),
    120_000
  )
})

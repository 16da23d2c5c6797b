/**
 * The `extract db …`, `extract search` and `runs list|show --from db`
 * commands: each resolves its database (`--database`, else
 * `EXTRACT_DATABASE_URL`, else `<output-dir>/extract.db`), opens and
 * migrates it, and hands over to the service that does the work.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { resolve } from "node:path"
import { parseDatabaseUrl, type PostgresUrl, type SqliteUrl } from "../Domain/DatabaseUrl.js"
import { UsageError } from "../Domain/Errors.js"
import { ProgressSink } from "../Progress.js"
import type { RunSource } from "../RunsReport.js"
import { ExtractionRunService, RunStoreConfig } from "../Store/ExtractionRunService.js"
import * as Database from "./Database.js"
import { DbQuery } from "./DbQuery.js"
import { DbSync, DbSyncLive, resetDatabase } from "./DbSync.js"
import { DbVerify } from "./DbVerify.js"
import { EntitySearch } from "./EntitySearch.js"
import { migrate, migratedLayer, SCHEMA_VERSION } from "./Migrations.js"
import { MirrorReader } from "./MirrorReader.js"

/** Where a db command works: the output directory and the raw `--database` value (already with its env fallback). */
export interface DbTarget {
  readonly outputDir: string
  readonly database: string | undefined
}

/** The database of a db command; `none` has none to use. Fails with UsageError (exit 2). */
const databaseOf = (target: DbTarget) =>
  Effect.flatMap(parseDatabaseUrl(target.database, target.outputDir), (url) =>
    url._tag === "NoDatabase"
      ? Effect.fail(new UsageError({ message: "--database none: this command needs a database" }))
      : Effect.succeed(url as SqliteUrl | PostgresUrl))

const storeLayer = (outputDir: string) =>
  ExtractionRunService.Default.pipe(Layer.provide(RunStoreConfig.layer(outputDir)))

/** The services of the read-side commands over a migrated database and the run store. */
const readLayer = (url: SqliteUrl | PostgresUrl, outputDir: string) =>
  Layer.mergeAll(DbVerify.Default, DbQuery.Default, EntitySearch.Default).pipe(
    Layer.provideMerge(MirrorReader.Default),
    Layer.provideMerge(Layer.merge(migratedLayer(url), storeLayer(outputDir)))
  )

export class DbCommands extends Effect.Service<DbCommands>()("DbCommands", {
  succeed: {
    /** `db migrate`: creates or upgrades the schema; prints the version and what was applied. */
    migrate: (target: DbTarget) =>
      Effect.gen(function*() {
        const url = yield* databaseOf(target)
        const applied = yield* migrate.pipe(Effect.provide(Database.layer(url)))
        yield* Console.log(
          applied.length === 0
            ? `${url.display}: schema version ${SCHEMA_VERSION}, up to date`
            : `${url.display}: schema version ${SCHEMA_VERSION}, applied ${
              applied.map(([id, name]) => `${id}_${name}`).join(", ")
            }`
        )
      }),

    /** `db sync`: see DbSync; `rebuild` deletes the database first. Prints what it did. */
    sync: (target: DbTarget, runIds: ReadonlyArray<string>, rebuild: boolean, quiet: boolean) =>
      Effect.gen(function*() {
        const url = yield* databaseOf(target)
        if (rebuild) yield* resetDatabase(url)
        const summary = yield* Effect.flatMap(DbSync, (s) => s.sync(resolve(target.outputDir), runIds)).pipe(
          Effect.provide(DbSyncLive.pipe(
            Layer.provideMerge(
              Layer.mergeAll(migratedLayer(url), storeLayer(target.outputDir), ProgressSink.stderr(quiet))
            )
          ))
        )
        yield* Console.log(
          `${url.display}: ${summary.mirrored} run(s) mirrored, ${summary.upToDate} up to date, ${summary.removed} removed`
        )
      }),

    /** `db verify`: see DbVerify. Returns the exit code (0 or 1). */
    verify: (target: DbTarget, json: boolean) =>
      Effect.flatMap(
        databaseOf(target),
        (url) =>
          Effect.flatMap(DbVerify, (v) => v.run(resolve(target.outputDir), json)).pipe(
            Effect.provide(readLayer(url, target.outputDir))
          )
      ),

    /** `db query`: see DbQuery. */
    query: (target: DbTarget, statement: string, json: boolean) =>
      Effect.flatMap(
        databaseOf(target),
        (url) =>
          Effect.flatMap(DbQuery, (q) => q.run(statement, json)).pipe(Effect.provide(readLayer(url, target.outputDir)))
      ),

    /** `search`: see EntitySearch. */
    search: (target: DbTarget, text: string, type: string | undefined, json: boolean) =>
      Effect.flatMap(databaseOf(target), (url) =>
        Effect.flatMap(EntitySearch, (s) => s.run(text, type, json)).pipe(
          Effect.provide(readLayer(url, target.outputDir))
        )),

    /** Runs `f` with the mirror as a RunSource (`runs list|show --from db`). */
    withRunSource: <A, E, R>(target: DbTarget, f: (source: RunSource) => Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        const url = yield* databaseOf(target)
        return yield* Effect.gen(function*() {
          const reader = yield* MirrorReader
          const store = yield* ExtractionRunService
          return yield* f(reader.runSource(store, resolve(target.outputDir)))
        }).pipe(Effect.provide(readLayer(url, target.outputDir)))
      })
  }
}) {}

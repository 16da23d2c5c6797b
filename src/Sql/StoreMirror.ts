/**
 * The dual write: the run store's {@link RunStoreMirror} over the SQL
 * mirror. The store calls it at each status change of a run it writes
 * (`running` when the run opens; `completed`, `failed` or `interrupted` when
 * it ends, with the whole graph). The database is opened (and migrated) on
 * the first write, so `extract` starts as fast without it; a failure (a
 * locked or corrupt file, an unreachable server, a full disk) is returned to
 * the store, which records `mirror.failed` and goes on, and printed once per
 * process on stderr. `extract db sync` catches up later.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { resolve } from "node:path"
import type { DatabaseUrl } from "../Domain/DatabaseUrl.js"
import type { RunMetadata } from "../Domain/Run.js"
import type { RunStoreMirror } from "../Store/ExtractionRunService.js"
import { type DatabaseInfo, describeCause } from "./Database.js"
import { migratedLayer } from "./Migrations.js"
import { RunMirror } from "./RunMirror.js"

/**
 * The store's mirror for `database`, or undefined for `none`. `outputDir` is
 * recorded with each run. The connection lives in the current scope.
 * `warn` prints the one warning (default: a line on stderr). `client`, when
 * given, is the process's already open (and migrated) connection to share
 * (the workflow engine's: two better-sqlite3 connections of one thread to
 * one file would wait on each other's locks).
 */
export const storeMirror = (
  database: DatabaseUrl,
  outputDir: string,
  warn: (message: string) => Effect.Effect<void> = (message) =>
    Effect.sync(() => void process.stderr.write(`extract: warning: ${message}\n`)),
  client?: Layer.Layer<SqlClient.SqlClient | DatabaseInfo>
): Effect.Effect<RunStoreMirror | undefined, never, Scope.Scope | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    if (database._tag === "NoDatabase") return undefined
    const dir = resolve(outputDir)
    const scope = yield* Scope.Scope
    const context = yield* Effect.context<FileSystem.FileSystem | Path.Path>()
    const lock = yield* Effect.makeSemaphore(1)
    let mirror: RunMirror | undefined
    let warned = false
    // opened on first use; a failed attempt is retried at the next write
    const open = lock.withPermits(1)(Effect.suspend(() =>
      mirror !== undefined
        ? Effect.succeed(mirror)
        : Layer.buildWithScope(RunMirror.Default.pipe(Layer.provide(client ?? migratedLayer(database))), scope).pipe(
          Effect.map((ctx) => (mirror = Context.get(ctx, RunMirror)))
        )
    ))
    const write = (runDir: string, metadata: RunMetadata, final: boolean) =>
      open.pipe(
        Effect.flatMap((m) => m.write(runDir, dir, metadata, final)),
        Effect.provide(context),
        Effect.mapError((e) => ({
          database: database.display,
          message: e._tag === "DatabaseError" ? e.message : describeCause(e)
        })),
        // @effect/sql dies when ROLLBACK fails (SQLite has already rolled back after SQLITE_FULL): still a mirror failure
        Effect.catchAllDefect((defect) => Effect.fail({ database: database.display, message: describeCause(defect) })),
        Effect.tapError((e) =>
          warned ? Effect.void : Effect.suspend(() => {
            warned = true
            return warn(
              `the database mirror ${e.database} failed for run ${metadata.runId} (${e.message}); the run goes on ` +
                "and is kept on disk, `extract db sync` catches the database up"
            )
          })
        )
      )
    return { display: database.display, write } satisfies RunStoreMirror
  })

/**
 * The durable workflow engine: @effect/cluster's `ClusterWorkflowEngine` on
 * the project's database, in @effect/cluster's own tables (`cluster_*`,
 * created by it on first use; no table of ours).
 *
 * - `single`: this process is the only runner (`SingleRunner`). Shard
 *   assignments are kept in memory (`runnerStorage: "memory"`), so a restart
 *   never waits out the previous process's shard locks; messages and
 *   workflow state are in SQL, so a restart resumes every unfinished workflow.
 * - `runner`: one of several runners over TCP sockets (`NodeClusterSocket`),
 *   sharing shard locks and messages in the database (Postgres).
 * - `client`: submits and reads through the database and the runners, runs nothing.
 *
 * Shard-lock timings ({@link FAILOVER_TIMINGS}) make another runner take
 * over a dead runner's shards within about 6 s (issue 11's measurement; the
 * defaults take about 27 s).
 *
 * On Postgres, processes start their engines one at a time
 * ({@link startupSerialized}): @effect/cluster creates its tables when it
 * starts, and two processes doing so at once on an empty database made one
 * of them fail.
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import type * as Sharding from "@effect/cluster/Sharding"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type { PostgresUrl, SqliteUrl } from "../Domain/DatabaseUrl.js"
import { WorkflowError } from "../Domain/Workflow.js"
import * as Database from "../Sql/Database.js"

/** How a process takes part in the engine (see the module docstring). */
export type EngineMode = "single" | "runner" | "client"

/**
 * Shard-lock timings for failover under 10 s: a runner refreshes its shard
 * locks every second, a lock not refreshed for 5 s is free, and runners
 * check each other's health every 2 s.
 */
export const FAILOVER_TIMINGS: Partial<ShardingConfig.ShardingConfig["Type"]> = {
  shardLockRefreshInterval: Duration.seconds(1),
  shardLockExpiration: Duration.seconds(5),
  runnerHealthCheckInterval: Duration.seconds(2)
}

/**
 * The engine's SqlClient. SQLite is the project's database layer
 * (`src/Sql/Database.ts`: WAL, busy timeout). Postgres gets a pool of its
 * own with node-postgres's default parsers: the project's pool reads int8 as
 * JS numbers, and @effect/cluster's message ids are snowflakes above 2^53
 * that must stay strings.
 */
export const engineSqlLayer = (url: SqliteUrl | PostgresUrl): Layer.Layer<SqlClient.SqlClient, WorkflowError> =>
  url._tag === "SqliteUrl"
    ? Database.layer(url).pipe(Layer.mapError((e) => new WorkflowError({ message: e.message })))
    : PgClient.layer({ url: url.url, applicationName: "extract-engine", connectTimeout: Database.PG_CONNECT_TIMEOUT })
      .pipe(
        Layer.catchAllCause((cause) =>
          Layer.fail(
            new WorkflowError({
              message: `cannot connect to ${url.display}: ${Database.describeCause(Cause.squash(cause))}`
            })
          )
        )
      )

/**
 * The advisory lock every extract process holds on Postgres while its
 * engine starts, as the two-key form `pg_advisory_lock(int4, int4)`: a key
 * space apart from @effect/cluster's one-key shard locks
 * (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS).
 */
export const STARTUP_LOCK = "hashtext('extract'), 1"

/**
 * Builds `layer` while this process holds {@link STARTUP_LOCK} on a
 * connection reserved for it, so that extract processes on one Postgres
 * database start their engines one after another. @effect/cluster's SQL
 * storages create their tables (and their migrations table) when they are
 * built, with `CREATE TABLE IF NOT EXISTS`; two sessions doing that at once
 * on an empty database can both pass the "not exists" check, and the loser
 * fails with `duplicate key value violates unique constraint
 * "pg_type_typname_nsp_index"` (seen with two `extract worker` started
 * together). The lock is released and the connection returned once the
 * layer is built or has failed; a process that dies holding it loses it
 * with its session. Waiting for the lock is bounded only by the other
 * process's start-up (a few hundred milliseconds). Fails with the SqlError
 * of taking the lock, or `layer`'s error.
 */
export const startupSerialized = <ROut, E, RIn>(
  layer: Layer.Layer<ROut, E, RIn>
): Layer.Layer<ROut, E | SqlError, RIn | SqlClient.SqlClient> =>
  Layer.scopedContext(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const held = yield* Scope.make()
    const connection = yield* Scope.extend(sql.reserve, held).pipe(
      Effect.tap((c) => c.executeRaw(`SELECT pg_advisory_lock(${STARTUP_LOCK})`, [])),
      Effect.onError(() => Scope.close(held, Exit.void))
    )
    const release = connection.executeRaw(`SELECT pg_advisory_unlock(${STARTUP_LOCK})`, []).pipe(
      Effect.ignore,
      Effect.zipRight(Scope.close(held, Exit.void))
    )
    return yield* Layer.buildWithScope(layer, yield* Effect.scope).pipe(Effect.ensuring(release))
  }))

/** Where a `runner` listens for other runners: host and port (the port must be free). */
export interface RunnerEndpoint {
  readonly host: string
  readonly port: number
}

/**
 * The engine for `mode` on `url`. `runner` needs `endpoint`. On SQLite,
 * pass the process's one connection as `client` when anything else (the
 * run-store mirror) uses the same file. Fails with
 * WorkflowError when the database cannot be opened or the socket bound.
 */
export const engineLayer = (
  mode: EngineMode,
  url: SqliteUrl | PostgresUrl,
  endpoint?: RunnerEndpoint,
  /** An open connection to share (SQLite: the process's one connection); default {@link engineSqlLayer}. */
  client?: Layer.Layer<SqlClient.SqlClient>
): Layer.Layer<WorkflowEngine | Sharding.Sharding, WorkflowError> => {
  const sharding = mode === "single"
    ? SingleRunner.layer({
      runnerStorage: "memory",
      // SingleRunner would read PORT/HOST from the environment; pin it.
      shardingConfig: {
        runnerAddress: Option.some(RunnerAddress.make("localhost", 34431)),
        // one process: messages to its own entities need not go through (de)serialisation twice
        simulateRemoteSerialization: false
      }
    })
    : mode === "client"
    ? NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: FAILOVER_TIMINGS })
    : NodeClusterSocket.layer({
      storage: "sql",
      shardingConfig: {
        ...FAILOVER_TIMINGS,
        runnerAddress: Option.some(RunnerAddress.make(endpoint?.host ?? "127.0.0.1", endpoint?.port ?? 34431))
      }
    })
  const storage = sharding as Layer.Layer<
    Sharding.Sharding | import("@effect/cluster/MessageStorage").MessageStorage,
    unknown,
    SqlClient.SqlClient
  >
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(url._tag === "PostgresUrl" ? startupSerialized(storage) : storage),
    Layer.provide(client ?? engineSqlLayer(url)),
    Layer.catchAllCause((cause) =>
      Layer.fail(
        Cause.failureOption(cause).pipe(
          Option.filter((e): e is WorkflowError => e instanceof WorkflowError),
          Option.getOrElse(() =>
            new WorkflowError({
              message: `the workflow engine did not start: ${Database.describeCause(Cause.squash(cause))}`
            })
          )
        )
      )
    )
  )
}

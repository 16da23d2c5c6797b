/**
 * `extract worker`: a process that runs extraction workflows until it is
 * stopped. On SQLite it is the engine's single runner and resumes every
 * unfinished workflow of the database at start; on Postgres it is one of
 * several runners (sockets on `--host`/`--port`), which split the workflows
 * by shard and take over a dead runner's shards within seconds.
 *
 * SIGTERM drains: the runner stops taking work, unregisters, and the
 * activities in flight are interrupted (their chunks are asked again by
 * whichever runner resumes the workflow); the process exits 143.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:net"
import { hostname } from "node:os"
import { parseDatabaseUrl } from "../Domain/DatabaseUrl.js"
import type { RawSettings } from "../Settings.js"
import { WorkflowOrchestrator } from "./WorkflowOrchestrator.js"

/** What `extract worker` was given. */
export interface WorkerOptions {
  readonly outputDir: string
  /** `--database` (or EXTRACT_DATABASE_URL); undefined: `sqlite:<output-dir>/extract.db`. */
  readonly database: string | undefined
  /** Runner socket address for Postgres (default 127.0.0.1); port 0 picks a free one. */
  readonly host: string
  readonly port: number
  /** The worker's provider settings and defaults (extract's flags). */
  readonly settings: RawSettings
}

/** A free TCP port on `host`, from the operating system. */
const freePort = (host: string) =>
  Effect.async<number>((resume) => {
    const server = createServer()
    server.listen(0, host, () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resume(Effect.succeed(port)))
    })
  })

/**
 * Runs the worker until interrupted (SIGINT/SIGTERM). Fails with UsageError
 * for a bad `--database` (or `none`), WorkflowError when the database or
 * socket cannot be opened.
 */
export const runWorker = Effect.fn("Worker.run")(function*(options: WorkerOptions) {
  const url = yield* parseDatabaseUrl(options.database, options.outputDir)
  const mode = url._tag === "PostgresUrl" ? "runner" as const : "single" as const
  const port = mode === "runner" && options.port === 0 ? yield* freePort(options.host) : options.port
  const layer = WorkflowOrchestrator.layer({
    outputDir: options.outputDir,
    database: options.database,
    settings: options.settings,
    mode,
    host: options.host,
    port
  })
  return yield* Effect.gen(function*() {
    yield* WorkflowOrchestrator
    yield* Console.error(
      `extract: worker pid ${process.pid} on ${hostname()} running workflows from ${url.display}` +
        (mode === "runner" ? ` (runner ${options.host}:${port})` : "") +
        `, writing runs to ${options.outputDir}; SIGTERM drains`
    )
    return yield* Effect.never
  }).pipe(Effect.provide(Layer.fresh(layer)))
})

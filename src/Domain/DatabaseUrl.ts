/**
 * Where the SQL mirror of the run store lives (`--database URL`, env
 * `EXTRACT_DATABASE_URL`): an embedded SQLite file, a PostgreSQL server, or
 * nothing. See docs/database.md.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { UsageError } from "./Errors.js"

/** An SQLite database file (`sqlite:PATH`); `:memory:` is an in-memory database (tests). */
export class SqliteUrl extends Schema.TaggedClass<SqliteUrl>()("SqliteUrl", {
  /** File path as given, relative to the working directory unless absolute. */
  path: Schema.String
}) {
  get display(): string {
    return `sqlite:${this.path}`
  }
}

/** A PostgreSQL server (`postgres://…` or `postgresql://…`); the URL may hold a password, so it is redacted. */
export class PostgresUrl extends Schema.TaggedClass<PostgresUrl>()("PostgresUrl", {
  url: Schema.Redacted(Schema.String)
}) {
  /** The URL without its password, fit to print. */
  get display(): string {
    const u = new URL(Redacted.value(this.url))
    if (u.password !== "") u.password = "***"
    return u.toString()
  }
}

/** `none`: the mirror is off. */
export class NoDatabase extends Schema.TaggedClass<NoDatabase>()("NoDatabase", {}) {
  get display(): string {
    return "none"
  }
}

/** A parsed `--database` value. */
export type DatabaseUrl = SqliteUrl | PostgresUrl | NoDatabase

/** The database file used when neither `--database` nor `EXTRACT_DATABASE_URL` is given: `<output-dir>/extract.db`. */
export const DEFAULT_DATABASE_FILE = "extract.db"

const invalid = (raw: string, why: string) =>
  new UsageError({
    message: `invalid --database ${JSON.stringify(raw.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@"))}: ${why}` +
      ` (expected sqlite:PATH, postgres://USER@HOST:PORT/DB or none)`
  })

/**
 * Parses a `--database` value. Absent → `sqlite:<outputDir>/extract.db`.
 * Accepted: `none`; `sqlite:PATH` (also `sqlite://PATH`, and `file:PATH`);
 * `postgres://…` / `postgresql://…` with a host.
 *
 * @throws UsageError (exit code 2) for anything else, with the password masked
 */
export const parseDatabaseUrl = (
  raw: string | undefined,
  outputDir: string
): Effect.Effect<DatabaseUrl, UsageError> =>
  Effect.suspend((): Effect.Effect<DatabaseUrl, UsageError> => {
    if (raw === undefined) {
      return Effect.succeed(new SqliteUrl({ path: `${outputDir.replace(/\/+$/, "") || "."}/${DEFAULT_DATABASE_FILE}` }))
    }
    const value = raw.trim()
    if (value === "none") return Effect.succeed(new NoDatabase())
    const sqlite = /^(?:sqlite|file):(?:\/\/)?(.*)$/i.exec(value)
    if (sqlite) {
      const path = sqlite[1]!
      if (path === "") return Effect.fail(invalid(raw, "no file path after sqlite:"))
      if (path.includes("\0")) return Effect.fail(invalid(raw, "the path holds a NUL byte"))
      return Effect.succeed(new SqliteUrl({ path }))
    }
    if (/^postgres(?:ql)?:\/\//i.test(value)) {
      let url: URL
      try {
        url = new URL(value)
      } catch {
        return Effect.fail(invalid(raw, "not a valid URL"))
      }
      if (url.hostname === "") return Effect.fail(invalid(raw, "no host"))
      if (url.port !== "" && !(Number(url.port) > 0 && Number(url.port) < 65536)) {
        return Effect.fail(invalid(raw, `bad port ${url.port}`))
      }
      return Effect.succeed(new PostgresUrl({ url: Redacted.make(value) }))
    }
    return Effect.fail(invalid(raw, "unknown scheme"))
  })

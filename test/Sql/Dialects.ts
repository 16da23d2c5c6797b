/**
 * The databases the mirror tests run against: a fresh SQLite file always, and
 * a fresh PostgreSQL database when `EXTRACT_TEST_POSTGRES_URL` is set (see
 * test/support/Postgres.ts). Parametrise with `describe.each(dialects)`.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dropDatabase, freshDatabase, postgresUrl } from "../support/Postgres.js"

export interface TestDialect {
  readonly name: "sqlite" | "pg"
  /** A URL (`--database` syntax) of a new, empty database. */
  readonly fresh: (prefix: string) => string
  /** Removes a database made by `fresh`. */
  readonly drop: (url: string) => void
}

const sqlite: TestDialect = {
  name: "sqlite",
  fresh: (prefix) => `sqlite:${join(mkdtempSync(join(tmpdir(), `extract-${prefix}-`)), "extract.db")}`,
  drop: () => undefined
}

const pg: TestDialect = {
  name: "pg",
  fresh: (prefix) => freshDatabase(prefix),
  drop: (url) => dropDatabase(url)
}

/** SQLite, and PostgreSQL unless no test server is configured. */
export const dialects: ReadonlyArray<TestDialect> = postgresUrl === undefined ? [sqlite] : [sqlite, pg]

/**
 * The PostgreSQL server the tests may use: `EXTRACT_TEST_POSTGRES_URL`, a
 * superuser URL to a server on loopback (`.ci/run` starts one in a temporary
 * data directory and always sets it). Tests that need Postgres skip only when
 * it is unset, e.g. `describe.skipIf(postgresUrl === undefined)(…)`.
 */
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"

/** The server's URL from the environment, or undefined when no server is configured. */
export const postgresUrl: string | undefined = process.env.EXTRACT_TEST_POSTGRES_URL || undefined

/**
 * Creates a fresh, empty database on the test server and returns its URL.
 * `prefix` names the test (letters, digits, underscores); a random suffix keeps
 * parallel test files apart. Uses `psql`, which `.ci/run` installs with the server.
 * Throws when no server is configured.
 */
export const freshDatabase = (prefix: string): string => {
  if (postgresUrl === undefined) throw new Error("EXTRACT_TEST_POSTGRES_URL is not set")
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_")}_${randomBytes(4).toString("hex")}`
  execFileSync("psql", [postgresUrl, "-v", "ON_ERROR_STOP=1", "-qc", `CREATE DATABASE ${name}`], { stdio: "pipe" })
  const url = new URL(postgresUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** Drops a database made by {@link freshDatabase}, closing its connections first. */
export const dropDatabase = (databaseUrl: string): void => {
  if (postgresUrl === undefined) return
  const name = new URL(databaseUrl).pathname.slice(1)
  execFileSync("psql", [postgresUrl, "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: "pipe" })
}

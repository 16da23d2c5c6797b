/**
 * Two output directories that share one database and ran the same document
 * (so the same run id): the first one mirrored keeps the run's rows, the
 * other's writes fail as mirror failures (docs/database.md, "One database,
 * several output directories"). On SQLite and, when configured, PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli } from "../support/Cli.js"
import { dialects } from "./Dialects.js"
import { query } from "./Support.js"

describe.each(dialects)("one database, two output directories, on $name", (dialect) => {
  let dir: string
  let db: string
  const cli = (...args: Array<string>) => runCli([...args, "--database", db], { cwd: dir })

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `extract-shared-db-${dialect.name}-`))
    db = dialect.fresh("shared")
    writeFileSync(join(dir, "a.txt"), "Ada Lovelace met Charles Babbage in London.\n")
  })
  afterAll(() => {
    dialect.drop(db)
    rmSync(dir, { recursive: true, force: true })
  })

  it("keeps the first directory's rows, and reports the other's writes as mirror failures", async () => {
    const first = await cli("a.txt", "-o", "A", "-q", "--extractor", "nlp")
    expect([first.code, first.stderr]).toEqual([0, ""])
    const before = await query(db, "SELECT run_id, output_dir, entity_count FROM runs")
    expect(before.map((r) => r.output_dir)).toEqual([join(dir, "A")])

    const second = await cli("a.txt", "-o", "B", "-q", "--extractor", "nlp")
    expect(second.code).toBe(0)
    expect(second.stderr).toContain(`already mirrors run ${before[0]!.run_id} from ${join(dir, "A")}`)
    expect(readdirSync(join(dir, "B", "runs"))).toEqual([before[0]!.run_id])
    expect(await query(db, "SELECT run_id, output_dir, entity_count FROM runs")).toEqual(before)

    // A reads as before; B's run is not in the database, and db sync says why instead of taking it over
    const [fsA, dbA] = await Promise.all([
      cli("runs", "list", "-o", "A"),
      cli("runs", "list", "-o", "A", "--from", "db")
    ])
    expect(dbA.stdout).toBe(fsA.stdout)
    expect(fsA.stdout).toContain(String(before[0]!.run_id))
    expect((await cli("db", "verify", "-o", "A")).code).toBe(0)
    const sync = await cli("db", "sync", "-o", "B")
    expect(sync.code).toBe(1)
    expect(sync.stderr).toMatch(/^extract: the database already mirrors run doc-[0-9a-f]{12} from /)
    expect(await query(db, "SELECT run_id, output_dir, entity_count FROM runs")).toEqual(before)
    const events = await query(db, `SELECT count(*) AS n FROM events WHERE run_id = '${before[0]!.run_id}'`)
    const timeline = await runCli(["runs", "timeline", "-o", "A", String(before[0]!.run_id), "--json"], { cwd: dir })
    expect(timeline.code).toBe(0)
    expect(Number(events[0]!.n)).toBe(timeline.stdout.trim().split("\n").length)
  }, 120_000)
})

/**
 * The SQL mirror end to end, on SQLite and (when EXTRACT_TEST_POSTGRES_URL
 * is set) PostgreSQL: dual write, backfill, verify, read cutover, queries.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ROOT, runCli } from "../support/Cli.js"
import { dialects } from "./Dialects.js"
import { dump, metadataOf, query, withSql } from "./Support.js"

const DOCS = {
  "a.txt": "Abraham Lincoln was born in Kentucky. Lincoln led the United States.\n\n" +
    "Mary Todd married Abraham Lincoln in Springfield, Illinois.\n",
  "b.txt": "Zoë Brontë met Abraham Lincoln in Paris. 𝒜 Brontë wrote to Queen Victoria.\n",
  "c.txt": "Lincoln visited Kentucky. Queen Victoria ruled the United Kingdom.\n"
} as const

describe.each(dialects)("the mirror on $name", (dialect) => {
  let dir: string
  let out: string
  let db: string
  const cli = (...args: Array<string>) => runCli([...args, "-o", out, "--database", db], { cwd: dir })
  const runIds = () =>
    Object.keys(DOCS).map((f) => JSON.parse(readFileSync(join(out, "runs.json"), "utf8"))[f] as string)

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `extract-mirror-${dialect.name}-`))
    out = join(dir, "output")
    db = dialect.fresh("mirror")
    for (const [name, text] of Object.entries(DOCS)) writeFileSync(join(dir, name), text)
    const r = await cli(...Object.keys(DOCS), "--json", "-q")
    expect(r.stderr).not.toContain("warning")
    expect(r.code).toBe(0)
    const byInput = Object.fromEntries(
      r.stdout.trim().split("\n").map((l) => JSON.parse(l)).map((j, i) => [Object.keys(DOCS)[i], j.runId])
    )
    writeFileSync(join(out, "runs.json"), JSON.stringify(byInput))
  }, 120_000)
  afterAll(() => dialect.drop(db))

  it("db query lists the runs with the counts of their metadata.json", async () => {
    const r = await cli("db", "query", "select run_id, entity_count from runs order by run_id", "--json")
    expect(r.code).toBe(0)
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l))
    const expected = runIds().sort().map((id) => ({ run_id: id, entity_count: metadataOf(out, id).stats.entityCount }))
    expect(rows).toEqual(expected)
    expect(expected.every((e) => e.entity_count > 0)).toBe(true)
  })

  it("gives every mention a chunk_id that names a chunk, and code-point offsets", async () => {
    const orphans = await query(
      db,
      `SELECT count(*) AS n FROM mentions m LEFT JOIN chunks c ON c.chunk_id = m.chunk_id WHERE c.chunk_id IS NULL`
    )
    expect(Number(orphans[0]!.n)).toBe(0)
    const mentions = await query(db, `SELECT count(*) AS n FROM mentions`)
    expect(Number(mentions[0]!.n)).toBeGreaterThan(5)
    // b.txt has a character outside the BMP before its second "Brontë": offsets count it once
    const b = runIds()[1]!
    const rows = await query(db, `SELECT start, "end", text FROM mentions WHERE run_id = '${b}' ORDER BY start`)
    const text = [...DOCS["b.txt"]]
    for (const m of rows) expect(text.slice(Number(m.start), Number(m.end)).join("")).toBe(m.text)
    expect(rows.some((m) => Number(m.start) > 41)).toBe(true)
  })

  it("runs list and runs show --from db print what the filesystem path prints", async () => {
    const id = runIds()[1]!
    const cases = [["runs", "list"], ["runs", "list", "--json"], ["runs", "show", id], ["runs", "show", id, "--json"]]
    const results = await Promise.all(cases.flatMap((args) => [cli(...args), cli(...args, "--from", "db")]))
    for (let i = 0; i < cases.length; i++) {
      const [fs, fromDb] = [results[2 * i]!, results[2 * i + 1]!]
      expect(fromDb.code).toBe(0)
      expect(fromDb.stdout).toBe(fs.stdout)
      expect(fromDb.stderr).toBe(fs.stderr)
      expect(fs.stdout.split("\n").length).toBeGreaterThan(3)
    }
    // an output directory the database has no runs of
    const empty = join(dir, "empty")
    mkdirSync(empty, { recursive: true })
    for (const json of [[], ["--json"]]) {
      const args = ["runs", "list", ...json, "-o", empty, "--database", db]
      const [fs, fromDb] = await Promise.all([
        runCli(args, { cwd: dir }),
        runCli([...args, "--from", "db"], { cwd: dir })
      ])
      expect([fromDb.code, fromDb.stdout, fromDb.stderr]).toEqual([0, fs.stdout, fs.stderr])
      expect(fs.stderr).toBe(json.length === 0 ? `no runs in ${empty}\n` : "")
    }
  }, 180_000)

  it("search finds entities by label or alias, ignoring case and diacritics", async () => {
    const r = await cli("search", "BRONTE", "--json")
    expect(r.code).toBe(0)
    const hits = r.stdout.trim().split("\n").map((l) => JSON.parse(l))
    expect(hits.map((h) => h.label)).toContain("Zoë Brontë")
    const zoe = hits.find((h) => h.label === "Zoë Brontë")
    expect(zoe.document).toBe("b.txt")
    expect(zoe.firstMention).toEqual({ start: 0, end: 10, text: "Zoë Brontë" })
    // "lincoln" is a word of "Abraham Lincoln" and the label "Lincoln": all three documents
    const lincoln = await cli("search", "lincoln", "--type", "person", "--json")
    const docs = lincoln.stdout.trim().split("\n").map((l) => JSON.parse(l).document).sort()
    expect(docs).toEqual(["a.txt", "b.txt", "c.txt"])
    const none = await cli("search", "lincoln", "--type", "Location", "--json")
    expect(none.stdout).toBe("")
  })

  it("db query refuses to write, with exit 2, and leaves the database as it was", async () => {
    const before = await dump(db)
    for (
      const statement of ["DELETE FROM runs", "INSERT INTO documents VALUES ('x', 1, 1, 'x', 'x')", "DROP TABLE runs"]
    ) {
      const r = await cli("db", "query", statement)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^extract: db query is read-only/)
    }
    expect(await dump(db)).toEqual(before)
    const table = await cli("db", "query", "select run_id, status from runs order by run_id")
    expect(table.stdout.split("\n")[0]).toMatch(/^run_id\s+status$/)
  })

  it("a re-run replaces its rows and never duplicates them", async () => {
    const before = await dump(db)
    const r = await cli("a.txt", "--force", "-q")
    expect(r.code).toBe(0)
    const after = await dump(db)
    for (const table of Object.keys(before)) {
      if (table === "runs" || table === "events" || table === "documents") continue
      expect([table, after[table].length]).toEqual([table, before[table].length])
    }
    // the re-run added its events to the same run, and nothing else
    expect(after.runs.length).toBe(before.runs.length)
    expect(after.events.length).toBeGreaterThan(before.events.length)
    expect((await cli("db", "verify")).code).toBe(0)
  })

  it("rebuilt from the runs, the database is identical; verify passes; a second sync changes nothing", async () => {
    const before = await dump(db)
    const rebuilt = await cli("db", "sync", "--rebuild")
    expect(rebuilt.code).toBe(0)
    expect(rebuilt.stdout).toContain("3 run(s) mirrored")
    expect(await dump(db)).toEqual(before)
    const verify = await cli("db", "verify")
    expect(verify.code).toBe(0)
    expect(verify.stdout).toBe("")
    const again = await cli("db", "sync")
    expect(again.stdout).toContain("0 run(s) mirrored, 3 up to date")
    expect(await dump(db)).toEqual(before)
  })

  it("verify prints each difference and exits 1; sync repairs", async () => {
    const [a, b] = runIds()
    // tamper with the database behind the mirror's back
    await withSql(db, (sql) =>
      Effect.zipRight(
        sql`UPDATE runs SET entity_count = 999, revision = 1 WHERE run_id = ${a!}`,
        sql`DELETE FROM outputs WHERE run_id = ${b!} AND type = 'rdf-turtle'`
      ))
    const r = await cli("db", "verify")
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`${a}: out of date: revision`)
    expect(r.stdout).toMatch(new RegExp(`${a}: entity_count \\d+ on disk, 999 in the database`))
    expect(r.stdout).toContain(`${b}: output outputs/rdf-turtle.ttl is not in the database`)
    const json = await cli("db", "verify", "--json")
    expect(json.stdout.trim().split("\n").map((l) => JSON.parse(l).runId)).toContain(b)
    const sync = await cli("db", "sync")
    expect(sync.stdout).toContain("2 run(s) mirrored, 1 up to date")
    expect((await cli("db", "verify")).code).toBe(0)
  })

  it("backfills a run from before the mirror (v1 metadata, no chunk manifest, no text hash)", async () => {
    const old = join(dir, "old")
    const runDir = join(old, "runs", "doc-3bd5f85089a5")
    mkdirSync(join(runDir, "outputs"), { recursive: true })
    mkdirSync(join(runDir, "input", "chunks"), { recursive: true })
    cpSync(join(ROOT, "test/golden/v1/metadata.json"), join(runDir, "metadata.json"))
    cpSync(join(ROOT, "test/golden/v1/knowledge-graph.json"), join(runDir, "outputs/knowledge-graph.json"))
    const text = readFileSync(join(ROOT, "docs/samples/analytical-engine.txt"), "utf8")
    writeFileSync(join(runDir, "input/document.txt"), text)
    writeFileSync(join(runDir, "input/chunks/chunk-0.txt"), text)
    const oldDb = dialect.name === "sqlite" ? `sqlite:${join(old, "extract.db")}` : db
    const sync = await runCli(["db", "sync", "-o", old, "--database", oldDb], { cwd: dir })
    expect(sync.stderr).toBe("")
    expect(sync.stdout).toContain("1 run(s) mirrored")
    const rows = await query(
      oldDb,
      `SELECT r.entity_count, (SELECT count(*) FROM entities e WHERE e.run_id = r.run_id) AS entities,
        (SELECT count(*) FROM mentions m JOIN chunks c ON c.chunk_id = m.chunk_id WHERE m.run_id = r.run_id) AS mentions,
        r.doc_id FROM runs r WHERE r.run_id = 'doc-3bd5f85089a5'`
    )
    expect(rows.map((r) => [Number(r.entity_count), Number(r.entities), Number(r.mentions)])).toEqual([[47, 47, 66]])
    // no textSha256 in v1 metadata: the document id is the hash of the decoded text
    const { createHash } = await import("node:crypto")
    expect(rows[0]!.doc_id).toBe(createHash("sha256").update(text).digest("hex"))
    const verify = await runCli(["db", "verify", "-o", old, "--database", oldDb], { cwd: dir })
    expect(verify.code).toBe(0)
    if (dialect.name === "pg") {
      // the main output directory's runs are still there, apart
      expect((await cli("db", "verify")).code).toBe(0)
    }
    rmSync(old, { recursive: true, force: true })
  })
})

/**
 * Bad input and faults of the SQL mirror (issue 10, point 7): an invalid
 * URL, Postgres going away mid-run, a newer schema, a corrupt SQLite file,
 * SIGKILL during a mirror write, and 8 concurrent writers on one file.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { createConnection, createServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli, startCli } from "../support/Cli.js"
import { peopleDocument } from "../support/Documents.js"
import { dropDatabase, freshDatabase, postgresUrl } from "../support/Postgres.js"
import { query } from "./Support.js"

interface SqliteDb {
  exec(sql: string): void
  prepare(sql: string): { all(): Array<Record<string, unknown>> }
  close(): void
}
const Sqlite = createRequire(import.meta.url)("better-sqlite3") as new(file: string) => SqliteDb

const workspace = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `extract-fault-${name}-`))
  const out = join(dir, "output")
  return { dir, out, file: join(out, "extract.db") }
}
const eventsOf = (out: string, runId: string): Array<{ type: string; data: Record<string, unknown> }> =>
  JSON.parse(readFileSync(join(out, "runs", runId, "metadata.json"), "utf8")).events
const runIdOf = (stdout: string) => stdout.trim().split("\t")[0]!
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 60_000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

describe("an invalid --database", () => {
  it("is a one-line error with exit code 2, before any run is made", async () => {
    const w = workspace("url")
    writeFileSync(join(w.dir, "a.txt"), "Ada Lovelace met Charles Babbage.\n")
    for (
      const args of [["a.txt", "--database", "mysql://h/db"], ["db", "query", "select 1", "--database", "sqlite:"]]
    ) {
      const r = await runCli([...args, "-o", w.out], { cwd: w.dir })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^extract: invalid --database "[^"]*": .*\n$/)
    }
    expect(existsSync(join(w.out, "runs"))).toBe(false)
    const env = await runCli(["a.txt", "-o", w.out], { cwd: w.dir, env: { EXTRACT_DATABASE_URL: "postgres://" } })
    expect(env.code).toBe(2)
  })
})

describe("a corrupt SQLite file", () => {
  it("never fails a run; verify names the problem; db sync --rebuild recreates it", async () => {
    const w = workspace("corrupt")
    writeFileSync(join(w.dir, "a.txt"), "Ada Lovelace met Charles Babbage in London.\n")
    await runCli(["db", "migrate", "-o", w.out], { cwd: w.dir })
    writeFileSync(w.file, Buffer.alloc(8192, "garbage "))
    const run = await runCli(["a.txt", "-o", w.out, "-q"], { cwd: w.dir })
    expect(run.code).toBe(0)
    expect(run.stderr.match(/warning: the database mirror/g)).toHaveLength(1)
    const failed = eventsOf(w.out, runIdOf(run.stdout)).filter((e) => e.type === "mirror.failed")
    expect(failed.length).toBeGreaterThan(0)
    expect(String(failed[0]!.data.error)).toContain("not a usable SQLite database")
    const verify = await runCli(["db", "verify", "-o", w.out], { cwd: w.dir })
    expect(verify.code).toBe(1)
    expect(verify.stderr).toMatch(/^extract: .*is not a usable SQLite database.*`extract db sync --rebuild`/)
    const rebuild = await runCli(["db", "sync", "--rebuild", "-o", w.out], { cwd: w.dir })
    expect(rebuild.code).toBe(0)
    expect(rebuild.stdout).toContain("1 run(s) mirrored")
    expect((await runCli(["db", "verify", "-o", w.out], { cwd: w.dir })).code).toBe(0)
  })
})

describe("a database whose schema is newer than this build", () => {
  it("is refused, naming both versions, and never altered", async () => {
    const w = workspace("newer")
    writeFileSync(join(w.dir, "a.txt"), "Ada Lovelace met Charles Babbage in London.\n")
    await runCli(["db", "migrate", "-o", w.out], { cwd: w.dir })
    const db = new Sqlite(w.file)
    db.exec("INSERT INTO extract_migrations (migration_id, name) VALUES (42, 'from_the_future')")
    const schema = () => JSON.stringify(db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all())
    const before = schema()
    const rows = () => JSON.stringify(db.prepare("SELECT count(*) AS n FROM runs").all())
    const runsBefore = rows()
    const run = await runCli(["a.txt", "-o", w.out, "-q"], { cwd: w.dir })
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/schema version 42, newer than this build of extract understands \(2\)/)
    const q = await runCli(["db", "query", "select 1", "-o", w.out], { cwd: w.dir })
    expect(q.code).toBe(1)
    expect(q.stderr).toMatch(/^extract: .*schema version 42.*\(2\).*not changed/)
    expect(schema()).toBe(before)
    expect(rows()).toBe(runsBefore)
    db.close()
  })
})

describe("SIGKILL during a mirror write", () => {
  it("leaves the run out of date in the database; db sync repairs it", async () => {
    const w = workspace("kill")
    writeFileSync(join(w.dir, "doc.txt"), peopleDocument(3, 120))
    await runCli(["db", "migrate", "-o", w.out], { cwd: w.dir })
    const db = new Sqlite(w.file)
    const mirrored = () => Number(db.prepare("SELECT count(*) AS n FROM runs").all()[0]!.n) > 0
    const cli = startCli(["doc.txt", "-o", w.out, "-q"], { cwd: w.dir })
    // the running-phase write goes through; then we hold the write lock so the final write waits inside its transaction
    await until("the running-phase row", mirrored)
    db.exec("BEGIN IMMEDIATE")
    const runId = String(db.prepare("SELECT run_id FROM runs").all()[0]!.run_id)
    const metadata = join(w.out, "runs", runId, "metadata.json")
    await until("the run to complete on disk", () => JSON.parse(readFileSync(metadata, "utf8")).status === "completed")
    await sleep(300)
    cli.child.kill("SIGKILL")
    const killed = await cli.done
    expect(killed.signal).toBe("SIGKILL")
    db.exec("ROLLBACK")
    db.close()
    const verify = await runCli(["db", "verify", "-o", w.out], { cwd: w.dir })
    expect(verify.code).toBe(1)
    expect(verify.stdout).toContain(`${runId}: out of date: revision`)
    expect(verify.stdout).toContain(`${runId}: status completed on disk, running in the database`)
    const sync = await runCli(["db", "sync", "-o", w.out], { cwd: w.dir })
    expect(sync.stdout).toContain("1 run(s) mirrored")
    expect((await runCli(["db", "verify", "-o", w.out], { cwd: w.dir })).code).toBe(0)
  }, 180_000)
})

describe("8 concurrent extract processes on one SQLite file", () => {
  it("all mirror their runs without SQLITE_BUSY", async () => {
    const w = workspace("concurrent")
    const files = Array.from({ length: 8 }, (_, i) => {
      writeFileSync(join(w.dir, `d${i}.txt`), peopleDocument(10 + i, 3))
      return `d${i}.txt`
    })
    const results = await Promise.all(files.map((f) => runCli([f, "-o", w.out, "-q"], { cwd: w.dir })))
    for (const r of results) {
      expect(r.code).toBe(0)
      expect(r.stderr).not.toContain("warning")
    }
    const rows = await query(`sqlite:${w.file}`, "SELECT count(*) AS n FROM runs WHERE status = 'completed'")
    expect(Number(rows[0]!.n)).toBe(8)
    expect((await runCli(["db", "verify", "-o", w.out], { cwd: w.dir })).code).toBe(0)
  }, 300_000)
})

describe.skipIf(postgresUrl === undefined)("Postgres unreachable in the middle of a run", () => {
  it("the run completes, with one warning and mirror.failed; db sync catches up", async () => {
    const w = workspace("pgdown")
    writeFileSync(join(w.dir, "doc.txt"), peopleDocument(5, 120))
    const real = freshDatabase("pgdown")
    try {
      await runCli(["db", "migrate", "--database", real], { cwd: w.dir })
      // a TCP proxy in front of the server, cut after the first COMMIT (the running-phase write)
      const target = new URL(real)
      const sockets = new Set<Socket>()
      let cut = false
      const proxy = createServer((client) => {
        if (cut) return void client.destroy()
        const server = createConnection({ host: target.hostname, port: Number(target.port) })
        sockets.add(client).add(server)
        client.on("data", (d: Buffer) => {
          server.write(d)
          if (!cut && d.includes("COMMIT")) {
            setTimeout(() => {
              cut = true
              for (const s of sockets) s.destroy()
            }, 50)
          }
        })
        server.on("data", (d: Buffer) => client.write(d))
        client.on("error", () => undefined)
        server.on("error", () => undefined)
        client.on("close", () => server.destroy())
        server.on("close", () => client.destroy())
      })
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()))
      const port = (proxy.address() as { port: number }).port
      const viaProxy = new URL(real)
      viaProxy.host = `127.0.0.1:${port}`
      const run = await runCli(["doc.txt", "-o", w.out, "-q", "--database", viaProxy.toString()], { cwd: w.dir })
      proxy.close()
      expect(cut).toBe(true)
      expect(run.code).toBe(0)
      expect(run.stderr.match(/warning: the database mirror/g)).toHaveLength(1)
      const runId = runIdOf(run.stdout)
      const events = eventsOf(w.out, runId)
      expect(events.at(-1)!.type).toBe("mirror.failed")
      expect(events.at(-1)!.data.status).toBe("completed")
      // the database has the run as it was at the start
      const rows = await query(real, `SELECT status FROM runs WHERE run_id = '${runId}'`)
      expect(rows.map((r) => r.status)).toEqual(["running"])
      const verify = await runCli(["db", "verify", "-o", w.out, "--database", real], { cwd: w.dir })
      expect(verify.code).toBe(1)
      await runCli(["db", "sync", "-o", w.out, "--database", real], { cwd: w.dir })
      expect((await runCli(["db", "verify", "-o", w.out, "--database", real], { cwd: w.dir })).code).toBe(0)
    } finally {
      dropDatabase(real)
    }
  }, 180_000)
})

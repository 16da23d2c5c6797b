/**
 * `extract submit` and `extract watch` (the built CLI) against a real
 * loopback server with a fake engine (test/Server/support/FakeServer.ts).
 */
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { FAKE_CHUNKS, type FakeServer, startFakeServer } from "../Server/support/FakeServer.js"
import { runCli } from "../support/Cli.js"

const sha12 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12)

describe("extract submit / watch", () => {
  let server: FakeServer
  let dir: string
  beforeAll(async () => {
    server = await startFakeServer({ stepMs: 30, token: Redacted.make("tok") })
    dir = mkdtempSync(join(tmpdir(), "extract-submit-"))
  })
  afterAll(() => server.close())

  it("submit prints <runId>\\t<runDir> per input at once; --wait follows progress on stderr and exits 0", async () => {
    const a = join(dir, "a.txt")
    const b = join(dir, "b.txt")
    writeFileSync(a, "Marie Curie won the Nobel Prize.\n")
    writeFileSync(b, "Pierre Curie was born in Paris.\n")
    const idA = `doc-${sha12("Marie Curie won the Nobel Prize.\n")}`
    const idB = `doc-${sha12("Pierre Curie was born in Paris.\n")}`
    const submitted = await runCli(["submit", a, "--server", server.url, "--token", "tok", "--chunk-size", "300"])
    expect(submitted.code).toBe(0)
    expect(submitted.stdout).toBe(`${idA}\t${join(server.outputDir, "runs", idA)}\n`)
    const request = server.calls.starts.at(-1)!
    expect(request.options.chunkSize).toBe(300)
    expect(request.document.path).toBe(a)

    const waited = await runCli(["submit", "--wait", a, b, "--server", server.url], {
      env: { EXTRACT_SERVER_TOKEN: "tok" }
    })
    expect(waited.stderr).toMatch(/: chunk: 3 chunks/)
    expect(waited.stderr).toMatch(/completed: 1 entities/)
    expect(waited.code).toBe(0)
    expect(waited.stdout.trim().split("\n")).toEqual([
      `${idA}\t${join(server.outputDir, "runs", idA)}`,
      `${idB}\t${join(server.outputDir, "runs", idB)}`
    ])
    expect(FAKE_CHUNKS).toBe(3)
  })

  it("--json prints one object per input with the run's status", async () => {
    const f = join(dir, "c.txt")
    writeFileSync(f, "Rosalind Franklin studied DNA.\n")
    const r = await runCli(["submit", "--wait", "--json", "-q", f, "--server", server.url, "--token", "tok"])
    expect(r.code, r.stderr).toBe(0)
    const line = JSON.parse(r.stdout) as {
      runId: string
      status: string
      input: string
      stats: { entityCount: number }
    }
    expect(line).toMatchObject({
      runId: `doc-${sha12("Rosalind Franklin studied DNA.\n")}`,
      status: "completed",
      input: f
    })
    expect(line.stats.entityCount).toBe(1)
    expect(r.stderr).toBe("")
  })

  it("watch follows a run to its end", async () => {
    const f = join(dir, "d.txt")
    writeFileSync(f, "Emmy Noether taught in Göttingen.\n")
    const id = `doc-${sha12("Emmy Noether taught in Göttingen.\n")}`
    await runCli(["submit", f, "--server", server.url, "--token", "tok"])
    const r = await runCli(["watch", id, "--server", server.url, "--token", "tok"])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${id}\t${join(server.outputDir, "runs", id)}\n`)
    expect(r.stderr).toMatch(/render: 1 files/)
  })

  it("exit codes: a refused option is 2, a missing file 4, a wrong token and an unreachable server 1", async () => {
    const f = join(dir, "e.txt")
    writeFileSync(f, "Some text.\n")
    const bad = await runCli(["submit", f, "--chunk-size", "5", "--server", server.url, "--token", "tok"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--chunk-size must be .*\(HTTP 400\)/)
    const missing = await runCli(["submit", join(dir, "none.txt"), "--server", server.url, "--token", "tok"])
    expect(missing.code).toBe(4)
    const token = await runCli(["submit", f, "--server", server.url, "--token", "wrong"])
    expect(token.code).toBe(1)
    expect(token.stderr).toMatch(/HTTP 401/)
    const down = await runCli(["submit", f, "--server", "http://127.0.0.1:9"])
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/cannot reach the server/)
    const watchBad = await runCli(["watch", "doc-nothex", "--server", server.url])
    expect(watchBad.code).toBe(2)
  })
})

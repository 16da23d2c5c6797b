/**
 * The done-when check: `extract serve` + `extract submit --wait` on
 * a LitBank novel (The Adventures of Sherlock Holmes, 550 KB, nlp
 * extractor) completes with progress on stderr, and its run directory has
 * the outputs `extract` writes for the same file and config (the SHA-256
 * of every output in metadata.json).
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runCli, SHARED, startCli } from "../support/Cli.js"

const BOOK = join(SHARED, "data", "litbank", "texts", "1661_the_adventures_of_sherlock_holmes.txt")

const outputsOf = (runDir: string) => (JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8")) as {
  outputs: Array<{ path: string; sha256: string }>
  config: unknown
})

describe.skipIf(!existsSync(BOOK))("extract serve: a LitBank novel", () => {
  it("submit --wait gives the run directory extract writes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-litbank-"))
    const cli = startCli(["serve", "--port", "0", "-o", join(dir, "served")])
    let stderr = ""
    cli.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")))
    try {
      await cli.waitForStderr(/serving on http:\/\/\S+ /)
      const url = /serving on (http:\/\/\S+) /.exec(stderr)![1]!
      const [served, plain] = await Promise.all([
        runCli(["submit", "--wait", BOOK, "--server", url]),
        runCli(["-q", "-o", join(dir, "plain"), BOOK])
      ])
      expect(served.code, served.stderr).toBe(0)
      expect(plain.code, plain.stderr).toBe(0)
      expect(served.stderr).toMatch(/chunk: \d+ chunks/)
      expect(served.stderr).toMatch(/completed: \d+ entities/)
      const [servedId, servedDir] = served.stdout.trim().split("\t")
      const [plainId, plainDir] = plain.stdout.trim().split("\t")
      expect(servedId).toBe(plainId)
      const a = outputsOf(servedDir!)
      const b = outputsOf(plainDir!)
      expect(a.config).toEqual(b.config)
      expect(a.outputs.map((o) => `${o.path} ${o.sha256}`).sort()).toEqual(
        b.outputs.map((o) => `${o.path} ${o.sha256}`).sort()
      )
      expect(a.outputs.length).toBe(5) // the default formats: json, resolution, mermaid, turtle, html
    } finally {
      cli.child.kill("SIGTERM")
      expect((await cli.done).code).toBe(143)
    }
  }, 240_000)
})

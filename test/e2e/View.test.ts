/** `extract view <runId> [--open]` end to end, on the sample document. */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BIN, ROOT, runCli } from "../support/Cli.js"

const SAMPLE = join(ROOT, "docs", "samples", "analytical-engine.txt")
const runId = `doc-${createHash("sha256").update(readFileSync(SAMPLE)).digest("hex").slice(0, 12)}`

describe("extract view", () => {
  const out = mkdtempSync(join(tmpdir(), "extract-view-"))
  const viewer = join(out, "runs", runId, "outputs", "viewer.html")

  beforeAll(async () => {
    expect((await runCli([SAMPLE, "-o", out, "-q"])).code).toBe(0)
  }, 120_000)

  it("prints the absolute path of the run's viewer.html, options before or after the run id", async () => {
    const r = await runCli(["view", runId, "-o", out])
    expect(r).toMatchObject({ code: 0, stdout: `${viewer}\n`, stderr: "" })
    expect(readFileSync(viewer, "utf8")).toMatch(/^<!doctype html>/)
    expect((await runCli(["view", "-o", out, runId])).stdout).toBe(`${viewer}\n`)
  })

  it("fails with one line for an unknown run (exit 1), a malformed id (exit 2) and a run without html", async () => {
    const missing = await runCli(["view", "doc-000000000000", "-o", out])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^extract: [^\n]+\n$/)
    const bad = await runCli(["view", "nonsense", "-o", out])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^extract: [^\n]+\n$/)
    const plain = mkdtempSync(join(tmpdir(), "extract-view-"))
    expect((await runCli([SAMPLE, "-o", plain, "-q", "--formats", "json"])).code).toBe(0)
    const none = await runCli(["view", runId, "-o", plain])
    expect(none.code).toBe(1)
    expect(none.stderr).toBe(
      `extract: run ${runId} has no outputs/viewer.html (formats: json); run extract --formats json,html on its input\n`
    )
  })

  it("--open does not open anything when stdout is not a terminal, and says so", async () => {
    const marker = join(out, "opened.txt")
    const opener = join(out, "fake-opener.sh")
    writeFileSync(opener, `#!/bin/sh\necho "$@" > ${marker}\n`)
    chmodSync(opener, 0o755)
    const r = await runCli(["view", runId, "-o", out, "--open"], { env: { EXTRACT_OPENER: opener } })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${viewer}\n`)
    expect(r.stderr).toContain("not a terminal")
    expect(existsSync(marker)).toBe(false)
  })

  it("--open on a terminal hands the file to the opener", async () => {
    const marker = join(out, "opened-tty.txt")
    const opener = join(out, "fake-opener-tty.sh")
    writeFileSync(opener, `#!/bin/sh\necho "$@" > ${marker}\n`)
    chmodSync(opener, 0o755)
    // util-linux script(1) gives the command a pseudo-terminal
    const r = spawnSync("script", ["-qec", `${process.execPath} ${BIN} view ${runId} -o ${out} --open`, "/dev/null"], {
      env: { ...process.env, EXTRACT_OPENER: opener },
      encoding: "utf8"
    })
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(viewer)
    for (let i = 0; i < 50 && !existsSync(marker); i++) await new Promise((res) => setTimeout(res, 100))
    expect(readFileSync(marker, "utf8").trim()).toBe(viewer)
  })
})

/**
 * End to end: the built CLI's `extract serve` on the real workflow engine
 * (SQLite, SingleRunner, the nlp extractor), driven by `extract submit`,
 * curl-like fetches and signals.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { ROOT, runCli, type RunningCli, startCli } from "../support/Cli.js"

/** Starts `extract serve` on a free port; resolves with its URL once it listens. */
const serve = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const cli = startCli(["serve", "--port", "0", ...args], { env })
  let stderr = ""
  cli.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")))
  await cli.waitForStderr(/serving on http:\/\/\S+ /)
  const url = /serving on (http:\/\/\S+) /.exec(stderr)![1]!
  return { cli, url }
}

const outputsOf = (runDir: string) =>
  (JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8")) as {
    outputs: Array<{ path: string; sha256: string }>
  }).outputs.map((o) => `${o.path} ${o.sha256}`).sort()

const stop = async (cli: RunningCli) => {
  cli.child.kill("SIGTERM")
  return cli.done
}

describe("extract serve (real engine)", () => {
  it("serve + submit --wait writes the run directory extract writes for the same file and config; SIGTERM exits 143", async () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-serve-"))
    const file = join(ROOT, "docs", "samples", "analytical-engine.txt")
    const plain = await runCli(["-q", "-o", join(dir, "plain"), "--formats", "all", file])
    expect(plain.code, plain.stderr).toBe(0)
    const [runId, plainDir] = plain.stdout.trim().split("\t")

    // the server holds a provider key (unused by nlp): it must never leave the process
    const secret = "sk-test-NEVER-LEAK-0123456789"
    const { cli, url } = await serve(["-o", join(dir, "served"), "--extractor", "nlp"], { OPENAI_API_KEY: secret })
    try {
      const submitted = await runCli(["submit", "--wait", "--formats", "all", file, "--server", url])
      expect(submitted.code, submitted.stderr).toBe(0)
      const [servedId, servedDir] = submitted.stdout.trim().split("\t")
      expect(servedId).toBe(runId)
      expect(servedDir).toBe(join(dir, "served", "runs", runId!))
      expect(submitted.stderr).toMatch(/completed: \d+ entities/)
      // same outputs, byte for byte (their SHA-256 in metadata.json)
      expect(outputsOf(servedDir!)).toEqual(outputsOf(plainDir!))
      expect(outputsOf(servedDir!).length).toBeGreaterThan(4)

      // GET /runs/{runId} is its metadata.json; the events stream replays the journal and ends
      const metadata = (await (await fetch(`${url}/runs/${runId}`)).json()) as { status: string; outputs: unknown }
      const onDisk = JSON.parse(readFileSync(join(servedDir!, "metadata.json"), "utf8")) as { outputs: unknown }
      expect(metadata.status).toBe("completed")
      expect(metadata.outputs).toEqual(onDisk.outputs)
      const events = await (await fetch(`${url}/runs/${runId}/events`)).text()
      expect(events).toMatch(/event: run\.completed\n/)
      const graph = await fetch(`${url}/runs/${runId}/outputs/knowledge-graph.json`)
      expect(await graph.text()).toBe(readFileSync(join(servedDir!, "outputs", "knowledge-graph.json"), "utf8"))
      const answers = await Promise.all(
        ["/openapi.json", "/docs", "/runs", `/runs/${runId}`].map(async (p) => (await fetch(`${url}${p}`)).text())
      )
      for (const text of [...answers, events]) expect(text).not.toContain(secret)
      for (const f of readdirSync(join(dir, "served"), { recursive: true, encoding: "utf8" })) {
        const path = join(dir, "served", f)
        if (statSync(path).isFile()) expect(readFileSync(path).includes(secret), f).toBe(false)
      }
    } finally {
      const exit = await stop(cli)
      expect(exit.code).toBe(143)
      expect(exit.stderr).not.toContain(secret)
    }
  })

  it("on SIGTERM it drains: new submissions get 503 while a run is in flight, then it exits 143", async () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-drain-"))
    // a document long enough to be in flight when the signal comes
    const long = Array.from(
      { length: 400 },
      (_, i) =>
        `Paragraph ${i}: Charles Babbage met Ada Lovelace in London, and Mary Somerville wrote to them from Paris.`
    ).join(
      "\n\n"
    )
    writeFileSync(join(dir, "long.txt"), long + "\n")
    const { cli, url } = await serve(["-o", join(dir, "out"), "--drain-timeout", "2"])
    const accepted = await fetch(`${url}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: long + "\n", options: { chunkSize: 64, chunkOverlap: 0 } })
    })
    expect(accepted.status).toBe(202)
    cli.child.kill("SIGTERM")
    await cli.waitForStderr(/draining/)
    const refused = await fetch(`${url}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Too late.\n" })
    })
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { _tag: string })._tag).toBe("Unavailable")
    const exit = await cli.done
    expect(exit.code).toBe(143)
  })

  it("refuses a non-loopback host without a token (exit 2)", async () => {
    const r = await runCli(["serve", "--host", "127.0.0.2", "--port", "0"])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--host 127\.0\.0\.2 is not loopback: give --token/)
  })
})

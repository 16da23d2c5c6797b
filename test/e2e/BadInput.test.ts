/**
 * Bad input, end to end: every case of docs/reliability.md's table runs the
 * built CLI and checks the exit code, that stderr's message is the
 * documented one-liner without a stack trace, and — where a run exists —
 * that the run recorded it in `errors`. The last test checks that the table
 * documents each case with the same message fragment and exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BIN, type CliResult, ROOT, runCli, SHARED } from "../support/Cli.js"
import { type MockOpenAi, startMockOpenAi } from "../support/MockOpenAi.js"

const dir = mkdtempSync(join(tmpdir(), "extract-bad-"))
chmodSync(dir, 0o755)
const out = join(dir, "out")
const file = (name: string, content: Buffer | string) => {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}
const idOf = (bytes: Buffer | string) => `doc-${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}`
const metaOf = (runId: string, o = out) => JSON.parse(readFileSync(join(o, "runs", runId, "metadata.json"), "utf8"))
const cpSlice = (text: string, start: number, end: number) => Array.from(text).slice(start, end).join("")
const SECRET = "sk-test-NEVER-PRINT-0123456789"

/** The documented cases: fragment of the stderr message and exit code (docs/reliability.md lists the same). */
const documented: Array<{ readonly input: string; readonly fragment: string; readonly code: number }> = []

/** Checks a refusal: exit code, a one-line message holding `fragment`, no stack trace, nothing on stdout. */
const expectMessage = (r: CliResult, input: string, code: number, fragment: string) => {
  documented.push({ input, fragment, code })
  expect(r.code, r.stderr).toBe(code)
  expect(r.stderr).toContain(fragment)
  expect(r.stderr).not.toMatch(/\n\s+at |Error:|\{$/m)
  const line = r.stderr.split("\n").find((l) => l.includes(fragment))!
  expect(line.length).toBeLessThan(300)
}

describe("bad input", () => {
  it("a missing path", async () => {
    const r = await runCli([join(dir, "nope.txt"), "-o", out])
    expectMessage(r, "a missing path", 4, ": no such file")
    expect(r.stdout).toBe("")
  })

  it("a directory", async () => {
    expectMessage(await runCli([dir, "-o", out]), "a directory", 4, ": is a directory, not a file")
  })

  it("an unreadable file", async () => {
    const p = file("secret.txt", "Ada Lovelace wrote notes.")
    chmodSync(p, 0o000)
    // root reads anything: drop to nobody for this one when we are root, running a copy of dist/ that nobody
    // can reach (a clone under `mktemp -d` sits in a directory only root may enter)
    const asRoot = process.getuid?.() === 0
    const copy = asRoot ? mkdtempSync(join(tmpdir(), "extract-nobody-")) : undefined
    if (copy !== undefined) {
      chmodSync(copy, 0o755)
      cpSync(join(ROOT, "dist"), join(copy, "dist"), { recursive: true })
      cpSync(join(ROOT, "package.json"), join(copy, "package.json"))
    }
    const r = copy !== undefined
      ? spawnSync("setpriv", [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
        join(copy, "dist", "bin.js"),
        p,
        "-o",
        join(dir, "nobody-out")
      ], { encoding: "utf8", cwd: copy })
      : spawnSync(process.execPath, [BIN, p, "-o", out], { encoding: "utf8", cwd: ROOT })
    if (copy !== undefined) rmSync(copy, { recursive: true, force: true })
    expectMessage(
      { code: r.status, signal: null, stdout: r.stdout, stderr: r.stderr },
      "an unreadable file",
      4,
      ": permission denied"
    )
  })

  it("an empty file and a whitespace-only file", async () => {
    expectMessage(await runCli([file("empty.txt", ""), "-o", out]), "an empty file", 4, ": the file is empty")
    expectMessage(
      await runCli([file("blank.txt", " \n\t\r\n  "), "-o", out]),
      "a whitespace-only file",
      4,
      ": the file holds only whitespace"
    )
  })

  it("binary content (NUL bytes)", async () => {
    const r = await runCli([
      file("image.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00])),
      "-o",
      out
    ])
    expectMessage(
      r,
      "binary content (NUL bytes)",
      4,
      "image.png: binary content (NUL byte at offset 8); expected plain text"
    )
  })

  it("invalid UTF-8: refused by default; --encoding utf-8 replaces, --encoding windows-1252 reads Latin-1", async () => {
    const latin1 = Buffer.from("Caf\xe9 de Flore hosted Simone Beauvoir.\n", "latin1")
    const p = file("latin1.txt", latin1)
    expectMessage(
      await runCli([p, "-o", out]),
      "invalid UTF-8",
      4,
      "latin1.txt: not valid UTF-8 text (at byte 3); --encoding utf-8 decodes it with U+FFFD"
    )
    const replaced = await runCli([p, "-o", out, "--encoding", "utf-8"])
    expectMessage(
      replaced,
      "invalid UTF-8 with --encoding utf-8",
      0,
      "latin1.txt: 1 invalid byte sequence(s) decoded as U+FFFD (--encoding utf-8)"
    )
    const meta = metaOf(idOf(latin1))
    expect(readFileSync(join(out, "runs", idOf(latin1), "input", "document.txt"), "utf8")).toBe(
      "Caf\uFFFD de Flore hosted Simone Beauvoir.\n"
    )
    expect(meta.errors.at(-1)).toMatchObject({ type: "InputDecoding", context: { encoding: "utf-8", replacements: 1 } })
    const cp1252 = await runCli([p, "-o", out, "--encoding", "windows-1252", "--json"])
    expect(cp1252.code).toBe(0)
    expect(readFileSync(join(out, "runs", idOf(latin1), "input", "document.txt"), "utf8")).toBe(
      "Café de Flore hosted Simone Beauvoir.\n"
    )
    expect(metaOf(idOf(latin1)).input.encoding).toBe("windows-1252")
    expect(JSON.parse(cp1252.stdout).reused).toBe(false) // another decoding is another text: not reused
  })

  it("UTF-16 with a byte-order mark: decoded, spans count code points of the decoded text", async () => {
    const text = "Ada Lovelace met 😀 Charles Babbage in London.\r\nMary Somerville wrote.\n"
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])
    const r = await runCli([file("utf16.txt", bytes), "-o", out, "-q"])
    expectMessage({ ...r, stderr: r.stderr + "(no message)" }, "UTF-16 with a byte-order mark", 0, "(no message)")
    const runId = idOf(bytes)
    expect(metaOf(runId).input).toMatchObject({ encoding: "utf-16le", bytes: bytes.length })
    const doc = readFileSync(join(out, "runs", runId, "input", "document.txt"), "utf8")
    expect(doc).toBe(text)
    const graph = JSON.parse(readFileSync(join(out, "runs", runId, "outputs", "knowledge-graph.json"), "utf8"))
    const spans = graph.entities.flatMap((e: any) => e.mentions.map((m: any) => m.span))
    expect(spans.length).toBeGreaterThan(0)
    for (const s of spans) expect(cpSlice(doc, s.start, s.end)).toBe(s.text)
  })

  it("CRLF and lone CR line ends: kept byte for byte, offsets exact", async () => {
    const text =
      "Ada Lovelace wrote to Charles Babbage.\r\n\r\nMary Somerville 😀 answered Ada Lovelace.\rMichael Faraday agreed.\r\n"
    const r = await runCli([file("crlf.txt", text), "-o", out, "-q"])
    expectMessage({ ...r, stderr: r.stderr + "(no message)" }, "CRLF and lone CR line ends", 0, "(no message)")
    const runId = idOf(text)
    expect(readFileSync(join(out, "runs", runId, "input", "document.txt")).equals(Buffer.from(text))).toBe(true)
    const graph = JSON.parse(readFileSync(join(out, "runs", runId, "outputs", "knowledge-graph.json"), "utf8"))
    const spans = graph.entities.flatMap((e: any) => e.mentions.map((m: any) => m.span))
    expect(spans.some((s: any) => s.text === "Michael Faraday")).toBe(true)
    for (const s of spans) expect(cpSlice(text, s.start, s.end)).toBe(s.text)
  })

  it("a 200 MB file, and 200 MB on stdin: refused before reading, memory stays bounded", async () => {
    const line = "Ada Lovelace wrote long notes on the Analytical Engine of Charles Babbage.\n"
    const big = Buffer.alloc(200 * 1024 * 1024, line)
    const p = file("big.txt", big)
    const time = existsSync("/usr/bin/time")
    const run = (args: Array<string>, input?: Buffer) => {
      const r = spawnSync(
        time ? "/usr/bin/time" : process.execPath,
        time ? ["-f", "maxrss=%M", process.execPath, BIN, ...args] : [BIN, ...args],
        {
          encoding: "utf8",
          cwd: ROOT,
          input,
          maxBuffer: 1 << 20
        }
      )
      const rss = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? NaN)
      return {
        r: {
          code: r.status,
          signal: null,
          stdout: r.stdout,
          stderr: r.stderr.replace(/maxrss=\d+\n?/, "")
        } satisfies CliResult,
        rssKb: rss
      }
    }
    const fromFile = run([p, "-o", out])
    expectMessage(
      fromFile.r,
      "a 200 MB file",
      4,
      "big.txt: 200.0 MiB is more than the input limit of 32.0 MiB (--max-input-bytes raises it)"
    )
    const fromStdin = run(["-", "-o", out], big)
    expectMessage(
      fromStdin.r,
      "200 MB on stdin",
      4,
      "-: the input is larger than the limit of 32.0 MiB (--max-input-bytes raises it)"
    )
    if (time) {
      // Node and the CLI's modules take ~100-150 MB; reading may hold at most the limit (32 MiB) and a chunk
      expect(fromFile.rssKb).toBeLessThan(300 * 1024)
      expect(fromStdin.rssKb).toBeLessThan(350 * 1024)
      console.log(
        `200 MB input refused: peak RSS ${Math.round(fromFile.rssKb / 1024)} MB (file), ${
          Math.round(fromStdin.rssKb / 1024)
        } MB (stdin)`
      )
    }
  }, 120_000)

  it("unknown flags and invalid values", async () => {
    const p = file("ok.txt", "Ada Lovelace wrote notes.\n")
    expectMessage(
      await runCli(["--no-such-flag", p, "-o", out]),
      "an unknown flag",
      2,
      "extract: unknown option --no-such-flag"
    )
    expectMessage(
      await runCli([p, "-o", out, "--chunk-size", "abc"]),
      "a non-numeric value",
      2,
      "extract: 'abc' is not a integer"
    )
    expectMessage(
      await runCli([p, "-o", out, "--chunk-size", "3"]),
      "an out-of-range value",
      2,
      "--chunk-size must be an integer from 16 to 1000000 tokens, got 3"
    )
    expectMessage(
      await runCli([p, "-o", out, "--extractor", "gpt"]),
      "an invalid choice",
      2,
      "extract: Expected one of the following cases: auto, llm, nlp"
    )
    expectMessage(
      await runCli([p, "-o", out, "--encoding", "klingon"]),
      "an unknown encoding",
      2,
      "--encoding must be auto or an encoding label"
    )
    expectMessage(
      await runCli([p, "-o", out, "--max-input-bytes", "lots"]),
      "an invalid size",
      2,
      "--max-input-bytes must be a positive size"
    )
    expectMessage(
      await runCli([p, "-o", out, "--base-url", "ftp://x"]),
      "a non-HTTP base URL",
      2,
      "--base-url must be an http(s) URL"
    )
    expectMessage(
      await runCli(["runs", "show", "../../etc", "-o", out]),
      "a malformed run id",
      2,
      "invalid run id \"../../etc\": expected doc- and 12 hex digits"
    )
    expect(existsSync(join(dir, "etc"))).toBe(false)
  }, 60_000)

  describe("provider problems", () => {
    let denying: MockOpenAi
    beforeAll(async () => {
      denying = await startMockOpenAi({
        fault: (_req, res) => {
          res.writeHead(401, { "content-type": "application/json" })
          res.end(
            JSON.stringify({
              error: { message: "Incorrect API key provided: sk-test-NEVER...", type: "invalid_request_error" }
            })
          )
          return true
        }
      })
    })
    afterAll(() => denying.close())

    it("an unreachable base URL: the run fails, the error is recorded", async () => {
      // a port nobody listens on: bind one, close it
      const port = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
          const { port } = s.address() as { port: number }
          s.close(() => resolve(port))
        })
      })
      const text = "Grace Hopper worked at Harvard University.\n"
      const r = await runCli([file("unreachable.txt", text), "-o", out], {
        env: { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_API_KEY: SECRET }
      })
      expectMessage(r, "an unreachable base URL", 1, "cannot reach the provider")
      const meta = metaOf(idOf(text))
      expect(meta.status).toBe("failed")
      expect(meta.errors.at(-1)).toMatchObject({ type: "ExtractionError" })
      expect(meta.errors.at(-1).message).toContain("cannot reach the provider")
      expect(r.stderr).not.toContain(SECRET)
    })

    it("HTTP 401 from the provider: names OPENAI_API_KEY, never prints the key, not even in debug logs", async () => {
      const text = "Alan Turing worked at Bletchley Park.\n"
      const r = await runCli([file("denied.txt", text), "-o", out, "--log-level", "debug"], {
        env: { OPENAI_BASE_URL: denying.baseUrl, OPENAI_API_KEY: SECRET }
      })
      expectMessage(
        r,
        "HTTP 401 from the provider",
        1,
        "the provider rejected the API key (HTTP 401); set OPENAI_API_KEY to a valid key"
      )
      expect(r.stderr).not.toContain(SECRET)
      expect(r.stderr).not.toContain("NEVER-PRINT")
      const meta = metaOf(idOf(text))
      expect(meta.errors.at(-1).message).toContain("HTTP 401")
      const runDir = join(out, "runs", idOf(text))
      const files = (d: string): Array<string> =>
        readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]))
      for (const f of files(runDir)) expect(readFileSync(f, "utf8")).not.toContain("NEVER-PRINT")
    })
  })

  // 1 MiB: room for the sample's run (about 650 KB with its viewer.html), not for the novel's next to it
  describe("a disk that fills up mid-run (a 1 MiB tmpfs)", () => {
    const mnt = join(dir, "small-disk")
    mkdirSync(mnt, { recursive: true })
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt]).status === 0
    afterAll(() => {
      if (mounted) spawnSync("umount", [mnt])
    })

    it.skipIf(!mounted)("the run fails cleanly with ENOSPC, earlier runs and files stay intact", async () => {
      const small = join(ROOT, "docs", "samples", "analytical-engine.txt")
      // the run store's own ENOSPC handling: no SQL mirror on this tiny disk (it would take the space first)
      const first = await runCli([small, "-o", mnt, "-q", "--database", "none"])
      expect(first.code).toBe(0)
      const smallRun = join(mnt, "runs", idOf(readFileSync(small)))
      const before = new Map(
        readdirSync(join(smallRun, "outputs")).map((f) => [f, readFileSync(join(smallRun, "outputs", f))])
      )
      const novel = join(SHARED, "data", "litbank", "texts", "41_the_legend_of_sleepy_hollow.txt")
      const r = await runCli([novel, "-o", mnt, "-q", "--database", "none"])
      expectMessage(r, "a disk that fills up mid-run", 1, "no space left on device (ENOSPC)")
      expect(r.stderr).toMatch(/^extract: cannot write \/.+: no space left on device \(ENOSPC\)$/m)
      for (const [f, bytes] of before) expect(readFileSync(join(smallRun, "outputs", f)).equals(bytes)).toBe(true)
      const bigRun = join(mnt, "runs", idOf(readFileSync(novel)))
      const meta = JSON.parse(readFileSync(join(bigRun, "metadata.json"), "utf8")) // still valid JSON
      expect(["failed", "running"]).toContain(meta.status)
      const verify = await runCli(["runs", "verify", "-o", mnt])
      expect(verify.code, verify.stdout).toBe(0)
      const leftovers = (d: string): Array<string> =>
        readdirSync(d).flatMap((
          f
        ) => (statSync(join(d, f)).isDirectory()
          ? leftovers(join(d, f))
          : f.endsWith(".tmp") || f === ".lock"
          ? [f]
          : [])
        )
      expect(leftovers(mnt)).toEqual([])
    })
  })

  it("files are created with the user's umask", async () => {
    const text = "Emmy Noether taught at Göttingen.\n"
    const o = join(dir, "umask-out")
    execFileSync("sh", [
      "-c",
      `umask 077 && exec "${process.execPath}" "${BIN}" "${file("umask.txt", text)}" -o "${o}" -q`
    ], { cwd: ROOT })
    const runDir = join(o, "runs", idOf(text))
    for (const f of ["metadata.json", "journal.jsonl", "input/document.txt", "outputs/knowledge-graph.json"]) {
      expect((statSync(join(runDir, f)).mode & 0o777).toString(8), f).toBe("600")
    }
    expect((statSync(runDir).mode & 0o777).toString(8)).toBe("700")
  })

  it("docs/reliability.md documents every case above with its message and exit code", () => {
    const doc = readFileSync(join(ROOT, "docs", "reliability.md"), "utf8")
    const rows = doc.split("\n").filter((l) => l.startsWith("| "))
    expect(documented.length).toBeGreaterThan(20)
    for (const c of documented) {
      const row = rows.find((r) =>
        r.includes(c.fragment.replace(/\|/g, "\\|")) || (c.fragment === "(no message)" && r.includes(c.input))
      )
      expect(row, `${c.input}: "${c.fragment}"`).toBeDefined()
      expect(row!.split("|").map((x) => x.trim())).toContain(String(c.code))
    }
  })
})

/** The CLI's help screens, usage errors and completion scripts (issue 14), through the built dist/bin.js. */
import { describe, expect, it } from "@effect/vitest"
import { runCli } from "../support/Cli.js"

const ESC = "\x1b"

describe("extract --help", () => {
  it("fits one screen, without ANSI codes when piped or with NO_COLOR", async () => {
    for (const env of [{}, { NO_COLOR: "1" }, { FORCE_COLOR: "1" }]) {
      const r = await runCli(["--help"], { env })
      expect(r.code).toBe(0)
      expect(r.stdout.trimEnd().split("\n").length).toBeLessThanOrEqual(60)
      expect(r.stdout).not.toContain(ESC)
      expect(r.stdout).toMatch(/^Usage: extract \[options\] <file>\.\.\.$/m)
      expect(r.stdout).toMatch(/^ {2}--chunk-size integer +Most tokens per chunk$/m)
    }
  })

  it("prints the same text on the launcher's fast path and through @effect/cli", async () => {
    // `--help` alone is answered by dist/bin.js from the build's rendering; with another flag it goes through bin.ts
    const fast = await runCli(["--help"])
    const slow = await runCli(["--help", "--json"])
    const short = await runCli(["-h"])
    expect(slow.stdout).toBe(fast.stdout)
    expect(short.stdout).toBe(fast.stdout)
    const version = await runCli(["--version"])
    const slowVersion = await runCli(["runs", "list", "--version"])
    expect(slowVersion.stdout).toBe(version.stdout)
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  it("shows a command's whole help, and every option with --help-all", async () => {
    const list = await runCli(["runs", "list", "--help"])
    expect(list.code).toBe(0)
    expect(list.stdout).toContain("Usage: extract runs list [options]")
    expect(list.stdout).toContain("Directory that holds runs/ (env EXTRACT_OUTPUT_DIR; default ./output)")
    expect(list.stdout).not.toContain("--chunk-size")
    const runs = await runCli(["runs"])
    expect(runs.code).toBe(0)
    expect(runs.stdout).toContain("Usage: extract runs <command>")
    expect(runs.stdout).toContain("Usage: extract runs show [options] <runId>")
    const all = await runCli(["--help-all"])
    expect(all.code).toBe(0)
    expect(all.stdout).not.toContain(ESC)
    for (const flag of ["--price-input", "--max-reasks", "--repair", "--keep-ungrounded"]) {
      expect(all.stdout).toContain(`  ${flag}`)
    }
  })
})

describe("usage errors", () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
    [["--chunk-size", "abc", "x.txt"], /^extract: 'abc' is not a integer \(see extract --help\)$/],
    [["--extractor", "gpt", "x.txt"], /^extract: Expected one of the following cases: auto, llm, nlp/],
    [["--no-such-flag", "x.txt"], /^extract: unknown option --no-such-flag/],
    [["runs", "show"], /^extract: Missing argument <runId> \(see extract runs show --help\)$/],
    [["runs", "nope"], /^extract: unknown command 'runs nope': runs takes one of list, show/],
    [["completions", "tcsh"], /^extract: Expected one of the following cases: bash, zsh, fish/]
  ]
  it("print one line starting with extract: and exit 2", async () => {
    for (const [args, message] of cases) {
      const r = await runCli(args)
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2)
      expect(r.stderr.trimEnd().split("\n"), args.join(" ")).toHaveLength(1)
      expect(r.stderr.trimEnd()).toMatch(message)
      expect(r.stderr).not.toContain(ESC)
      expect(r.stdout).toBe("")
    }
  })
})

describe("extract completions", () => {
  it("prints a completion script for bash, zsh and fish that knows the subcommands", async () => {
    const bash = await runCli(["completions", "bash"])
    expect(bash.code).toBe(0)
    expect(bash.stdout).toContain("complete -F")
    const zsh = await runCli(["completions", "zsh"])
    expect(zsh.code).toBe(0)
    expect(zsh.stdout).toContain("#compdef extract")
    const fish = await runCli(["completions", "fish"])
    expect(fish.code).toBe(0)
    expect(fish.stdout).toContain("complete -c extract")
    for (const script of [bash.stdout, zsh.stdout, fish.stdout]) {
      for (const word of ["runs", "list", "verify", "chunk-size"]) expect(script).toContain(word)
    }
  })
})

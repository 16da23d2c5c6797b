import { describe, expect, it } from "@effect/vitest"
import { normalizeArgv } from "../src/Argv.js"
import { ARGV_SPEC } from "../src/Cli.js"
import { runCli } from "./support/Cli.js"

const norm = (...args: Array<string>) => normalizeArgv(["node", "extract", ...args], ARGV_SPEC).slice(2)

describe("normalizeArgv", () => {
  it("moves options, with their values, before positional arguments", () => {
    expect(norm("doc.txt", "-o", "/tmp/x", "--json", "b.txt")).toEqual(["-o", "/tmp/x", "--json", "doc.txt", "b.txt"])
    expect(norm("a.txt", "--chunk-size=200")).toEqual(["--chunk-size=200", "a.txt"])
  })

  it("puts the built-in --log-level in front of everything, where @effect/cli reads it", () => {
    expect(norm("doc.txt", "-o", "x", "--log-level", "debug")).toEqual(["--log-level", "debug", "-o", "x", "doc.txt"])
    expect(norm("runs", "list", "--log-level=info")).toEqual(["--log-level=info", "runs", "list"])
  })

  it("keeps the subcommand path first", () => {
    expect(norm("-o", "out", "runs", "show", "doc-0123456789ab", "--json")).toEqual([
      "runs",
      "show",
      "-o",
      "out",
      "--json",
      "doc-0123456789ab"
    ])
    expect(norm("runs", "list")).toEqual(["runs", "list"])
  })

  it("treats - as stdin and everything after -- as positional", () => {
    expect(norm("-", "-q")).toEqual(["-q", "-"])
    expect(norm("--", "-weird.txt", "--json")).toEqual(["-weird.txt", "--json"])
    // a file called runs, after another file, is not a subcommand
    expect(norm("a.txt", "runs")).toEqual(["a.txt", "runs"])
  })

  it("knows every option of the CLI that takes a value", async () => {
    const help = (await runCli(["--help"])).stdout.replace(/\x1b\[[0-9;]*m/g, "")
    const usage = help.split("\n").find((l) => l.startsWith("$ extract"))!
    const valued = [...usage.matchAll(/(--[a-z-]+) (?:text|integer|[a-z]+ \|)/g)].map((m) => m[1]!)
    expect(valued.length).toBeGreaterThanOrEqual(7)
    for (const flag of valued) expect(ARGV_SPEC.valueOptions.has(flag)).toBe(true)
  })
})

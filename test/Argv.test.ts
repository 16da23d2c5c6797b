import * as Command from "@effect/cli/Command"
import type * as Usage from "@effect/cli/Usage"
import { describe, expect, it } from "@effect/vitest"
import * as Option from "effect/Option"
import { normalizeArgv } from "../src/Argv.js"
import { ARGV_SPEC, command } from "../src/Cli.js"

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

  it("knows every option of the CLI that takes a value", () => {
    // @effect/cli's usage of the root command: options that take a value have acceptedValues
    const valued = (u: Usage.Usage): Array<string> => {
      switch (u._tag) {
        case "Named":
          return Option.isSome(u.acceptedValues) ? u.names.filter((n) => n.startsWith("-")) : []
        case "Optional":
        case "Repeated":
          return valued(u.usage)
        case "Concat":
        case "Alternation":
          return [...valued(u.left), ...valued(u.right)]
        default:
          return []
      }
    }
    const flags = valued(Command.getUsage(command))
    expect(flags).toContain("--chunk-size")
    expect(flags).toContain("-o")
    expect(flags).not.toContain("--json")
    expect(flags.length).toBeGreaterThanOrEqual(20)
    for (const flag of flags) expect(ARGV_SPEC.valueOptions.has(flag), flag).toBe(true)
  })
})

import { describe, expect, it } from "@effect/vitest"
import { command, HELP_GROUPS, VERSION } from "../src/Cli.js"
import { commandTree, findCommand, fullHelp, SHORT_HELP_WIDTH, shortHelp, summaryOf } from "../src/Help.js"

const tree = commandTree(command.descriptor as Parameters<typeof commandTree>[0])
const short = shortHelp(tree, { name: "extract", version: VERSION, groups: HELP_GROUPS, width: SHORT_HELP_WIDTH })
const all = fullHelp(tree, { name: "extract", width: 100, showBuiltIns: true })

describe("Help", () => {
  it("finds every command of the tree, nested ones included", () => {
    const paths = (n: typeof tree): Array<string> => n.subcommands.flatMap((c) => [c.path.join(" "), ...paths(c)])
    expect(paths(tree)).toEqual(
      expect.arrayContaining(["runs", "runs list", "runs show", "runs verify", "completions"])
    )
    expect(findCommand(tree, ["runs", "show"])?.synopsis).toBe("<runId>")
    expect(findCommand(tree, ["runs", "verify"])?.synopsis).toBe("[<runId>]")
    expect(tree.synopsis).toBe("<file>...")
  })

  it("names only options that exist in its groups", () => {
    const names = new Set([...tree.args, ...tree.options, ...tree.builtIns].flatMap((e) => e.names))
    for (const [, group] of HELP_GROUPS) for (const n of group) expect(names.has(n), n).toBe(true)
  })

  it("fits the one-screen help in 60 lines of at most 80 columns, one line per option", () => {
    const lines = short.trimEnd().split("\n")
    expect(lines.length).toBeLessThanOrEqual(60)
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(SHORT_HELP_WIDTH)
    expect(short).toMatch(/^Usage: extract \[options\] <file>\.\.\.$/m)
    for (const title of ["Commands:", "Input and output:", "Extractor:", "Model:", "Outputs:"]) {
      expect(short).toContain(`\n${title}\n`)
    }
    expect(lines.filter((l) => /^ {2}-o, --output-dir text +Directory that holds runs\/$/.test(l))).toHaveLength(1)
    expect(short).toMatch(/^ {2}runs list\|show\|timeline\|errors\|verify +Inspect runs in the output directory$/m)
    expect(short).toMatch(/^ {2}completions <shell> +Print a completion script/m)
    expect(short).not.toMatch(/A user-defined piece of text|This setting is optional|\x1b/)
  })

  it("shows every option of every command in --help-all, with the whole description", () => {
    for (const flag of ["--api", "--rpm", "--price-output", "--no-cache", "--repair", "--help-all", "--log-level"]) {
      expect(all).toMatch(new RegExp(`^ {2}${flag}\\b`, "m"))
    }
    expect(all).toContain("Usage: extract runs verify [options] [<runId>]")
    expect(all).toContain("Usage: extract completions <shell>")
    // wrapped, not cut: the env var of --base-url survives
    expect(all).toContain("OPENAI_BASE_URL")
    expect(all).not.toMatch(/A user-defined piece of text|This setting is optional|\x1b/)
  })

  it("keeps a description's gist for one-line listings", () => {
    expect(summaryOf("Directory that holds runs/ (env EXTRACT_OUTPUT_DIR; default ./output)")).toBe(
      "Directory that holds runs/"
    )
    expect(summaryOf("Output formats: json, turtle; default, all (env EXTRACT_FORMATS)")).toBe(
      "Output formats: json, turtle"
    )
  })
})

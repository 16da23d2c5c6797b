/**
 * The help screens (issue 14), generated from the command tree declared in
 * `src/Cli.ts`, so that they cannot drift from the options that exist:
 * every name, value placeholder and description comes from @effect/cli's own
 * `HelpDoc` and `Usage` of each command. What is ours is the layout:
 *
 * - {@link shortHelp} (`extract --help`): the usage lines, the commands, and
 *   the common options in named groups, one line each — one screen.
 * - {@link fullHelp} (`extract <command> --help`, `extract --help-all`): every
 *   argument and option of a command and of its subcommands, with the whole
 *   description.
 *
 * Both are plain text: no ANSI escapes, whatever the terminal. The
 * sentences @effect/cli adds to every option ("A user-defined piece of
 * text.", "This setting is optional.") are left out; the placeholder after
 * an option's name already says what it takes.
 */
import * as CliConfig from "@effect/cli/CliConfig"
import type * as Descriptor from "@effect/cli/CommandDescriptor"
import * as CommandDescriptor from "@effect/cli/CommandDescriptor"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import type * as Usage from "@effect/cli/Usage"

/** Columns of {@link shortHelp}: fixed, so that the build can render it ahead of time (Launcher.ts). */
export const SHORT_HELP_WIDTH = 80

/** Named groups of option names (`--output-dir`, …) for the one-screen help; unknown names are skipped. */
export type HelpGroups = ReadonlyArray<readonly [title: string, options: ReadonlyArray<string>]>

/** One argument or option as the help shows it: `-o, --output-dir text` and its description's sentences. */
export interface HelpEntry {
  readonly term: string
  /** The long option names in the term (`--output-dir`), or the argument (`<file>`). */
  readonly names: ReadonlyArray<string>
  readonly description: ReadonlyArray<string>
}

/** One command of the tree: its path (`["runs", "list"]`; `[]` for the root), description, arguments and options. */
export interface HelpCommand {
  readonly path: ReadonlyArray<string>
  /** Positional arguments as in a usage line: `<runId>`, `[<runId>]`, `<file>...`. */
  readonly synopsis: string
  readonly description: string
  readonly args: ReadonlyArray<HelpEntry>
  readonly options: ReadonlyArray<HelpEntry>
  /** @effect/cli's built-in options (`--help`, `--version`, `--log-level`, …). */
  readonly builtIns: ReadonlyArray<HelpEntry>
  readonly subcommands: ReadonlyArray<HelpCommand>
}

/** Sentences @effect/cli writes into every option's help; the term already carries what they say. */
const BOILERPLATE =
  /^(A user-defined piece of text( that is confidential)?\.|An integer\.|A floating point number\.|A true or false value\.|A date\.|This setting is optional\.|This option can be set from environment variables\.|This argument may be repeated .*|This argument is optional\.|One of the following: .*)$/

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    case "Highlight":
    case "Strong":
    case "Weak":
      return spanText(span.value)
  }
}

/** The paragraphs of a HelpDoc as plain text, in order (headers included as `# title`). */
const paragraphs = (doc: HelpDoc.HelpDoc): Array<string> => {
  switch (doc._tag) {
    case "Empty":
      return []
    case "Header":
      return [`# ${spanText(doc.value)}`]
    case "Paragraph":
      return [spanText(doc.value)]
    case "Sequence":
      return [...paragraphs(doc.left), ...paragraphs(doc.right)]
    case "Enumeration":
      return doc.elements.flatMap(paragraphs)
    case "DescriptionList":
      return doc.definitions.flatMap(([term, d]) => [spanText(term), ...paragraphs(d)])
  }
}

/** Plain text of a HelpDoc on one line, e.g. a ValidationError's message. */
export const helpDocText = (doc: HelpDoc.HelpDoc): string =>
  paragraphs(doc).map((p) => p.replace(/^# /, "")).join(" ").replace(/\s+/g, " ").trim()

/** The sections (`DESCRIPTION`, `ARGUMENTS`, `OPTIONS`) of a command's HelpDoc with their entries. */
const sections = (doc: HelpDoc.HelpDoc) => {
  const out = new Map<string, { text: Array<string>; entries: Array<HelpEntry> }>()
  let current = { text: [] as Array<string>, entries: [] as Array<HelpEntry> }
  const visit = (d: HelpDoc.HelpDoc): void => {
    switch (d._tag) {
      case "Sequence":
        visit(d.left)
        visit(d.right)
        return
      case "Header":
        current = { text: [], entries: [] }
        out.set(spanText(d.value), current)
        return
      case "Paragraph":
        current.text.push(spanText(d.value))
        return
      case "Enumeration":
        d.elements.forEach(visit)
        return
      case "DescriptionList":
        for (const [span, description] of d.definitions) {
          // optional options are shown as "(-o, --output-dir text)"
          const term = spanText(span).replace(/^\((.*)\)$/, "$1")
          const names = term.match(/--[A-Za-z0-9][\w-]*|<[^>]+>/g) ?? [term]
          current.entries.push({
            term,
            names,
            description: paragraphs(description).filter((p) => !BOILERPLATE.test(p))
          })
        }
        return
      case "Empty":
        return
    }
  }
  visit(doc)
  return out
}

/** Positional arguments of a usage, as a usage line writes them. */
const synopsisOf = (usage: Usage.Usage): string => {
  const go = (u: Usage.Usage): string => {
    switch (u._tag) {
      case "Named":
        return u.names.length === 1 && u.names[0]!.startsWith("<") ? u.names[0]! : ""
      case "Optional": {
        const inner = go(u.usage)
        return inner === "" ? "" : `[${inner}]`
      }
      case "Repeated": {
        const inner = go(u.usage)
        return inner === "" ? "" : `${inner}...`
      }
      case "Concat":
      case "Alternation":
        return [go(u.left), go(u.right)].filter((s) => s !== "").join(u._tag === "Concat" ? " " : " | ")
      case "Mixed":
      case "Empty":
        return ""
    }
  }
  return go(usage)
}

/**
 * The nodes of @effect/cli's command descriptor (its internal `Instruction`:
 * `Standard | GetUserInput | Map | Subcommands`). The public API gives a
 * command's help and usage but not its nested subcommands, so the tree is
 * walked here; a shape this does not know fails loudly (test/Help.test.ts).
 */
type Node =
  | { readonly _tag: "Standard" | "GetUserInput"; readonly name: string }
  | { readonly _tag: "Map"; readonly command: Node }
  | { readonly _tag: "Subcommands"; readonly parent: Node; readonly children: ReadonlyArray<Node> }

const WITHOUT_BUILT_INS = CliConfig.make({ showBuiltIns: false })
const WITH_BUILT_INS = CliConfig.make({ showBuiltIns: true })

/** The whole command tree of `root`, for {@link shortHelp} and {@link fullHelp}. */
export const commandTree = (root: Descriptor.Command<unknown>): HelpCommand => {
  const build = (node: Node, prefix: ReadonlyArray<string>, isRoot: boolean): HelpCommand => {
    let leaf: Node = node
    let children: ReadonlyArray<Node> = []
    for (;;) {
      if (leaf._tag === "Map") leaf = leaf.command
      else if (leaf._tag === "Subcommands") {
        children = [...children, ...leaf.children]
        leaf = leaf.parent
      } else if (leaf._tag === "Standard" || leaf._tag === "GetUserInput") break
      else throw new Error(`Help: unknown @effect/cli command node ${(leaf as { _tag: string })._tag}`)
    }
    const path = isRoot ? [] : [...prefix, leaf.name]
    const own = leaf as unknown as Descriptor.Command<unknown>
    const plain = sections(CommandDescriptor.getHelp(own, WITHOUT_BUILT_INS))
    const all = sections(CommandDescriptor.getHelp(own, WITH_BUILT_INS))
    const options = plain.get("OPTIONS")?.entries ?? []
    const optionTerms = new Set(options.map((o) => o.term))
    return {
      path,
      synopsis: synopsisOf(CommandDescriptor.getUsage(own)),
      description: (plain.get("DESCRIPTION")?.text ?? []).join(" "),
      args: plain.get("ARGUMENTS")?.entries ?? [],
      options,
      builtIns: (all.get("OPTIONS")?.entries ?? []).filter((o) => !optionTerms.has(o.term)),
      subcommands: children.map((c) => build(c, path, false))
    }
  }
  return build(root as unknown as Node, [], true)
}

/** Finds the command at `path` (`["runs", "list"]`), if there is one. */
export const findCommand = (tree: HelpCommand, path: ReadonlyArray<string>): HelpCommand | undefined =>
  path.reduce<HelpCommand | undefined>(
    (node, name) => node?.subcommands.find((c) => c.path[c.path.length - 1] === name),
    tree
  )

/** Every command below `node`, depth first. */
const descendants = (node: HelpCommand): Array<HelpCommand> => node.subcommands.flatMap((c) => [c, ...descendants(c)])

const append = (lines: Array<string>, more: ReadonlyArray<string>) => {
  for (const line of more) lines.push(line)
}

const fit = (text: string, width: number): string =>
  text.length <= width ? text : text.slice(0, Math.max(0, text.lastIndexOf(" ", width - 1))).replace(/[\s,;:(]+$/, "") +
    "…"

const wrap = (text: string, width: number, indent: string): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "") lines.push(indent + line)
  return lines
}

/** `  term   summary` rows, the summary cut to one line of `width` columns. */
const table = (rows: ReadonlyArray<readonly [string, string]>, width: number): Array<string> => {
  const col = Math.min(32, Math.max(...rows.map(([t]) => t.length)) + 2)
  return rows.map(([term, summary]) =>
    term.length + 2 > col
      ? `  ${term}  ${fit(summary, width - term.length - 4)}`.trimEnd()
      : `  ${term.padEnd(col)}${fit(summary, width - col - 2)}`.trimEnd()
  )
}

const usageLine = (name: string, node: HelpCommand, withCommand: boolean): string =>
  [name, ...node.path, node.options.length > 0 ? "[options]" : "", withCommand ? "<command>" : "", node.synopsis]
    .filter((s) => s !== "").join(" ")

/**
 * A description cut to its gist for a one-line listing: parentheses (env
 * vars, defaults) and anything after the first `; ` left out.
 */
export const summaryOf = (description: string): string => {
  let text = description
  for (let prev = ""; prev !== text;) {
    prev = text
    text = text.replace(/\s*\([^()]*\)/g, "")
  }
  return text.split("; ")[0]!.trim()
}

/**
 * `extract --help`: usage, commands (one line per top-level command: its
 * arguments, or its subcommands' names),
 * the options of `groups` (one line each; names not in the tree are
 * skipped), and where the rest is. Lines are at most `width` columns.
 */
export const shortHelp = (
  tree: HelpCommand,
  options: { readonly name: string; readonly version: string; readonly groups: HelpGroups; readonly width: number }
): string => {
  const { groups, name, width } = options
  const compact = (term: string) => term.replace(/ \| /g, "|")
  const lines: Array<string> = [
    ...wrap(`${name} ${options.version}: ${tree.description}`, width, ""),
    "",
    `Usage: ${usageLine(name, tree, false)}`,
    ...(tree.subcommands.length > 0 ? [`       ${name} <command> [options]`] : []),
    "",
    "Commands:",
    // one line per top-level command; a command with subcommands lists their names
    ...table(
      tree.subcommands.map((c) =>
        c.subcommands.length > 0
          ? [
            `${c.path.join(" ")} ${c.subcommands.map((s) => s.path[s.path.length - 1]).join("|")}`,
            summaryOf(c.description)
          ] as const
          : [[...c.path, c.synopsis].filter((s) => s !== "").join(" "), summaryOf(c.description)] as const
      ),
      width
    )
  ]
  const byName = new Map<string, HelpEntry>()
  for (const entry of [...tree.args, ...tree.options, ...tree.builtIns]) {
    for (const n of entry.names) if (!byName.has(n)) byName.set(n, entry)
  }
  for (const [title, names] of groups) {
    const entries = names.flatMap((n) => byName.get(n) ?? [])
    if (entries.length === 0) continue
    lines.push("", `${title}:`)
    append(lines, table(entries.map((e) => [compact(e.term), summaryOf(e.description[0] ?? "")] as const), width))
  }
  lines.push(
    "",
    `${name} <command> --help and ${name} --help-all show every option.`
  )
  return lines.join("\n") + "\n"
}

/**
 * `extract <command> --help` and `extract --help-all`: `node` and every
 * command below it, each with its usage, description, arguments and
 * options in full, wrapped to `width` columns. Built-in options are listed
 * once, for the root (`showBuiltIns`).
 */
export const fullHelp = (
  node: HelpCommand,
  options: { readonly name: string; readonly width: number; readonly showBuiltIns: boolean }
): string => {
  const { name, width } = options
  const lines: Array<string> = []
  const entries = (title: string, list: ReadonlyArray<HelpEntry>) => {
    if (list.length === 0) return
    lines.push("", `${title}:`)
    for (const e of list) {
      lines.push(`  ${e.term}`)
      for (const d of e.description) append(lines, wrap(d, width, "      "))
    }
  }
  for (const c of [node, ...descendants(node)]) {
    if (lines.length > 0) lines.push("")
    lines.push(
      c.synopsis !== "" && c.subcommands.length > 0
        ? `Usage: ${usageLine(name, c, false)}\n       ${usageLine(name, { ...c, synopsis: "" }, true)}`
        : `Usage: ${usageLine(name, c, c.subcommands.length > 0)}`
    )
    if (c.description !== "") append(lines, wrap(c.description, width, "  "))
    entries("Arguments", c.args)
    entries("Options", c.options)
    if (c === node && options.showBuiltIns) {
      entries("Built-in options", [
        ...c.builtIns,
        { term: "--help-all", names: ["--help-all"], description: ["Show every command and option"] }
      ])
    }
    if (c.subcommands.length > 0) {
      lines.push("", "Commands:")
      append(lines, table(c.subcommands.map((s) => [s.path.join(" "), s.description] as const), width))
    }
  }
  return lines.join("\n") + "\n"
}

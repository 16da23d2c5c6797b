/**
 * Runs the command line of `src/Cli.ts` with the help screens and usage
 * errors of issue 14, around @effect/cli's `Command.run`:
 *
 * - `--help`/`-h` prints {@link shortHelp} for `extract` itself and
 *   {@link fullHelp} for a subcommand (also for a command that only groups
 *   others, such as `extract runs`); `--help-all` prints every command in
 *   full. Plain text (no ANSI), generated from the declared command tree.
 * - `--version` prints the version alone.
 * - A usage error (a bad integer, an unknown choice, a missing argument, an
 *   unknown subcommand) prints one line `extract: …` on stderr and fails
 *   with @effect/cli's `ValidationError`, which `bin.ts` turns into exit 2
 *   (README, "Exit codes"). @effect/cli's own printing of the error (several
 *   lines, no prefix) is muted: `Console.error` is silenced while it parses,
 *   and restored for the command's handler.
 * - Everything else (running a command, `--completions`, `--log-level`,
 *   `--wizard`) is `Command.run`'s. The command line is parsed once.
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import type * as CommandDescriptor from "@effect/cli/CommandDescriptor"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import {
  commandTree,
  findCommand,
  fullHelp,
  helpDocText,
  type HelpGroups,
  SHORT_HELP_WIDTH,
  shortHelp
} from "./Help.js"

export interface CommandLine<N extends string, R, E, A> {
  /** The program's name, as typed (`extract`). */
  readonly name: string
  readonly version: string
  readonly command: Command.Command<N, R, E, A>
  /** Option groups of the one-screen help. */
  readonly groups: HelpGroups
  /** Subcommand names by parent (Cli.ts's ARGV_SPEC), to know which command a `--help` is for. */
  readonly subcommands: ReadonlyMap<string, ReadonlySet<string>>
  /** Options that take the next token as their value (Cli.ts's ARGV_SPEC): `--model --help` is no request for help. */
  readonly valueOptions: ReadonlySet<string>
}

/** Columns for help text: the terminal's width (at most 100), or 100 when stdout is not a terminal. */
const helpWidth = (): number => Math.min(100, process.stdout.isTTY ? process.stdout.columns || 80 : 100)

/** `args` without the built-in `--log-level` (Argv.ts puts it first), which `Command.run` handles. */
const withoutLogLevel = (args: ReadonlyArray<string>) => {
  let i = 0
  while (args[i]?.startsWith("--log-level")) i += args[i]!.includes("=") ? 1 : 2
  return args.slice(i)
}

/** The subcommand path at the start of `args`. */
const commandPath = (args: ReadonlyArray<string>, subcommands: ReadonlyMap<string, ReadonlySet<string>>) => {
  let i = 0
  const path: Array<string> = []
  let level: ReadonlySet<string> | undefined = new Set(subcommands.keys())
  for (; i < args.length && level?.has(args[i]!); i++) {
    path.push(args[i]!)
    level = subcommands.get(args[i]!)
  }
  return path
}

/** Prints `extract: <message>` on stderr and fails with a ValidationError carrying it. */
const usageError = (name: string, message: string) =>
  Effect.zipRight(
    Console.error(`${name}: ${message}`),
    Effect.fail(ValidationError.invalidValue(HelpDoc.p(message)))
  )

/** The built-in request among `args`, if any: `--help-all`, `--help`/`-h` or `--version` before `--`. */
const builtInRequest = (args: ReadonlyArray<string>, valueOptions: ReadonlySet<string>) => {
  let found: "help-all" | "help" | "version" | undefined
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!
    if (token === "--") break
    if (token === "--help-all") return "help-all" as const
    if (token === "--help" || token === "-h") found = "help"
    else if (token === "--version" && found === undefined) found = "version"
    else if (valueOptions.has(token)) i++
  }
  return found
}

/** A Console whose `error` prints nothing, remembering the one it replaces (see {@link runCommandLine}). */
interface MutedConsole extends Console.Console {
  readonly unmuted: Console.Console
}

const muteErrors = (console: Console.Console): MutedConsole => ({
  ...console,
  error: () => Effect.void,
  unmuted: console
})

const unmute = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.consoleWith((console) =>
    "unmuted" in console ? Effect.withConsole(effect, (console as MutedConsole).unmuted) : effect
  )

/**
 * Runs `argv` (as `process.argv`, already normalised by Argv.ts). Fails with
 * a ValidationError after printing its one-line message for usage errors,
 * and with the commands' own errors otherwise.
 */
export const runCommandLine = <N extends string, R, E, A>(
  cli: CommandLine<N, R, E, A>,
  argv: ReadonlyArray<string>
): Effect.Effect<void, E | ValidationError.ValidationError, R | CliApp.CliApp.Environment> =>
  Effect.gen(function*() {
    const args = withoutLogLevel(argv.slice(2))
    const path = commandPath(args, cli.subcommands)
    const request = builtInRequest(args, cli.valueOptions)
    if (request === "version") return yield* Console.log(cli.version)
    const children = path.length > 0 ? cli.subcommands.get(path[path.length - 1]!) : undefined
    if (request === undefined && children !== undefined && children.size > 0 && args.length > path.length) {
      return yield* usageError(
        cli.name,
        `unknown command '${[...path, args[path.length]].join(" ")}': ${path.join(" ")} takes one of ${
          [...children].join(", ")
        } (see ${[cli.name, ...path].join(" ")} --help)`
      )
    }
    if (request !== undefined || (children !== undefined && children.size > 0)) {
      const tree = commandTree(cli.command.descriptor as CommandDescriptor.Command<unknown>)
      const node = findCommand(tree, path) ?? tree
      return yield* Console.log(
        (node === tree && request !== "help-all"
          ? shortHelp(tree, { name: cli.name, version: cli.version, groups: cli.groups, width: SHORT_HELP_WIDTH })
          : fullHelp(node, { name: cli.name, width: helpWidth(), showBuiltIns: node === tree })).trimEnd()
      )
    }
    const run = Command.run(Command.transformHandler(cli.command, unmute), { name: cli.name, version: cli.version })
    return yield* Effect.consoleWith((console) => Effect.withConsole(run(argv), muteErrors(console))).pipe(
      Effect.catchIf(
        (e): e is ValidationError.ValidationError => ValidationError.isValidationError(e),
        (e) => usageError(cli.name, `${helpDocText(e.error)} (see ${[cli.name, ...path].join(" ")} --help)`)
      )
    )
  })

/**
 * Command-line normalisation before @effect/cli parses it. @effect/cli only
 * recognises options before positional arguments, but users write
 * `extract doc.txt -o out` as often as `extract -o out doc.txt`. This moves
 * every option (with its value) in front of the positional arguments of its
 * (sub)command, keeping their relative order.
 */

export interface ArgvSpec {
  /** Flags that take a value as the next token, e.g. `-o`, `--model`. */
  readonly valueOptions: ReadonlySet<string>
  /** Subcommand names by parent, e.g. `runs` → `list`, `show`, … */
  readonly subcommands: ReadonlyMap<string, ReadonlySet<string>>
}

/**
 * Reorders `argv` (as `process.argv`: node, script, then arguments).
 *
 * - The command path is the leading positional tokens that name
 *   subcommands (`runs`, then `list`…); options anywhere are moved to right
 *   after that path, positional arguments follow.
 * - `--flag=value` stays one token; a value option takes the next token as
 *   its value even if that token starts with `-`.
 * - `-` alone is a positional argument (stdin); everything after `--` is
 *   positional and keeps its place.
 */
export const normalizeArgv = (argv: ReadonlyArray<string>, spec: ArgvSpec): Array<string> => {
  const [node = "node", script = "extract", ...rest] = argv
  const path: Array<string> = []
  const options: Array<string> = []
  const leading: Array<string> = []
  const positional: Array<string> = []
  let level: ReadonlySet<string> | undefined = new Set(spec.subcommands.keys())
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!
    if (token === "--") {
      for (const arg of rest.slice(i + 1)) positional.push(arg)
      break
    }
    if (token.startsWith("-") && token !== "-") {
      // @effect/cli reads its built-in --log-level only in front of everything else
      const into = token === "--log-level" || token.startsWith("--log-level=") ? leading : options
      into.push(token)
      if (!token.includes("=") && spec.valueOptions.has(token) && i + 1 < rest.length) into.push(rest[++i]!)
      continue
    }
    if (positional.length === 0 && level?.has(token)) {
      path.push(token)
      level = spec.subcommands.get(token)
      continue
    }
    level = undefined
    positional.push(token)
  }
  return [node, script, ...leading, ...path, ...options, ...positional]
}

/** Positional arguments that look like options: unknown flags once options are hoisted. */
export const unknownFlags = (files: ReadonlyArray<string>): ReadonlyArray<string> =>
  files.filter((f) => f.startsWith("-") && f !== "-")

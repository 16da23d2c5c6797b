#!/usr/bin/env node
/**
 * The `extract` executable (`dist/bin.js`, built from this file): answers
 * `extract --version` and `extract --help` at once, and hands everything
 * else to `bin.ts`.
 *
 * Loading @effect/cli, effect and the command declarations costs about
 * 90 ms of CPU before the first line is printed; these two answers need
 * none of it (issue 14: at most 150 ms). Their text is not kept here: the
 * build (scripts/build.ts) renders it from the same declarations that
 * `bin.ts` runs — `VERSION` and `Help.shortHelp` of `Cli.ts`'s command — and
 * inlines it as `EXTRACT_FAST_PATH`. Unbundled (tsx, vitest) the constant is
 * absent and every invocation goes through `bin.ts`, which prints the same.
 *
 * `extract runs list [-o DIR] [--json]` over an output directory without
 * runs is answered by src/RunsListing.ts, with the code `runs list` prints
 * through everywhere (`fastRunsList`); when it cannot answer (runs to list,
 * other options, `EXTRACT_*` settings) it writes nothing and `bin.ts` runs.
 */
declare const EXTRACT_FAST_PATH: { readonly version: string; readonly help: string } | undefined

const fast = typeof EXTRACT_FAST_PATH === "undefined" ? undefined : EXTRACT_FAST_PATH
const [first, ...rest] = process.argv.slice(2)
if (fast !== undefined && rest.length === 0 && first === "--version") process.stdout.write(`${fast.version}\n`)
else if (fast !== undefined && rest.length === 0 && (first === "--help" || first === "-h")) {
  process.stdout.write(fast.help)
} else {
  const answered = first === "runs" && rest[0] === "list" &&
    await (await import("./RunsListing.js")).fastRunsList(rest.slice(1), process.env)
  if (!answered) await import("./bin.js")
}

/**
 * What `extract runs list` prints, as plain functions without effect, so
 * that two callers produce it with one piece of code:
 *
 * - `RunsReport.list` (src/RunsReport.ts), behind the full command line, for
 *   runs read from the run store or from the SQL mirror (`--from db`);
 * - the launcher's fast path (src/Launcher.ts, issue 14): `extract runs list
 *   [-o DIR] [--json]` over an output directory that holds no run at all
 *   answers from here, without loading effect, @effect/cli or the run store
 *   (about 130 ms of CPU less). Any other case goes to the full command
 *   line, which prints the same (test/RunsListing.test.ts compares the two).
 *
 * This module imports only Node built-ins and import-free modules; keep it so
 * (test/Bundle.test.ts checks that it loads nothing from node_modules).
 */
import { readdir } from "node:fs/promises"
import { resolve } from "node:path"
import { DEFAULT_OUTPUT_DIR, OUTPUT_DIR_ENV } from "./Defaults.js"
import { RUN_ID_PATTERN } from "./Domain/RunId.js"

/**
 * What `runs list` shows of one run: the columns of its table and the fields
 * of its `--json` line. The store builds it from `metadata.json`
 * (RunsReport.ts), the SQL mirror from the columns of its `runs` table
 * (src/Sql/MirrorReader.ts).
 */
export interface RunSummary {
  readonly runId: string
  readonly status: string
  /** ISO-8601 UTC. */
  readonly createdAt: string
  readonly completedAt: string | null
  /** The input as given on the command line (`metadata.json` `input.path`). */
  readonly inputPath: string
  readonly extractor: string
  readonly entityCount: number
  readonly relationCount: number
  /**
   * The run's `input` object and its encoded `stats`, as `metadata.json` has
   * them, each as the text `JSON.stringify` makes of it, for `--json`. A
   * source asked for summaries without detail (text listing) may leave it out.
   */
  readonly detail: (() => { readonly inputJson: string; readonly statsJson: string }) | undefined
}

/** A command's output: the lines for stdout and for stderr, each without its line end. */
export interface Listing {
  readonly stdout: ReadonlyArray<string>
  readonly stderr: ReadonlyArray<string>
}

/**
 * Pads columns to a common width, two spaces apart (the last column is not
 * padded). Widths count UTF-16 code units, as `String.prototype.padEnd`
 * does. Builds each line by concatenation: `runs list` over 10,000 runs
 * formats 60,000 cells (issue 10: p95 under 100 ms).
 */
export const formatTable = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths: Array<number> = []
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) if (row[i]!.length > (widths[i] ?? 0)) widths[i] = row[i]!.length
  }
  const gap = " ".repeat(Math.max(0, ...widths) + 2)
  let out = ""
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    let line = r === 0 ? "" : "\n"
    for (let i = 0; i < row.length - 1; i++) line += row[i]! + gap.slice(0, widths[i]! - row[i]!.length + 2)
    out += row.length === 0 ? line : line + row[row.length - 1]!
  }
  return out
}

/**
 * The output of `runs list` for `runs` (oldest first): one table on stdout
 * (id, status, created, entities, relations, input), or with `json` one
 * JSON object per run; no runs: `no runs in <outputDir>` on stderr (nothing
 * at all with `json`). `outputDir` is the directory as given; `runDirOf`
 * gives a run's directory for the JSON lines.
 */
export const listingOf = (
  runs: ReadonlyArray<RunSummary>,
  options: { readonly json: boolean; readonly outputDir: string; readonly runDirOf: (runId: string) => string }
): Listing => {
  if (options.json) {
    // JSON.stringify({ runId, status, createdAt, completedAt, input, extractor, stats, runDir }), with the
    // input and stats text spliced in as the source has it (the mirror keeps it as JSON text)
    return {
      stdout: runs.map((r) => {
        if (r.detail === undefined) throw new Error(`runs list --json: run ${r.runId} was listed without detail`)
        const { inputJson, statsJson } = r.detail()
        return `{"runId":${JSON.stringify(r.runId)},"status":${JSON.stringify(r.status)},"createdAt":${
          JSON.stringify(r.createdAt)
        },"completedAt":${JSON.stringify(r.completedAt)},"input":${inputJson},"extractor":${
          JSON.stringify(r.extractor)
        },"stats":${statsJson},"runDir":${JSON.stringify(options.runDirOf(r.runId))}}`
      }),
      stderr: []
    }
  }
  if (runs.length === 0) return { stdout: [], stderr: [`no runs in ${options.outputDir}`] }
  return {
    stdout: [formatTable([
      ["RUN", "STATUS", "CREATED", "ENTITIES", "RELATIONS", "INPUT"],
      ...runs.map((r) => [r.runId, r.status, r.createdAt, String(r.entityCount), String(r.relationCount), r.inputPath])
    ])],
    stderr: []
  }
}

/**
 * What `runs list` prints for `outputDir` when its `runs/` folder holds no
 * run directory (a name like `doc-` and 12 hex digits) or does not exist:
 * the run store would list no run. Undefined when it holds one, or cannot be
 * read: then only the run store can answer (and report the error).
 */
export const emptyListing = async (outputDir: string, json: boolean): Promise<Listing | undefined> => {
  let names: ReadonlyArray<string>
  try {
    names = await readdir(resolve(outputDir, "runs"))
  } catch (e) {
    if ((e as { readonly code?: unknown }).code !== "ENOENT") return undefined
    names = []
  }
  if (names.some((n) => RUN_ID_PATTERN.test(n))) return undefined
  return listingOf([], { json, outputDir, runDirOf: (runId) => resolve(outputDir, "runs", runId) })
}

/**
 * The options of `extract runs list` that the fast path takes (`args`: what
 * follows `runs list`): at most one `-o DIR`/`--output-dir DIR` and one
 * `--json`, nothing else. Undefined for anything else, so that the full
 * command line parses it (and reports what is wrong). Also undefined when an
 * `EXTRACT_*` variable other than a non-empty {@link OUTPUT_DIR_ENV} is set:
 * the full command line reads those for `extract`'s own options (a bad
 * `EXTRACT_CHUNK_SIZE` fails every command), the fast path does not.
 */
export const fastRunsListRequest = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): { readonly outputDir: string; readonly json: boolean } | undefined => {
  let outputDir: string | undefined
  let json = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--json" && !json) json = true
    else if ((arg === "-o" || arg === "--output-dir") && outputDir === undefined) {
      const value = args[++i]
      if (value === undefined || value === "" || value.startsWith("-")) return undefined
      outputDir = value
    } else return undefined
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith("EXTRACT_") && name !== OUTPUT_DIR_ENV && env[name] !== undefined) return undefined
  }
  const fallback = env[OUTPUT_DIR_ENV]
  if (fallback === "") return undefined
  return { outputDir: outputDir ?? fallback ?? DEFAULT_OUTPUT_DIR, json }
}

/**
 * The launcher's fast path: answers `extract runs list …` (`args`: what
 * follows `runs list`) when {@link fastRunsListRequest} takes the options and
 * {@link emptyListing} can answer, writing what the full command line would
 * write. Returns false, having written nothing, when the full command line
 * must run instead.
 */
export const fastRunsList = async (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): Promise<boolean> => {
  const request = fastRunsListRequest(args, env)
  if (request === undefined) return false
  const listing = await emptyListing(request.outputDir, request.json)
  if (listing === undefined) return false
  // as console.log and console.error, which Effect's Console calls, write them
  for (const line of listing.stdout) process.stdout.write(`${line}\n`)
  for (const line of listing.stderr) process.stderr.write(`${line}\n`)
  return true
}

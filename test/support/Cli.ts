/** Runs the built CLI (`dist/bin.js`) as a child process. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { isAbsolute, join } from "node:path"
import { fileURLToPath } from "node:url"

export const ROOT = fileURLToPath(new URL("../..", import.meta.url))
export const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url))
/**
 * The shared evaluation data and documents (read-only), which tests and
 * benches that read real data need: `EXTRACT_SHARED_DIR` when set;
 * otherwise `../shared/` beside the repository; otherwise, for a clone of a
 * local repository (`git clone /work/main /tmp/x/c`), `../shared/` beside the
 * repository it was cloned from (git's `remote.origin.url`). When none
 * exists, the first place is named in the error of test/support/Sotu.ts and
 * the like.
 */
export const SHARED = ((): string => {
  if (process.env.EXTRACT_SHARED_DIR !== undefined) return process.env.EXTRACT_SHARED_DIR
  const beside = join(ROOT, "..", "shared")
  if (existsSync(beside)) return beside
  try {
    const origin = execFileSync("git", ["-C", ROOT, "config", "--get", "remote.origin.url"], { encoding: "utf8" })
      .trim()
    // a local path or file:// URL; a remote URL (https:, ssh) names no directory here
    const originDir = origin.startsWith("file://") ? fileURLToPath(origin) : origin
    const besideOrigin = join(originDir, "..", "shared")
    if (isAbsolute(originDir) && existsSync(besideOrigin)) return besideOrigin
  } catch {
    // not a git clone, or no origin
  }
  return beside
})()

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * The environment a CLI under test runs with: this process's, minus any
 * OpenAI and EXTRACT_ settings (so the machine's own do not leak in), plus `extra`.
 */
export const cliEnv = (extra: Record<string, string> = {}): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("OPENAI_") && !k.startsWith("EXTRACT_")) env[k] = v
  }
  return { ...env, ...extra }
}

/**
 * Runs `extract` with `args`. The environment is the test's, minus any
 * OpenAI settings, plus `env`.
 */
export const runCli = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Record<string, string>; readonly input?: string | Buffer; readonly cwd?: string } = {}
) =>
  new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cliEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")))
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    if (options.input !== undefined) child.stdin.end(options.input)
    else child.stdin.end()
  })

/** A running `extract` child process (see {@link startCli}). */
export interface RunningCli {
  readonly child: ChildProcess
  /** Resolves when the process has exited. */
  readonly done: Promise<CliResult>
  /** Resolves when stderr has printed text matching `pattern` (rejects if the process exits first). */
  readonly waitForStderr: (pattern: RegExp) => Promise<void>
}

/**
 * Starts `extract` with `args` without waiting for it, so a test can signal
 * or kill it. Environment as {@link runCli}; `shell` runs it through
 * `sh -c` with that prefix (e.g. `umask 077;`).
 */
export const startCli = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Record<string, string>; readonly cwd?: string; readonly input?: string | Buffer } = {}
): RunningCli => {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cliEnv(options.env),
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  const watchers: Array<{ pattern: RegExp; resolve: () => void }> = []
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")))
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString("utf8")
    for (const w of [...watchers]) {
      if (w.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(w), 1)
        w.resolve()
      }
    }
  })
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  if (options.input !== undefined) child.stdin!.end(options.input)
  else child.stdin!.end()
  return {
    child,
    done,
    waitForStderr: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
          watchers.push({ pattern, resolve })
          void done.then((r) =>
            reject(new Error(`exited (${r.code ?? r.signal}) before stderr matched ${pattern}: ${r.stderr}`))
          )
        })
  }
}

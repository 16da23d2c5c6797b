/** Runs the built CLI (`dist/bin.js`) as a child process. */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

export const ROOT = fileURLToPath(new URL("../..", import.meta.url))
export const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url))
export const SHARED = fileURLToPath(new URL("../../../shared", import.meta.url))

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
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
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("OPENAI_") && !k.startsWith("EXTRACT_")) env[k] = v
    }
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...env, ...options.env },
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

/** Starts `extract` with `args` (environment as {@link runCli}) and returns the child and its eventual result. */
export const startCli = (args: ReadonlyArray<string>, options: { readonly env?: Record<string, string> } = {}) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("OPENAI_") && !k.startsWith("EXTRACT_")) env[k] = v
  }
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")))
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")))
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return { child, done }
}

/** Test processes of the workflow engine: the submit entry (test/support/WorkflowSubmit.ts), and waiting. */
import { type ChildProcess, spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { ROOT } from "./Cli.js"
import type { SubmitSpec } from "./WorkflowSubmit.js"

const SUBMIT = fileURLToPath(new URL("./WorkflowSubmit.ts", import.meta.url))

/** Starts the submit entry; resolves its stdout lines as they come. */
export const startSubmit = (spec: SubmitSpec, env: Record<string, string>) => {
  const file = join(spec.outputDir, `..`, `submit-${Date.now()}.json`)
  writeFileSync(file, JSON.stringify(spec))
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", SUBMIT, file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")))
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")))
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal }))
  )
  return { child, done, lines: () => stdout.split("\n").filter((l) => l !== ""), stderr: () => stderr }
}

export const until = async (what: string, f: () => boolean, timeoutMs: number) => {
  const t0 = Date.now()
  while (!f()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

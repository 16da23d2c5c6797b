/** Files of run directories, for byte comparisons between runs. */
import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"

/** Every file under `dir`, relative and `/`-separated, sorted. */
export const filesUnder = (dir: string, base = dir): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((f) => {
      const p = join(dir, f)
      return statSync(p).isDirectory() ? filesUnder(p, base) : [p.slice(base.length + 1)]
    }).sort()
    : []

/** SHA-256 of a file's bytes, hex. */
export const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex")

/** The files of a run directory that must be byte-identical between two runs of one document and config. */
export const resultFiles = (runDir: string) =>
  filesUnder(runDir).filter((f) => /^(input|extractions|outputs)\//.test(f))

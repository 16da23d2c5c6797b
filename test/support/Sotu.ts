/**
 * State of the Union text for tests and benches: the addresses of
 * `<SHARED>/data/sotu/` (233 files, one per address, 1790–2020), taken in
 * name order (which is year order) from the first or the last file.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { SHARED } from "./Cli.js"

/** Paths of the addresses in name order. Throws, naming the directory and `EXTRACT_SHARED_DIR`, when it is missing. */
export const sotuFiles = (): Array<string> => {
  const dir = join(SHARED, "data/sotu")
  if (!existsSync(dir)) {
    throw new Error(
      `${dir} is missing: the shared data must be beside the repository (../shared) or the one it was cloned from, or named by EXTRACT_SHARED_DIR`
    )
  }
  return readdirSync(dir).filter((f) => f.endsWith(".txt")).sort().map((f) => join(dir, f))
}

export interface SotuOptions {
  /** Take addresses from the first file on, or the last ones (joined in name order either way). */
  readonly from: "first" | "last"
  /** Take this many addresses. */
  readonly files?: number
  /** Or take addresses until their own bytes (UTF-8, separators not counted) reach this many. */
  readonly bytes?: number
  /** What goes between two addresses (default: a blank line, "\n\n"; "" joins them raw). */
  readonly separator?: string
}

/**
 * The text of consecutive addresses: `files` of them, or as many as it
 * takes for their bytes to reach `bytes` (the last one whole), joined by
 * `separator`. Throws as {@link sotuFiles} does.
 */
export const sotuText = (options: SotuOptions): string => {
  const all = sotuFiles()
  const ordered = options.from === "first" ? all : [...all].reverse()
  const taken: Array<string> = []
  let bytes = 0
  for (const f of ordered) {
    if (options.files !== undefined ? taken.length >= options.files : bytes >= (options.bytes ?? Infinity)) break
    const b = readFileSync(f)
    taken.push(b.toString("utf8"))
    bytes += b.length
  }
  if (options.from === "last") taken.reverse()
  return taken.join(options.separator ?? "\n\n")
}

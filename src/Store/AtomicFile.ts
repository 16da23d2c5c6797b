/**
 * Atomic file replacement: a reader sees the old file or the new one, never
 * a partial write, even across a crash or `kill -9`.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"

let counter = 0

/**
 * Writes `data` to `target` atomically: the bytes go to a temporary file in
 * the same directory (`.<name>.<pid>-<n>.tmp`), which is flushed to disk
 * (fsync) and then renamed over `target` (rename is atomic within a POSIX
 * file system). The temporary file is removed if anything fails. The file is
 * created with mode 0666 minus the process umask.
 *
 * Fails with the platform's `PlatformError` (e.g. ENOSPC, EACCES); `target`
 * is then untouched.
 */
export const writeFileAtomic = Effect.fnUntraced(function*(target: string, data: Uint8Array | string) {
  // untraced: no span per file (a run writes thousands)
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${++counter}.tmp`)
  yield* Effect.scoped(
    Effect.flatMap(fs.open(temp, { flag: "w" }), (file) => Effect.zipRight(file.writeAll(bytes), file.sync))
  ).pipe(
    Effect.zipRight(fs.rename(temp, target)),
    // on failure and on interruption alike (Ctrl-C in the middle of a write)
    Effect.onError(() => fs.remove(temp).pipe(Effect.ignore))
  )
})

/** Names of the temporary files {@link writeFileAtomic} writes: `.<name>.<pid>-<n>.tmp`. */
export const TEMPORARY_FILE = /^\..+\.(\d+)-\d+\.tmp$/

/** True when a process with `pid` exists (signal 0 probes without sending; EPERM means it exists). */
export const pidExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * True for a temporary file of {@link writeFileAtomic} (by its base name)
 * whose writer is gone: another process whose pid no longer exists. Such a
 * file is what a `kill -9` in the middle of a write leaves; anyone may
 * remove it. (A pid reused since is taken as alive: the file then stays.)
 */
export const isStaleTemporary = (name: string): boolean => {
  const m = TEMPORARY_FILE.exec(name)
  if (!m) return false
  const pid = Number(m[1])
  return pid !== process.pid && !pidExists(pid)
}

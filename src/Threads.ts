/**
 * What decides whether work goes to worker threads: the `EXTRACT_WORKERS`
 * setting and the size of the input. Shared by the embedded extractor's pool
 * (Extractor/Nlp.ts) and the chunker's thread (Chunker/Threaded.ts).
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { statSync } from "node:fs"

/**
 * `EXTRACT_WORKERS`, when set: how many worker threads the embedded
 * extractor uses, 0 meaning none at all (everything in this thread). Dies
 * on a value that is not an integer of 0 or more.
 */
export const configuredWorkers: Effect.Effect<Option.Option<number>> = Config.integer("EXTRACT_WORKERS").pipe(
  Config.validate({ message: "EXTRACT_WORKERS must be 0 or more", validation: (n) => n >= 0 }),
  Config.option,
  Effect.orDie
)

/**
 * Bytes of these input files together, counting only files of at most
 * `maxBytes` (larger ones are refused unread, DocumentReader.ts, and start
 * no thread). Stdin (`-`) and files that cannot be stat'ed count as empty
 * (the reader reports them).
 */
export const inputBytes = (files: ReadonlyArray<string>, maxBytes = Infinity): number => {
  let bytes = 0
  for (const f of files) {
    if (f === "-") continue
    try {
      const size = statSync(f).size
      if (size <= maxBytes) bytes += size
    } catch {
      // the reader reports it
    }
  }
  return bytes
}

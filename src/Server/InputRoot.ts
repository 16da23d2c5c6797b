/**
 * Path submissions (`{"path": …}`) confined to `--input-root`. A path is
 * refused (BadRequest, 400) when there is no input root, when it has a `..`
 * segment or a NUL byte, when it is absolute and not under the root, or
 * when its real path (symlinks resolved) leaves the root. What passes is
 * read as `extract` reads a file ({@link DocumentReader}: size limit,
 * text check, decoding).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import { DocumentReader } from "../DocumentReader.js"
import type { SourceDocument } from "../Domain/Document.js"
import { BadRequest, InputRefused, NotFound, PayloadTooLarge } from "./Api.js"
import { ServerConfig } from "./ServerConfig.js"

export class InputRoot extends Effect.Service<InputRoot>()("InputRoot", {
  effect: Effect.gen(function*() {
    const config = yield* ServerConfig
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const reader = yield* DocumentReader
    const root = config.inputRoot

    /** True when `file` is `dir` itself or inside it (lexically, both absolute and normalised). */
    const within = (dir: string, file: string) => {
      const rel = path.relative(dir, file)
      return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel))
    }

    /**
     * The real path of a submitted `given` path, checked against the root.
     * Fails with BadRequest (no root, traversal, outside the root, through
     * a symlink out of it) or NotFound (no such file under the root).
     */
    const resolve = Effect.fn("InputRoot.resolve")(function*(given: string) {
      if (root === null) {
        return yield* new BadRequest({
          message: "path submissions need the server to run with --input-root; send text"
        })
      }
      if (given === "" || given.includes("\u0000")) {
        return yield* new BadRequest({ message: "path must be a file name" })
      }
      if (given.split(/[\\/]+/).includes("..")) {
        return yield* new BadRequest({ message: `path ${JSON.stringify(given)}: ".." segments are not allowed` })
      }
      const lexical = path.resolve(root, given)
      if (!within(root, lexical)) {
        return yield* new BadRequest({ message: `path ${JSON.stringify(given)} is outside the server's input root` })
      }
      const real = yield* fs.realPath(lexical).pipe(
        Effect.mapError(() =>
          new NotFound({ message: `path ${JSON.stringify(given)}: no such file under the input root` })
        )
      )
      if (!within(root, real)) {
        return yield* new BadRequest({
          message: `path ${JSON.stringify(given)} leads outside the server's input root (through a symbolic link)`
        })
      }
      return real
    })

    /**
     * Reads a confined path as a document. Besides {@link resolve}'s errors,
     * fails with PayloadTooLarge (over `--max-input-bytes`) or InputRefused
     * (a directory, empty, binary, not valid text).
     */
    const read = Effect.fn("InputRoot.read")(function*(given: string) {
      const real = yield* resolve(given)
      return yield* reader.read(real, { encoding: "auto", maxBytes: config.maxInputBytes }).pipe(
        Effect.mapError((e) =>
          e.problem === "too-large"
            ? new PayloadTooLarge({ message: e.message.replace(real, given), maxBytes: config.maxInputBytes })
            : new InputRefused({ message: e.message.replace(real, given), problem: e.problem })
        )
      ) as Effect.Effect<SourceDocument, PayloadTooLarge | InputRefused>
    })

    return { resolve, read } as const
  }),
  dependencies: [DocumentReader.Default]
}) {}

/**
 * `extract view <runId> [--open]`: prints the absolute path of a run's
 * `outputs/viewer.html` on stdout; with `--open`, and stdout a terminal,
 * also hands it to the desktop's opener (`open` on macOS, `xdg-open`
 * elsewhere), detached, so the command returns at once.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import { ViewerNotFound } from "../Domain/Errors.js"
import { ExtractionRunService } from "../Store/ExtractionRunService.js"

/** The program that opens a file with the desktop's default application on `platform` (as `process.platform`). */
export const openerFor = (platform: NodeJS.Platform): string => (platform === "darwin" ? "open" : "xdg-open")

export class RunViewer extends Effect.Service<RunViewer>()("RunViewer", {
  effect: Effect.gen(function*() {
    const store = yield* ExtractionRunService
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path

    /**
     * Absolute path of `runId`'s viewer.html. Fails with UsageError for a
     * malformed id, RunNotFound when there is no such run, ViewerNotFound
     * when the run was made without the `html` format.
     */
    const pathOf = Effect.fn("RunViewer.pathOf")(function*(runId: string) {
      const meta = yield* store.getRun(runId)
      const file = path.resolve(store.runDirOf(runId), "outputs", "viewer.html")
      const exists = yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false))
      if (!exists) {
        return yield* new ViewerNotFound({
          runId,
          message: `run ${runId} has no outputs/viewer.html (formats: ${
            meta.config.formats.join(", ")
          }); run extract --formats ${[...meta.config.formats, "html"].join(",")} on its input`
        })
      }
      return file
    })

    /**
     * Starts `opener file`, detached and ignored (a missing opener is
     * reported on stderr, not failed: the path is already printed).
     */
    const openFile = (file: string, opener: string) =>
      Effect.async<void>((resume) => {
        const child = spawn(opener, [file], { detached: true, stdio: "ignore" })
        child.once("error", (e) => {
          resume(Console.error(`extract: could not run ${opener}: ${e.message}`))
        })
        child.once("spawn", () => {
          child.unref()
          resume(Effect.void)
        })
      })

    /**
     * Prints the path of `runId`'s viewer.html; with `open`, opens it when
     * stdout is a terminal (otherwise says on stderr why it did not).
     * Fails as {@link pathOf}.
     */
    const view = Effect.fn("RunViewer.view")(function*(runId: string, open: boolean) {
      const file = yield* pathOf(runId)
      yield* Console.log(file)
      if (!open) return
      if (!process.stdout.isTTY) {
        return yield* Console.error("extract: --open: stdout is not a terminal, so the viewer was not opened")
      }
      yield* openFile(file, process.env.EXTRACT_OPENER ?? openerFor(process.platform))
    })

    return { pathOf, view } as const
  })
}) {}

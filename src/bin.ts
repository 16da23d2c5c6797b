#!/usr/bin/env node
/**
 * Entry point: wires the layers and runs the CLI. Exit codes are documented
 * in the README ("Exit codes"). Only what every command needs is provided
 * here; a command's own services are loaded and provided by its handler in
 * Cli.ts, so that `--version`, `--help` and `runs list` start fast (issue 14).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { cli } from "./Cli.js"
import { ExitCode, exitCodeOf } from "./Domain/Errors.js"
import { ExitStatus } from "./ExitStatus.js"

let signal: "SIGINT" | "SIGTERM" | undefined
process.once("SIGINT", () => (signal ??= "SIGINT"))
process.once("SIGTERM", () => (signal ??= "SIGTERM"))

// What @effect/cli needs (FileSystem, Path, Terminal), not all of NodeContext: its CommandExecutor and
// WorkerManager load child_process, net and worker_threads at start-up (~25 ms of CPU, issue 14). A command
// that spawns processes or workers provides NodeCommandExecutor.layer / NodeWorker.layerManager in its handler.
const MainLayer = ExitStatus.Default.pipe(
  Layer.provideMerge(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
  // Logs go to stderr: stdout carries results only.
  Layer.provideMerge(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)))
)

const main = Effect.gen(function*() {
  yield* cli(process.argv)
  return yield* (yield* ExitStatus).get
}).pipe(
  Effect.catchAll((error) => {
    const tagged = error as { readonly _tag: string; readonly message?: string }
    // CommandLine.ts already printed the usage error, as one line.
    if (tagged._tag === "ValidationError" || "error" in (error as object)) return Effect.succeed(ExitCode.usage)
    return Console.error(`extract: ${tagged.message ?? String(error)}`).pipe(Effect.as(exitCodeOf(tagged)))
  }),
  Effect.provide(MainLayer)
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  // its pretty logger writes to stdout, and every line would print twice (MainLayer installs ours)
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) return onExit(typeof exit.value === "number" ? exit.value : 0)
    if (Cause.isInterruptedOnly(exit.cause)) {
      return onExit(signal === "SIGTERM" ? ExitCode.sigterm : ExitCode.sigint)
    }
    const failure = Cause.squash(exit.cause)
    process.stderr.write(`extract: internal error: ${failure instanceof Error ? failure.message : String(failure)}\n`)
    onExit(ExitCode.runFailed)
  }
})

/**
 * Errors that reach files (`metadata.json` errors) or users (one line on
 * stderr and an exit code). Each carries a `message` fit to print as is.
 */
import * as Schema from "effect/Schema"
import { LlmUsage } from "./Extraction.js"

/** Why an input was refused. */
export const InputProblem = Schema.Literal(
  "missing",
  "directory",
  "unreadable",
  "empty",
  "binary",
  "encoding",
  "too-large"
)

/** The input document cannot be used. Exit code 4. */
export class InputError extends Schema.TaggedError<InputError>()("InputError", {
  path: Schema.String,
  problem: InputProblem,
  message: Schema.String
}) {}

/** The command line is wrong: unknown flag, invalid value, bad run id. Exit code 2. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

/** No run with that id in the output directory. Exit code 1. */
export class RunNotFound extends Schema.TaggedError<RunNotFound>()("RunNotFound", {
  runId: Schema.String,
  message: Schema.String
}) {}

/** Another live process holds the run's lock and `--no-wait` was given. Exit code 5. */
export class RunLocked extends Schema.TaggedError<RunLocked>()("RunLocked", {
  /** The lock file. */
  path: Schema.String,
  /** Who holds it: "pid N on HOST since TIME". */
  holder: Schema.String,
  message: Schema.String
}) {}

/** Reading or writing the run store failed (disk full, permissions, corrupt file). Exit code 1. */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  operation: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {}

/**
 * The extractor failed on a chunk. A `fatal` error (provider unreachable,
 * key rejected, unknown model) ends the run: exit code 1. A non-fatal one
 * (output still invalid after re-asks, retries exhausted) fails only its
 * chunk: the run goes on and ends `completed` but partial, exit code 3.
 */
export class ExtractionError extends Schema.TaggedError<ExtractionError>()("ExtractionError", {
  chunk: Schema.NullOr(Schema.Int),
  message: Schema.String,
  /** HTTP status from the provider, when there was one. */
  status: Schema.NullOr(Schema.Int),
  /** True (the default) when no other chunk can succeed either, so the run should stop. */
  fatal: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** What the failed attempts cost, when the extractor uses a model. */
  usage: Schema.optionalWith(Schema.NullOr(LlmUsage), { default: () => null })
}) {}

/** A stage failed for a reason other than the above. Exit code 1. */
export class PipelineError extends Schema.TaggedError<PipelineError>()("PipelineError", {
  stage: Schema.String,
  message: Schema.String
}) {}

/** Errors a run of the pipeline can end with. */
export type RunFailure = InputError | StoreError | ExtractionError | PipelineError

/** Documented exit codes (README, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  runFailed: 1,
  usage: 2,
  partial: 3,
  badInput: 4,
  locked: 5,
  sigint: 130,
  sigterm: 143
} as const

/** Exit code for an error that ended a command. */
export const exitCodeOf = (error: { readonly _tag: string }): number => {
  switch (error._tag) {
    case "UsageError":
      return ExitCode.usage
    case "InputError":
      return ExitCode.badInput
    case "RunLocked":
      return ExitCode.locked
    default:
      return ExitCode.runFailed
  }
}

/** The run exists but has no `outputs/viewer.html` (it was run without the `html` format). Exit code 1. */
export class ViewerNotFound extends Schema.TaggedError<ViewerNotFound>()("ViewerNotFound", {
  runId: Schema.String,
  message: Schema.String
}) {}

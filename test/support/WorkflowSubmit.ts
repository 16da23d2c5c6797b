/**
 * A small test entry (run with `node --import tsx`): builds the workflow
 * orchestrator from a JSON spec (argv[2]), submits one batch, prints its
 * `BatchStarted` as one JSON line on stdout, then polls the batch state
 * every 200 ms and prints the final state as one more line. In `single`
 * mode this process is also the engine's runner (as `extract serve` is);
 * in `client` mode it only submits to `extract worker` runners.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import { BatchRequest, BatchStarted, BatchState, DocumentInput, ExtractionOptions } from "../../src/Domain/Workflow.js"
import { DEFAULT_RAW_LLM_SETTINGS } from "../../src/Settings.js"
import { WorkflowOrchestrator } from "../../src/Workflow/WorkflowOrchestrator.js"

/** What the entry is told to do. */
export interface SubmitSpec {
  readonly outputDir: string
  readonly database: string
  readonly mode: "single" | "client"
  readonly baseUrl: string
  readonly concurrency: number
  readonly chunkSize: number
  readonly chunkOverlap: number
  readonly documents: ReadonlyArray<string>
}

const spec = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as SubmitSpec

const main = Effect.gen(function*() {
  const orchestrator = yield* WorkflowOrchestrator
  const started = yield* orchestrator.startBatch(BatchRequest.make({
    documents: spec.documents.map((path) => DocumentInput.make({ text: readFileSync(path, "utf8"), path })),
    options: ExtractionOptions.make({}),
    context: null
  }))
  process.stdout.write(JSON.stringify(Schema.encodeSync(BatchStarted)(started)) + "\n")
  while (true) {
    const state = yield* orchestrator.batchState(started.batchId)
    if (Option.isSome(state) && (state.value._tag === "Complete" || state.value._tag === "Failed")) {
      process.stdout.write(JSON.stringify(Schema.encodeSync(BatchState)(state.value)) + "\n")
      return
    }
    yield* Effect.sleep("200 millis")
  }
}).pipe(
  Effect.provide(Layer.fresh(WorkflowOrchestrator.layer({
    outputDir: spec.outputDir,
    database: spec.database,
    mode: spec.mode,
    settings: {
      files: [],
      outputDir: spec.outputDir,
      extractor: "llm",
      model: Option.none(),
      baseUrl: Option.some(spec.baseUrl),
      chunkSize: spec.chunkSize,
      chunkOverlap: spec.chunkOverlap,
      concurrency: spec.concurrency,
      force: false,
      json: false,
      quiet: true,
      llm: { ...DEFAULT_RAW_LLM_SETTINGS, noCache: true }
    }
  }))),
  Effect.scoped,
  Logger.withMinimumLogLevel(LogLevel.Error)
)

Effect.runPromise(main).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`WorkflowSubmit: ${String(e)}\n`)
    process.exit(1)
  }
)

/**
 * A real `extract serve` HTTP stack on loopback (port 0) in front of a FAKE
 * {@link WorkflowOrchestrator}: `start` writes a run through the real run
 * store (so metadata, outputs and the journal the SSE streams read are the
 * store's own), step by step with `stepMs` between records.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sha256Hex } from "../../../src/Digest.js"
import { SourceDocument } from "../../../src/Domain/Document.js"
import { UsageError } from "../../../src/Domain/Errors.js"
import { RunConfig, RunStats } from "../../../src/Domain/Run.js"
import {
  BatchComplete,
  BatchExtracting,
  type BatchId,
  BatchPending,
  BatchResolving,
  BatchStarted,
  type BatchState,
  BatchStats,
  type ExecutionId,
  ExecutionRunning,
  type ExtractionRequest,
  type RunId,
  RunStarted
} from "../../../src/Domain/Workflow.js"
import { Drain } from "../../../src/Server/Drain.js"
import { serverLayer } from "../../../src/Server/Server.js"
import { DEFAULT_KEEP_ALIVE_MS, type ServeSettings } from "../../../src/Server/ServerConfig.js"
import { DEFAULT_RAW_LLM_SETTINGS, type RawSettings } from "../../../src/Settings.js"
import { ExtractionRunService, RunStoreConfig } from "../../../src/Store/ExtractionRunService.js"
import { WorkflowOrchestrator } from "../../../src/Workflow/WorkflowOrchestrator.js"

export const rawSettings = (outputDir: string): RawSettings => ({
  files: [],
  outputDir,
  extractor: "nlp",
  model: Option.none(),
  baseUrl: Option.none(),
  chunkSize: 1200,
  chunkOverlap: 100,
  concurrency: 4,
  force: false,
  json: false,
  quiet: true,
  llm: DEFAULT_RAW_LLM_SETTINGS
})

/** What the fake engine was asked. */
export interface FakeCalls {
  readonly starts: Array<ExtractionRequest>
  readonly interrupts: Array<string>
  readonly resumes: Array<string>
}

export interface FakeServer {
  readonly url: string
  readonly outputDir: string
  readonly calls: FakeCalls
  /** Starts the server's drain (as SIGTERM does) without stopping it. */
  readonly drain: () => Promise<void>
  readonly close: () => Promise<void>
}

/** Chunks the fake engine "extracts" per run. */
export const FAKE_CHUNKS = 3

const fakeOrchestrator = (outputDir: string, stepMs: number, calls: FakeCalls) =>
  Layer.scoped(
    WorkflowOrchestrator,
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const store = yield* Effect.provide(
        ExtractionRunService,
        ExtractionRunService.Default.pipe(
          Layer.provide(RunStoreConfig.layer(outputDir)),
          Layer.provide(NodeContext.layer)
        )
      )
      const executions = new Map<string, ExecutionId>()
      const batches = new Map<string, BatchState>()
      const step = Effect.sleep(stepMs)
      const runOne = (doc: SourceDocument, config: RunConfig) =>
        Effect.gen(function*() {
          const { runId } = yield* store.createRun(doc, config)
          yield* store.emitEvent(runId, "run.started", { extractor: "nlp", pid: process.pid })
          yield* step
          yield* store.emitEvent(runId, "chunking.complete", { chunkCount: FAKE_CHUNKS, tokens: 30, durationMs: 1 })
          for (let i = 0; i < FAKE_CHUNKS; i++) {
            yield* step
            yield* store.emitEvent(runId, "chunk.extracted", { chunk: i })
          }
          yield* store.emitEvent(runId, "extraction.complete", { mentionCount: 2 })
          yield* step
          yield* store.emitEvent(runId, "resolution.complete", { entityCount: 1 })
          const file = yield* store.saveOutput(runId, {
            type: "knowledge-graph",
            path: "outputs/knowledge-graph.json",
            content: JSON.stringify({ entities: [{ id: "e1", label: doc.text.slice(0, 10) }] }) + "\n"
          })
          yield* store.emitEvent(runId, "rendering.complete", { files: [file.path] })
          yield* store.completeRun(
            runId,
            new RunStats({ chunkCount: FAKE_CHUNKS, mentionCount: 2, entityCount: 1, relationCount: 0, durationMs: 5 })
          )
        })
      const startRun = (request: ExtractionRequest) =>
        Effect.gen(function*() {
          calls.starts.push(request)
          const chunkSize = request.options.chunkSize ?? 1200
          if (chunkSize < 16) {
            return yield* new UsageError({
              message: `--chunk-size must be an integer from 16 to 1000000 tokens, got ${chunkSize}`
            })
          }
          const bytes = Buffer.byteLength(request.document.text)
          const doc = new SourceDocument(
            request.document.text,
            request.document.path,
            bytes,
            sha256Hex(request.document.text),
            "utf-8"
          )
          const config = new RunConfig({
            extractor: "nlp",
            model: null,
            baseUrl: null,
            chunkSize,
            chunkOverlap: 10,
            tokenizer: "o200k_base",
            concurrency: 2
          })
          const executionId = `exec-${doc.runId}` as ExecutionId
          executions.set(doc.runId, executionId)
          yield* Effect.forkIn(runOne(doc, config).pipe(Effect.orDie), scope)
          return new RunStarted({ runId: doc.runId as RunId, executionId, runDir: store.runDirOf(doc.runId) })
        })
      return WorkflowOrchestrator.of({
        start: startRun,
        startAndWait: () => Effect.die("not faked"),
        poll: () => Effect.succeed(new ExecutionRunning()),
        interrupt: (id) => Effect.sync(() => void calls.interrupts.push(id)),
        resume: (id) => Effect.sync(() => void calls.resumes.push(id)),
        executionOf: (runId) => Effect.succeed(Option.fromNullable(executions.get(runId))),
        startBatch: (request) =>
          Effect.gen(function*() {
            const started = yield* Effect.forEach(
              request.documents,
              (document) => startRun({ ...request, document } as unknown as ExtractionRequest)
            )
            const batchId = `batch-${sha256Hex(started.map((s) => s.runId).join()).slice(0, 12)}` as BatchId
            batches.set(batchId, new BatchPending())
            // the fake batch advances one document per step
            yield* Effect.forkIn(
              Effect.gen(function*() {
                for (let done = 0; done <= started.length; done++) {
                  yield* step
                  batches.set(batchId, new BatchExtracting({ done, total: started.length }))
                }
                yield* step
                batches.set(batchId, new BatchResolving())
                yield* step
                batches.set(
                  batchId,
                  new BatchComplete({
                    stats: new BatchStats({
                      documents: started.length,
                      completed: started.length,
                      failed: 0,
                      partial: 0,
                      entityCount: started.length,
                      relationCount: 0,
                      durationMs: 1,
                      runs: []
                    })
                  })
                )
              }),
              scope
            )
            return new BatchStarted({
              batchId,
              executionId: `exec-${batchId}` as ExecutionId,
              runIds: started.map((s) => s.runId)
            })
          }),
        batchState: (batchId) => Effect.succeed(Option.fromNullable(batches.get(batchId)))
      })
    })
  )

/**
 * Starts a served API on `host` (default 127.0.0.1), port 0, over a fresh
 * output directory and the fake engine. `connectHost` is where tests
 * connect (127.0.0.1 for any loopback bind).
 */
export const startFakeServer = async (
  options: Partial<Omit<ServeSettings, "settings" | "outputDir">> & { readonly stepMs?: number } = {}
): Promise<FakeServer> => {
  const outputDir = mkdtempSync(join(tmpdir(), "extract-server-"))
  const calls: FakeCalls = { starts: [], interrupts: [], resumes: [] }
  const settings: ServeSettings = {
    host: "127.0.0.1",
    port: 0,
    outputDir,
    database: undefined,
    inputRoot: null,
    token: null,
    maxInputBytes: 64 * 1024,
    drainTimeoutMs: 0,
    keepAliveMs: DEFAULT_KEEP_ALIVE_MS,
    pollMs: 50,
    ...options,
    settings: rawSettings(outputDir)
  }
  const scope = Effect.runSync(Scope.make())
  const layer = serverLayer(settings).pipe(
    Layer.provide(fakeOrchestrator(outputDir, options.stepMs ?? 20, calls)),
    Layer.provide(NodeContext.layer)
  )
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const address = Effect.runSync(Effect.provide(HttpServer.HttpServer, context)).address
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  const url = `http://127.0.0.1:${address.port}`
  return {
    url,
    outputDir,
    calls,
    drain: () =>
      Effect.runPromise(Effect.asVoid(Effect.flatMap(Drain, (d) => d.drain(0, 10)).pipe(Effect.provide(context)))),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/**
 * The extraction workflow on SQLite, in process, with the embedded nlp
 * extractor: the run directory it writes holds the same bytes as the one
 * `extract` writes for the same document and config (inputs, chunks,
 * extractions, outputs), its events follow the CLI's order, and the same
 * request again joins the finished execution instead of running twice.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DEFAULT_CHUNK_OVERLAP } from "../../src/Chunker.js"
import { DocumentInput, ExtractionOptions, ExtractionRequest } from "../../src/Domain/Workflow.js"
import type { RawSettings } from "../../src/Settings.js"
import { WorkflowOrchestrator } from "../../src/Workflow/WorkflowOrchestrator.js"
import { runCli } from "../support/Cli.js"
import { paragraphs } from "../support/Documents.js"
import { resultFiles, sha } from "../support/RunFiles.js"

/** `extract`'s own defaults, as the CLI declares them, for the nlp extractor. */
const nlpSettings = (outputDir: string, chunkSize: number): RawSettings => ({
  files: [],
  outputDir,
  extractor: "nlp",
  model: Option.none(),
  baseUrl: Option.none(),
  chunkSize,
  chunkOverlap: Math.min(DEFAULT_CHUNK_OVERLAP, Math.floor(chunkSize / 4)),
  concurrency: 4,
  force: false,
  json: false,
  quiet: true
})

describe("ExtractionWorkflow", () => {
  it.live("writes the same run directory as extract, and joins a finished execution", () =>
    Effect.gen(function*() {
      const root = mkdtempSync(join(tmpdir(), "extract-wf-"))
      const text = paragraphs(12)
      const file = join(root, "doc.txt")
      writeFileSync(file, text)
      const settings = nlpSettings(join(root, "engine"), 64)

      const cli = yield* Effect.promise(() =>
        runCli([
          "--extractor",
          "nlp",
          "--chunk-size",
          "64",
          "--chunk-overlap",
          String(settings.chunkOverlap),
          "-q",
          "-o",
          join(root, "cli"),
          file
        ])
      )
      expect(cli.code, cli.stderr).toBe(0)
      const [cliRunId, cliRunDir] = cli.stdout.trim().split("\t")

      const request = ExtractionRequest.make({
        document: DocumentInput.make({ text, path: file }),
        options: ExtractionOptions.make({}),
        context: null
      })
      const { again, result } = yield* Effect.gen(function*() {
        const orchestrator = yield* WorkflowOrchestrator
        const result = yield* orchestrator.startAndWait(request)
        const again = yield* orchestrator.start(request)
        const state = yield* orchestrator.poll(again.executionId)
        return { result, again: { ...again, state } }
      }).pipe(
        Effect.provide(Layer.fresh(WorkflowOrchestrator.layer({
          outputDir: join(root, "engine"),
          database: `sqlite:${join(root, "engine", "extract.db")}`,
          settings
        }))),
        Effect.scoped
      )

      expect(result.status).toBe("completed")
      expect(result.runId).toBe(cliRunId)
      expect(result.stats.chunkCount).toBeGreaterThan(3)
      // the same request joins the finished execution: same id, its stored result
      expect(again.runId).toBe(result.runId)
      expect(again.state._tag).toBe("Done")

      const cliFiles = resultFiles(cliRunDir!)
      const engineFiles = resultFiles(result.runDir)
      expect(engineFiles).toEqual(cliFiles)
      expect(cliFiles.filter((f) => f.startsWith("extractions/")).length).toBe(result.stats.chunkCount)
      for (const f of cliFiles) expect(sha(join(result.runDir, f)), f).toBe(sha(join(cliRunDir!, f)))

      const metadata = JSON.parse(readFileSync(join(result.runDir, "metadata.json"), "utf8"))
      const cliMetadata = JSON.parse(readFileSync(join(cliRunDir!, "metadata.json"), "utf8"))
      expect(metadata.status).toBe("completed")
      expect(metadata.outputs).toEqual(cliMetadata.outputs)
      expect(metadata.config).toEqual(cliMetadata.config)
      // the stage events in the CLI's order; the per-chunk events the same set (extract streams, so its
      // first chunk.extracted come before chunking.complete, while the workflow chunks first)
      type Events = { events: Array<{ type: string; data: { chunk?: number } }> }
      const types = (m: Events) => m.events.map((e) => e.type).filter((t) => t !== "chunk.extracted")
      const perChunk = (m: Events) =>
        m.events.filter((e) => e.type === "chunk.extracted").map((e) => e.data.chunk!).sort((a, b) => a - b)
      expect(types(metadata)).toEqual(types(cliMetadata))
      expect(perChunk(metadata)).toEqual(Array.from({ length: result.stats.chunkCount }, (_, i) => i))
      expect(perChunk(cliMetadata)).toEqual(perChunk(metadata))
      const started = metadata.events.find((e: { type: string }) => e.type === "run.started")
      expect(started.data.pid).toBe(process.pid)
      expect(started.data.executionId).toBe(again.executionId)
    }), 120_000)
})

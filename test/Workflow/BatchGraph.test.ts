/**
 * Batches and runs with a context, on the workflow engine (SQLite, in
 * process, the nlp extractor): the completed runs join the context graph
 * through the same Graph call as `extract --context`, so the context's
 * `graph.jsonl` holds the same bytes as the CLI's for the same documents in
 * the same order; adding again (another batch over the same runs, as a
 * resumed `batch/graph` activity would) appends nothing; a single run with
 * a context joins its graph too.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  type BatchId,
  BatchRequest,
  DocumentInput,
  ExtractionOptions,
  ExtractionRequest
} from "../../src/Domain/Workflow.js"
import type { RawSettings } from "../../src/Settings.js"
import { WorkflowOrchestrator } from "../../src/Workflow/WorkflowOrchestrator.js"
import { runCli } from "../support/Cli.js"

const NAMES = ["Ada Lovelace", "Charles Babbage", "Mary Somerville", "Michael Faraday"]

/** The records of a context's log, by tag. */
const logTags = (outputDir: string, context: string) =>
  readFileSync(join(outputDir, "graphs", context, "log.jsonl"), "utf8").trim().split("\n").map((l) =>
    (JSON.parse(l) as { record: { _tag: string; runId?: string } }).record
  )

describe("BatchWorkflow with a context", () => {
  it.live("adds the completed runs to the context graph as extract --context does, once", () =>
    Effect.gen(function*() {
      const root = mkdtempSync(join(tmpdir(), "extract-batch-graph-"))
      // every document names Ada Lovelace: the graph merges her across documents
      const files = NAMES.slice(1).map((other, i) => {
        const file = join(root, `letter-${i}.txt`)
        writeFileSync(
          file,
          `Ada Lovelace met ${other} in London in 18${40 + i}.\n\n${other} wrote to Ada Lovelace from Paris.\n`
        )
        return file
      })
      const cli = yield* Effect.promise(() =>
        runCli(["-o", join(root, "cli"), "--extractor", "nlp", "-q", "--context", "letters", ...files])
      )
      expect(cli.code, cli.stderr).toBe(0)

      const outputDir = join(root, "engine")
      const settings: RawSettings = {
        files: [],
        outputDir,
        extractor: "nlp",
        model: Option.none(),
        baseUrl: Option.none(),
        chunkSize: 600,
        chunkOverlap: 64,
        concurrency: 4,
        force: false,
        json: false,
        quiet: true
      }
      const documents = files.map((path) => DocumentInput.make({ text: readFileSync(path, "utf8"), path }))
      const waitFor = (batchId: BatchId) =>
        Effect.gen(function*() {
          const orchestrator = yield* WorkflowOrchestrator
          const seen = new Set<string>()
          while (true) {
            const state = yield* orchestrator.batchState(batchId)
            if (Option.isSome(state)) {
              seen.add(state.value._tag)
              if (state.value._tag === "Complete" || state.value._tag === "Failed") return { state: state.value, seen }
            }
            yield* Effect.sleep("20 millis")
          }
        })
      const { again, first, single } = yield* Effect.gen(function*() {
        const orchestrator = yield* WorkflowOrchestrator
        const started = yield* orchestrator.startBatch(BatchRequest.make({
          documents,
          options: ExtractionOptions.make({}),
          context: "letters"
        }))
        const first = yield* waitFor(started.batchId)
        // another batch over two of the same runs, in another order: nothing is appended twice
        const other = yield* orchestrator.startBatch(BatchRequest.make({
          documents: [documents[1]!, documents[0]!],
          options: ExtractionOptions.make({}),
          context: "letters"
        }))
        expect(other.batchId).not.toBe(started.batchId)
        const again = yield* waitFor(other.batchId)
        // a single run with a context joins that context's graph
        const single = yield* orchestrator.startAndWait(ExtractionRequest.make({
          document: documents[2]!,
          options: ExtractionOptions.make({}),
          context: "solo"
        }))
        // a context name extract --context would refuse is refused before anything starts
        const refused = yield* Effect.flip(orchestrator.startBatch(BatchRequest.make({
          documents,
          options: ExtractionOptions.make({}),
          context: "Not A Name"
        })))
        expect(refused._tag).toBe("UsageError")
        expect(refused.message).toMatch(/invalid context name "Not A Name"/)
        return { again, first, single }
      }).pipe(
        Effect.provide(Layer.fresh(WorkflowOrchestrator.layer({
          outputDir,
          database: `sqlite:${join(outputDir, "extract.db")}`,
          settings
        }))),
        Effect.scoped
      )

      expect(first.state._tag).toBe("Complete")
      if (first.state._tag !== "Complete") return
      expect(first.state.stats.completed).toBe(3)
      expect(first.state.stats.graph).toMatchObject({
        context: "letters",
        added: 3,
        replaced: 0,
        unchanged: 0,
        failed: [],
        error: null
      })
      // the same documents in the same order: the same graph, byte for byte, as extract --context
      const graphOf = (dir: string, context: string) =>
        readFileSync(join(dir, "graphs", context, "graph.jsonl"), "utf8")
      expect(graphOf(outputDir, "letters")).toBe(graphOf(join(root, "cli"), "letters"))
      expect(graphOf(outputDir, "letters")).toContain("Ada Lovelace")

      expect(again.state._tag).toBe("Complete")
      if (again.state._tag !== "Complete") return
      expect(again.state.stats.graph).toMatchObject({ added: 0, unchanged: 2, failed: [] })
      const added = logTags(outputDir, "letters").filter((r) => r._tag === "run.added")
      expect(added.map((r) => r.runId).sort()).toEqual(first.state.stats.runs.map((r) => r.runId).sort())

      expect(single.status).toBe("completed")
      expect(logTags(outputDir, "solo").filter((r) => r._tag === "run.added").map((r) => r.runId)).toEqual([
        single.runId
      ])
    }), 120_000)
})

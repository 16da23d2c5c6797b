/**
 * The run store: every run of the pipeline lives in
 * `<output-dir>/runs/<runId>/` with its input, chunks, per-chunk extraction
 * results, outputs and `metadata.json` (status, config, stats, output
 * checksums, and the audit trail of events and errors).
 *
 * Guarantees: every file is replaced atomically ({@link writeFileAtomic});
 * `metadata.json` updates within a process are serialised and never lose an
 * event; run ids are validated before they reach the filesystem.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { writeFileAtomic } from "./AtomicFile.js"
import { sha256Hex } from "./Digest.js"
import type { Chunk } from "./Domain/Chunk.js"
import { RUN_ID_PATTERN, type SourceDocument } from "./Domain/Document.js"
import { RunNotFound, StoreError, UsageError } from "./Domain/Errors.js"
import { ChunkExtraction } from "./Domain/Extraction.js"
import {
  emptyStats,
  METADATA_SCHEMA_VERSION,
  OutputFile,
  type RunConfig,
  RunError,
  RunEvent,
  RunMetadata,
  RunStats
} from "./Domain/Run.js"

/** Where the store keeps its runs. */
export class RunStoreConfig extends Context.Tag("RunStoreConfig")<RunStoreConfig, {
  /** The output directory (`--output-dir`); runs live in its `runs/` folder. */
  readonly outputDir: string
}>() {
  static layer = (outputDir: string) => Layer.succeed(RunStoreConfig, { outputDir })
}

/** A file to write under a run directory. */
export interface OutputContent {
  /** Output kind, e.g. `knowledge-graph`. */
  readonly type: string
  /** Path relative to the run directory, `/`-separated, e.g. `outputs/knowledge-graph.json`. */
  readonly path: string
  readonly content: string
}

/** What createRun found and did. */
export interface RunHandle {
  readonly runId: string
  /** Absolute path of the run directory. */
  readonly runDir: string
  /** Metadata as it was before this call, if the run existed. */
  readonly previous: Option.Option<RunMetadata>
}

const MetadataJson = Schema.parseJson(RunMetadata)
const decodeMetadata = Schema.decodeUnknownEither(MetadataJson)
const encodeMetadata = Schema.encodeSync(RunMetadata)
const ChunkExtractionJson = Schema.parseJson(ChunkExtraction)

const storeError = (operation: string, path: string) => (cause: { readonly message: string }) =>
  new StoreError({ operation, path, message: `${operation} ${path}: ${cause.message}` })

export class ExtractionRunService extends Effect.Service<ExtractionRunService>()("ExtractionRunService", {
  effect: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const { outputDir } = yield* RunStoreConfig
    const runsDir = path.resolve(outputDir, "runs")

    /** In-memory metadata of the runs this process writes, and a lock serialising their writes. */
    const live = new Map<string, { metadata: RunMetadata; dirty: boolean; lock: Effect.Semaphore }>()
    let lastTimestamp = 0

    /** ISO-8601 timestamp, strictly increasing within the process so events sort in emission order. */
    const now = Effect.map(Clock.currentTimeMillis, (ms) => {
      lastTimestamp = Math.max(ms, lastTimestamp + 1)
      return new Date(lastTimestamp).toISOString()
    })

    const validateRunId = (runId: string) =>
      RUN_ID_PATTERN.test(runId)
        ? Effect.succeed(runId)
        : Effect.fail(new UsageError({ message: `invalid run id "${runId}": expected doc- and 12 hex digits` }))

    const runDirOf = (runId: string) => path.join(runsDir, runId)
    const metadataPath = (runId: string) => path.join(runDirOf(runId), "metadata.json")

    const write = (file: string, content: string | Uint8Array) =>
      Effect.gen(function*() {
        yield* fs.makeDirectory(path.dirname(file), { recursive: true })
        yield* writeFileAtomic(file, content)
      }).pipe(
        Effect.provideService(FileSystem.FileSystem, fs),
        Effect.provideService(Path.Path, path),
        Effect.mapError(storeError("write", file))
      )

    const readMetadata = (runId: string) =>
      Effect.gen(function*() {
        const file = metadataPath(runId)
        const text = yield* fs.readFileString(file).pipe(
          Effect.catchIf(
            (e) => e._tag === "SystemError" && e.reason === "NotFound",
            () => Effect.fail(new RunNotFound({ runId, message: `no run ${runId} in ${outputDir}` }))
          ),
          Effect.mapError((e) => e._tag === "RunNotFound" ? e : storeError("read", file)(e))
        )
        const decoded = decodeMetadata(text)
        if (decoded._tag === "Left") {
          return yield* new StoreError({
            operation: "read",
            path: file,
            message: `${file} is not valid run metadata: ${decoded.left.message.split("\n")[0]}`
          })
        }
        return decoded.right
      })

    /** Writes the in-memory metadata of a live run if it changed; serialised per run. */
    const flush = (runId: string) => {
      const state = live.get(runId)
      if (!state) return Effect.void
      return state.lock.withPermits(1)(
        Effect.suspend(() => {
          if (!state.dirty) return Effect.void
          state.dirty = false
          const json = JSON.stringify(encodeMetadata(state.metadata), null, 2) + "\n"
          return write(metadataPath(runId), json).pipe(Effect.tapError(() => Effect.sync(() => (state.dirty = true))))
        })
      )
    }

    /** Applies `f` to a live run's metadata and persists it. */
    const update = (runId: string, f: (m: RunMetadata, timestamp: string) => RunMetadata) =>
      Effect.gen(function*() {
        const state = live.get(runId)
        if (!state) return yield* new StoreError({ operation: "update", path: metadataPath(runId), message: `run ${runId} is not open in this process` })
        const timestamp = yield* now
        state.metadata = new RunMetadata({ ...f(state.metadata, timestamp), updatedAt: timestamp }, { disableValidation: true })
        state.dirty = true
        yield* flush(runId)
      })

    /**
     * Opens the run for `document`, creating its directory and
     * `input/document.txt` if new, and marks it `running`. An existing run
     * keeps its events and errors. Records `run.created` for a new run.
     *
     * @returns the run's id and directory, and its previous metadata if it existed
     * @throws StoreError when the directory or files cannot be written
     */
    const createRun = Effect.fn("ExtractionRunService.createRun")(function*(document: SourceDocument, config: RunConfig) {
      const runId = document.runId
      const runDir = runDirOf(runId)
      const previous = yield* readMetadata(runId).pipe(
        Effect.map(Option.some),
        Effect.catchTag("RunNotFound", () => Effect.succeedNone)
      )
      const timestamp = yield* now
      const base = Option.match(previous, {
        onNone: () =>
          new RunMetadata({
            schemaVersion: METADATA_SCHEMA_VERSION,
            runId,
            status: "running",
            createdAt: timestamp,
            updatedAt: timestamp,
            completedAt: null,
            input: { path: document.path, bytes: document.bytes, sha256: document.sha256, encoding: document.encoding },
            config,
            stats: emptyStats(),
            outputs: [],
            events: [new RunEvent({ timestamp, type: "run.created", data: { runId, input: document.path, bytes: document.bytes } })],
            errors: []
          }),
        onSome: (m) =>
          new RunMetadata({
            ...m,
            status: "running",
            updatedAt: timestamp,
            completedAt: null,
            input: { path: document.path, bytes: document.bytes, sha256: document.sha256, encoding: document.encoding },
            config
          })
      })
      const documentFile = path.join(runDir, "input", "document.txt")
      if (Option.isNone(previous) || !(yield* fs.exists(documentFile).pipe(Effect.orElseSucceed(() => false)))) {
        yield* write(documentFile, document.text)
      }
      live.set(runId, { metadata: base, dirty: true, lock: yield* Effect.makeSemaphore(1) })
      yield* flush(runId)
      return { runId, runDir, previous } satisfies RunHandle
    })

    /**
     * Writes every chunk's text to `input/chunks/chunk-<N>.txt` and removes
     * chunk files left from an earlier run with more chunks.
     */
    const saveChunks = Effect.fn("ExtractionRunService.saveChunks")(function*(runId: string, chunks: ReadonlyArray<Chunk>) {
      const dir = path.join(runDirOf(runId), "input", "chunks")
      yield* fs.makeDirectory(dir, { recursive: true }).pipe(Effect.mapError(storeError("mkdir", dir)))
      const keep = new Set(chunks.map((c) => `chunk-${c.index}.txt`))
      const existing = yield* fs.readDirectory(dir).pipe(Effect.mapError(storeError("list", dir)))
      yield* Effect.forEach(existing.filter((f) => !keep.has(f)), (f) => fs.remove(path.join(dir, f)).pipe(Effect.ignore))
      yield* Effect.forEach(chunks, (c) => saveChunk(runId, c), { concurrency: 8, discard: true })
    })

    /** Writes one chunk's text to `input/chunks/chunk-<N>.txt`. */
    const saveChunk = (runId: string, chunk: Chunk) =>
      write(path.join(runDirOf(runId), "input", "chunks", `chunk-${chunk.index}.txt`), chunk.span.text)

    /** Persists one chunk's extraction result to `extractions/chunk-<N>.json` (used to resume and re-render). */
    const saveExtraction = Effect.fn("ExtractionRunService.saveExtraction")(function*(runId: string, extraction: ChunkExtraction) {
      const file = path.join(runDirOf(runId), "extractions", `chunk-${extraction.chunk}.json`)
      yield* write(file, Schema.encodeSync(ChunkExtractionJson)(extraction))
    })

    /** The stored extraction result of a chunk, if there is a valid one. */
    const loadExtraction = Effect.fn("ExtractionRunService.loadExtraction")(function*(runId: string, chunk: number) {
      const file = path.join(runDirOf(runId), "extractions", `chunk-${chunk}.json`)
      return yield* fs.readFileString(file).pipe(
        Effect.flatMap(Schema.decodeUnknown(ChunkExtractionJson)),
        Effect.option
      )
    })

    /**
     * Writes an output file and records it (type, path, SHA-256, bytes) in
     * `metadata.json`, replacing any earlier record for the same path.
     */
    const saveOutput = Effect.fn("ExtractionRunService.saveOutput")(function*(runId: string, output: OutputContent) {
      const bytes = new TextEncoder().encode(output.content)
      yield* write(path.join(runDirOf(runId), ...output.path.split("/")), bytes)
      const record = new OutputFile({ type: output.type, path: output.path, sha256: sha256Hex(bytes), bytes: bytes.length })
      yield* update(runId, (m) => new RunMetadata({ ...m, outputs: [...m.outputs.filter((o) => o.path !== output.path), record] }, { disableValidation: true }))
      return record
    })

    // --- outputs (issue 5) ---
    /**
     * Deletes the output files recorded for the run whose paths are not in
     * `keep` (left by an earlier run with other `--formats`) and drops their
     * records from `metadata.json`; folders below `outputs/` left empty are
     * removed too. Files already gone are fine.
     *
     * @returns the paths removed
     */
    const pruneOutputs = Effect.fn("ExtractionRunService.pruneOutputs")(function*(runId: string, keep: ReadonlyArray<string>) {
      const kept = new Set(keep)
      const stale = (live.get(runId)?.metadata.outputs ?? []).filter((o) => !kept.has(o.path)).map((o) => o.path)
      if (stale.length === 0) return stale
      for (const p of stale) {
        const file = path.join(runDirOf(runId), ...p.split("/"))
        yield* fs.remove(file).pipe(
          Effect.catchIf((e) => e._tag === "SystemError" && e.reason === "NotFound", () => Effect.void),
          Effect.mapError(storeError("remove", file))
        )
      }
      // Folders such as outputs/neo4j/ that are left empty go too.
      const folders = [...new Set(stale.map((p) => p.split("/").slice(0, -1).join("/")).filter((d) => d.includes("/")))]
      for (const d of folders.sort().reverse()) {
        const dir = path.join(runDirOf(runId), ...d.split("/"))
        const left = yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed(() => ["?"]))
        if (left.length === 0) yield* fs.remove(dir, { recursive: true }).pipe(Effect.ignore)
      }
      yield* update(runId, (m) => new RunMetadata({ ...m, outputs: m.outputs.filter((o) => kept.has(o.path)) }, { disableValidation: true }))
      return stale
    })

    /** Appends an audit event `{timestamp, type, data}` to the run's metadata. */
    const emitEvent = Effect.fn("ExtractionRunService.emitEvent")(function*(runId: string, type: string, data: Record<string, unknown> = {}) {
      yield* update(runId, (m, timestamp) => new RunMetadata({ ...m, events: [...m.events, new RunEvent({ timestamp, type, data })] }, { disableValidation: true }))
    })

    /** Appends an error `{timestamp, type, message, context}` to the run's metadata. */
    const emitError = Effect.fn("ExtractionRunService.emitError")(function*(runId: string, type: string, message: string, context: Record<string, unknown> = {}) {
      yield* update(runId, (m, timestamp) => new RunMetadata({ ...m, errors: [...m.errors, new RunError({ timestamp, type, message, context })] }, { disableValidation: true }))
    })

    /** Marks the run `completed` with its final stats and records `run.completed`. */
    const completeRun = Effect.fn("ExtractionRunService.completeRun")(function*(runId: string, stats: RunStats, data: Record<string, unknown> = {}) {
      yield* update(runId, (m, timestamp) =>
        new RunMetadata({
          ...m,
          status: "completed",
          completedAt: timestamp,
          stats,
          events: [...m.events, new RunEvent({ timestamp, type: "run.completed", data: { ...data, stats: Schema.encodeSync(RunStats)(stats) } })]
        }, { disableValidation: true })
      )
      live.delete(runId)
    })

    /** Marks the run `failed`, records the error and `run.failed`. */
    const failRun = Effect.fn("ExtractionRunService.failRun")(function*(runId: string, error: { readonly _tag: string; readonly message: string }, stats?: RunStats) {
      yield* update(runId, (m, timestamp) =>
        new RunMetadata({
          ...m,
          status: "failed",
          ...(stats ? { stats } : {}),
          errors: [...m.errors, new RunError({ timestamp, type: error._tag, message: error.message, context: {} })],
          events: [...m.events, new RunEvent({ timestamp, type: "run.failed", data: { error: error.message } })]
        }, { disableValidation: true })
      )
      live.delete(runId)
    })

    /** Marks the run `interrupted` and records `run.interrupted` with what was done. */
    const interruptRun = Effect.fn("ExtractionRunService.interruptRun")(function*(runId: string, data: Record<string, unknown>) {
      yield* update(runId, (m, timestamp) =>
        new RunMetadata({
          ...m,
          status: "interrupted",
          events: [...m.events, new RunEvent({ timestamp, type: "run.interrupted", data })]
        }, { disableValidation: true })
      )
      live.delete(runId)
    })

    /**
     * Metadata of a run. Fails with UsageError for a malformed id,
     * RunNotFound when there is no such run, StoreError when its
     * metadata cannot be read.
     */
    const getRun = Effect.fn("ExtractionRunService.getRun")(function*(runId: string) {
      yield* validateRunId(runId)
      const state = live.get(runId)
      return state ? state.metadata : yield* readMetadata(runId)
    })

    /** Metadata of every run in the output directory, oldest first; unreadable runs are skipped. */
    const listRuns = Effect.fn("ExtractionRunService.listRuns")(function*() {
      const names = yield* fs.readDirectory(runsDir).pipe(
        Effect.catchIf((e) => e._tag === "SystemError" && e.reason === "NotFound", () => Effect.succeed([] as Array<string>)),
        Effect.mapError(storeError("list", runsDir))
      )
      const runs = yield* Effect.forEach(
        names.filter((n) => RUN_ID_PATTERN.test(n)).sort(),
        (n) => readMetadata(n).pipe(Effect.option),
        { concurrency: 8 }
      )
      return runs
        .flatMap((r) => (Option.isSome(r) ? [r.value] : []))
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    })

    /** Content of a run's output of the given type (e.g. `knowledge-graph`). */
    const getOutput = Effect.fn("ExtractionRunService.getOutput")(function*(runId: string, type: string) {
      const run = yield* getRun(runId)
      const output = run.outputs.find((o) => o.type === type)
      if (!output) return yield* new RunNotFound({ runId, message: `run ${runId} has no ${type} output` })
      const file = path.join(runDirOf(runId), ...output.path.split("/"))
      return yield* fs.readFileString(file).pipe(Effect.mapError(storeError("read", file)))
    })

    /** The run's events, in timestamp order. */
    const getRunTimeline = Effect.fn("ExtractionRunService.getRunTimeline")(function*(runId: string) {
      const run = yield* getRun(runId)
      return [...run.events].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))
    })

    return {
      outputDir,
      runDirOf,
      validateRunId,
      createRun,
      saveChunks,
      saveChunk,
      saveExtraction,
      loadExtraction,
      saveOutput,
      pruneOutputs,
      emitEvent,
      emitError,
      completeRun,
      failRun,
      interruptRun,
      getRun,
      listRuns,
      getOutput,
      getRunTimeline
    } as const
  })
}) {}


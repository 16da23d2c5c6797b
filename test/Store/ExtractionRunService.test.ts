import * as NodeContext from "@effect/platform-node/NodeContext"
import { SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { RunConfig, RunStats } from "../../src/Domain/Run.js"
import { ExtractionRunService, RunStoreConfig } from "../../src/Store/ExtractionRunService.js"
import { documentOf } from "../support/GoldenRun.js"

const config = new RunConfig({
  extractor: "nlp",
  model: null,
  baseUrl: null,
  chunkSize: 100,
  chunkOverlap: 10,
  tokenizer: "o200k_base",
  concurrency: 2
})
const stats = new RunStats({
  chunkCount: 1,
  mentionCount: 2,
  entityCount: 1,
  relationCount: 0,
  durationMs: 5,
  ungrounded: 0
})
const docOf = (text: string) => documentOf(text, "doc.txt")
type StoreOptions = Parameters<typeof RunStoreConfig.layer>[1]
const storeIn = (dir: string, options: StoreOptions = {}) =>
  ExtractionRunService.Default.pipe(Layer.provide(RunStoreConfig.layer(dir, options)), Layer.provide(NodeContext.layer))
/** A second, independent store on the same directory: what another process would see. */
const otherStore = <A, E>(
  dir: string,
  f: (store: ExtractionRunService) => Effect.Effect<A, E>,
  options: StoreOptions = {}
) => Effect.flatMap(ExtractionRunService, f).pipe(Effect.provide(storeIn(dir, options)))
const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"))
/** The pid of a process that has exited. */
const deadPid = () =>
  spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout.trim()
const lockRecord = (pid: number | string, host = hostname()) =>
  JSON.stringify({
    pid: Number(pid),
    host,
    startedAt: "2026-01-01T00:00:00.000Z",
    processStart: null,
    token: "0123456789abcdef01234567"
  })

describe("ExtractionRunService", () => {
  it.effect("creates the run directory with the document, records events and outputs, and completes", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const doc = docOf("Ada Lovelace 😀 wrote notes.\n")
      const handle = yield* store.createRun(doc, config)
      expect(handle.runId).toBe(`doc-${doc.sha256.slice(0, 12)}`)
      expect(Option.isNone(handle.previous)).toBe(true)
      expect(readFileSync(join(handle.runDir, "input", "document.txt"), "utf8")).toBe(doc.text)
      // the run is locked by this process while it is open
      expect(readJson(join(handle.runDir, ".lock")).pid).toBe(process.pid)
      yield* store.emitEvent(handle.runId, "chunking.complete", { chunkCount: 1 })
      const out = yield* store.saveOutput(handle.runId, {
        type: "knowledge-graph",
        path: "outputs/knowledge-graph.json",
        content: "{}\n"
      })
      expect(out).toMatchObject({ bytes: 3, sha256: createHash("sha256").update("{}\n").digest("hex") })
      yield* store.emitError(handle.runId, "test.error", "something", { chunk: 1 })
      yield* store.completeRun(handle.runId, stats)
      const meta = readJson(join(handle.runDir, "metadata.json"))
      expect(meta.status).toBe("completed")
      expect(meta.events.map((e: any) => e.type)).toEqual(["run.created", "chunking.complete", "run.completed"])
      expect(meta.errors[0]).toMatchObject({ type: "test.error", message: "something", context: { chunk: 1 } })
      expect(meta.outputs).toHaveLength(1)
      expect(meta.stats.entityCount).toBe(1)
      expect(meta.input.textSha256).toBe(createHash("sha256").update(doc.text).digest("hex"))
      const timeline = yield* store.getRunTimeline(handle.runId)
      expect(timeline.map((e) => e.timestamp)).toEqual([...timeline.map((e) => e.timestamp)].sort())
      const runs = yield* store.listRuns()
      expect(runs.map((r) => r.runId)).toEqual([handle.runId])
      expect(yield* store.getOutput(handle.runId, "knowledge-graph")).toBe("{}\n")
      // lock released, no temporary files left behind
      expect(readdirSync(handle.runDir).filter((f) => f.endsWith(".tmp") || f.startsWith(".lock"))).toEqual([])
    }).pipe(Effect.provide(storeIn(dir)))
  })

  it.effect("keeps every event and error emitted concurrently by many fibers, each on disk before the call returns", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const { runDir, runId } = yield* store.createRun(docOf("concurrent"), config)
      yield* Effect.forEach(
        Array.from({ length: 300 }, (_, i) => i),
        (
          i
        ) => (i % 3 === 0
          ? store.emitError(runId, "test.error", `e${i}`, { i })
          : store.emitEvent(runId, "test.event", { i })),
        { concurrency: 50 }
      )
      // Before the run ends, another reader (another process) sees all of them: snapshot + journal.
      const seen = yield* otherStore(dir, (s) => s.getRun(runId))
      const events = seen.events.filter((e) => e.type === "test.event").map((e) => e.data.i as number)
      const errors = seen.errors.map((e) => e.context.i as number)
      expect([...events, ...errors].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i))
      // timestamps strictly increase in recorded order
      const stamps = seen.events.map((e) => e.timestamp)
      expect(new Set(stamps).size).toBe(stamps.length)
      expect(stamps).toEqual([...stamps].sort())
      yield* store.completeRun(runId, stats)
      const meta = readJson(join(runDir, "metadata.json"))
      expect(meta.events.filter((e: any) => e.type === "test.event")).toHaveLength(200)
      expect(meta.errors).toHaveLength(100)
      // group commit: far fewer journal appends than records is not observable here, but every record is one line
      const lines = readFileSync(join(runDir, "journal.jsonl"), "utf8").trim().split("\n")
      expect(lines.map((l) => JSON.parse(l).seq)).toEqual(Array.from({ length: lines.length }, (_, i) => i + 1))
    }).pipe(Effect.provide(storeIn(dir)))
  })

  it.effect("rebuilds a damaged metadata.json from the journal, losing no event, and says so", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const doc = docOf("damage")
      const { runDir, runId } = yield* otherStore(dir, (store) =>
        Effect.gen(function*() {
          const h = yield* store.createRun(doc, config)
          for (let i = 0; i < 5; i++) yield* store.emitEvent(h.runId, "test.event", { i })
          yield* store.completeRun(h.runId, stats)
          return h
        }))
      const file = join(runDir, "metadata.json")
      const good = readFileSync(file, "utf8")
      writeFileSync(file, good.slice(0, good.length / 2)) // truncated from outside
      const view = yield* otherStore(dir, (s) => s.inspectRun(runId))
      expect(view.recovered).toContain("not valid JSON")
      expect(view.recovered).toContain("journal.jsonl")
      expect(view.metadata.status).toBe("completed")
      expect(view.metadata.events.filter((e) => e.type === "test.event").map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4])
      // the file is left alone by readers ...
      expect(readFileSync(file, "utf8")).toBe(good.slice(0, good.length / 2))
      // ... and repaired by the next writer, which records the recovery
      yield* otherStore(dir, (s) => Effect.zipRight(s.createRun(doc, config), s.completeRun(runId, stats)))
      const repaired = readJson(file)
      expect(repaired.events.map((e: any) => e.type)).toContain("metadata.recovered")
      expect(repaired.events.filter((e: any) => e.type === "test.event")).toHaveLength(5)
      // invalid JSON of the right length is caught too
      writeFileSync(file, "{\"runId\": 12}")
      expect((yield* otherStore(dir, (s) => s.inspectRun(runId))).recovered).toContain("not valid run metadata")
    })
  })

  it.effect("ignores a journal line cut short by a crash and continues on a fresh line", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const doc = docOf("torn")
      const { runDir, runId } = yield* otherStore(dir, (s) =>
        Effect.gen(function*() {
          const h = yield* s.createRun(doc, config)
          yield* s.emitEvent(h.runId, "before.crash")
          yield* s.interruptRun(h.runId, {})
          return h
        }))
      const journal = join(runDir, "journal.jsonl")
      writeFileSync(journal, readFileSync(journal, "utf8") + "{\"seq\":99,\"at\":\"2026-") // a write cut short
      yield* otherStore(dir, (s) => Effect.zipRight(s.createRun(doc, config), s.emitEvent(runId, "after.crash")))
      const run = yield* otherStore(dir, (s) => s.getRun(runId))
      expect(run.events.map((e) => e.type)).toEqual(expect.arrayContaining(["before.crash", "after.crash"]))
      const lines = readFileSync(journal, "utf8").split("\n")
      expect(lines.filter((l) => l.startsWith("{\"seq\":99"))).toHaveLength(1)
      expect(lines.filter((l) => l.includes("after.crash")).every((l) => JSON.parse(l).op === "event")).toBe(true)
    })
  })

  it.effect("reads older metadata without events, errors or journal, and gives it a journal base when written", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const doc = docOf("old")
      const { runDir, runId } = yield* otherStore(
        dir,
        (s) => Effect.tap(s.createRun(doc, config), (h) => s.completeRun(h.runId, stats))
      )
      const meta = readJson(join(runDir, "metadata.json"))
      delete meta.events
      delete meta.errors
      delete meta.revision
      writeFileSync(join(runDir, "metadata.json"), JSON.stringify(meta))
      writeFileSync(join(runDir, "journal.jsonl"), "")
      const run = yield* otherStore(dir, (s) => s.getRun(runId))
      expect(run.events).toEqual([])
      expect(run.errors).toEqual([])
      yield* otherStore(dir, (s) => Effect.zipRight(s.createRun(doc, config), s.completeRun(runId, stats)))
      writeFileSync(join(runDir, "metadata.json"), "") // damage it: the journal alone must rebuild it
      const rebuilt = yield* otherStore(dir, (s) => s.getRun(runId))
      expect(rebuilt.status).toBe("completed")
      expect(rebuilt.events.map((e) => e.type)).toEqual(["run.completed"])
    })
  })

  it.effect("refuses run ids that are not doc- and 12 hex digits before touching the filesystem", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-store-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      for (const bad of ["../../etc", "doc-0123456789ab/../x", "DOC-0123456789AB", "doc-0123456789abc"]) {
        expect((yield* Effect.flip(store.getRun(bad)))._tag).toBe("UsageError")
        expect((yield* Effect.flip(store.openRun(bad)))._tag).toBe("UsageError")
      }
      expect((yield* Effect.flip(store.getRun("doc-0123456789ab")))._tag).toBe("RunNotFound")
      expect(existsSync(join(dir, "runs"))).toBe(false)
      const { runId } = yield* store.createRun(docOf("paths"), config)
      for (const bad of ["../escape.json", "/etc/passwd", "outputs/../../x", "outputs//x", ".hidden"]) {
        expect((yield* Effect.flip(store.saveOutput(runId, { type: "x", path: bad, content: "" })))._tag).toBe(
          "StoreError"
        )
      }
      expect(existsSync(join(dir, "runs", "escape.json"))).toBe(false)
      yield* store.completeRun(runId, stats)
    }).pipe(Effect.provide(storeIn(dir)))
  })
})

describe("ExtractionRunService locking", () => {
  it.effect("a second writer fails at once without waiting, naming the holder", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-lock-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const doc = docOf("locked")
      yield* store.createRun(doc, config)
      const error = yield* Effect.flip(otherStore(dir, (s) => s.createRun(doc, config), { wait: false }))
      expect(error._tag).toBe("RunLocked")
      expect(error.message).toContain(`pid ${process.pid} on ${hostname()}`)
      // a different document in the same output directory is not blocked
      yield* otherStore(
        dir,
        (s) => Effect.tap(s.createRun(docOf("other"), config), (h) => s.completeRun(h.runId, stats)),
        { wait: false }
      )
      yield* store.completeRun(doc.runId, stats)
    }).pipe(Effect.provide(storeIn(dir)))
  })

  it.live("a second writer waits for the first, then sees all its events", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-lock-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const doc = docOf("waiting")
      yield* store.createRun(doc, config)
      const waits: Array<string> = []
      const second = yield* Effect.fork(otherStore(dir, (s) =>
        Effect.gen(function*() {
          const h = yield* s.createRun(doc, config)
          yield* s.emitEvent(h.runId, "second.event")
          yield* s.completeRun(h.runId, stats)
          return h
        }), { onLockWait: (m) => Effect.sync(() => void waits.push(m)) }))
      yield* Effect.sleep("200 millis")
      expect(waits).toHaveLength(1)
      expect(waits[0]).toContain(`locked by pid ${process.pid}`)
      yield* store.emitEvent(doc.runId, "first.event")
      yield* store.completeRun(doc.runId, stats)
      const handle = yield* Fiber.join(second)
      expect(Option.getOrThrow(handle.previous).events.map((e) => e.type)).toContain("first.event")
      const meta = readJson(join(handle.runDir, "metadata.json"))
      expect(meta.events.map((e: any) => e.type)).toEqual([
        "run.created",
        "first.event",
        "run.completed",
        "second.event",
        "run.completed"
      ])
    }).pipe(Effect.provide(storeIn(dir)))
  })

  it.effect("breaks the lock of a dead process, sweeps its temporary files, and reads its running run as interrupted", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-lock-"))
    return Effect.gen(function*() {
      const doc = docOf("stale")
      const { runDir, runId } = yield* otherStore(
        dir,
        (s) => s.createRun(doc, config).pipe(Effect.tap((h) => s.emitEvent(h.runId, "x")))
      )
      // simulate a kill -9: the store never released the lock; make it a dead process's, and leave a temp file
      writeFileSync(join(runDir, ".lock"), lockRecord(deadPid()))
      mkdirSync(join(runDir, "outputs"), { recursive: true })
      writeFileSync(join(runDir, "outputs", ".knowledge-graph.json.99999-1.tmp"), "partial")
      writeFileSync(
        join(runDir, "metadata.json"),
        readFileSync(join(runDir, "metadata.json"), "utf8").replace("\"completed\"", "\"running\"")
      )
      const view = yield* otherStore(dir, (s) => s.inspectRun(runId))
      expect(view.metadata.status).toBe("interrupted")
      expect(view.writer).toBeNull()
      const second = yield* otherStore(
        dir,
        (s) => Effect.tap(s.createRun(doc, config), (h) => s.completeRun(h.runId, stats)),
        { wait: false }
      )
      expect(Option.getOrThrow(second.previous).status).toBe("running") // as stored
      expect(existsSync(join(runDir, "outputs", ".knowledge-graph.json.99999-1.tmp"))).toBe(false)
      expect(readdirSync(runDir).filter((f) => f.startsWith(".lock"))).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer))
  })

  it.effect("reads a running run as running while its writer lives, and never breaks a lock held on another host", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-lock-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const doc = docOf("alive")
      const { runDir, runId } = yield* store.createRun(doc, config)
      const view = yield* otherStore(dir, (s) => s.inspectRun(runId))
      expect(view.metadata.status).toBe("running")
      expect(view.writer).toContain(`pid ${process.pid}`)
      yield* store.completeRun(runId, stats)
      writeFileSync(join(runDir, ".lock"), lockRecord(deadPid(), "some-other-host"))
      const error = yield* Effect.flip(otherStore(dir, (s) => s.createRun(doc, config), { wait: false }))
      expect(error.message).toContain("on some-other-host")
    }).pipe(Effect.provide(storeIn(dir)))
  })

  it.effect("treats a lock file that is not a lock record as held, until it is 10 s old", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-lock-"))
    return Effect.gen(function*() {
      const doc = docOf("garbled lock")
      const { runDir } = yield* otherStore(
        dir,
        (s) => Effect.tap(s.createRun(doc, config), (h) => s.completeRun(h.runId, stats))
      )
      writeFileSync(join(runDir, ".lock"), "")
      const held = yield* Effect.flip(otherStore(dir, (s) => s.createRun(doc, config), { wait: false }))
      expect(held.message).toContain("not a lock record")
      utimesSync(join(runDir, ".lock"), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000))
      yield* otherStore(dir, (s) => Effect.tap(s.createRun(doc, config), (h) => s.completeRun(h.runId, stats)), {
        wait: false
      })
      expect(existsSync(join(runDir, ".lock"))).toBe(false)
    }).pipe(Effect.provide(NodeContext.layer))
  })

  it.live("many writers racing over one stale lock hold it one at a time", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-lock-"))
    return Effect.gen(function*() {
      const doc = docOf("race")
      const { runDir, runId } = yield* otherStore(
        dir,
        (s) => Effect.tap(s.createRun(doc, config), (h) => s.completeRun(h.runId, stats))
      )
      writeFileSync(join(runDir, ".lock"), lockRecord(deadPid()))
      let inside = 0
      let maxInside = 0
      yield* Effect.forEach(
        Array.from({ length: 12 }, (_, i) => i),
        (i) =>
          otherStore(dir, (s) =>
            Effect.gen(function*() {
              yield* s.createRun(doc, config)
              inside++
              maxInside = Math.max(maxInside, inside)
              yield* s.emitEvent(runId, "writer", { i })
              yield* Effect.sleep("5 millis")
              inside--
              yield* s.completeRun(runId, stats)
            })),
        { concurrency: "unbounded" }
      )
      expect(maxInside).toBe(1)
      const meta = readJson(join(runDir, "metadata.json"))
      expect(
        meta.events.filter((e: any) => e.type === "writer").map((e: any) => e.data.i).sort((a: number, b: number) =>
          a - b
        )
      )
        .toEqual(Array.from({ length: 12 }, (_, i) => i))
    }).pipe(Effect.provide(NodeContext.layer))
  })
})

/** A FileSystem that fails writes with ENOSPC once `budget` bytes have been written. */
const fullDisk = (budget: number) =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      let left = budget
      const enospc = (path: string) =>
        new SystemError({
          reason: "Unknown",
          module: "FileSystem",
          method: "write",
          pathOrDescriptor: path,
          description: "ENOSPC: no space left on device, write",
          cause: Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" })
        })
      return {
        ...fs,
        open: (path, options) =>
          Effect.map(fs.open(path, options), (file) =>
            Object.assign(Object.create(file) as FileSystem.File, {
              writeAll: (bytes: Uint8Array) => {
                if (bytes.length > left) {
                  const part = bytes.subarray(0, Math.max(0, left))
                  left = 0
                  return Effect.zipRight(file.writeAll(part), Effect.fail(enospc(path)))
                }
                left -= bytes.length
                return file.writeAll(bytes)
              }
            }))
      } satisfies FileSystem.FileSystem
    })
  ).pipe(Layer.provide(NodeContext.layer))

describe("ExtractionRunService on a full disk", () => {
  it.effect("fails with a one-line ENOSPC message and leaves earlier files intact", () => {
    const dir = mkdtempSync(join(tmpdir(), "extract-full-"))
    return Effect.gen(function*() {
      const store = yield* ExtractionRunService
      const { runDir, runId } = yield* store.createRun(docOf("full disk"), config)
      yield* store.saveOutput(runId, { type: "small", path: "outputs/small.json", content: "{\"ok\":true}\n" })
      const before = readFileSync(join(runDir, "metadata.json"), "utf8")
      const error = yield* Effect.flip(
        store.saveOutput(runId, { type: "big", path: "outputs/big.json", content: "x".repeat(200_000) })
      )
      expect(error._tag).toBe("StoreError")
      expect(error.message).toMatch(/^cannot write .*big\.json: no space left on device \(ENOSPC\)$/)
      expect(readFileSync(join(runDir, "outputs", "small.json"), "utf8")).toBe("{\"ok\":true}\n")
      expect(existsSync(join(runDir, "outputs", "big.json"))).toBe(false)
      expect(readdirSync(join(runDir, "outputs")).filter((f) => f.endsWith(".tmp"))).toEqual([])
      expect(readFileSync(join(runDir, "metadata.json"), "utf8")).toBe(before)
      yield* Effect.ignore(store.failRun(runId, error))
      // whatever the failure left, the run reads back with everything recorded before it
      const run = yield* otherStore(dir, (s) => s.getRun(runId)).pipe(Effect.provide(NodeContext.layer))
      expect(run.outputs.map((o) => o.path)).toEqual(["outputs/small.json"])
    }).pipe(
      Effect.provide(
        ExtractionRunService.Default.pipe(
          Layer.provide(RunStoreConfig.layer(dir)),
          Layer.provide(fullDisk(60_000)),
          Layer.provide(NodeContext.layer)
        )
      )
    )
  })
})

import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { GraphStore, GraphStoreConfig } from "../../src/Graph/GraphStore.js"
import { contribution } from "./Fixtures.js"

const fresh = (options: Parameters<typeof GraphStoreConfig.layer>[1] = {}) => {
  const dir = mkdtempSync(join(tmpdir(), "extract-graphstore-"))
  const layer = GraphStore.Default.pipe(
    Layer.provide(GraphStoreConfig.layer(dir, options)),
    Layer.provideMerge(NodeContext.layer)
  )
  return { dir, ctx: join(dir, "graphs", "ctx"), layer }
}
const always = () => Effect.succeed(true)

const a = contribution("a", [
  { id: "lincoln", label: "Abraham Lincoln", type: "Person", aliases: ["Lincoln"], mentions: 3 },
  { id: "congress", label: "Congress", type: "Organization" }
], [["lincoln", "addressed", "congress"]])
const b = contribution("b", [
  { id: "al", label: "Abraham Lincoln", type: "Person", mentions: 2 },
  { id: "x", label: "Xavier Ortiz", type: "Person" }
])

/**
 * The reference MCP memory server's reading rules (modelcontextprotocol/servers,
 * src/memory/index.ts, loadGraph): split on "\n", drop blank lines, JSON.parse
 * each (skipping malformed ones), keep objects whose `type` is "entity" or
 * "relation" with the fields its schemas require.
 */
const memoryServerLoad = (text: string) => {
  const graph = { entities: [] as Array<any>, relations: [] as Array<any> }
  for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
    let item: any
    try {
      item = JSON.parse(line)
    } catch {
      continue
    }
    if (typeof item !== "object" || item === null) continue
    if (
      item.type === "entity" && typeof item.name === "string" && typeof item.entityType === "string" &&
      Array.isArray(item.observations) && item.observations.every((o: unknown) => typeof o === "string")
    ) graph.entities.push(item)
    else if (
      item.type === "relation" && typeof item.from === "string" && typeof item.to === "string" &&
      typeof item.relationType === "string"
    ) graph.relations.push(item)
  }
  return graph
}

describe("GraphStore", () => {
  it.effect("adds runs, merges across documents, and adding the same run again changes nothing", () => {
    const { ctx, layer } = fresh()
    return Effect.gen(function*() {
      const store = yield* GraphStore
      const first = yield* store.add("ctx", [a, b])
      expect(first.map((r) => r.status)).toEqual(["added", "added"])
      expect(first[1]!.attached).toBe(1)
      const log = readFileSync(join(ctx, "log.jsonl"), "utf8")
      const snapshot = readFileSync(join(ctx, "graph.jsonl"), "utf8")
      const again = yield* store.add("ctx", [a, b])
      expect(again.map((r) => r.status)).toEqual(["unchanged", "unchanged"])
      expect(readFileSync(join(ctx, "log.jsonl"), "utf8")).toBe(log)
      expect(readFileSync(join(ctx, "graph.jsonl"), "utf8")).toBe(snapshot)
      const state = yield* store.read("ctx")
      expect(state.entities.size).toBe(3)
      expect((yield* store.verify("ctx", always)).ok).toBe(true)
      // backups: a daily and a weekly copy with manifests
      const backups = readdirSync(join(ctx, ".backup")).sort()
      expect(backups.map((n) => n.replace(/\d.*/, ""))).toEqual(["daily-", "weekly-"])
      expect(existsSync(join(ctx, ".backup", backups[0]!, "manifest.json"))).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("graph.jsonl loads by the memory server's reading rules, with provenance per document", () => {
    const { ctx, layer } = fresh()
    return Effect.gen(function*() {
      yield* (yield* GraphStore).add("ctx", [a, b])
      const loaded = memoryServerLoad(readFileSync(join(ctx, "graph.jsonl"), "utf8"))
      expect(loaded.entities.map((e) => e.name).sort()).toEqual(["Abraham Lincoln", "Congress", "Xavier Ortiz"])
      const names = new Set(loaded.entities.map((e) => e.name))
      expect(names.size).toBe(loaded.entities.length)
      expect(loaded.relations).toHaveLength(1)
      for (const r of loaded.relations) expect(names.has(r.from) && names.has(r.to)).toBe(true)
      const lincoln = loaded.entities.find((e) => e.name === "Abraham Lincoln")
      expect(lincoln.provenance.runs.map((p: any) => [p.runId, p.document, p.spans.length])).toEqual([
        [a.runId, "a.txt", 3],
        [b.runId, "b.txt", 2]
      ])
    }).pipe(Effect.provide(layer))
  })

  it.effect("re-adding a re-run replaces its contribution", () => {
    const { layer } = fresh()
    return Effect.gen(function*() {
      const store = yield* GraphStore
      yield* store.add("ctx", [a, b])
      const b2 = contribution("b", [{ id: "z", label: "Zora Neale Hurston", type: "Person" }], [], "v2")
      expect(b2.runId).toBe(b.runId)
      const [r] = yield* store.add("ctx", [b2])
      expect(r!.status).toBe("replaced")
      const state = yield* store.read("ctx")
      const labels = [...state.contributions.values()].filter((c) => c.runId === b.runId).map((c) => c.label)
      expect(labels).toEqual(["Zora Neale Hurston"])
      const lincoln = state.contributions.get(`${a.runId}/lincoln`)!.entity
      expect(state.entities.get(lincoln)!.contributions).toHaveLength(1)
      expect((yield* store.verify("ctx", always)).ok).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("unmerge appends a split record and the split survives a replay", () => {
    const { ctx, layer } = fresh()
    return Effect.gen(function*() {
      const store = yield* GraphStore
      yield* store.add("ctx", [a, b])
      const result = yield* store.unmerge("ctx", "Abraham Lincoln")
      expect(result.evidence.rule).toBe("same-name")
      const log = readFileSync(join(ctx, "log.jsonl"), "utf8").trim().split("\n")
      expect(log.some((l) => l.includes(`"_tag":"merge.undone"`))).toBe(true)
      const state = yield* store.read("ctx")
      expect(state.contributions.get(`${a.runId}/lincoln`)!.entity).not.toBe(
        state.contributions.get(`${b.runId}/al`)!.entity
      )
      expect((yield* store.verify("ctx", always)).ok).toBe(true)
      const again = yield* Effect.flip(store.unmerge("ctx", result.split))
      expect(again.message).toMatch(/no cross-document merge/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("detects a truncated, garbled or deleted graph.jsonl and repairs it from the log", () => {
    const { ctx, layer } = fresh()
    return Effect.gen(function*() {
      const store = yield* GraphStore
      yield* store.add("ctx", [a, b])
      const file = join(ctx, "graph.jsonl")
      const good = readFileSync(file, "utf8")
      for (const damage of [good.slice(0, good.length - 40), good.replace("Lincoln", "Lincoln\u0000x"), null]) {
        if (damage === null) rmSync(file)
        else writeFileSync(file, damage)
        const report = yield* store.verify("ctx", always)
        expect(report.ok).toBe(false)
        expect(report.problems.join("\n")).toMatch(/graph\.jsonl/)
        const repaired = yield* store.repair("ctx")
        expect(repaired.snapshotRewritten).toBe(true)
        expect(readFileSync(file, "utf8")).toBe(good)
        expect((yield* store.verify("ctx", always)).ok).toBe(true)
      }
      const recovery = readdirSync(join(ctx, ".recovery"))
      expect(recovery.some((n) => /^recovery-\d{4}-\d{2}-\d{2}\.log$/.test(n))).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a garbled log line is detected; repair takes the lost records from the newest valid backup", () => {
    const { ctx, layer } = fresh()
    return Effect.gen(function*() {
      const store = yield* GraphStore
      yield* store.add("ctx", [a, b])
      const good = readFileSync(join(ctx, "graph.jsonl"), "utf8")
      const logFile = join(ctx, "log.jsonl")
      const lines = readFileSync(logFile, "utf8").split("\n")
      const at = lines.findIndex((l) => l.includes("mentions.attached") && l.includes("Abraham"))
      lines[at] = lines[at]!.replace("Abraham", "Abrahan")
      writeFileSync(logFile, lines.join("\n"))
      const report = yield* store.verify("ctx", always)
      expect(report.ok).toBe(false)
      expect(report.problems[0]).toBe(`log.jsonl line ${at + 1}: checksum mismatch`)
      const repaired = yield* store.repair("ctx")
      expect(repaired.damagedLines).toBe(1)
      expect(repaired.backup).toMatch(/^(daily|weekly)-/)
      expect(repaired.restoredRecords).toBe(1)
      expect(readFileSync(join(ctx, "graph.jsonl"), "utf8")).toBe(good)
      expect((yield* store.verify("ctx", always)).ok).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a log line cut short by a crash replays as nothing and is cut on the next write", () => {
    const { ctx, layer } = fresh()
    return Effect.gen(function*() {
      const store = yield* GraphStore
      yield* store.add("ctx", [a])
      const logFile = join(ctx, "log.jsonl")
      const before = readFileSync(logFile, "utf8")
      // b's transaction, written only in part
      const c = contribution("c", [{ id: "c", label: "Carol King", type: "Person" }])
      yield* store.add("ctx", [c])
      const full = readFileSync(logFile, "utf8")
      writeFileSync(logFile, full.slice(0, before.length + Math.floor((full.length - before.length) / 2)))
      // another process reads it: the cut transaction is not there
      const state = yield* Effect.flatMap(GraphStore, (s) => s.read("ctx")).pipe(Effect.provide(GraphStore.Default.pipe(
        Layer.provide(GraphStoreConfig.layer(join(ctx, "..", ".."))),
        Layer.provideMerge(NodeContext.layer)
      )))
      expect(state.runs.has(c.runId)).toBe(false)
      expect(state.runs.has(a.runId)).toBe(true)
      yield* store.add("ctx", [c])
      const after = readFileSync(logFile, "utf8")
      expect(after.endsWith("\n")).toBe(true)
      expect((yield* store.verify("ctx", always)).problems).toEqual([])
      const notes = readdirSync(join(ctx, ".recovery")).map((n) => readFileSync(join(ctx, ".recovery", n), "utf8"))
      expect(notes.join("")).toMatch(/cut the unfinished transaction/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("rotates backups: 7 daily and 4 weekly by default", () => {
    let day = Date.UTC(2026, 0, 1)
    const { ctx, layer } = fresh({ now: () => new Date(day) })
    return Effect.gen(function*() {
      const store = yield* GraphStore
      for (let i = 0; i < 40; i++) {
        day += 86_400_000
        yield* store.add("ctx", [contribution(`r${i}`, [{ id: "e", label: `Entity Number ${i}`, type: "Other" }])])
      }
      const names = readdirSync(join(ctx, ".backup"))
      expect(names.filter((n) => n.startsWith("daily-"))).toHaveLength(7)
      expect(names.filter((n) => n.startsWith("weekly-"))).toHaveLength(4)
      expect(names).toContain(`daily-${new Date(day).toISOString().slice(0, 10)}`)
    }).pipe(Effect.provide(layer))
  })

  it.effect("refuses bad context names", () => {
    const { layer } = fresh()
    return Effect.gen(function*() {
      const store = yield* GraphStore
      for (const bad of ["", "Speeches", "-x", "a/b", "x".repeat(65), ".."]) {
        const e = yield* Effect.flip(store.add(bad, [a]))
        expect(e._tag).toBe("UsageError")
      }
    }).pipe(Effect.provide(layer))
  })

  it.effect("repairs a context whose writer died before writing anything (empty log, no snapshot)", () => {
    const { ctx, layer } = fresh()
    return Effect.gen(function*() {
      const store = yield* GraphStore
      yield* Effect.sync(() => {
        mkdirSync(ctx, { recursive: true })
        writeFileSync(join(ctx, "log.jsonl"), "")
      })
      expect((yield* store.verify("ctx", always)).problems).toEqual(["graph.jsonl is missing"])
      const repaired = yield* store.repair("ctx")
      expect(repaired.snapshotRewritten).toBe(true)
      expect((yield* store.verify("ctx", always)).ok).toBe(true)
      yield* store.add("ctx", [a])
      expect((yield* store.verify("ctx", always)).ok).toBe(true)
    }).pipe(Effect.provide(layer))
  })
})

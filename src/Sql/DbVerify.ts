/**
 * `extract db verify`: compares every run of an output directory between
 * the run store (the source of truth) and the SQL mirror — revision,
 * status, counts, row counts and output checksums — and prints each
 * difference. `db sync` uses the same comparison to find what to re-mirror.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type { RunMetadata } from "../Domain/Run.js"
import { ExtractionRunService } from "../Store/ExtractionRunService.js"
import { DatabaseInfo } from "./Database.js"
import { MirrorReader } from "./MirrorReader.js"

/** One difference between disk and database. */
export interface MirrorDifference {
  readonly runId: string
  readonly problem: string
}

export class DbVerify extends Effect.Service<DbVerify>()("DbVerify", {
  effect: Effect.gen(function*() {
    const store = yield* ExtractionRunService
    const reader = yield* MirrorReader
    const info = yield* DatabaseInfo

    /**
     * Differences between the runs on disk under `outputDir` (absolute, as
     * the mirror records it) and their rows. Runs the store cannot read are
     * skipped (as `runs list` skips them). Each problem is one sentence:
     * missing, out of date (revisions), a status, a count, a row count or an
     * output checksum that differs, or a run only in the database.
     *
     * @returns the differences, and the runs on disk
     * @throws SqlError, StoreError
     */
    const compare = Effect.fn("DbVerify.compare")(function*(outputDir: string) {
      const onDisk = yield* store.listRuns()
      const [mirrored, counts, checksums] = yield* Effect.all([
        reader.listRuns(outputDir),
        reader.rowCounts(outputDir),
        reader.outputChecksums(outputDir)
      ])
      const byId = new Map(mirrored.map((m) => [m.runId, m]))
      const differences: Array<MirrorDifference> = []
      for (const m of onDisk) {
        const problems = compareRun(m, byId.get(m.runId), counts.get(m.runId), checksums.get(m.runId))
        for (const problem of problems) differences.push({ runId: m.runId, problem })
        byId.delete(m.runId)
      }
      for (const runId of byId.keys()) differences.push({ runId, problem: "in the database but not on disk" })
      return { differences, runs: onDisk }
    })

    /**
     * Prints each difference (`<runId>: <problem>`, or JSON lines) on stdout
     * and a summary on stderr.
     *
     * @returns the exit code: 0 when disk and database agree, 1 otherwise
     */
    const run = Effect.fn("DbVerify.run")(function*(outputDir: string, json: boolean) {
      const { differences, runs } = yield* compare(outputDir)
      for (const d of differences) yield* Console.log(json ? JSON.stringify(d) : `${d.runId}: ${d.problem}`)
      const runsWith = new Set(differences.map((d) => d.runId)).size
      yield* Console.error(
        differences.length === 0
          ? `${runs.length} run(s) in ${info.display} match the run store`
          : `${differences.length} difference(s) in ${runsWith} run(s) between the run store and ${info.display}; ` +
            "`extract db sync` repairs them"
      )
      return differences.length === 0 ? 0 : 1
    })

    return { compare, run } as const
  })
}) {}

/** What differs between a run on disk and its mirrored rows. */
export const compareRun = (
  disk: RunMetadata,
  db: RunMetadata | undefined,
  rows: Record<string, number> | undefined,
  checksums: ReadonlyMap<string, string> | undefined
): Array<string> => {
  if (db === undefined) return ["not in the database"]
  const problems: Array<string> = []
  if (db.revision !== disk.revision) {
    problems.push(`out of date: revision ${disk.revision} on disk, ${db.revision} in the database`)
  }
  if (db.status !== disk.status) problems.push(`status ${disk.status} on disk, ${db.status} in the database`)
  const stats = [
    ["chunkCount", "chunk_count"],
    ["mentionCount", "mention_count"],
    ["entityCount", "entity_count"],
    ["relationCount", "relation_count"]
  ] as const
  const got = (table: string) => rows?.[table] ?? 0
  for (const [field, column] of stats) {
    if (disk.stats[field] !== got(column) || disk.stats[field] !== db.stats[field]) {
      problems.push(`${column} ${disk.stats[field]} on disk, ${got(column)} in the database`)
    }
  }
  const expected: Array<[string, number]> = [
    ["events", disk.events.length],
    ["errors", disk.errors.length],
    ["outputs", disk.outputs.length]
  ]
  // the graph rows come from knowledge-graph.json, which a completed run with the json format has
  if (disk.status === "completed" && disk.outputs.some((o) => o.type === "knowledge-graph")) {
    expected.push(
      ["chunks", disk.stats.chunkCount],
      ["entities", disk.stats.entityCount],
      ["mentions", disk.stats.mentionCount],
      ["relations", disk.stats.relationCount]
    )
  }
  for (const [table, n] of expected) {
    if (got(table) !== n) problems.push(`${n} ${table} on disk, ${got(table)} rows in the database`)
  }
  const seen = new Set<string>()
  for (const o of disk.outputs) {
    seen.add(o.path)
    const mirrored = checksums?.get(o.path)
    if (mirrored === undefined) problems.push(`output ${o.path} is not in the database`)
    else if (mirrored !== `${o.sha256}:${o.bytes}`) {
      problems.push(
        `output ${o.path}: sha256 ${o.sha256.slice(0, 12)}… on disk, ${mirrored.slice(0, 12)}… in the database`
      )
    }
  }
  for (const p of checksums?.keys() ?? []) {
    if (!seen.has(p)) problems.push(`output ${p} is in the database but not in metadata.json`)
  }
  return problems
}

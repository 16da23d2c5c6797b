/**
 * Reads runs back from the SQL mirror as {@link RunMetadata}, the shape the
 * filesystem store gives, so `extract runs list|show --from db` print
 * exactly what the filesystem path prints (read cutover) and `db verify`
 * can compare the two.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { RunNotFound } from "../Domain/Errors.js"
import { LlmStats, RunConfig, RunMetadata, RunStats } from "../Domain/Run.js"
import type { RunSummary } from "../RunsListing.js"
import type { RunSource } from "../RunsReport.js"
import type { ExtractionRunService, RunView } from "../Store/ExtractionRunService.js"
import { describeCause } from "./Database.js"

/** A database error as a message fit to print. */
const asFailure = (e: { readonly _tag: string; readonly message: string; readonly cause?: unknown }) =>
  e._tag === "SqlError" ? { _tag: e._tag, message: `database: ${describeCause(e)}` } : e

const decodeMetadata = Schema.decodeUnknownSync(RunMetadata)
const decodeConfig = Schema.decodeUnknownSync(RunConfig)

/** A JSON column: text on SQLite, already parsed on PostgreSQL. */
const json = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value)

/**
 * A JSON column as the text `JSON.stringify` makes of its value: SQLite's
 * text as stored (the mirror writes it with JSON.stringify, src/Sql/RunRows.ts),
 * PostgreSQL's parsed value stringified (key order kept: `json`, not `jsonb`).
 */
const jsonText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value))

interface RunRow {
  readonly run_id: string
  readonly status: string
  readonly created_at: string
  readonly updated_at: string
  readonly completed_at: string | null
  readonly revision: number
  readonly schema_version: number
  readonly input: unknown
  readonly config: unknown
  readonly stats: unknown
}

export class MirrorReader extends Effect.Service<MirrorReader>()("MirrorReader", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const toMetadata = (
      r: RunRow,
      children: { outputs: ReadonlyArray<unknown>; events: ReadonlyArray<unknown>; errors: ReadonlyArray<unknown> }
    ) =>
      decodeMetadata({
        schemaVersion: Number(r.schema_version),
        revision: Number(r.revision),
        runId: r.run_id,
        status: r.status,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        completedAt: r.completed_at,
        input: json(r.input),
        config: json(r.config),
        stats: json(r.stats),
        ...children
      })

    // what runs list shows: the columns of index runs_list (migration 2) after output_dir
    const SUMMARY_COLUMNS = sql.unsafe(
      "run_id, status, created_at, completed_at, input_path, extractor, entity_count, relation_count"
    )

    const COLUMNS = sql.unsafe(
      "run_id, status, created_at, updated_at, completed_at, revision, schema_version, input, config, stats"
    )

    /**
     * The runs mirrored from `outputDir` (absolute, as the store records it),
     * oldest first, without their events, errors and outputs (empty arrays):
     * what `runs list` prints.
     */
    const listRuns = Effect.fn("MirrorReader.listRuns")(function*(outputDir: string) {
      const rows = yield* sql<RunRow>`SELECT ${COLUMNS} FROM runs WHERE output_dir = ${outputDir}
        ORDER BY created_at, run_id`
      // The rows were written from validated metadata, so they are rebuilt
      // without validating again (a full decode costs ~35 µs a run, too much
      // for 10,000); configs repeat across runs and are decoded once each.
      const configs = new Map<string, RunConfig>()
      return rows.map((r) => {
        const configText = typeof r.config === "string" ? r.config : JSON.stringify(r.config)
        let config = configs.get(configText)
        if (config === undefined) configs.set(configText, config = decodeConfig(JSON.parse(configText)))
        const stats = json(r.stats) as Record<string, unknown>
        return new RunMetadata({
          schemaVersion: Number(r.schema_version),
          revision: Number(r.revision),
          runId: r.run_id,
          status: r.status as RunMetadata["status"],
          createdAt: r.created_at,
          updatedAt: r.updated_at,
          completedAt: r.completed_at,
          input: json(r.input) as RunMetadata["input"],
          config,
          stats: new RunStats({
            ...(stats as unknown as RunStats),
            llm: stats.llm === null || stats.llm === undefined
              ? null
              : new LlmStats(stats.llm as LlmStats, { disableValidation: true })
          }, { disableValidation: true }),
          outputs: [],
          events: [],
          errors: []
        }, { disableValidation: true })
      })
    })

    /**
     * What `runs list --from db` shows of the runs mirrored from `outputDir`
     * (absolute, as the store records it), oldest first: one query over
     * columns of `runs`, no metadata rebuilt. Without `detail` (the text
     * listing) it reads only the covering index `runs_list` (migration 2).
     * With `detail` (`--json`) it also reads the `input` and `stats` JSON
     * columns, which hold what `metadata.json` has (encoded, keys in the same
     * order, as JSON.stringify wrote it), printed as they are; so both paths
     * print the same.
     */
    const listSummaries = Effect.fn("MirrorReader.listSummaries")(function*(
      outputDir: string,
      options: { readonly detail: boolean }
    ) {
      // rows as arrays (no object per row), in the order of SUMMARY_COLUMNS, then input and stats
      const rows = yield* sql`SELECT ${SUMMARY_COLUMNS}${
        options.detail ? sql.unsafe(", input, stats") : sql.unsafe("")
      } FROM runs WHERE output_dir = ${outputDir} ORDER BY created_at, run_id`.values
      return rows.map((r): RunSummary => ({
        runId: r[0] as string,
        status: r[1] as string,
        createdAt: r[2] as string,
        completedAt: r[3] as string | null,
        inputPath: r[4] as string,
        extractor: r[5] as string,
        entityCount: Number(r[6]),
        relationCount: Number(r[7]),
        detail: options.detail ? () => ({ inputJson: jsonText(r[8]), statsJson: jsonText(r[9]) }) : undefined
      }))
    })

    /**
     * One run as mirrored, with its outputs, events and errors in order.
     * Fails with RunNotFound when the mirror has no such run.
     */
    const getRun = Effect.fn("MirrorReader.getRun")(function*(runId: string) {
      const rows = yield* sql<RunRow>`SELECT ${COLUMNS} FROM runs WHERE run_id = ${runId}`
      const r = rows[0]
      if (r === undefined) return yield* new RunNotFound({ runId, message: `no run ${runId} in the database` })
      const [outputs, events, errors] = yield* Effect.all([
        sql<{ type: string; path: string; sha256: string; bytes: number }>`SELECT type, path, sha256, bytes
          FROM outputs WHERE run_id = ${runId} ORDER BY ordinal`,
        sql<{ timestamp: string; type: string; data: unknown }>`SELECT timestamp, type, data
          FROM events WHERE run_id = ${runId} ORDER BY seq`,
        sql<{ timestamp: string; type: string; message: string; context: unknown }>`SELECT timestamp, type,
          message, context FROM errors WHERE run_id = ${runId} ORDER BY seq`
      ])
      return toMetadata(r, {
        outputs: outputs.map((o) => ({ ...o, bytes: Number(o.bytes) })),
        events: events.map((e) => ({ ...e, data: json(e.data) })),
        errors: errors.map((e) => ({ ...e, context: json(e.context) }))
      })
    })

    /**
     * Counts of each run's rows by table, for `db verify`: events, errors,
     * outputs, chunks, entities, mentions, relations; and the run row's
     * count columns (chunk_count, mention_count, entity_count, relation_count).
     */
    const rowCounts = Effect.fn("MirrorReader.rowCounts")(function*(outputDir: string) {
      const tables = ["events", "errors", "outputs", "chunks", "entities", "mentions", "relations"] as const
      const counts = new Map<string, Record<string, number>>()
      // the count columns of the run rows, as mirrored
      const columns = yield* sql<Record<string, unknown>>`SELECT run_id, chunk_count, mention_count, entity_count,
        relation_count FROM runs WHERE output_dir = ${outputDir}`
      for (const row of columns) {
        counts.set(String(row.run_id), {
          chunk_count: Number(row.chunk_count),
          mention_count: Number(row.mention_count),
          entity_count: Number(row.entity_count),
          relation_count: Number(row.relation_count)
        })
      }
      for (const table of tables) {
        const rows = yield* sql<{ run_id: string; n: number }>`SELECT t.run_id, count(*) AS n FROM ${
          sql(table)
        } t JOIN runs r ON r.run_id = t.run_id WHERE r.output_dir = ${outputDir} GROUP BY t.run_id`
        for (const row of rows) {
          const entry = counts.get(row.run_id) ?? {}
          entry[table] = Number(row.n)
          counts.set(row.run_id, entry)
        }
      }
      return counts
    })

    /** Every mirrored output (path → sha256 and bytes) of the runs of `outputDir`, by run. */
    const outputChecksums = Effect.fn("MirrorReader.outputChecksums")(function*(outputDir: string) {
      const rows = yield* sql<{ run_id: string; path: string; sha256: string; bytes: number }>`SELECT o.run_id,
        o.path, o.sha256, o.bytes FROM outputs o JOIN runs r ON r.run_id = o.run_id WHERE r.output_dir = ${outputDir}`
      const byRun = new Map<string, Map<string, string>>()
      for (const o of rows) {
        const m = byRun.get(o.run_id) ?? new Map<string, string>()
        m.set(o.path, `${o.sha256}:${Number(o.bytes)}`)
        byRun.set(o.run_id, m)
      }
      return byRun
    })

    /**
     * The mirror as a {@link RunSource} for `runs list|show --from db`. The
     * database holds no locks, so a run it has as `running` is looked up in
     * the store: a live writer is named, a dead one makes it `interrupted`
     * (as the filesystem path shows it).
     */
    const runSource = (store: ExtractionRunService, outputDir: string): RunSource => {
      const live = (m: RunMetadata) =>
        m.status !== "running"
          ? Effect.succeed({ metadata: m, writer: null })
          : store.inspectRun(m.runId).pipe(
            Effect.map((v) => ({
              metadata: new RunMetadata({ ...m, status: v.metadata.status }, { disableValidation: true }),
              writer: v.writer
            })),
            Effect.orElseSucceed(() => ({ metadata: m, writer: null }))
          )
      return {
        // a run the mirror has as `running` shows the status the store gives it (interrupted when its writer is gone)
        listRuns: (options) =>
          listSummaries(outputDir, options).pipe(
            Effect.flatMap((runs) =>
              runs.every((r) => r.status !== "running") ?
                Effect.succeed(runs) :
                Effect.forEach(runs, (r) =>
                  r.status !== "running"
                    ? Effect.succeed(r)
                    : store.inspectRun(r.runId).pipe(
                      Effect.map((v): RunSummary => ({ ...r, status: v.metadata.status })),
                      Effect.orElseSucceed(() => r)
                    ))
            ),
            Effect.mapError(asFailure)
          ),
        inspectRun: (runId) =>
          store.validateRunId(runId).pipe(
            Effect.zipRight(getRun(runId)),
            Effect.flatMap(live),
            Effect.map((v): RunView => ({ metadata: v.metadata, recovered: null, writer: v.writer })),
            Effect.mapError(asFailure)
          )
      }
    }

    return { listRuns, listSummaries, getRun, rowCounts, outputChecksums, runSource } as const
  })
}) {}

/**
 * Writes one run into the SQL mirror, in one transaction, idempotently: the
 * document and run rows are upserted by their natural keys (`doc_id`,
 * `run_id`); the run's child rows (events, errors, outputs and, on a full
 * write, chunks, entities, names, mentions, relations, llm usage) are
 * replaced, so writing the same run twice leaves the same rows and a re-run
 * never duplicates them.
 *
 * One database mirrors one output directory's copy of a run: run ids come
 * from the document, so two output directories that share a database and
 * ran the same document have the same run id. The first one mirrored keeps
 * the rows; the other's write fails with {@link MirrorConflict} (a mirror
 * failure: the run itself goes on) instead of taking them over, which would
 * make each directory's `db verify` and `runs list --from db` lose the run
 * by turns (docs/database.md, "One database, several output directories").
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { RunMetadata } from "../Domain/Run.js"
import { readRunRows, type RunRows } from "./RunRows.js"

/** Rows per INSERT statement: far below SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const BATCH = 400

/** Child tables, each keyed by `run_id`; the graph tables only change on a full write. */
const STATUS_TABLES = ["events", "errors", "outputs"] as const
const GRAPH_TABLES = ["chunks", "entities", "entity_names", "mentions", "relations", "llm_usage"] as const

const RUN_COLUMNS = [
  "doc_id",
  "status",
  "extractor",
  "model",
  "config",
  "chunk_count",
  "mention_count",
  "entity_count",
  "relation_count",
  "duration_ms",
  "created_at",
  "updated_at",
  "completed_at",
  "revision",
  "schema_version",
  "input_path",
  "input",
  "stats",
  "output_dir"
] as const

/** The run is mirrored from another output directory, whose rows stay. */
export class MirrorConflict extends Schema.TaggedError<MirrorConflict>()("MirrorConflict", {
  runId: Schema.String,
  /** The output directory the database mirrors the run from. */
  mirroredFrom: Schema.String,
  message: Schema.String
}) {}

export class RunMirror extends Effect.Service<RunMirror>()("RunMirror", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const insertAll = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
      Effect.forEach(
        Array.from({ length: Math.ceil(rows.length / BATCH) }, (_, i) => rows.slice(i * BATCH, (i + 1) * BATCH)),
        (batch) => sql`INSERT INTO ${sql(table)} ${sql.insert(batch as Array<Record<string, unknown>>)}`,
        { discard: true }
      )

    /**
     * Writes `rows` in one transaction (see the module comment). The first
     * statement writes, so SQLite takes its write lock at once and waits
     * for other writers with the busy timeout instead of failing later.
     *
     * @throws SqlError when the database refuses (locked past the timeout, unreachable, disk full)
     * @throws MirrorConflict when the database has the run from another output directory (nothing written)
     */
    const writeRows = (rows: RunRows): Effect.Effect<void, SqlError | MirrorConflict> =>
      sql.withTransaction(Effect.gen(function*() {
        const d = rows.document
        yield* sql`INSERT INTO documents ${sql.insert(d)}
          ON CONFLICT (doc_id) DO UPDATE SET length = COALESCE(excluded.length, documents.length)`
        const written = yield* sql`INSERT INTO runs ${sql.insert(rows.run)} ON CONFLICT (run_id) DO UPDATE SET ${
          sql.unsafe(RUN_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", "))
        } WHERE runs.output_dir = excluded.output_dir RETURNING run_id`
        const runId = rows.run.run_id
        if (written.length === 0) {
          const owner = yield* sql<{ output_dir: string }>`SELECT output_dir FROM runs WHERE run_id = ${runId}`
          const mirroredFrom = owner[0]?.output_dir ?? "?"
          return yield* new MirrorConflict({
            runId,
            mirroredFrom,
            message: `the database already mirrors run ${runId} from ${mirroredFrom}, another output directory ` +
              `(run ids come from the document; give each output directory its own database)`
          })
        }
        const tables: ReadonlyArray<string> = rows.graph ? [...STATUS_TABLES, ...GRAPH_TABLES] : STATUS_TABLES
        for (const table of tables) yield* sql`DELETE FROM ${sql(table)} WHERE run_id = ${runId}`
        yield* insertAll("events", rows.events)
        yield* insertAll("errors", rows.errors)
        yield* insertAll("outputs", rows.outputs)
        if (rows.graph) {
          const g = rows.graph
          if (g.chunks.length > 0) {
            // a chunk of the same document under another run id: the latest run owns it
            yield* Effect.forEach(
              Array.from(
                { length: Math.ceil(g.chunks.length / BATCH) },
                (_, i) => g.chunks.slice(i * BATCH, (i + 1) * BATCH)
              ),
              (batch) =>
                sql`INSERT INTO chunks ${sql.insert(batch as Array<Record<string, unknown>>)}
                  ON CONFLICT (chunk_id) DO UPDATE SET run_id = excluded.run_id, chunk_index = excluded.chunk_index,
                  tokens = excluded.tokens`,
              { discard: true }
            )
          }
          yield* insertAll("entities", g.entities)
          yield* insertAll("entity_names", g.entityNames)
          yield* insertAll("mentions", g.mentions)
          yield* insertAll("relations", g.relations)
          yield* insertAll("llm_usage", g.llmUsage)
        }
      }))

    /**
     * Reads run `metadata`'s rows from `runDir` and writes them (see
     * {@link readRunRows} for `full`). `outputDir` is recorded so `runs list
     * --from db` lists the runs of one output directory.
     *
     * @throws SqlError as {@link writeRows}
     */
    const write = Effect.fn("RunMirror.write")(
      function*(runDir: string, outputDir: string, metadata: RunMetadata, full: boolean) {
        const rows = yield* readRunRows(runDir, outputDir, metadata, full)
        yield* writeRows(rows)
      }
    )

    /** Deletes every row of a run (the document row stays: other runs may share it). */
    const remove = Effect.fn("RunMirror.remove")(function*(runId: string) {
      yield* sql.withTransaction(Effect.gen(function*() {
        yield* sql`DELETE FROM runs WHERE run_id = ${runId}`
        for (const table of [...STATUS_TABLES, ...GRAPH_TABLES]) {
          yield* sql`DELETE FROM ${sql(table)} WHERE run_id = ${runId}`
        }
      }))
    })

    return { write, writeRows, remove } as const
  })
}) {}

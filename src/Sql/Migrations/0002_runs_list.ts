/**
 * Migration 2: `runs list --from db` as one index-only read. The list reads,
 * for one output directory in creation order, only columns of `runs` that
 * migration 1 already has (src/Sql/MirrorReader.ts `listSummaries`); this
 * index holds all of them, ordered as the list is (`created_at, run_id`), so
 * neither dialect visits the table or sorts (SQLite: "SEARCH runs USING
 * COVERING INDEX"). It replaces `runs_output_dir_created_at`, a prefix of it.
 * Same statements on SQLite and PostgreSQL.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/** The columns `runs list` shows, after the two it is filtered and ordered by. */
export const RUNS_LIST_INDEX_COLUMNS = [
  "output_dir",
  "created_at",
  "run_id",
  "status",
  "completed_at",
  "input_path",
  "extractor",
  "entity_count",
  "relation_count"
] as const

/** The statements of migration 2 (both dialects). */
export const runsListSchema: ReadonlyArray<string> = [
  `CREATE INDEX runs_list ON runs (${RUNS_LIST_INDEX_COLUMNS.join(", ")})`,
  `DROP INDEX runs_output_dir_created_at`
]

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  for (const statement of runsListSchema) yield* sql.unsafe(statement)
})

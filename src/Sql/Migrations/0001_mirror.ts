/**
 * Migration 1: the run-store mirror. Same tables and column names on SQLite
 * and PostgreSQL; JSON columns are TEXT on SQLite and `json` on PostgreSQL
 * (which keeps the text, so key order survives); timestamps are ISO-8601 UTC
 * strings on both (they sort as text). Offsets (`start`, `end`) are Unicode
 * code points into the run's `input/document.txt`, `end` exclusive. See
 * docs/database.md for every column and the `chunk_id` formula.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/** The statements of migration 1 for a dialect. */
export const mirrorSchema = (dialect: "sqlite" | "pg"): ReadonlyArray<string> => {
  const json = dialect === "pg" ? "json" : "TEXT"
  const real = dialect === "pg" ? "double precision" : "REAL"
  const big = dialect === "pg" ? "bigint" : "INTEGER"
  // byte-order comparison, so a prefix range scan uses the index on both dialects
  const binary = dialect === "pg" ? ` COLLATE "C"` : ""
  return [
    `CREATE TABLE documents (
  doc_id TEXT PRIMARY KEY NOT NULL,
  bytes ${big} NOT NULL,
  length ${big},
  first_path TEXT NOT NULL,
  created_at TEXT NOT NULL
)`,
    `CREATE TABLE runs (
  run_id TEXT PRIMARY KEY NOT NULL,
  doc_id TEXT NOT NULL,
  status TEXT NOT NULL,
  extractor TEXT NOT NULL,
  model TEXT,
  config ${json} NOT NULL,
  chunk_count INTEGER NOT NULL,
  mention_count INTEGER NOT NULL,
  entity_count INTEGER NOT NULL,
  relation_count INTEGER NOT NULL,
  duration_ms ${real} NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT,
  revision INTEGER NOT NULL,
  schema_version INTEGER NOT NULL,
  input_path TEXT NOT NULL,
  input ${json} NOT NULL,
  stats ${json} NOT NULL,
  output_dir TEXT NOT NULL
)`,
    `CREATE INDEX runs_doc_id ON runs (doc_id)`,
    `CREATE INDEX runs_entity_count ON runs (entity_count)`,
    `CREATE INDEX runs_output_dir_created_at ON runs (output_dir, created_at)`,
    `CREATE INDEX runs_model ON runs (model)`,
    `CREATE TABLE chunks (
  chunk_id TEXT PRIMARY KEY NOT NULL,
  run_id TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  chunk_index INTEGER NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  tokens INTEGER,
  sha256 TEXT NOT NULL
)`,
    `CREATE UNIQUE INDEX chunks_run_id_chunk_index ON chunks (run_id, chunk_index)`,
    `CREATE TABLE events (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  timestamp TEXT NOT NULL,
  type TEXT NOT NULL,
  data ${json} NOT NULL,
  PRIMARY KEY (run_id, seq)
)`,
    `CREATE INDEX events_type ON events (type)`,
    `CREATE TABLE errors (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  timestamp TEXT NOT NULL,
  type TEXT NOT NULL,
  message TEXT NOT NULL,
  context ${json} NOT NULL,
  chunk_index INTEGER,
  PRIMARY KEY (run_id, seq)
)`,
    `CREATE INDEX errors_type ON errors (type)`,
    `CREATE TABLE entities (
  run_id TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  label TEXT NOT NULL,
  type TEXT NOT NULL,
  aliases ${json} NOT NULL,
  mention_count INTEGER NOT NULL,
  label_norm TEXT NOT NULL,
  PRIMARY KEY (run_id, entity_id)
)`,
    `CREATE INDEX entities_doc_id ON entities (doc_id)`,
    `CREATE TABLE entity_names (
  run_id TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  name_norm TEXT${binary} NOT NULL,
  type_norm TEXT NOT NULL,
  mention_count INTEGER NOT NULL,
  PRIMARY KEY (run_id, entity_id, name_norm)
)`,
    // covering: a search reads only this index until it has its top hits
    `CREATE INDEX entity_names_name_norm ON entity_names (name_norm, type_norm, mention_count, run_id, entity_id)`,
    `CREATE TABLE mentions (
  run_id TEXT NOT NULL,
  mention_id TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  chunk_id TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (run_id, mention_id)
)`,
    `CREATE INDEX mentions_run_id_entity_id ON mentions (run_id, entity_id)`,
    `CREATE TABLE relations (
  run_id TEXT NOT NULL,
  relation_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  predicate TEXT NOT NULL,
  object TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  chunk_id TEXT,
  start INTEGER,
  "end" INTEGER,
  evidence TEXT,
  PRIMARY KEY (run_id, relation_id)
)`,
    `CREATE INDEX relations_predicate ON relations (predicate)`,
    `CREATE TABLE outputs (
  run_id TEXT NOT NULL,
  path TEXT NOT NULL,
  type TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes ${big} NOT NULL,
  ordinal INTEGER NOT NULL,
  PRIMARY KEY (run_id, path)
)`,
    `CREATE TABLE llm_usage (
  run_id TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  chunk_id TEXT NOT NULL,
  model TEXT,
  calls INTEGER NOT NULL,
  retries INTEGER NOT NULL,
  reasks INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_hits INTEGER NOT NULL,
  cost_usd ${real},
  PRIMARY KEY (run_id, chunk_id)
)`,
    `CREATE INDEX llm_usage_model ON llm_usage (model)`
  ]
}

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const dialect = sql.onDialectOrElse({ pg: () => "pg" as const, orElse: () => "sqlite" as const })
  for (const statement of mirrorSchema(dialect)) yield* sql.unsafe(statement)
})

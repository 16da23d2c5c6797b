/**
 * `neo4j/nodes.csv`, `neo4j/relationships.csv` and `neo4j/load.cypher`: the
 * graph for Neo4j, either through the offline bulk importer
 * (`neo4j-admin database import full`, header format:
 * https://neo4j.com/docs/operations-manual/current/tools/neo4j-admin/neo4j-admin-import/#import-tool-header-format)
 * or through `LOAD CSV` in a running database (load.cypher).
 *
 * Nodes carry the labels `Entity` and their type; relationship types are
 * the predicate in Neo4j's UPPER_SNAKE_CASE convention (`worksFor` →
 * `WORKS_FOR`), with the predicate as given kept in a property. Array
 * values (aliases, span offsets, evidence) are separated by U+001F (the
 * ASCII unit separator), which no value contains (control characters are
 * replaced), so the importer needs `--array-delimiter=U+001F`; values may
 * hold line breaks, so it needs `--multiline-fields=true`.
 */
import type { KnowledgeGraph } from "../Domain/Graph.js"
import { compareStrings, xmlSafe } from "./Text.js"

/** Separates array elements inside one CSV field. */
export const ARRAY_DELIMITER = "\u001f"

/** Text safe for any field: well-formed, without C0 controls other than tab, LF and CR (so without the delimiter). */
const clean = xmlSafe

/** Quotes a CSV field (RFC 4180): inner quotes doubled. */
const quote = (s: string) => `"${s.replace(/"/g, "\"\"")}"`
/** A string field: cleaned, always quoted. */
const field = (s: string) => quote(clean(s))
/** An array field: cleaned items joined by {@link ARRAY_DELIMITER}, quoted. */
const arrayField = (items: ReadonlyArray<string | number>) =>
  quote(items.map((i) => clean(String(i))).join(ARRAY_DELIMITER))

/**
 * The Neo4j relationship type of a predicate: words split at case changes
 * and at anything that is not a letter or digit, joined with `_`, upper
 * case (`worksFor` → `WORKS_FOR`, `born in` → `BORN_IN`). Letters of every
 * script are kept. `RELATED_TO` when nothing is left.
 */
export const relationshipType = (predicate: string): string => {
  const words = clean(predicate)
    .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, "$1_$2")
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1_$2")
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase()
  return words === "" ? "RELATED_TO" : words
}

/** The Neo4j labels of an entity: `Entity`, and its type when that is not blank. */
const labelsOf = (type: string): Array<string> => (clean(type).trim() === "" ? ["Entity"] : ["Entity", clean(type)])

/** A Cypher string literal: single-quoted, with `\` escapes for quotes, backslashes and control characters. */
export const cypherString = (s: string): string =>
  `'${
    clean(s).replace(/[\\'\u0000-\u001f\u007f]/g, (c) =>
      c === "\\"
        ? "\\\\"
        : c === "'"
        ? "\\'"
        : c === "\n"
        ? "\\n"
        : c === "\r"
        ? "\\r"
        : c === "\t"
        ? "\\t"
        : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  }'`

/** A Cypher name (label or relationship type) in backticks, inner backticks doubled. */
export const cypherName = (s: string): string => `\`${clean(s).replace(/`/g, "``")}\``

/** The three Neo4j files, as text. */
export interface Neo4jFiles {
  readonly nodes: string
  readonly relationships: string
  readonly cypher: string
}

/**
 * Renders the Neo4j import files. CSV lines end with `\n`; every string
 * field is quoted. Deterministic.
 */
export const renderNeo4j = (graph: KnowledgeGraph): Neo4jFiles => {
  const nodes = [
    "id:ID,:LABEL,label,type,aliases:string[],description,mentionCount:int,mentionStart:int[],mentionEnd:int[]"
  ]
  for (const e of graph.entities) {
    nodes.push([
      field(e.id),
      arrayField(labelsOf(e.type)),
      field(e.label),
      field(e.type),
      arrayField(e.aliases),
      e.description === null ? "" : field(e.description),
      String(e.mentions.length),
      arrayField(e.mentions.map((m) => m.span.start)),
      arrayField(e.mentions.map((m) => m.span.end))
    ].join(","))
  }
  const relationships = [
    ":START_ID,:END_ID,:TYPE,id,predicate,evidenceCount:int,evidenceStart:int[],evidenceEnd:int[],evidence:string[]"
  ]
  for (const r of graph.relations) {
    relationships.push([
      field(r.subject),
      field(r.object),
      field(relationshipType(r.predicate)),
      field(r.id),
      field(r.predicate),
      String(r.evidence.length),
      arrayField(r.evidence.map((ev) => ev.span.start)),
      arrayField(r.evidence.map((ev) => ev.span.end)),
      arrayField(r.evidence.map((ev) => ev.span.text))
    ].join(","))
  }

  const d = "'\\u001f'" // ARRAY_DELIMITER as a Cypher string literal
  const list = (column: string) =>
    `CASE WHEN coalesce(row.\`${column}\`, '') = '' THEN [] ELSE split(row.\`${column}\`, ${d}) END`
  const ints = (column: string) => `[x IN ${list(column)} | toInteger(x)]`
  const types = [...new Set(graph.entities.map((e) => labelsOf(e.type)[1]).filter((t): t is string => t !== undefined))]
    .sort(compareStrings)
  const relTypes = [...new Set(graph.relations.map((r) => relationshipType(r.predicate)))].sort(compareStrings)
  const cypher = [
    `// extract ${graph.runId}: ${graph.entities.length} entities, ${graph.relations.length} relations.`,
    "// Copy nodes.csv and relationships.csv into Neo4j's import directory, then run",
    "//   cypher-shell -u neo4j -p <password> -f load.cypher",
    "// (or paste it into Neo4j Browser). Running it twice changes nothing: nodes and relationships are MERGEd by id.",
    "",
    "CREATE CONSTRAINT extract_entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE;",
    "",
    "LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row",
    "MERGE (e:Entity {id: row.`id:ID`})",
    "SET e.label = row.label,",
    "    e.type = row.type,",
    `    e.aliases = ${list("aliases:string[]")},`,
    "    e.description = CASE WHEN row.description = '' THEN null ELSE row.description END,",
    "    e.mentionCount = toInteger(row.`mentionCount:int`),",
    `    e.mentionStart = ${ints("mentionStart:int[]")},`,
    `    e.mentionEnd = ${ints("mentionEnd:int[]")};`,
    "",
    ...types.map((t) => `MATCH (e:Entity) WHERE e.type = ${cypherString(t)} SET e:${cypherName(t)};`),
    ...(types.length > 0 ? [""] : []),
    ...relTypes.flatMap((t) => [
      "LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row",
      `WITH row WHERE row.\`:TYPE\` = ${cypherString(t)}`,
      "MATCH (s:Entity {id: row.`:START_ID`}), (o:Entity {id: row.`:END_ID`})",
      `MERGE (s)-[r:${cypherName(t)} {id: row.id}]->(o)`,
      "SET r.predicate = row.predicate,",
      "    r.evidenceCount = toInteger(row.`evidenceCount:int`),",
      `    r.evidenceStart = ${ints("evidenceStart:int[]")},`,
      `    r.evidenceEnd = ${ints("evidenceEnd:int[]")},`,
      `    r.evidence = ${list("evidence:string[]")};`,
      ""
    ])
  ]
  return { nodes: nodes.join("\n") + "\n", relationships: relationships.join("\n") + "\n", cypher: cypher.join("\n") }
}

/**
 * The output formats a run can write, and the base IRI its RDF is minted
 * under. docs/outputs.md describes every file.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/**
 * Output formats, by the name `--formats` takes:
 *
 * | name | files (under `outputs/`) |
 * |---|---|
 * | `json` | `knowledge-graph.json` (always written) |
 * | `resolution` | `entity-resolution-graph.json` |
 * | `mermaid` | `mermaid-diagram.md` |
 * | `turtle` | `rdf-turtle.ttl` |
 * | `html` | `viewer.html` (a self-contained page: text, entities, relations, graph) |
 * | `jsonld` | `knowledge-graph.jsonld` |
 * | `graphml` | `graph.graphml` |
 * | `neo4j` | `neo4j/nodes.csv`, `neo4j/relationships.csv`, `neo4j/load.cypher` |
 * | `jsonl` | `knowledge-graph.jsonl` (MCP memory-server lines) |
 */
export const ALL_FORMATS = [
  "json",
  "resolution",
  "mermaid",
  "turtle",
  "html",
  "jsonld",
  "graphml",
  "neo4j",
  "jsonl"
] as const

export const OutputFormat = Schema.Literal(...ALL_FORMATS)
export type OutputFormat = typeof OutputFormat.Type

/**
 * What runs recorded before `--formats` existed wrote (the defaults before
 * `html` joined them); their metadata.json decodes with these.
 */
export const SKELETON_FORMATS: ReadonlyArray<OutputFormat> = ["json", "resolution", "mermaid", "turtle"]

/** What a run writes when `--formats` is not given. */
export const DEFAULT_FORMATS: ReadonlyArray<OutputFormat> = ["json", "resolution", "mermaid", "turtle", "html"]

/**
 * Parses a `--formats` value: format names separated by commas (spaces
 * allowed), plus the shorthands `default` (the five default formats) and
 * `all`. `json` is always included: `knowledge-graph.json` is the run's
 * record of its graph. The result is de-duplicated and in the order of
 * {@link ALL_FORMATS}, so equal selections compare equal.
 *
 * @returns Left with a one-line message naming the bad entry
 */
export const parseFormats = (value: string): Either.Either<ReadonlyArray<OutputFormat>, string> => {
  const chosen = new Set<OutputFormat>(["json"])
  const names = value.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "")
  if (names.length === 0) return Either.left(`--formats needs at least one of: ${ALL_FORMATS.join(", ")}, default, all`)
  for (const name of names) {
    if (name === "all") ALL_FORMATS.forEach((f) => chosen.add(f))
    else if (name === "default") DEFAULT_FORMATS.forEach((f) => chosen.add(f))
    else if ((ALL_FORMATS as ReadonlyArray<string>).includes(name)) chosen.add(name as OutputFormat)
    else return Either.left(`--formats: unknown format "${name}" (known: ${ALL_FORMATS.join(", ")}, default, all)`)
  }
  return Either.right(ALL_FORMATS.filter((f) => chosen.has(f)))
}

/**
 * Base IRI when `--base-iri` is not given. `example.org` is reserved for
 * examples (RFC 2606), so minted IRIs can never clash with anyone's real
 * ones; set your own namespace before publishing the RDF.
 */
export const DEFAULT_BASE_IRI = "http://example.org/extract/"

/** An http, https, urn or tag URI of RFC 3986 characters other than `#` and `?`, with well-formed percent escapes. */
const BASE_IRI_PATTERN = /^(?:https?|urn|tag):(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})+$/i

/**
 * Validates a `--base-iri` value: an absolute `http:`, `https:`, `urn:` or
 * `tag:` URI of ASCII URI characters (non-ASCII must be percent-encoded)
 * without a query (`?`) or fragment (`#`), because minted IRIs append path
 * segments and fragments to it. (Other schemes are refused because a scheme
 * such as `kg:` would read as a prefix in Turtle and JSON-LD.) A missing
 * final `/` is added.
 *
 * @returns the base IRI ending in `/`, or Left with a one-line message
 */
export const validateBaseIri = (value: string): Either.Either<string, string> => {
  const iri = value.trim()
  if (!BASE_IRI_PATTERN.test(iri)) {
    return Either.left(
      `--base-iri must be an absolute http(s), urn or tag IRI such as https://data.example.com/kg/ (ASCII, no spaces, no ? or #), got "${value}"`
    )
  }
  return Either.right(iri.endsWith("/") ? iri : `${iri}/`)
}

/** Whether a recorded format name is one this build knows (newer runs may list more). */
export const isOutputFormat = (name: string): name is OutputFormat =>
  (ALL_FORMATS as ReadonlyArray<string>).includes(name)

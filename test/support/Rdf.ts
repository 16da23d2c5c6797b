/** Compares RDF from different serialisations by canonical N-Quads (RDFC-1.0, which relabels blank nodes). */
import jsonld from "jsonld"
import { type Quad, Writer } from "n3"

/** `jsonld.canonize` as this package calls it (the bundled types do not know N-Quads input). */
const canonize = jsonld.canonize as unknown as (input: unknown, options: Record<string, unknown>) => Promise<string>

/** `jsonld.expand` with a document loader. */
export const expandJsonLd = jsonld.expand as unknown as (
  input: unknown,
  options: Record<string, unknown>
) => Promise<Array<unknown>>

/** Canonical N-Quads of RDF/JS quads, one sorted line per triple. */
export const canonicalOfQuads = (quads: ReadonlyArray<Quad>): Promise<string> =>
  canonize(new Writer({ format: "N-Quads" }).quadsToString([...quads]), {
    algorithm: "RDFC-1.0",
    inputFormat: "application/n-quads",
    format: "application/n-quads"
  })

/** Canonical N-Quads of a JSON-LD document (expanded by the `jsonld` package; `safe` makes it fail on anything it would drop). */
export const canonicalOfJsonLd = (doc: object): Promise<string> =>
  canonize(doc, { algorithm: "RDFC-1.0", format: "application/n-quads", safe: true })

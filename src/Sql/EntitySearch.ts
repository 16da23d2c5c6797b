/**
 * `extract search <text> [--type T] [--json]`: entities across every
 * mirrored run whose label or an alias matches `text`, ignoring case and
 * diacritics. Names are compared normalised ({@link normalizeName}); a hit
 * is a name with a word that starts with the normalised text ("linc" finds
 * "Abraham Lincoln", "bronte" finds "Zoë Brontë"). An index range scan over
 * `entity_names.name_norm`, so it stays fast across many runs.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { UsageError } from "../Domain/Errors.js"
import { formatTable } from "../RunsReport.js"
import { normalizeName } from "./RunRows.js"

/** One entity found. Offsets are code points into the run's `input/document.txt`. */
export interface SearchHit {
  readonly runId: string
  readonly entityId: string
  readonly label: string
  readonly type: string
  /** The input path of the run's document, as given to `extract`. */
  readonly document: string
  readonly mentions: number
  /** The entity's first mention in the document, or null when none was mirrored. */
  readonly firstMention: { readonly start: number; readonly end: number; readonly text: string } | null
}

/** The highest code point: `name_norm < prefix + this` bounds the prefix range. */
const TOP = String.fromCodePoint(0x10ffff)

/** Most hits printed. */
export const SEARCH_LIMIT = 200

export class EntitySearch extends Effect.Service<EntitySearch>()("EntitySearch", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /**
     * Entities named like `text` (see the module comment), of type `type`
     * when given (case-insensitive), most mentioned first, at most `limit`.
     *
     * @throws UsageError when `text` has no letters or digits
     */
    const find = Effect.fn("EntitySearch.find")(
      function*(text: string, type: string | undefined, limit: number = SEARCH_LIMIT) {
        const q = normalizeName(text)
        if (q === "") {
          return yield* new UsageError({ message: `search: ${JSON.stringify(text)} has no letters or digits` })
        }
        const byType = type === undefined ? sql`` : sql`AND type_norm = ${type.toLowerCase()}`
        // the top hits from the covering index alone (an entity matching by two names counts once)
        const top = yield* sql<{ run_id: string; entity_id: string }>`SELECT run_id, entity_id
          FROM entity_names WHERE name_norm >= ${q} AND name_norm < ${q + TOP} ${byType}
          GROUP BY run_id, entity_id ORDER BY max(mention_count) DESC, run_id, entity_id LIMIT ${limit}`
        if (top.length === 0) return []
        const keys = sql.or(top.map((t) => sql.and([sql`e.run_id = ${t.run_id}`, sql`e.entity_id = ${t.entity_id}`])))
        const rows = yield* sql<{
          run_id: string
          entity_id: string
          label: string
          type: string
          mention_count: number
          input_path: string
          start: number | null
          end: number | null
          text: string | null
        }>`SELECT e.run_id, e.entity_id, e.label, e.type, e.mention_count, r.input_path, fm.start, fm."end", fm.text
          FROM entities e JOIN runs r ON r.run_id = e.run_id
          LEFT JOIN mentions fm ON fm.run_id = e.run_id AND fm.mention_id = (
            SELECT m.mention_id FROM mentions m WHERE m.run_id = e.run_id AND m.entity_id = e.entity_id
            ORDER BY m.start LIMIT 1)
          WHERE ${keys}
          ORDER BY e.mention_count DESC, r.input_path, e.label, e.run_id`
        return rows.map((r): SearchHit => ({
          runId: r.run_id,
          entityId: r.entity_id,
          label: r.label,
          type: r.type,
          document: r.input_path,
          mentions: Number(r.mention_count),
          firstMention: r.start === null
            ? null
            : { start: Number(r.start), end: Number(r.end), text: r.text ?? "" }
        }))
      }
    )

    /** Prints the hits: a table (a note on stderr when none), or one JSON object per line. */
    const run = Effect.fn("EntitySearch.run")(function*(text: string, type: string | undefined, json: boolean) {
      const hits = yield* find(text, type)
      if (json) {
        for (const h of hits) yield* Console.log(JSON.stringify(h))
        return
      }
      if (hits.length === 0) return yield* Console.error(`no entity named like ${JSON.stringify(text)}`)
      yield* Console.log(formatTable([
        ["RUN", "TYPE", "ENTITY", "MENTIONS", "FIRST MENTION", "DOCUMENT"],
        ...hits.map((h) => [
          h.runId,
          h.type,
          h.label,
          String(h.mentions),
          h.firstMention ? `${h.firstMention.start}-${h.firstMention.end} ${JSON.stringify(h.firstMention.text)}` : "-",
          h.document
        ])
      ]))
    })

    return { find, run } as const
  })
}) {}

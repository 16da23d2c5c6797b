/**
 * The data `outputs/viewer.html` embeds (as JSON in a
 * `<script type="application/json" id="extract-data">` block) and the
 * browser code in `src/Viewer/app.ts` reads. Written by
 * `src/Renderer/Viewer.ts` from `knowledge-graph.json`'s graph,
 * `entity-resolution-graph.json`'s edges and `input/document.txt`.
 *
 * Rows are tuples rather than objects to keep large runs small (a 5.5 MB
 * document has some 40,000 mentions). Every offset is in Unicode code points
 * over {@link ViewerData.text}, `end` exclusive, as in every other output;
 * the browser converts them to UTF-16 indices itself.
 *
 * Type-only module: imported by the Node renderer and by the browser bundle.
 */

/** Version of this shape; bumped on incompatible change. */
export type ViewerDataVersion = 1

/** `[id, label, type index, aliases, description]` — one per entity of `knowledge-graph.json`, in its order. */
export type ViewerEntity = readonly [
  id: string,
  label: string,
  type: number,
  aliases: ReadonlyArray<string>,
  description: string | null
]

/**
 * `[id, entity index, start, end, grounding, method, score, reason index, via]` —
 * one per mention, in document order (by `start`, then longer first). `method`,
 * `score`, the reason (an index into {@link ViewerData.reasons}) and `via` (the
 * merge partner's mention id) are the mention's edge in
 * `entity-resolution-graph.json` (null, or -1 for the reason, when it has none).
 */
export type ViewerMention = readonly [
  id: string,
  entity: number,
  start: number,
  end: number,
  grounding: string,
  method: string | null,
  score: number | null,
  reason: number,
  via: string | null
]

/** `[id, subject entity index, predicate, object entity index, evidence spans as [start, end]]`. */
export type ViewerRelation = readonly [
  id: string,
  subject: number,
  predicate: string,
  object: number,
  evidence: ReadonlyArray<readonly [start: number, end: number]>
]

/** Everything the viewer shows. */
export interface ViewerData {
  readonly version: ViewerDataVersion
  readonly runId: string
  /** The document (`input/document.txt`) exactly. */
  readonly text: string
  /** Entity type names, sorted; entities refer to them by index. */
  readonly types: ReadonlyArray<string>
  readonly entities: ReadonlyArray<ViewerEntity>
  readonly mentions: ReadonlyArray<ViewerMention>
  /** The resolution edges' reasons, each once (many mentions share one), in order of first use. */
  readonly reasons: ReadonlyArray<string>
  readonly relations: ReadonlyArray<ViewerRelation>
}

/**
 * The viewer's in-memory model of a run: the embedded {@link ViewerData}
 * plus the indices the views need, with every offset converted from code
 * points to UTF-16 indices (what DOM text offsets and `String.slice` use).
 */
import { CodePoints } from "./Dom.js"
import type { ViewerData } from "./ViewerData.js"

export interface Model {
  readonly data: ViewerData
  readonly text: string
  /** Per mention (in {@link ViewerData.mentions} order): UTF-16 start and end, entity index. */
  readonly mentionStart: Int32Array
  readonly mentionEnd: Int32Array
  readonly mentionEntity: Int32Array
  /** Mention index by mention id. */
  readonly mentionById: Map<string, number>
  /** Per entity: its mention indices, in document order. */
  readonly mentionsOf: ReadonlyArray<ReadonlyArray<number>>
  /** Per entity: the relations it is subject or object of (indices into data.relations). */
  readonly relationsOf: ReadonlyArray<ReadonlyArray<number>>
  /** Per relation: its evidence spans as UTF-16 [start, end). */
  readonly evidence: ReadonlyArray<ReadonlyArray<readonly [number, number]>>
  /** Entity index by entity id. */
  readonly entityById: Map<string, number>
  /** Per entity: lower-cased label and aliases, for the search box. */
  readonly searchKey: ReadonlyArray<string>
}

/** Builds the model; O(mentions · log p) with p surrogate pairs in the text. */
export const modelOf = (data: ViewerData): Model => {
  const text = data.text
  const cp = new CodePoints(text)
  const n = data.mentions.length
  const mentionStart = new Int32Array(n)
  const mentionEnd = new Int32Array(n)
  const mentionEntity = new Int32Array(n)
  const mentionById = new Map<string, number>()
  const mentionsOf: Array<Array<number>> = data.entities.map(() => [])
  data.mentions.forEach((m, i) => {
    mentionStart[i] = cp.toUtf16(m[2])
    mentionEnd[i] = Math.max(mentionStart[i]!, cp.toUtf16(m[3]))
    mentionEntity[i] = m[1]
    mentionById.set(m[0], i)
    mentionsOf[m[1]]?.push(i)
  })
  const relationsOf: Array<Array<number>> = data.entities.map(() => [])
  data.relations.forEach((r, i) => {
    relationsOf[r[1]]?.push(i)
    if (r[3] !== r[1]) relationsOf[r[3]]?.push(i)
  })
  const evidence = data.relations.map((r) => r[4].map(([s, e]) => [cp.toUtf16(s), cp.toUtf16(e)] as const))
  const entityById = new Map(data.entities.map((e, i) => [e[0], i]))
  const searchKey = data.entities.map((e) => [e[1], ...e[3]].join("\n").toLowerCase())
  return {
    data,
    text,
    mentionStart,
    mentionEnd,
    mentionEntity,
    mentionById,
    mentionsOf,
    relationsOf,
    evidence,
    entityById,
    searchKey
  }
}

/**
 * The resolve stage's service: entity resolution over the mentions of one
 * document. It decides which mentions are the same entity and nothing else.
 */
import * as Effect from "effect/Effect"
import { type Mention, surfaceOf } from "./Domain/Extraction.js"
import { Assignment, Cluster, Resolution } from "./Domain/Graph.js"

/**
 * Normalises a surface form for comparison: Unicode NFKC, diacritics
 * removed, lower case, possessive `'s` dropped, punctuation and quotes
 * removed, whitespace collapsed.
 */
export const normalizeName = (surface: string): string =>
  surface
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .normalize("NFKC")
    .toLowerCase()
    .replace(/['’]s\b/gu, "")
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/gu, " ")
    .trim()

/**
 * First version: mentions with the same normalised name and the same entity
 * type are one entity. The label is the longest surface form (ties: the most
 * frequent, then the first). O(n) in the number of mentions.
 */
export class Resolver extends Effect.Service<Resolver>()("Resolver", {
  succeed: {
    /**
     * Groups `mentions` into clusters. Every mention is assigned to exactly
     * one cluster; clusters are ordered by their first mention. Never fails.
     */
    resolve: Effect.fn("Resolver.resolve")(function*(mentions: ReadonlyArray<Mention>) {
      const keyed = new Map<string, Array<Mention>>()
      const ordered = [...mentions].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end)
      for (const m of ordered) {
        const name = normalizeName(surfaceOf(m)) || surfaceOf(m)
        const key = `${m.type}\u0000${name}`
        const list = keyed.get(key)
        if (list) list.push(m)
        else keyed.set(key, [m])
      }
      const clusters: Array<Cluster> = []
      const assignments: Array<Assignment> = []
      for (const list of keyed.values()) {
        const index = clusters.length
        const counts = new Map<string, number>()
        for (const m of list) counts.set(surfaceOf(m), (counts.get(surfaceOf(m)) ?? 0) + 1)
        const label = [...counts.entries()].sort((a, b) => b[0].length - a[0].length || b[1] - a[1])[0]![0]
        clusters.push(new Cluster({ label, type: list[0]!.type, mentions: list.map((m) => m.id) }))
        for (const m of list) {
          assignments.push(
            new Assignment({
              mention: m.id,
              cluster: index,
              method: list.length === 1 ? "singleton" : "exact",
              score: 1,
              reason: list.length === 1
                ? "no other mention with this name and type"
                : `same normalised name "${normalizeName(surfaceOf(m))}" and type ${m.type}`
            })
          )
        }
        yield* Effect.void
      }
      return new Resolution({ clusters, assignments })
    })
  },
  accessors: true
}) {}

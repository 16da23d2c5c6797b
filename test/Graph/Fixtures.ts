/** Small knowledge graphs, as runs would make them, for the context-graph tests. */
import { createHash } from "node:crypto"
import { Entity, EntityMention, Evidence, KnowledgeGraph, Relation } from "../../src/Domain/Graph.js"
import { Span } from "../../src/Domain/Span.js"
import type { RunContribution } from "../../src/Graph/CrossResolver.js"

export interface EntitySpec {
  readonly id: string
  readonly label: string
  readonly type: string
  readonly aliases?: ReadonlyArray<string>
  /** Mentions: by default one of the label. */
  readonly mentions?: number
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex")

/** A run's graph and contribution: entity mentions at made-up offsets, relations between local ids. */
export const contribution = (
  name: string,
  entities: ReadonlyArray<EntitySpec>,
  relations: ReadonlyArray<readonly [string, string, string]> = [],
  version = ""
): RunContribution => {
  const runId = `doc-${sha(name).slice(0, 12)}`
  let offset = 0
  const graph = new KnowledgeGraph({
    schemaVersion: 1,
    runId,
    document: { path: "input/document.txt", sha256: sha(name), length: 1000 },
    entities: entities.map((e) =>
      new Entity({
        id: e.id,
        label: e.label,
        type: e.type,
        aliases: [...(e.aliases ?? [])],
        mentions: Array.from({ length: e.mentions ?? 1 }, (_, i) => {
          const start = offset
          offset += e.label.length + 1
          return new EntityMention({
            id: `c0-m${e.id}${i}`,
            span: new Span({ start, end: start + e.label.length, text: e.label }),
            chunk: 0,
            grounding: "exact"
          })
        }),
        description: null
      })
    ),
    relations: relations.map(([s, p, o], i) =>
      new Relation({
        id: `r-${i}`,
        subject: s,
        predicate: p,
        object: o,
        evidence: [new Evidence({ span: new Span({ start: 0, end: 3, text: "abc" }), chunk: 0, grounding: "exact" })]
      })
    )
  })
  return {
    runId,
    document: { path: `${name}.txt`, sha256: sha(name), length: 1000 },
    digest: sha(JSON.stringify(graph) + version),
    graph
  }
}

/**
 * What a context graph looks like from outside: the `graph.jsonl`
 * snapshot in the Model Context Protocol memory server's line format
 * (https://github.com/modelcontextprotocol/servers/tree/main/src/memory),
 * and a `KnowledgeGraph`-shaped value that the run renderers
 * (src/Renderer.ts) turn into Turtle, JSON-LD, GraphML, Neo4j, Mermaid and
 * MCP JSONL, with per-document provenance.
 *
 * Both are pure functions of the replayed state, so `graph verify` can
 * compare the file with a fresh rendering of the log byte for byte.
 */
import { sha256Hex } from "../Digest.js"
import { GRAPH_LOG_VERSION } from "../Domain/ContextGraph.js"
import {
  Entity,
  EntityMention,
  Evidence,
  GRAPH_SCHEMA_VERSION,
  KnowledgeGraph,
  Relation,
  ResolutionEdge,
  ResolutionGraph
} from "../Domain/Graph.js"
import { Span } from "../Domain/Span.js"
import { memoryNames } from "../Renderer/Jsonl.js"
import { wellFormed } from "../Renderer/Text.js"
import { type GraphState, viewOf } from "./GraphState.js"

/** Mentions listed as observations per entity in graph.jsonl (all are in its provenance). */
export const SNAPSHOT_MENTION_OBSERVATIONS = 5

/** A run's share of an entity or relation: its run id, document path and spans (code points, end exclusive). */
export interface Provenance {
  readonly runId: string
  readonly document: string
  readonly spans: ReadonlyArray<readonly [number, number]>
}

interface ContextRelation {
  readonly id: string
  readonly subject: string
  readonly predicate: string
  readonly object: string
  readonly provenance: Array<Provenance>
  readonly evidence: Array<{ runId: string; start: number; end: number; text: string; chunk: number }>
}

/** Context entities in creation order, with their views. */
export const entitiesOf = (state: GraphState) =>
  [...state.entities.values()].sort((a, b) => a.createdSeq - b.createdSeq || (a.id < b.id ? -1 : 1)).map((e) =>
    viewOf(state, e)
  )

/**
 * Relations of the context: each run's relations re-pointed from its local
 * entities to the context entities holding them; the same (subject,
 * predicate, object) from several runs is one relation with all the
 * evidence; relations whose two ends became one entity are dropped.
 * Ordered by first appearance (run order, then the run's order).
 */
export const relationsOf = (state: GraphState): Array<ContextRelation> => {
  const byKey = new Map<string, ContextRelation>()
  const runs = [...state.runs.values()].sort((a, b) => a.seq - b.seq)
  for (const run of runs) {
    for (const r of run.relations) {
      const s = state.contributions.get(`${run.runId}/${r.subject}`)?.entity
      const o = state.contributions.get(`${run.runId}/${r.object}`)?.entity
      if (s === undefined || o === undefined || s === o) continue
      const key = `${s}\u0000${r.predicate}\u0000${o}`
      let rel = byKey.get(key)
      if (rel === undefined) {
        rel = {
          id: `r-${sha256Hex(key).slice(0, 12)}`,
          subject: s,
          predicate: r.predicate,
          object: o,
          provenance: [],
          evidence: []
        }
        byKey.set(key, rel)
      }
      rel.provenance.push({
        runId: run.runId,
        document: run.document.path,
        spans: r.evidence.map((e) => [e.start, e.end] as const)
      })
      for (const e of r.evidence) rel.evidence.push({ runId: run.runId, ...e })
    }
  }
  return [...byKey.values()]
}

/**
 * The context as one `KnowledgeGraph`: `runId` is `graph-<context>`,
 * `document` stands for the whole context (path `graphs/<context>/log.jsonl`,
 * the SHA-256 over the runs' document hashes, length 0), and every mention
 * and evidence span names its own run in `source`, with `sources` listing
 * each run's document, so renderers can give per-document provenance.
 * Mention ids are `<runId>.<mention id>`, unique across the context.
 */
export const contextGraph = (state: GraphState, context: string): KnowledgeGraph => {
  const runs = [...state.runs.values()].sort((a, b) => a.seq - b.seq)
  const entities = entitiesOf(state).map((v) =>
    new Entity({
      id: v.id,
      label: v.label,
      type: v.type,
      aliases: v.aliases,
      mentions: v.contributions.flatMap((c) =>
        c.mentions.map((m) =>
          new EntityMention({
            id: `${c.runId}.${m.id}`,
            span: new Span({ start: m.start, end: m.end, text: m.text }, { disableValidation: true }),
            chunk: m.chunk,
            grounding: "exact",
            source: c.runId
          }, { disableValidation: true })
        )
      ),
      description: null
    }, { disableValidation: true })
  )
  const relations = relationsOf(state).map((r) =>
    new Relation({
      id: r.id,
      subject: r.subject,
      predicate: r.predicate,
      object: r.object,
      evidence: r.evidence.map((e) =>
        new Evidence({
          span: new Span({ start: e.start, end: e.end, text: e.text }, { disableValidation: true }),
          chunk: e.chunk,
          grounding: "exact",
          source: e.runId
        }, { disableValidation: true })
      ) as unknown as readonly [Evidence, ...Array<Evidence>]
    }, { disableValidation: true })
  )
  return new KnowledgeGraph({
    schemaVersion: GRAPH_SCHEMA_VERSION,
    runId: `graph-${context}`,
    document: {
      path: `graphs/${context}/log.jsonl`,
      sha256: sha256Hex(runs.map((r) => r.document.sha256).join("\n")),
      length: 0
    },
    entities,
    relations,
    sources: runs.map((r) => ({
      runId: r.runId,
      path: r.document.path,
      sha256: r.document.sha256,
      length: r.document.length
    }))
  }, { disableValidation: true })
}

/** The entity-resolution graph of the context: each mention's entity and how it got there. */
export const contextResolution = (state: GraphState, graph: KnowledgeGraph): ResolutionGraph => {
  const mentions: Array<ResolutionGraph["mentions"][number]> = []
  const edges: Array<ResolutionEdge> = []
  for (const v of entitiesOf(state)) {
    for (const c of v.contributions) {
      const node = state.entities.get(v.id)!
      const step = node.merges.find((m) => m.moved.includes(c.key))
      for (const m of c.mentions) {
        const id = `${c.runId}.${m.id}`
        mentions.push({
          id,
          type: c.type,
          span: new Span({ start: m.start, end: m.end, text: m.text }, { disableValidation: true }),
          chunk: m.chunk
        })
        edges.push(
          new ResolutionEdge({
            mention: id,
            entity: v.id,
            method: step === undefined ? "document" : `cross-document:${step.evidence.rule}`,
            score: step === undefined ? 1 : step.evidence.score,
            reason: step === undefined
              ? `in ${c.runId}, resolved within its document into ${JSON.stringify(c.label)}`
              : step.evidence.reason
          }, { disableValidation: true })
        )
      }
    }
  }
  return new ResolutionGraph({
    schemaVersion: GRAPH_SCHEMA_VERSION,
    runId: graph.runId,
    mentions,
    entities: graph.entities.map((e) => ({ id: e.id, label: e.label, type: e.type })),
    edges
  }, { disableValidation: true })
}

/**
 * `graph.jsonl`: a first line `{"type":"snapshot","context","seq",…}`
 * (the memory server skips types it does not know), then one entity line
 * per entity, `{"type":"entity","name","entityType","observations",
 * "provenance"}`, then one relation line per relation, `{"type":"relation",
 * "from","to","relationType","provenance"}`. Names are unique (the
 * memory server's key) by the rule of `memoryNames`. `provenance` lists per
 * run `{runId, document, spans}`, spans as `[start, end]` code points; an
 * entity line also gives its stable `id`. Deterministic; every line ends in `\n`.
 */
export const renderSnapshot = (state: GraphState, context: string): string => {
  const graph = contextGraph(state, context)
  const names = memoryNames(graph)
  const views = entitiesOf(state)
  const relations = relationsOf(state)
  const lines: Array<string> = [
    JSON.stringify({
      type: "snapshot",
      version: GRAPH_LOG_VERSION,
      context,
      seq: state.applied,
      runs: state.runs.size,
      entities: views.length,
      relations: relations.length
    })
  ]
  for (const v of views) {
    const docs = new Set(v.contributions.map((c) => c.runId))
    const observations: Array<string> = []
    for (const alias of v.aliases) observations.push(`Also called "${wellFormed(alias)}"`)
    observations.push(
      `Mentioned ${v.mentionCount} time${v.mentionCount === 1 ? "" : "s"} in ${docs.size} document${
        docs.size === 1 ? "" : "s"
      }`
    )
    let listed = 0
    outer: for (const c of v.contributions) {
      const run = state.runs.get(c.runId)!
      for (const m of c.mentions) {
        if (listed++ >= SNAPSHOT_MENTION_OBSERVATIONS) break outer
        observations.push(`Mention in ${run.document.path} at code points ${m.start}–${m.end}: "${wellFormed(m.text)}"`)
      }
    }
    const provenance: Array<Provenance> = []
    for (const c of v.contributions) {
      const run = state.runs.get(c.runId)!
      provenance.push({ runId: c.runId, document: run.document.path, spans: c.mentions.map((m) => [m.start, m.end]) })
    }
    lines.push(JSON.stringify({
      type: "entity",
      name: names.get(v.id)!,
      entityType: wellFormed(v.type),
      observations,
      provenance: { id: v.id, runs: provenance }
    }))
  }
  for (const r of relations) {
    lines.push(JSON.stringify({
      type: "relation",
      from: names.get(r.subject)!,
      to: names.get(r.object)!,
      relationType: wellFormed(r.predicate),
      provenance: { id: r.id, runs: r.provenance }
    }))
  }
  return lines.map((l) => l + "\n").join("")
}

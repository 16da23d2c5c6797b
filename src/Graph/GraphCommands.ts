/**
 * `extract graph add|list|show|search|export|verify|repair|unmerge`: the
 * context graph commands (README, "One graph across documents"). Results go
 * to stdout (aligned text, or one JSON object per line with `--json`);
 * notices to stderr. The store's guarantees are in src/Graph/GraphStore.ts
 * and docs/graph.md.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { sha256Hex } from "../Digest.js"
import { GraphError } from "../Domain/ContextGraph.js"
import { StoreError, UsageError } from "../Domain/Errors.js"
import { KnowledgeGraph } from "../Domain/Graph.js"
import { DEFAULT_BASE_IRI, DEFAULT_FORMATS, parseFormats, validateBaseIri } from "../Domain/Output.js"
import { renderOutputs } from "../Renderer.js"
import { formatTable } from "../RunsReport.js"
import { writeFileAtomic } from "../Store/AtomicFile.js"
import { ExtractionRunService } from "../Store/ExtractionRunService.js"
import type { RunContribution } from "./CrossResolver.js"
import { contextGraph, contextResolution } from "./GraphSnapshot.js"
import { type EntityNode, type GraphState, viewOf } from "./GraphState.js"
import { type AddResult, GraphStore } from "./GraphStore.js"

const decodeGraph = Schema.decodeUnknownEither(Schema.parseJson(KnowledgeGraph))

/**
 * A completed run of the run store as a contribution: its
 * `knowledge-graph.json`, its input path and SHA-256, and the digest of the
 * graph file (so adding it twice changes nothing).
 *
 * @throws UsageError (bad run id), RunNotFound, GraphError (run not
 * completed, or its graph unreadable), StoreError
 */
export const contributionOfRun = Effect.fn("GraphCommands.contributionOfRun")(function*(runId: string) {
  const runs = yield* ExtractionRunService
  yield* runs.validateRunId(runId)
  const meta = yield* runs.getRun(runId)
  if (meta.status !== "completed") {
    return yield* new GraphError({
      context: "",
      message: `run ${runId} is ${meta.status}, not completed: only completed runs join a graph`
    })
  }
  const text = yield* runs.getOutput(runId, "knowledge-graph")
  const decoded = decodeGraph(text)
  if (Either.isLeft(decoded)) {
    return yield* new GraphError({
      context: "",
      message:
        `run ${runId}: outputs/knowledge-graph.json is not a knowledge graph (extract runs verify ${runId} --repair)`
    })
  }
  return {
    runId,
    document: { path: meta.input.path, sha256: meta.input.sha256, length: decoded.right.document.length },
    digest: sha256Hex(text),
    graph: decoded.right
  } satisfies RunContribution
})

/** Adds runs of the run store to a context graph; see {@link GraphStore} `add`. */
export const addRunsFromStore = Effect.fn("GraphCommands.addRuns")(function*(
  context: string,
  runIds: ReadonlyArray<string>,
  options: { readonly flush?: boolean } = {}
) {
  const store = yield* GraphStore
  const contributions = yield* Effect.forEach(runIds, contributionOfRun)
  return yield* store.add(context, contributions, options)
})

/** One line about an added run, for stdout or stderr. */
export const describeAdd = (context: string, r: AddResult): string =>
  r.status === "unchanged"
    ? `${r.runId}\tunchanged\tcontext ${context}: already there`
    : `${r.runId}\t${r.status}\tcontext ${context}: ${r.created} new entities, ${r.attached} joined entities of other documents${
      r.mergedEntities > 0 ? `, ${r.mergedEntities} entities merged` : ""
    }, ${r.relations} relations`

/** Entities whose id is `ref`, else whose label is `ref` (case-insensitive). */
const findEntities = (state: GraphState, ref: string): Array<EntityNode> => {
  const byId = state.entities.get(ref)
  if (byId !== undefined) return [byId]
  const lower = ref.toLowerCase()
  return [...state.entities.values()].filter((e) => viewOf(state, e).label.toLowerCase() === lower)
}

export class GraphCommands extends Effect.Service<GraphCommands>()("GraphCommands", {
  effect: Effect.gen(function*() {
    const store = yield* GraphStore
    const runs = yield* ExtractionRunService
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path

    /** `graph add`: prints one line per run; returns the exit code (0). */
    const add = Effect.fn("GraphCommands.add")(
      function*(context: string, runIds: ReadonlyArray<string>, json: boolean) {
        if (runIds.length === 0) return yield* new UsageError({ message: "graph add needs one or more run ids" })
        const results = yield* addRunsFromStore(context, runIds).pipe(Effect.provideService(GraphStore, store))
        for (const r of results) {
          yield* Console.log(json ? JSON.stringify({ context, ...r }) : describeAdd(context, r))
        }
        return 0
      },
      (effect) => Effect.provideService(effect, ExtractionRunService, runs)
    )

    /** `graph list`: every context with its runs, entities, relations and mentions. */
    const list = Effect.fn("GraphCommands.list")(function*(json: boolean) {
      const rows: Array<Array<string>> = [["CONTEXT", "RUNS", "ENTITIES", "MENTIONS", "MERGES", "PATH"]]
      for (const context of yield* store.contexts()) {
        const state = yield* store.read(context)
        let mentions = 0
        let merges = 0
        for (const c of state.contributions.values()) mentions += c.mentions.length
        for (const e of state.entities.values()) merges += e.merges.length
        const entry = {
          context,
          runs: state.runs.size,
          entities: state.entities.size,
          mentions,
          crossDocumentMerges: merges,
          path: store.dirOf(context)
        }
        if (json) yield* Console.log(JSON.stringify(entry))
        else {rows.push([
            context,
            String(entry.runs),
            String(entry.entities),
            String(mentions),
            String(merges),
            entry.path
          ])}
      }
      if (!json) yield* Console.log(rows.length === 1 ? "no context graphs" : formatTable(rows))
      return 0
    })

    /** `graph show`: one entity, with every mention (run, document, span) and the merges that made it. */
    const show = Effect.fn("GraphCommands.show")(function*(context: string, ref: string, json: boolean) {
      const state = yield* store.read(context)
      const found = findEntities(state, ref)
      if (found.length === 0) {
        return yield* new GraphError({
          context,
          message: `no entity "${ref}" in context ${context} (extract graph search)`
        })
      }
      for (const entity of found) {
        const v = viewOf(state, entity)
        const mentions = v.contributions.flatMap((c) =>
          c.mentions.map((m) => ({
            runId: c.runId,
            document: state.runs.get(c.runId)!.document.path,
            start: m.start,
            end: m.end,
            text: m.text
          }))
        )
        if (json) {
          yield* Console.log(JSON.stringify({
            context,
            id: v.id,
            label: v.label,
            type: v.type,
            aliases: v.aliases,
            documents: new Set(mentions.map((m) => m.runId)).size,
            mentions,
            merges: entity.merges
          }))
          continue
        }
        const docs = new Set(mentions.map((m) => m.runId)).size
        yield* Console.log(
          `${v.label}  (${v.type}, id ${v.id})\n${mentions.length} mentions in ${docs} document${
            docs === 1 ? "" : "s"
          }` +
            (v.aliases.length > 0 ? `\nalso called: ${v.aliases.join(", ")}` : "")
        )
        yield* Console.log(
          formatTable([
            ["RUN", "DOCUMENT", "SPAN", "TEXT"],
            ...mentions.map((m) => [m.runId, m.document, `${m.start}-${m.end}`, JSON.stringify(m.text)])
          ])
        )
        for (const m of entity.merges) {
          yield* Console.log(`merge #${m.seq} (${m.evidence.rule}, ${m.evidence.score}): ${m.evidence.reason}`)
        }
      }
      return 0
    })

    /** `graph search`: entities whose label or an alias contains `text` (case-insensitive), most mentioned first. */
    const search = Effect.fn("GraphCommands.search")(function*(context: string, text: string, json: boolean) {
      const state = yield* store.read(context)
      const needle = text.toLowerCase()
      const hits = [...state.entities.values()].map((e) => viewOf(state, e)).filter((v) =>
        v.label.toLowerCase().includes(needle) || v.aliases.some((a) => a.toLowerCase().includes(needle))
      ).sort((a, b) => b.mentionCount - a.mentionCount || (a.id < b.id ? -1 : 1))
      const rows = [["ID", "TYPE", "MENTIONS", "DOCUMENTS", "LABEL"]]
      for (const v of hits) {
        const docs = new Set(v.contributions.map((c) => c.runId)).size
        if (json) {
          yield* Console.log(
            JSON.stringify({ id: v.id, label: v.label, type: v.type, mentions: v.mentionCount, documents: docs })
          )
        } else rows.push([v.id, v.type, String(v.mentionCount), String(docs), v.label])
      }
      if (!json) yield* Console.log(hits.length === 0 ? `no entity matches "${text}"` : formatTable(rows))
      return 0
    })

    /** `graph export`: the run renderers over the context graph, written under `out`; prints each file's path. */
    const exportGraph = Effect.fn("GraphCommands.export")(function*(
      context: string,
      options: {
        readonly formats: string | undefined
        readonly out: string | undefined
        readonly baseIri: string | undefined
      }
    ) {
      const formats = options.formats === undefined ? Either.right(undefined) : parseFormats(options.formats)
      if (Either.isLeft(formats)) return yield* new UsageError({ message: formats.left })
      const base = options.baseIri === undefined ? Either.right(DEFAULT_BASE_IRI) : validateBaseIri(options.baseIri)
      if (Either.isLeft(base)) return yield* new UsageError({ message: base.left })
      // The viewer (html) shows one document's text; a context graph spans many, so it is not exported (yet).
      if (formats.right?.includes("html") === true && options.formats?.split(",").some((f) => f.trim() === "html")) {
        return yield* new UsageError({
          message: "graph export: the html viewer shows one run; use extract view <runId>"
        })
      }
      const chosen = (formats.right ?? DEFAULT_FORMATS).filter((f) => f !== "html")
      const state = yield* store.read(context)
      const graph = contextGraph(state, context)
      const outputs = renderOutputs(graph, contextResolution(state, graph), { formats: chosen, baseIri: base.right })
      const dir = path.resolve(options.out ?? path.join(store.dirOf(context), "export"))
      for (const o of outputs) {
        const file = path.join(dir, ...o.path.replace(/^outputs\//, "").split("/"))
        yield* fs.makeDirectory(path.dirname(file), { recursive: true }).pipe(
          Effect.zipRight(writeFileAtomic(file, o.content)),
          Effect.provideService(FileSystem.FileSystem, fs),
          Effect.provideService(Path.Path, path),
          Effect.mapError((e) =>
            new StoreError({ operation: "write", path: file, message: `cannot write ${file}: ${e.message}` })
          )
        )
        yield* Console.log(`${o.type}\t${file}`)
      }
      return 0
    })

    const runExists = (runId: string) => runs.getRun(runId).pipe(Effect.as(true), Effect.orElseSucceed(() => false))

    /** `graph verify`: checks one context or every one; exit code 1 when any check fails. */
    const verify = Effect.fn("GraphCommands.verify")(function*(context: string | undefined, json: boolean) {
      const names = context === undefined ? yield* store.contexts() : [context]
      let code = 0
      for (const name of names) {
        const report = yield* store.verify(name, runExists)
        if (!report.ok) code = 1
        if (json) yield* Console.log(JSON.stringify(report))
        else {
          yield* Console.log(
            `${name}\t${
              report.ok ? "ok" : "FAILED"
            }\t${report.records} records, ${report.runs} runs, ${report.entities} entities, ${report.relations} relations`
          )
          for (const p of report.problems) yield* Console.log(`  ${p}`)
        }
      }
      if (names.length === 0) yield* Console.log("no context graphs")
      if (code !== 0 && !json) yield* Console.error(`extract: verification failed; extract graph repair repairs it`)
      return code
    })

    /** `graph repair`: repairs one context or every one; prints what it did. */
    const repair = Effect.fn("GraphCommands.repair")(function*(context: string | undefined, json: boolean) {
      const names = context === undefined ? yield* store.contexts() : [context]
      for (const name of names) {
        const report = yield* store.repair(name)
        if (json) yield* Console.log(JSON.stringify(report))
        else {
          yield* Console.log(`${name}\trepaired\t(${report.recoveryLog})`)
          for (const a of report.actions) yield* Console.log(`  ${a}`)
        }
      }
      return 0
    })

    /** `graph unmerge`: splits off what the entity's latest cross-document merge brought in. */
    const unmerge = Effect.fn("GraphCommands.unmerge")(function*(context: string, ref: string, json: boolean) {
      const result = yield* store.unmerge(context, ref)
      yield* Console.log(
        json
          ? JSON.stringify({ context, ...result })
          : `${result.entity}\tsplit\t${result.split} now holds ${result.moved.length} contribution(s) (undid: ${result.evidence.reason})`
      )
      return 0
    })

    return { add, list, show, search, exportGraph, verify, repair, unmerge } as const
  })
}) {}

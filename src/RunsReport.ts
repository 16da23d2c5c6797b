/**
 * `extract runs …`: reads runs from the store and prints them, as aligned
 * text for people or JSON for `jq`.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { RunEvent, RunMetadata } from "./Domain/Run.js"
import { ExtractionRunService, type RunView } from "./Store/ExtractionRunService.js"

const encodeMetadata = Schema.encodeSync(RunMetadata)
const encodeEvent = Schema.encodeSync(RunEvent)

/** Pads columns to a common width, two spaces apart. */
export const formatTable = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths: Array<number> = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "))
    .join("\n")
}

/**
 * Where `runs list` and `runs show` read runs from: the run store (the
 * default) or, with `--from db`, the SQL mirror (src/Sql/MirrorReader.ts).
 * Either way they print the same.
 */
export interface RunSource {
  /** Every run, oldest first. */
  readonly listRuns: () => Effect.Effect<
    ReadonlyArray<RunMetadata>,
    { readonly _tag: string; readonly message: string }
  >
  readonly inspectRun: (runId: string) => Effect.Effect<RunView, { readonly _tag: string; readonly message: string }>
}

export class RunsReport extends Effect.Service<RunsReport>()("RunsReport", {
  effect: Effect.gen(function*() {
    const store = yield* ExtractionRunService

    /** One line per run (oldest first): id, status, created, entities, relations, input. `json`: one JSON object per line. */
    const list = Effect.fn("RunsReport.list")(function*(json: boolean, source: RunSource = store) {
      const runs = yield* source.listRuns()
      if (json) {
        for (const r of runs) {
          yield* Console.log(JSON.stringify({
            runId: r.runId,
            status: r.status,
            createdAt: r.createdAt,
            completedAt: r.completedAt,
            input: r.input,
            extractor: r.config.extractor,
            stats: encodeMetadata(r).stats,
            runDir: store.runDirOf(r.runId)
          }))
        }
        return
      }
      if (runs.length === 0) return yield* Console.error(`no runs in ${store.outputDir}`)
      yield* Console.log(formatTable([
        ["RUN", "STATUS", "CREATED", "ENTITIES", "RELATIONS", "INPUT"],
        ...runs.map((
          r
        ) => [r.runId, r.status, r.createdAt, String(r.stats.entityCount), String(r.stats.relationCount), r.input.path])
      ]))
    })

    /** A run's summary; `json`: the whole metadata.json. */
    const show = Effect.fn("RunsReport.show")(function*(runId: string, json: boolean, source: RunSource = store) {
      const view = yield* source.inspectRun(runId)
      const r = view.metadata
      if (view.recovered) {
        yield* Console.error(`extract: warning: ${view.recovered} (extract runs verify --repair rewrites it)`)
      }
      if (json) return yield* Console.log(JSON.stringify(encodeMetadata(r), null, 2))
      const rows: Array<[string, string]> = [
        ["run", r.runId],
        ["status", r.status + (view.writer ? ` (being written by ${view.writer})` : "")],
        ["directory", store.runDirOf(r.runId)],
        ["input", `${r.input.path} (${r.input.bytes} bytes, sha256 ${r.input.sha256})`],
        ["extractor", r.config.extractor + (r.config.model ? ` (${r.config.model})` : "")],
        ["created", r.createdAt],
        ["completed", r.completedAt ?? "-"],
        ["chunks", String(r.stats.chunkCount)],
        ["mentions", String(r.stats.mentionCount)],
        ["entities", String(r.stats.entityCount)],
        ["relations", String(r.stats.relationCount)],
        ["duration", `${r.stats.durationMs} ms`],
        ["events", String(r.events.length)],
        ["errors", String(r.errors.length)]
      ]
      for (const o of r.outputs) rows.push([`output`, `${o.path} (${o.bytes} bytes)`])
      yield* Console.log(formatTable(rows))
    })

    /** The run's events in order: timestamp, milliseconds since the first event, type, data. `json`: JSON lines. */
    const timeline = Effect.fn("RunsReport.timeline")(function*(runId: string, json: boolean) {
      const events = yield* store.getRunTimeline(runId)
      if (json) {
        for (const e of events) yield* Console.log(JSON.stringify(encodeEvent(e)))
        return
      }
      const t0 = events.length > 0 ? Date.parse(events[0]!.timestamp) : 0
      yield* Console.log(formatTable(events.map((e) => [
        e.timestamp,
        `+${Date.parse(e.timestamp) - t0}ms`,
        e.type,
        JSON.stringify(e.data)
      ])))
    })

    /** The run's errors in order: timestamp, type, message. `json`: JSON lines. Prints nothing when there are none. */
    const errors = Effect.fn("RunsReport.errors")(function*(runId: string, json: boolean) {
      const r = yield* store.getRun(runId)
      for (const e of r.errors) {
        yield* Console.log(
          json
            ? JSON.stringify({ timestamp: e.timestamp, type: e.type, message: e.message, context: e.context })
            : `${e.timestamp}  ${e.type}  ${e.message}`
        )
      }
      if (r.errors.length === 0 && !json) yield* Console.error(`run ${runId} has no errors`)
    })

    return { list, show, timeline, errors } as const
  })
}) {}

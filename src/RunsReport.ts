/**
 * `extract runs …`: reads runs from the store and prints them, as aligned
 * text for people or JSON for `jq`. What `runs list` prints is
 * src/RunsListing.ts's (shared with the launcher's fast path).
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { RunEvent, RunMetadata } from "./Domain/Run.js"
import { formatTable, type Listing, listingOf, type RunSummary } from "./RunsListing.js"
import { ExtractionRunService, type RunView } from "./Store/ExtractionRunService.js"

const encodeMetadata = Schema.encodeSync(RunMetadata)
const encodeEvent = Schema.encodeSync(RunEvent)

export { formatTable } from "./RunsListing.js"

/** What `runs list` shows of a run read from its `metadata.json`. */
export const summaryOf = (r: RunMetadata): RunSummary => ({
  runId: r.runId,
  status: r.status,
  createdAt: r.createdAt,
  completedAt: r.completedAt,
  inputPath: r.input.path,
  extractor: r.config.extractor,
  entityCount: r.stats.entityCount,
  relationCount: r.stats.relationCount,
  detail: () => ({ inputJson: JSON.stringify(r.input), statsJson: JSON.stringify(encodeMetadata(r).stats) })
})

/** Prints a {@link Listing}: each stdout line with Console.log, then each stderr line with Console.error. */
export const printListing = (listing: Listing) =>
  Effect.zipRight(
    Effect.forEach(listing.stdout, (line) => Console.log(line), { discard: true }),
    Effect.forEach(listing.stderr, (line) => Console.error(line), { discard: true })
  )

/**
 * Where `runs list` and `runs show` read runs from: the run store (the
 * default) or, with `--from db`, the SQL mirror (src/Sql/MirrorReader.ts).
 * Either way they print the same.
 */
export interface RunSource {
  /** Every run, oldest first, as `runs list` shows it; `detail`: with {@link RunSummary.detail} (for `--json`). */
  readonly listRuns: (options: { readonly detail: boolean }) => Effect.Effect<
    ReadonlyArray<RunSummary>,
    { readonly _tag: string; readonly message: string }
  >
  readonly inspectRun: (runId: string) => Effect.Effect<RunView, { readonly _tag: string; readonly message: string }>
}

export class RunsReport extends Effect.Service<RunsReport>()("RunsReport", {
  effect: Effect.gen(function*() {
    const store = yield* ExtractionRunService

    /** The store as a {@link RunSource}. */
    const storeSource: RunSource = {
      listRuns: () => Effect.map(store.listRuns(), (runs) => runs.map(summaryOf)),
      inspectRun: store.inspectRun
    }

    /** One line per run (oldest first): id, status, created, entities, relations, input. `json`: one JSON object per line. */
    const list = Effect.fn("RunsReport.list")(function*(json: boolean, source: RunSource = storeSource) {
      const runs = yield* source.listRuns({ detail: json })
      yield* printListing(listingOf(runs, { json, outputDir: store.outputDir, runDirOf: store.runDirOf }))
    })

    /** A run's summary; `json`: the whole metadata.json. */
    const show = Effect.fn("RunsReport.show")(function*(runId: string, json: boolean, source: RunSource = storeSource) {
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

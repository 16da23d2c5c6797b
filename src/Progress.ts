/**
 * The one owner of progress output. Stages report facts (a stage started
 * with N units, k units are done, a stage finished); this service alone
 * decides what the user sees on stderr: a redrawn progress bar when stderr
 * is a terminal, a few plain lines otherwise. Overall progress is monotonic
 * and clamped to 0–100 %.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export type Stage = "chunk" | "extract" | "resolve" | "render"

/** Share of the overall bar each stage covers; extraction dominates the wall time. */
export const STAGE_WEIGHTS: Record<Stage, number> = { chunk: 0.05, extract: 0.8, resolve: 0.05, render: 0.1 }
const ORDER: ReadonlyArray<Stage> = ["chunk", "extract", "resolve", "render"]

/** Where progress goes: stderr in the CLI, a buffer in tests. */
export class ProgressSink extends Context.Tag("ProgressSink")<ProgressSink, {
  readonly isTTY: boolean
  readonly write: (text: string) => void
  /** Terminal width in columns (TTY only). */
  readonly columns: number
  /** Suppress everything but notices. */
  readonly quiet: boolean
}>() {
  /** stderr; drawn as a bar only on a terminal, and not with NO_COLOR or TERM=dumb (no escape codes then). */
  static stderr = (quiet: boolean) =>
    Layer.sync(ProgressSink, () => ({
      isTTY: process.stderr.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb",
      write: (text: string) => void process.stderr.write(text),
      columns: process.stderr.columns ?? 80,
      quiet
    }))
}

/** Overall percentage for a stage and its fraction done, clamped to [0, 100]. */
export const overallPercent = (stage: Stage, fraction: number): number => {
  let before = 0
  for (const s of ORDER) {
    if (s === stage) break
    before += STAGE_WEIGHTS[s]
  }
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0
  return Math.min(100, Math.max(0, (before + STAGE_WEIGHTS[stage] * f) * 100))
}

const REDRAW_MS = 100

export class Progress extends Effect.Service<Progress>()("Progress", {
  effect: Effect.gen(function*() {
    const sink = yield* ProgressSink
    let label = ""
    let percent = 0
    let current: { stage: Stage; done: number; total: number; unit: string } | undefined
    let lastDraw = 0
    let drawn = false
    const stageStarted = new Map<Stage, number>()

    const clearLine = () => {
      if (drawn) sink.write("\r\x1b[2K")
      drawn = false
    }
    const draw = (force: boolean) => {
      if (!sink.isTTY || sink.quiet || !current) return
      const t = Date.now()
      if (!force && t - lastDraw < REDRAW_MS) return
      lastDraw = t
      const width = Math.max(10, Math.min(30, sink.columns - 50))
      const filled = Math.round((percent / 100) * width)
      const bar = "█".repeat(filled) + "░".repeat(width - filled)
      const text = `${label} ${bar} ${
        percent.toFixed(0).padStart(3)
      }% ${current.stage} ${current.done}/${current.total} ${current.unit}`
      sink.write(`\r\x1b[2K${text.slice(0, sink.columns - 1)}`)
      drawn = true
    }
    const setPercent = (p: number) => {
      percent = Math.max(percent, Math.min(100, Math.max(0, p)))
    }
    const line = (text: string) => {
      if (sink.quiet) return
      clearLine()
      sink.write(text + "\n")
    }

    return {
      /** Current overall percentage (for tests and summaries). */
      percent: Effect.sync(() => percent),
      /** A run begins; `name` labels its lines (the run id). */
      begin: (name: string, inputPath: string) =>
        Effect.sync(() => {
          label = name
          percent = 0
          current = undefined
          line(`${name}: ${inputPath}`)
        }),
      /** A stage begins with `total` units of work (`unit` names them, e.g. "chunks"). */
      stageStarted: (stage: Stage, total: number, unit: string) =>
        Effect.sync(() => {
          stageStarted.set(stage, Date.now())
          current = { stage, done: 0, total, unit }
          setPercent(overallPercent(stage, 0))
          draw(true)
        }),
      /** `done` of the current stage's units are finished (absolute, not a delta). */
      advanced: (stage: Stage, done: number) =>
        Effect.sync(() => {
          if (!current || current.stage !== stage) return
          current.done = Math.max(current.done, Math.min(done, current.total))
          setPercent(overallPercent(stage, current.total === 0 ? 1 : current.done / current.total))
          draw(false)
        }),
      /**
       * The current stage's total is now `total` units (a stage that starts
       * before its total is known, such as extraction streamed from the
       * chunker). Progress stays monotonic: the percentage never goes back.
       */
      resized: (stage: Stage, total: number) =>
        Effect.sync(() => {
          if (!current || current.stage !== stage) return
          current.total = Math.max(current.done, total)
          draw(false)
        }),
      /** A stage finished; `summary` is shown in plain mode, e.g. "12 chunks". */
      stageCompleted: (stage: Stage, summary: string) =>
        Effect.sync(() => {
          setPercent(overallPercent(stage, 1))
          if (!sink.isTTY) {
            line(`${label}: ${stage}: ${summary} (${Date.now() - (stageStarted.get(stage) ?? Date.now())} ms)`)
          } else draw(true)
        }),
      /** The run ended; prints one closing line. */
      end: (summary: string) =>
        Effect.sync(() => {
          current = undefined
          line(`${label}: ${summary}`)
        }),
      /** A message for the user (shown even when quiet). */
      notice: (message: string) =>
        Effect.sync(() => {
          clearLine()
          sink.write(message + "\n")
          draw(true)
        })
    } as const
  })
}) {}

/**
 * `extract eval ner|relations`: runs an extractor (the same layers as
 * `extract`: `Extractor/Nlp.ts`, or `Extractor/Llm.ts` with its response
 * cache) over gold data and scores it with `Ner.ts` / `Relations.ts`.
 * `npm run eval:ner` calls {@link EvalRunner.evaluate} too, so there is one
 * scorer. Definitions and figures: docs/evaluation.md.
 *
 * - CoNLL04 (a file, `Conll04.ts`): each sentence is one document of one
 *   chunk, extracted on its own; entities and relations are scored.
 * - LitBank (a directory of `.txt` + `.ann`, `LitBank.ts`): each excerpt is
 *   one document, chunked by the Chunker (`--chunk-size`, `--chunk-overlap`),
 *   extracted chunk by chunk, then joined and harmonised by the pipeline's
 *   own core (`joinExtractions`); entities only.
 *
 * A sentence or excerpt whose extraction fails (non-fatally, e.g. the model
 * gave no usable answer) is scored as predicting nothing: its gold entities
 * are false negatives. It is counted in `failed`, and the command exits 3.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import { statSync } from "node:fs"
import { Chunker } from "../Chunker.js"
import { Chunk } from "../Domain/Chunk.js"
import { SourceDocument } from "../Domain/Document.js"
import { ExitCode, type ExtractionError, InputError, StoreError, UsageError } from "../Domain/Errors.js"
import type { ChunkExtraction, ExtractedRelation, LlmUsage, Mention } from "../Domain/Extraction.js"
import { LlmStats } from "../Domain/Run.js"
import { CodePointIndex, codePointLength, Span } from "../Domain/Span.js"
import { Extractor } from "../Extractor.js"
import { joinExtractions, sumLlmUsage } from "../Pipeline.js"
import { Progress, ProgressSink } from "../Progress.js"
import { DEFAULT_RAW_LLM_SETTINGS, type ExtractSettings, type RawSettings, resolveSettings } from "../Settings.js"
import { Tokenizer } from "../Tokenizer.js"
import { readConll04 } from "./Conll04.js"
import { readLitBank } from "./LitBank.js"
import { type GoldItem, type PredictedEntity, scoreEntities, typeTallies } from "./Ner.js"
import { EVAL_PREDICATES, type GoldRelationItem, labelTallies, scoreRelations } from "./Relations.js"
import { Prf, prf, sumTallies } from "./Score.js"

/** What `extract eval` scores. */
export type EvalTask = "ner" | "relations"

/**
 * Entity types offered to the llm extractor when neither `--entity-types`
 * nor `--ontology` is given: the three scored ones, and `Other` so that a
 * miscellaneous name (CoNLL04's `Other`) need not be forced into one of them.
 */
export const EVAL_ENTITY_TYPES = ["Person", "Organization", "Location", "Other"] as const

/** Options of one evaluation besides the extractor's settings. */
export interface EvalOptions {
  /** Score only the first N sentences (CoNLL04) or documents (LitBank); null for all. */
  readonly limit: number | null
  /** How CoNLL04 sentence text is rebuilt from its tokens (`Conll04.ts`); default `detokenize`. */
  readonly conllText?: "detokenize" | "spaced"
}

/** P/R/F1 overall and per category (entity type or relation label). */
export class CategoryScores extends Schema.Class<CategoryScores>("CategoryScores")({
  overall: Prf,
  by: Schema.Record({ key: Schema.String, value: Prf })
}) {}

/** A false positive or false negative, as `--errors` writes it (one JSON object a line). */
export class EvalMiss extends Schema.Class<EvalMiss>("EvalMiss")({
  task: Schema.Literal("ner", "relations"),
  kind: Schema.Literal("fp", "fn"),
  /** Sentence id (CoNLL04 `#doc N`) or file name (LitBank). */
  item: Schema.String,
  /** Entity type (PER, ORG, LOC) or relation label. */
  type: Schema.String,
  /** The entity's text; for a relation, `subject → object`. */
  text: Schema.String,
  /** Code points over the item's text: the entity, or the relation's subject and object. */
  start: Schema.Int,
  end: Schema.Int,
  object: Schema.optional(Schema.Struct({ text: Schema.String, start: Schema.Int, end: Schema.Int })),
  /** The sentence the miss is in (the whole CoNLL04 sentence; for LitBank the sentence around it). */
  sentence: Schema.String
}) {}

/** What one evaluation measured. */
export interface EvalOutcome {
  readonly dataset: "conll04" | "litbank"
  readonly unit: "sentences" | "documents"
  /** Sentences or documents scored. */
  readonly items: number
  /** Of those, how many had a chunk whose extraction failed (scored as predicting nothing there). */
  readonly failed: number
  /** Why: the first failure of each failed item (sentence id or file name, and the extractor's message). */
  readonly failures: ReadonlyArray<{ readonly item: string; readonly message: string }>
  readonly entities: CategoryScores
  /** Null for LitBank (no relations in its entity files). */
  readonly relations: CategoryScores | null
  readonly misses: ReadonlyArray<EvalMiss>
  /** Calls, tokens, cache hits and cost of the llm extractor; null for nlp. */
  readonly llm: LlmStats | null
  /** UTF-16 code units of text read by the extractor. */
  readonly chars: number
  /** Wall time of the extraction, in milliseconds. */
  readonly ms: number
}

/** The sentence around [start, end) (UTF-16) of a long text, at most about 400 code units; a short text whole. */
export const sentenceAround = (text: string, start: number, end: number): string => {
  if (text.length <= 400) return text
  const boundary = (i: number) => text[i] === "\n" || (/[.!?]/.test(text[i] ?? "") && /\s/.test(text[i + 1] ?? " "))
  let a = start
  while (a > 0 && start - a < 200 && !boundary(a - 1) && !boundary(a - 2)) a--
  let b = end
  while (b < text.length && b - end < 200 && !boundary(b)) b++
  return text.slice(a, Math.min(text.length, b + 1)).trim()
}

const asScores = (by: Record<string, { tp: number; fp: number; fn: number }>) =>
  new CategoryScores({
    overall: prf(sumTallies(Object.values(by))),
    by: Object.fromEntries(Object.entries(by).map(([k, v]) => [k, prf(v)]))
  })

const f4 = (x: number) => x.toFixed(4)

/** The table `extract eval` prints: a header line, then P/R/F1 and counts per category and overall. */
export const formatTable = (task: EvalTask, gold: string, extractor: string, outcome: EvalOutcome): string => {
  const scores = task === "ner" ? outcome.entities : outcome.relations!
  const head = task === "ner" ? "type" : "label"
  const rows: Array<ReadonlyArray<string>> = [[head, "precision", "recall", "F1", "tp", "fp", "fn"]]
  const row = (name: string, s: Prf) => [name, f4(s.precision), f4(s.recall), f4(s.f1), `${s.tp}`, `${s.fp}`, `${s.fn}`]
  for (const [name, s] of Object.entries(scores.by)) rows.push(row(name, s))
  rows.push(row("overall", scores.overall))
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const lines = [
    `${task} on ${gold} (${
      outcome.dataset === "conll04" ? "CoNLL04" : "LitBank"
    }, ${outcome.items} ${outcome.unit}), extractor ${extractor}`,
    ...rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "))
  ]
  if (outcome.failed > 0) {
    lines.push(
      `failed: ${outcome.failed} of ${outcome.items} ${outcome.unit} could not be (fully) extracted; scored as predicting nothing there`
    )
  }
  if (outcome.llm !== null) {
    const l = outcome.llm
    lines.push(
      `llm: ${l.calls} calls (${l.retries} retries, ${l.reasks} re-asks), ${l.inputTokens} input and ${l.outputTokens} output tokens, ${l.cacheHits} cached answers` +
        (l.costUsd === null ? "" : `, $${l.costUsd.toFixed(4)}`)
    )
  }
  return lines.join("\n")
}

/** The JSON object `extract eval --json` prints. */
export const toJson = (task: EvalTask, gold: string, settings: ExtractSettings, outcome: EvalOutcome) => {
  const scores = task === "ner" ? outcome.entities : outcome.relations!
  const encode = Schema.encodeSync(Prf)
  return {
    task,
    dataset: outcome.dataset,
    gold,
    extractor: settings.config.extractor,
    model: settings.config.model,
    [outcome.unit]: outcome.items,
    failed: outcome.failed,
    failedItems: outcome.failures.map((f) => f.item),
    ...encode(scores.overall),
    [task === "ner" ? "byType" : "byLabel"]: Object.fromEntries(
      Object.entries(scores.by).map(([k, v]) => [k, encode(v)])
    ),
    llm: outcome.llm === null ? null : Schema.encodeSync(LlmStats)(outcome.llm),
    chars: outcome.chars,
    ms: outcome.ms
  }
}

/**
 * Resolves `extract eval`'s settings as `extract` does ({@link resolveSettings}),
 * then, for the llm extractor, offers {@link EVAL_ENTITY_TYPES} and
 * {@link EVAL_PREDICATES} unless `--entity-types` / `--relation-types` (or
 * `--ontology`) say otherwise. Both tasks offer the same types, so that
 * `eval ner` and `eval relations` on one file share the response cache.
 * Fails with UsageError as resolveSettings does.
 */
export const resolveEvalSettings = Effect.fn("EvalRunner.resolveSettings")(function*(
  raw: RawSettings,
  tokenizer: string
) {
  const first = yield* resolveSettings(raw, tokenizer)
  if (first.config.extractor !== "llm") return first
  const llm = raw.llm ?? DEFAULT_RAW_LLM_SETTINGS
  if (Option.isSome(llm.ontology)) return first
  const settings = yield* resolveSettings({
    ...raw,
    extractor: "llm",
    llm: {
      ...llm,
      entityTypes: Option.orElse(llm.entityTypes, () => Option.some(EVAL_ENTITY_TYPES.join(","))),
      relationTypes: Option.orElse(llm.relationTypes, () => Option.some(EVAL_PREDICATES.join(",")))
    }
  }, tokenizer)
  return { ...settings, notices: first.notices }
})

/** Failed sentences or documents named on stderr, at most. */
const MAX_FAILURES_SHOWN = 5

type Outcome =
  | { readonly ok: ChunkExtraction }
  | { readonly failed: ExtractionError }

export class EvalRunner extends Effect.Service<EvalRunner>()("EvalRunner", {
  effect: Effect.gen(function*() {
    const chunker = yield* Chunker
    const tokenizer = yield* Tokenizer

    /** Extracts one chunk; a non-fatal failure becomes a value, a fatal one fails. */
    const extractChunk = (extractor: Extractor["Type"], chunk: Chunk) =>
      extractor.extract(chunk).pipe(
        Effect.map((x): Outcome => ({ ok: x })),
        Effect.catchIf((e) => !e.fatal, (e) => Effect.succeed<Outcome>({ failed: e }))
      )

    /**
     * The predictions for one item from its chunks' outcomes: joined as the
     * pipeline joins them, spans turned into UTF-16 offsets of the item text.
     */
    const predictionsOf = (
      extractor: Extractor["Type"],
      text: string,
      outcomes: ReadonlyArray<Outcome>
    ) => {
      const results = outcomes.flatMap((o) => ("ok" in o ? [o.ok] : []))
      const joined = joinExtractions(results, extractor.harmonize)
      const index = new CodePointIndex(text)
      const entities: Array<PredictedEntity> = joined.mentions.map((m: Mention) => ({
        id: m.id,
        type: m.type,
        start: index.toUtf16(m.span.start),
        end: index.toUtf16(m.span.end)
      }))
      const usages = outcomes.flatMap((o) => {
        const u = "ok" in o ? o.ok.usage : o.failed.usage
        return u === null ? [] : [u]
      })
      return {
        entities,
        relations: joined.relations as ReadonlyArray<ExtractedRelation>,
        failure: outcomes.flatMap((o) => ("failed" in o ? [o.failed.message] : []))[0] ?? null,
        usages
      }
    }

    /**
     * Runs the {@link Extractor} in context over the gold data at `path` (a
     * CoNLL04 file or a LitBank directory) and scores it. Progress goes to
     * the {@link Progress} in context. Fails with InputError when `path`
     * cannot be read, UsageError when it holds no gold data, and with the
     * extractor's fatal ExtractionError.
     */
    const evaluate = Effect.fn("EvalRunner.evaluate")(function*(
      path: string,
      settings: ExtractSettings,
      options: EvalOptions
    ) {
      const extractor = yield* Extractor
      const progress = yield* Progress
      const isDir = yield* Effect.try({
        try: () => statSync(path).isDirectory(),
        catch: () => new InputError({ path, problem: "missing", message: `${path}: no such file or directory` })
      })
      const read = <A>(f: () => A) =>
        Effect.try({
          try: f,
          catch: (e) =>
            new InputError({
              path,
              problem: "unreadable",
              message: `${path}: cannot read it as ${isDir ? "LitBank" : "CoNLL04"} (${
                e instanceof Error ? e.message : String(e)
              })`
            })
        })
      const take = <A>(all: ReadonlyArray<A>) => (options.limit === null ? all : all.slice(0, options.limit))
      const config = settings.config
      const inFlight = Math.max(1, extractor.chunksInFlight?.(config.concurrency) ?? config.concurrency)
      const unit = isDir ? "documents" as const : "sentences" as const
      const all: ReadonlyArray<GoldItem & { readonly bytes?: Uint8Array }> = isDir
        ? yield* read(() => readLitBank(path))
        : yield* read(() => readConll04(path, options.conllText))
      const items = take(all)
      if (items.length === 0) {
        return yield* new UsageError({
          message: isDir
            ? `${path}: no LitBank documents (NAME.txt with NAME.ann) in this directory`
            : `${path}: no CoNLL04 sentences in this file (#doc lines and tab-separated token rows)`
        })
      }

      yield* progress.begin(`eval ${unit === "documents" ? "LitBank" : "CoNLL04"}`, path)
      yield* progress.stageStarted("extract", items.length, unit)
      let done = 0
      const started = Date.now()
      const predictions = yield* Effect.forEach(items, (item, i) =>
        Effect.gen(function*() {
          let outcomes: ReadonlyArray<Outcome>
          if (isDir) {
            const bytes = item.bytes!
            const doc = new SourceDocument(
              item.text,
              item.id,
              bytes.length,
              createHash("sha256").update(bytes).digest("hex"),
              "utf-8"
            )
            const chunks = yield* chunker.chunk(doc, { size: config.chunkSize, overlap: config.chunkOverlap })
            outcomes = yield* Effect.forEach(chunks, (c) => extractChunk(extractor, c), { concurrency: inFlight })
          } else {
            const length = codePointLength(item.text)
            const chunk = new Chunk({
              index: 0,
              span: new Span({ start: 0, end: length, text: item.text }, { disableValidation: true }),
              tokens: tokenizer.count(item.text),
              sentences: 1
            }, { disableValidation: true })
            outcomes = [yield* extractChunk(extractor, chunk)]
          }
          yield* progress.advanced("extract", ++done)
          return { index: i, ...predictionsOf(extractor, item.text, outcomes) }
        }), { concurrency: inFlight })
      const ms = Date.now() - started

      const byType = typeTallies()
      const byLabel = labelTallies()
      const misses: Array<EvalMiss> = []
      const usages: Array<LlmUsage> = []
      const failures: Array<{ item: string; message: string }> = []
      let chars = 0
      for (const p of predictions) {
        const item = items[p.index]!
        chars += item.text.length
        if (p.failure !== null) failures.push({ item: item.id, message: p.failure })
        for (const u of p.usages) usages.push(u)
        const index = new CodePointIndex(item.text)
        const cp = (u16: number) => index.toCodePoint(u16)
        for (const m of scoreEntities(item, p.entities, { trim: !isDir }, byType)) {
          misses.push(
            new EvalMiss({
              task: "ner",
              kind: m.kind,
              item: item.id,
              type: m.type,
              text: item.text.slice(m.start, m.end),
              start: cp(m.start),
              end: cp(m.end),
              sentence: isDir ? sentenceAround(item.text, m.start, m.end) : item.text
            })
          )
        }
        if (!isDir) {
          for (const m of scoreRelations(item as GoldRelationItem, p.entities, p.relations, byLabel)) {
            const subject = item.text.slice(m.subject[0], m.subject[1])
            const object = item.text.slice(m.object[0], m.object[1])
            misses.push(
              new EvalMiss({
                task: "relations",
                kind: m.kind,
                item: item.id,
                type: m.label,
                text: `${subject} → ${object}`,
                start: cp(m.subject[0]),
                end: cp(m.subject[1]),
                object: { text: object, start: cp(m.object[0]), end: cp(m.object[1]) },
                sentence: item.text
              })
            )
          }
        }
      }
      const llm = extractor.kind === "llm" ? sumLlmUsage(usages, config) : null
      const outcome: EvalOutcome = {
        dataset: isDir ? "litbank" : "conll04",
        unit,
        items: items.length,
        failed: failures.length,
        failures,
        entities: asScores(byType),
        relations: isDir ? null : asScores(byLabel),
        misses,
        llm,
        chars,
        ms
      }
      yield* progress.stageCompleted(
        "extract",
        `${items.length} ${unit}` + (failures.length > 0 ? `, ${failures.length} failed` : "") +
          (llm === null ? "" : `, ${llm.calls} model calls, ${llm.cacheHits} cached answers`)
      )
      yield* progress.end(
        `entity F1 ${outcome.entities.overall.f1}` +
          (outcome.relations === null ? "" : `, relation F1 ${outcome.relations.overall.f1}`)
      )
      return outcome
    })

    /**
     * `extract eval <task> <gold>`: resolves the settings, builds the
     * extractor they ask for (modules imported on demand, as BatchRunner
     * does), evaluates, prints the table (or with `json` one JSON object) on
     * stdout, writes `--errors` (JSON lines, {@link EvalMiss}), and returns
     * the exit code: 0, or 3 when some item failed to extract. Fails with
     * UsageError (bad flags, `relations` on LitBank), InputError (unreadable
     * gold data) and fatal ExtractionError.
     */
    const run = Effect.fn("EvalRunner.run")(function*(
      task: EvalTask,
      raw: RawSettings,
      options: EvalOptions & { readonly errors: string | null }
    ) {
      const gold = raw.files[0] ?? ""
      if (options.limit !== null && (!Number.isInteger(options.limit) || options.limit < 1)) {
        return yield* new UsageError({ message: `--limit must be a positive integer, got ${options.limit}` })
      }
      const settings = yield* resolveEvalSettings(raw, tokenizer.encoding)
      for (const n of settings.notices) yield* Console.error(n)
      if (task === "relations") {
        const isDir = yield* Effect.sync(() => {
          try {
            return statSync(gold).isDirectory()
          } catch {
            return false
          }
        })
        if (isDir) {
          return yield* new UsageError({
            message: `${gold}: LitBank's entity files have no relations; eval relations takes a CoNLL04 file`
          })
        }
      }
      const extractorLayer = settings.config.extractor === "llm"
        ? Layer.unwrapEffect(
          Effect.promise(() => import("../Extractor/Llm.js")).pipe(Effect.map((m) => m.layerFromSettings(settings)))
        )
        : Layer.unwrapEffect(Effect.promise(() => import("../Extractor/Nlp.js")).pipe(Effect.map((m) => m.layer)))
      const progressLayer = Progress.Default.pipe(Layer.provide(ProgressSink.stderr(settings.quiet)))
      const outcome = yield* evaluate(gold, settings, options).pipe(
        Effect.provide(Layer.merge(extractorLayer, progressLayer))
      )
      const shown = outcome.failures.slice(0, MAX_FAILURES_SHOWN)
      for (const f of shown) {
        // a CoNLL04 sentence is always chunk 0 of its own document: the chunk says nothing
        const message = outcome.unit === "sentences" ? f.message.replace(/^chunk \d+: /, "") : f.message
        yield* Console.error(`extract: ${outcome.unit === "sentences" ? "sentence" : "document"} ${f.item}: ${message}`)
      }
      if (outcome.failures.length > shown.length) {
        yield* Console.error(`extract: … and ${outcome.failures.length - shown.length} more ${outcome.unit} failed`)
      }
      yield* Console.log(
        settings.json
          ? JSON.stringify(toJson(task, gold, settings, outcome))
          : formatTable(task, gold, settings.config.extractor, outcome)
      )
      if (options.errors !== null) {
        const fs = yield* FileSystem.FileSystem
        const kept = outcome.misses.filter((m) => m.task === task)
        const encode = Schema.encodeSync(EvalMiss)
        yield* fs.writeFileString(options.errors, kept.map((m) => JSON.stringify(encode(m)) + "\n").join("")).pipe(
          Effect.mapError((e) =>
            new StoreError({
              operation: "write",
              path: options.errors!,
              message: `--errors ${options.errors}: cannot write it (${e.message})`
            })
          )
        )
      }
      return outcome.failed > 0 ? ExitCode.partial : ExitCode.ok
    })

    return { evaluate, run } as const
  }),
  dependencies: [Chunker.Default, Tokenizer.Default]
}) {}

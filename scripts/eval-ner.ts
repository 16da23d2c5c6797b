/**
 * `npm run --silent eval:ner -- <conll04.txt | litbank entities dir> [--limit N] [--spaced] [--errors]`
 *
 * The embedded extractor (src/Extractor/Nlp.ts) scored on gold data by the
 * same code as `extract eval ner|relations --extractor nlp`
 * (src/Eval/EvalRunner.ts; matching rules in src/Eval/Ner.ts and
 * src/Eval/Relations.ts, docs/evaluation.md). The last line of stdout is one
 * JSON object:
 *
 * - CoNLL04 file: `{"sentences":N,"entities":{"precision","recall","f1"},"byType":{"PER","ORG","LOC"},
 *   "relations":{"precision","recall","f1"},"relationsByLabel":{…},"chars":N,"ms":t}`
 * - LitBank directory: `{"documents":N,"entities":{…},"byType":{…},"chars":N,"ms":t}`
 *
 * `ms` is the wall time of the extraction, `chars` the UTF-16 code units the
 * extractor read. `--limit N` scores the first N sentences or documents;
 * `--spaced` joins CoNLL04 tokens with single spaces as the original corpus
 * file does instead of rebuilding running text (src/Eval/Conll04.ts);
 * `--errors` lists every false negative and false positive on stderr
 * (`extract eval --errors FILE` writes them as JSON lines).
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE } from "../src/Chunker.js"
import { EvalRunner, resolveEvalSettings } from "../src/Eval/EvalRunner.js"
import type { Prf } from "../src/Eval/Score.js"
import * as Nlp from "../src/Extractor/Nlp.js"
import { Progress, ProgressSink } from "../src/Progress.js"
import { DEFAULT_CONCURRENCY } from "../src/Settings.js"
import { Tokenizer } from "../src/Tokenizer.js"

const main = Effect.gen(function*() {
  const args = process.argv.slice(2)
  const limitAt = args.indexOf("--limit")
  const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : null
  const path = args.find((a, i) => !a.startsWith("--") && (limitAt < 0 || i !== limitAt + 1))
  if (path === undefined || (limit !== null && !(Number.isInteger(limit) && limit > 0))) {
    process.stderr.write(
      "usage: eval:ner -- <conll04.txt | litbank entities dir> [--limit N] [--spaced] [--errors]\n"
    )
    return process.exit(2)
  }
  const settings = yield* resolveEvalSettings({
    files: [path],
    outputDir: "./output",
    extractor: "nlp",
    model: Option.none(),
    baseUrl: Option.none(),
    chunkSize: DEFAULT_CHUNK_SIZE,
    chunkOverlap: DEFAULT_CHUNK_OVERLAP,
    concurrency: DEFAULT_CONCURRENCY,
    force: false,
    json: true,
    quiet: true
  }, (yield* Tokenizer).encoding)
  const runner = yield* EvalRunner
  const outcome = yield* runner.evaluate(path, settings, {
    limit,
    conllText: args.includes("--spaced") ? "spaced" : "detokenize"
  })
  if (args.includes("--errors")) {
    for (const m of outcome.misses) {
      const what = m.task === "ner" ? `"${m.text}"` : `"${m.text.split(" → ").join("\" → \"")}"`
      const where = outcome.dataset === "litbank" ? m.item : m.sentence
      process.stderr.write(`${m.kind.toUpperCase()} ${m.type} ${what}\t| ${where}\n`)
    }
  }
  const brief = (s: Prf) => ({ precision: s.precision, recall: s.recall, f1: s.f1 })
  const full = (s: Prf) => ({ ...brief(s), tp: s.tp, fp: s.fp, fn: s.fn })
  const by = (scores: Record<string, Prf>) => Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, full(v)]))
  process.stdout.write(`${
    JSON.stringify({
      [outcome.unit]: outcome.items,
      entities: brief(outcome.entities.overall),
      byType: by(outcome.entities.by),
      ...(outcome.relations === null ? {} : {
        relations: brief(outcome.relations.overall),
        relationsByLabel: by(outcome.relations.by)
      }),
      chars: outcome.chars,
      ms: outcome.ms
    })
  }\n`)
})

const runtime = ManagedRuntime.make(
  Layer.mergeAll(EvalRunner.Default, Nlp.layer, Tokenizer.Default, Progress.Default).pipe(
    Layer.provideMerge(Layer.merge(ProgressSink.stderr(true), NodeContext.layer))
  )
)
runtime.runPromise(main).finally(() => runtime.dispose())

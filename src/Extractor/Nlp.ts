/**
 * The embedded offline extractor: rule-based entity recognition and
 * pattern-based relation extraction over wink-nlp's tokens, part-of-speech
 * tags, sentences and entity recogniser (https://winkjs.org/wink-nlp/), with
 * a lexicon built from maintained npm packages (Nlp/Lexicon.ts). No network,
 * no key.
 *
 * - Entities (Nlp/Entities.ts): Person, Organization, Location from name runs
 *   typed by their words and context; Date and Money from wink-nlp; Other for
 *   a proper name with no cue. Each mention carries a `confidence`, the
 *   strength of its type's evidence.
 * - Relations (Nlp/Relations.ts): worksFor, memberOf, founded, killed,
 *   livesIn, bornIn, basedIn, locatedIn, spouse, acquired — lexical patterns
 *   between two mentions of one sentence; the evidence is the sentence.
 * - Consistency: within a chunk while extracting, across the document in
 *   {@link harmonizeTypes} (the Pipeline calls it through `harmonize`).
 *
 * wink-nlp is called once per chunk, never on a whole document. Loading the
 * lexicon takes about 0.4 s once per process.
 */
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import * as Worker from "@effect/platform/Worker"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { availableParallelism } from "node:os"
import * as WorkerThreads from "node:worker_threads"
import type { Chunk } from "../Domain/Chunk.js"
import { ChunkExtraction, ExtractedRelation, Mention } from "../Domain/Extraction.js"
import { CodePointIndex, shiftSpan } from "../Domain/Span.js"
import { Extractor } from "../Extractor.js"
import { configuredWorkers, inputBytes, leased, startThread } from "../Threads.js"
import { WinkNlp } from "../WinkNlp.js"
import { harmonizeTypes } from "./Nlp/Consistency.js"
import { type Found, recognize } from "./Nlp/Entities.js"
import { loadLexicon } from "./Nlp/Lexicon.js"
import { ExtractChunk } from "./Nlp/Protocol.js"
import { relate } from "./Nlp/Relations.js"
import { tokenize } from "./Nlp/Tokens.js"

const round = (x: number) => Math.round(x * 100) / 100

export const make = Effect.gen(function*() {
  const wink = yield* WinkNlp
  const lexicon = yield* loadLexicon

  const extract = Effect.fn("NlpExtractor.extract")(function*(chunk: Chunk) {
    const text = chunk.span.text
    const index = new CodePointIndex(text)
    const tokenized = tokenize(wink, lexicon, text)
    const { sentences, tokens } = tokenized
    const found = recognize(tokenized, lexicon)

    const mentions: Array<Mention> = []
    const mentionOf = new Map<Found, Mention>()
    for (const f of found) {
      const m = new Mention({
        id: `c${chunk.index}-m${mentions.length + 1}`,
        type: f.type,
        span: shiftSpan(chunk.span.start, index.span(tokens[f.first]!.start, tokens[f.last]!.end)),
        chunk: chunk.index,
        grounding: "exact",
        description: null,
        confidence: round(f.score)
      }, { disableValidation: true })
      mentions.push(m)
      mentionOf.set(f, m)
    }

    const relations: Array<ExtractedRelation> = []
    const evidence = new Map<number, ReturnType<typeof shiftSpan>>()
    for (const r of relate(text, tokens, found, lexicon)) {
      let span = evidence.get(r.sentence)
      if (span === undefined) {
        const range = sentences.find(([a]) => tokens[a]!.sentence === r.sentence)!
        span = shiftSpan(chunk.span.start, index.span(tokens[range[0]]!.start, tokens[range[1]]!.end))
        evidence.set(r.sentence, span)
      }
      relations.push(
        new ExtractedRelation({
          subject: mentionOf.get(r.subject)!.id,
          predicate: r.predicate,
          object: mentionOf.get(r.object)!.id,
          evidence: span,
          chunk: chunk.index,
          grounding: "exact"
        }, { disableValidation: true })
      )
    }
    yield* Effect.void
    return new ChunkExtraction({ chunk: chunk.index, extractor: "nlp", mentions, relations, ungrounded: 0 }, {
      disableValidation: true
    })
  })

  return Extractor.of({ kind: "nlp", extract, harmonize: harmonizeTypes })
})

/** The embedded extractor as the {@link Extractor}, in this thread. */
export const layer = Layer.effect(Extractor, make).pipe(Layer.provide(WinkNlp.Default))

/**
 * The worker thread's module: `dist/nlp-worker.js` next to the bundle's
 * chunks, or `Nlp/Worker.ts` when running from source (through tsx).
 */
const spawnWorker = (): WorkerThreads.Worker =>
  startThread(import.meta.url, { source: "./Nlp/Worker.ts", bundled: "../nlp-worker.js" }, WORKER_OLD_SPACE_MB)

/**
 * A worker's old generation is capped at 768 MiB. It holds the model and
 * lexicon (about 120 MB) and one chunk's parse at a time, so the cap is
 * never near; with V8's default (a quarter of memory) the heap grows up to
 * four times its live size between collections (V8 heap-controller's
 * growing factor, which is smaller for a smaller cap), which showed as
 * 100–150 MB more peak RSS per worker on 5.5 MB of prose.
 */
const WORKER_OLD_SPACE_MB = 768

/**
 * The embedded extractor in `workers` worker threads (`Nlp/Worker.ts`,
 * through `@effect/platform`'s serialized Worker pool), each with its own
 * model and lexicon, so that chunks are extracted on other cores while this
 * thread chunks the document, writes files and joins the results.
 *
 * The outputs are the same bytes as with {@link layer}: a chunk's extraction
 * depends on that chunk alone (wink-nlp's vocabulary is reset before each
 * chunk, WinkNlp.ts `historyFree`), and the pipeline joins results in chunk
 * order whatever order they come back in. A worker costs a model and lexicon
 * load (about 0.5 s of CPU, on its own core) and about 100 MB, so it pays
 * from about a megabyte of input ({@link POOL_MIN_BYTES}). The threads end
 * with the layer's scope, or earlier with `release` (the next chunk starts
 * them again). `spawn` starts one worker thread (tests count them). The pipeline keeps `workers × 8` chunks in flight
 * so that no worker waits for the next message.
 */
export const pooledLayer = (workers: number, spawn: (id: number) => WorkerThreads.Worker = spawnWorker) =>
  Layer.scoped(
    Extractor,
    Effect.gen(function*() {
      // Made in the background: making the pool waits until a worker has loaded its model and lexicon
      // (about 0.6 s), and this thread reads and chunks the document meanwhile.
      const pool = yield* leased(
        Worker.makePoolSerialized<ExtractChunk>({ size: workers, concurrency: 8 }).pipe(
          Effect.tap(() => Effect.logDebug(`nlp extractor: ${workers} worker thread${workers === 1 ? "" : "s"}`))
        )
      )
      yield* pool.start
      return Extractor.of({
        kind: "nlp",
        extract: (chunk: Chunk) =>
          Effect.orDie(Effect.flatMap(pool.get, (workers) => workers.executeEffect(new ExtractChunk({ chunk })))),
        harmonize: harmonizeTypes,
        chunksInFlight: () => workers * 8,
        offThread: true,
        release: pool.release
      })
    })
  ).pipe(Layer.provide(NodeWorker.layer(spawn)))

/** Inputs of at least this many bytes (all files of one invocation) get a worker thread by default. */
export const POOL_MIN_BYTES = 1024 * 1024

/**
 * How many worker threads the embedded extractor uses for these input
 * files: `EXTRACT_WORKERS` when set (0 = none: extract in this thread);
 * otherwise, with two or more cores and {@link POOL_MIN_BYTES} or more of
 * input, one per core beyond the first, at most 3; else 0. Input is counted
 * by Threads.ts `inputBytes`: files over `maxBytes` (refused unread) and
 * stdin count as empty. Dies on a malformed EXTRACT_WORKERS.
 */
export const workersFor = (files: ReadonlyArray<string>, maxBytes = Infinity): Effect.Effect<number> =>
  Effect.map(
    configuredWorkers,
    Option.getOrElse(() => {
      const cores = availableParallelism()
      return cores >= 2 && inputBytes(files, maxBytes) >= POOL_MIN_BYTES ? Math.min(cores - 1, 3) : 0
    })
  )

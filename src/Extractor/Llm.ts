/**
 * The LLM extractor: asks an OpenAI-compatible model for the entities and
 * relations of a chunk as a JSON object (see `Llm/Prompt.ts`), then grounds
 * every name and evidence quote in the chunk text itself.
 *
 * Per chunk and pass it looks the answer up in the response cache
 * (`Llm/ResponseCache.ts`); on a miss it asks the model under the
 * client-side throttle (`Llm/Throttle.ts`) with a per-request timeout,
 * retries transient failures with backoff, re-asks with the validation
 * error when the answer is unusable, and gives up on the chunk (non-fatal)
 * or the run (fatal) as `Llm/Failure.ts` decides. `extract` is a function
 * of (chunk, settings) → ChunkExtraction, so it can become a durable
 * workflow activity as it is.
 */
import * as OpenAiClient from "@effect/ai-openai/OpenAiClient"
import * as OpenAiLanguageModel from "@effect/ai-openai/OpenAiLanguageModel"
import * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Path from "@effect/platform/Path"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Chunk } from "../Domain/Chunk.js"
import { ExtractionError } from "../Domain/Errors.js"
import { ChunkExtraction, ExtractedRelation, LlmUsage, Mention } from "../Domain/Extraction.js"
import { CodePointIndex, shiftSpan, Span } from "../Domain/Span.js"
import { type ExtractionPlan, Extractor, reportExtractorEvent } from "../Extractor.js"
import { findAll, findNearest, type Match } from "../Grounding.js"
import type { ExtractSettings } from "../Settings.js"
import { Tokenizer } from "../Tokenizer.js"
import * as ChatCompletions from "./Llm/ChatCompletions.js"
import { type AttemptError, classify, isInvalidAnswer, retryDelayMs, type Verdict } from "./Llm/Failure.js"
import {
  type Answer,
  answerJsonSchema,
  answerSchema,
  DEFAULT_LLM_ENTITY_TYPES,
  type Guidance,
  mergeAnswers,
  messagesText,
  newFacts,
  passMessages,
  PROMPT_VERSION,
  reaskMessages,
  requestSchema,
  systemPrompt
} from "./Llm/Prompt.js"
import { CacheEntry, keyer, ResponseCache } from "./Llm/ResponseCache.js"
import { makeThrottle } from "./Llm/Throttle.js"

/** Defaults of the failure-handling settings (README, "Using a model"). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000
export const DEFAULT_MAX_RETRIES = 6
export const DEFAULT_MAX_REASKS = 2
/** First backoff step and its cap, in milliseconds (see `backoffMs`). */
export const DEFAULT_RETRY_BASE_MS = 500
export const DEFAULT_RETRY_MAX_MS = 30_000

/** Settings of the LLM extractor. */
export interface LlmOptions {
  /** Model name, e.g. `gpt-4o-mini`. */
  readonly model: string
  /** OpenAI-compatible base URL (ending in `/v1`); undefined for api.openai.com. */
  readonly baseUrl: string | undefined
  /** API key; servers such as Ollama accept none. Only ever handed to the HTTP client. */
  readonly apiKey: Redacted.Redacted | undefined
  /** Wire API: `responses` (default) or `chat`. */
  readonly api?: "responses" | "chat"
  /** How structured output is asked for (`json-object` and `tool` need `api: "chat"`). */
  readonly structuredOutput?: ChatCompletions.StructuredOutput
  /** Entity types and predicates; defaults to {@link DEFAULT_LLM_ENTITY_TYPES} and free predicates. */
  readonly guidance?: Guidance
  /** Extraction passes per chunk: 1, plus gleaning passes. */
  readonly passes?: number
  /** Keep items that cannot be grounded, flagged `ungrounded`. */
  readonly keepUngrounded?: boolean
  /** Sampling temperature; null or undefined sends none. */
  readonly temperature?: number | null
  /** Time allowed for one request, in milliseconds. */
  readonly requestTimeoutMs?: number
  /** Most retries of one request after transient failures. */
  readonly maxRetries?: number
  /** Most re-asks of one request after invalid output. */
  readonly maxReasks?: number
  /** Client-side requests-per-minute and tokens-per-minute limits; null for none. */
  readonly rpm?: number | null
  readonly tpm?: number | null
  /** Directory of the response cache (`<output-dir>/cache/llm`); null disables it. */
  readonly cacheDir?: string | null
  /** First backoff step and its cap, in milliseconds. */
  readonly retryBaseMs?: number
  readonly retryMaxMs?: number
  /** Most model requests in flight at once (`--concurrency`); default 4. */
  readonly concurrency?: number
}

/** A mutable tally of one chunk's {@link LlmUsage}. */
interface Tally {
  calls: number
  retries: number
  reasks: number
  inputTokens: number
  outputTokens: number
  cacheHits: number
  cacheMisses: number
}

const toUsage = (t: Tally) => new LlmUsage({ ...t })

/** Host (and port) of a base URL, for cache keys; never its credentials or path. */
export const hostOf = (baseUrl: string | undefined): string => {
  if (baseUrl === undefined) return "api.openai.com"
  try {
    return new URL(baseUrl).host
  } catch {
    return baseUrl
  }
}

/** The text a model returned when `generateObject` could not parse it (the input of the failed JSON decode). */
const rawTextOf = (error: { readonly cause?: unknown }): string => {
  const cause = error.cause
  if (ParseResult.isParseError(cause) && typeof cause.issue.actual === "string") return cause.issue.actual
  return ""
}

/**
 * A validation failure as `path: problem` items, one per offending path (a
 * value that matches none of an enum's members gets one "Expected A | B, actual
 * X"), at most five, for the model and for errors.
 */
export const describeParseError = (error: ParseResult.ParseError): string => {
  const byPath = new Map<string, Array<string>>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path =
      issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") ||
      "answer"
    const list = byPath.get(path)
    if (list) list.push(issue.message)
    else byPath.set(path, [issue.message])
  }
  const items = [...byPath.entries()].map(([path, messages]) => {
    const parsed = messages.map((m) => /^Expected (.+), actual (.+)$/s.exec(m))
    if (messages.length > 1 && parsed.every((m) => m !== null && m[2] === parsed[0]![2])) {
      return `${path}: Expected ${parsed.map((m) => m![1]).join(" | ")}, actual ${parsed[0]![2]}`
    }
    return `${path}: ${messages.join("; ")}`
  })
  return (items.length > 5 ? [...items.slice(0, 5), `… and ${items.length - 5} more problems`] : items).join("; ")
}

/** Why `generateObject` could not read the model's text, in one line. */
const describeInvalidAnswer = (
  error: { readonly description?: string | undefined; readonly cause?: unknown },
  raw: string
): string => {
  if (raw.trim() === "") return "the answer was empty"
  const cause = error.cause
  if (ParseResult.isParseError(cause)) {
    const last = cause.message.split("\n").map((l) => l.replace(/^[\s└├─│]+/u, "")).filter((l) => l !== "").at(-1)
    return `the answer is not valid JSON (${last ?? "parse error"})`
  }
  return error.description ?? "the answer is not valid JSON"
}

export const make = (options: LlmOptions) =>
  Effect.gen(function*() {
    const model = yield* LanguageModel.LanguageModel
    const cache = yield* ResponseCache
    const tokenizer = yield* Tokenizer
    const api = options.api ?? "responses"
    const structuredOutput = options.structuredOutput ?? "json-schema"
    const guidance = options.guidance ?? { entityTypes: DEFAULT_LLM_ENTITY_TYPES, relationTypes: null }
    const passes = Math.max(1, options.passes ?? 1)
    const keepUngrounded = options.keepUngrounded ?? false
    const fallbackType = guidance.entityTypes.some((t) => t.name === "Other") ? "Other" : null
    const timeout = Duration.millis(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
    const maxReasks = options.maxReasks ?? DEFAULT_MAX_REASKS
    const retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS
    const retryMaxMs = options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS
    const throttle = yield* makeThrottle({ rpm: options.rpm ?? null, tpm: options.tpm ?? null })
    const host = hostOf(options.baseUrl)

    const concurrency = Math.max(1, options.concurrency ?? 4)
    const requestSlots = yield* Effect.makeSemaphore(concurrency)

    const schema = requestSchema(guidance)
    const jsonSchema = answerJsonSchema(guidance)
    /** Input tokens every request has besides the chunk: system prompt, schema, message framing (a few tokens per message). */
    const fixedTokens = tokenizer.count(systemPrompt(guidance)) + tokenizer.count(JSON.stringify(jsonSchema)) + 16
    /** Estimated input tokens of a conversation about `chunk` (counts only what follows the chunk text). */
    const estimateInput = (chunk: Chunk, conversation: ReadonlyArray<Prompt.MessageEncoded>) =>
      fixedTokens + chunk.tokens + (conversation.length > 2 ? tokenizer.count(messagesText(conversation.slice(2))) : 0)
    const validate = Schema.decodeUnknownEither(answerSchema(guidance), { errors: "all" })
    const settings = { temperature: options.temperature ?? null }
    /** Set once the provider has answered anything: from then on a refused request is the chunk's problem, not the configuration's. */
    let answered = false

    const keyOf = keyer({
      api,
      structuredOutput,
      host,
      model: options.model,
      promptVersion: PROMPT_VERSION,
      schema: jsonSchema,
      settings
    })

    /**
     * One model answer for `messages`: attempts until a valid answer, with
     * retries (transient failures) and re-asks (invalid answers) counted in
     * `tally`. Fails with a fatal ExtractionError when no chunk can succeed,
     * a non-fatal one when this request cannot.
     */
    const ask = (chunk: Chunk, pass: number, messages: ReturnType<typeof passMessages>, tally: Tally) =>
      Effect.gen(function*() {
        let conversation = messages
        let retries = 0
        let reasks = 0
        let spentIn = 0
        let spentOut = 0
        const giveUp = (message: string, status: number | null, fatal: boolean) =>
          Effect.fail(new ExtractionError({ chunk: chunk.index, message, status, fatal, usage: toUsage(tally) }))
        for (;;) {
          const inputEstimate = estimateInput(chunk, conversation)
          // Output is unknown until it arrives; book as many tokens as the chunk has, then settle.
          const booking = inputEstimate + chunk.tokens
          // A request slot is held only while the request is out: never while backing off or writing results.
          const result = yield* requestSlots.withPermits(1)(
            throttle.acquire(booking).pipe(
              Effect.zipRight(Effect.sync(() => void tally.calls++)),
              Effect.zipRight(
                model.generateObject({ prompt: conversation, schema, objectName: "extraction" }).pipe(
                  Effect.timeout(timeout)
                )
              ),
              Effect.either
            )
          )
          /** The model answered (validly or not): count what it cost. */
          const spend = (inputTokens: number, outputTokens: number) => {
            tally.inputTokens += inputTokens
            tally.outputTokens += outputTokens
            spentIn += inputTokens
            spentOut += outputTokens
            answered = true
            return throttle.settle(booking, inputTokens + outputTokens)
          }
          let invalid: { readonly raw: string; readonly error: string } | undefined
          if (Either.isRight(result)) {
            const response = result.right
            const raw = JSON.stringify(response.value)
            yield* spend(
              response.usage.inputTokens ?? inputEstimate,
              response.usage.outputTokens ?? tokenizer.count(raw)
            )
            const decoded = validate(response.value)
            if (Either.isRight(decoded)) {
              return { answer: decoded.right as Answer, inputTokens: spentIn, outputTokens: spentOut }
            }
            invalid = { raw, error: `the answer does not follow the schema: ${describeParseError(decoded.left)}` }
          } else {
            const error = result.left as AttemptError
            if (isInvalidAnswer(error)) {
              // The provider's usage is lost with the unreadable answer: count it with the tokenizer.
              const raw = rawTextOf(error)
              yield* spend(inputEstimate, tokenizer.count(raw))
              invalid = { raw, error: describeInvalidAnswer(error, raw) }
            } else {
              yield* throttle.settle(booking, 0)
              const verdict: Verdict = classify(error)
              if (verdict.kind === "fail") {
                const fatal = verdict.scope === "run" || !answered
                return yield* giveUp(
                  fatal ? verdict.reason : `chunk ${chunk.index}: ${verdict.reason}`,
                  verdict.status,
                  fatal
                )
              }
              if (verdict.unreachable && !answered) {
                return yield* giveUp(`cannot reach the provider at ${host}: ${verdict.reason}`, null, true)
              }
              if (retries >= maxRetries) {
                const message = `chunk ${chunk.index}: gave up after ${retries} retries: ${verdict.reason}`
                // A provider that stays unreachable through every retry is down: stop rather than fail chunk by chunk.
                return yield* giveUp(
                  verdict.unreachable ? `the provider at ${host} stopped answering: ${verdict.reason}` : message,
                  verdict.status,
                  verdict.unreachable
                )
              }
              const delayMs = retryDelayMs(verdict, retries, retryBaseMs, retryMaxMs)
              if (verdict.retryAfterMs !== null) {
                yield* throttle.pauseUntil((yield* Clock.currentTimeMillis) + verdict.retryAfterMs)
              }
              retries++
              tally.retries++
              yield* reportExtractorEvent("llm.retry", {
                chunk: chunk.index,
                pass,
                retry: retries,
                reason: verdict.reason,
                status: verdict.status,
                delayMs
              })
              yield* Effect.sleep(Duration.millis(delayMs))
              continue
            }
          }
          if (reasks >= maxReasks) {
            return yield* giveUp(
              `chunk ${chunk.index}: unusable model output after ${reasks} re-asks: ${invalid.error}`,
              null,
              false
            )
          }
          reasks++
          tally.reasks++
          yield* reportExtractorEvent("llm.reask", { chunk: chunk.index, pass, reask: reasks, error: invalid.error })
          conversation = reaskMessages(messages, invalid.raw, invalid.error)
        }
      })

    /** The cached answer for `key`, if valid under the current schema. */
    const lookup = (key: string) =>
      Effect.map(
        cache.get(key),
        Option.flatMap((entry) => Option.getRight(validate(entry.answer)) as Option.Option<Answer>)
      )

    const extract = Effect.fn("LlmExtractor.extract")(function*(chunk: Chunk) {
      const tally: Tally = {
        calls: 0,
        retries: 0,
        reasks: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheHits: 0,
        cacheMisses: 0
      }
      const answers: Array<Answer> = []
      for (let pass = 1; pass <= passes; pass++) {
        const messages = passMessages(guidance, chunk.span.text, answers)
        const key = keyOf(messages)
        let answer: Answer
        const cached = yield* lookup(key)
        if (Option.isSome(cached)) {
          tally.cacheHits++
          answer = cached.value
        } else {
          tally.cacheMisses++
          const asked = yield* ask(chunk, pass, messages, tally)
          answer = asked.answer
          if (cache.enabled) {
            yield* cache.put(
              new CacheEntry({
                version: 1,
                key,
                createdAt: new Date(yield* Clock.currentTimeMillis).toISOString(),
                api,
                host,
                model: options.model,
                promptVersion: PROMPT_VERSION,
                answer: answer as unknown,
                usage: { inputTokens: asked.inputTokens, outputTokens: asked.outputTokens }
              }, { disableValidation: true })
            )
          }
        }
        // Gleaning stops as soon as a pass finds nothing new.
        if (pass > 1 && newFacts(mergeAnswers(answers), answer) === 0) break
        answers.push(answer)
      }
      const grounded = ground(chunk, mergeAnswers(answers), { keepUngrounded, fallbackType })
      return new ChunkExtraction({ ...grounded, usage: toUsage(tally) }, { disableValidation: true })
    }, (self) =>
      // No spans below this one: the HTTP client's span per request (with its attributes) and the cache
      // write's cost CPU on every answer, and nothing exports spans (there is no OpenTelemetry layer).
      Effect.withTracerEnabled(self, false))

    const plan = Effect.fn("LlmExtractor.plan")(function*(chunk: Chunk) {
      const answers: Array<Answer> = []
      let cached = 0
      for (let pass = 1; pass <= passes; pass++) {
        const messages = passMessages(guidance, chunk.span.text, answers)
        const hit = yield* lookup(keyOf(messages))
        if (Option.isNone(hit)) {
          const inputTokens = estimateInput(chunk, messages)
          const calls = passes - pass + 1
          return { calls, inputTokens: inputTokens * calls, cached } satisfies ExtractionPlan
        }
        cached++
        if (pass > 1 && newFacts(mergeAnswers(answers), hit.value) === 0) break
        answers.push(hit.value)
      }
      return { calls: 0, inputTokens: 0, cached } satisfies ExtractionPlan
    })

    return Extractor.of({ kind: "llm", extract, plan, chunksInFlight: (n) => 2 * n, offThread: true })
  })

/** Options of {@link ground}. */
export interface GroundOptions {
  /** Keep what cannot be found, flagged `ungrounded`, instead of dropping it. */
  readonly keepUngrounded: boolean
  /**
   * Type of a relation's subject or object that the answer names but does
   * not list as an entity: `Other` when that is an allowed type; null (the
   * relation is then dropped and counted) when the types are constrained
   * without a catch-all.
   */
  readonly fallbackType: string | null
}

/**
 * Grounds the model's answer in the chunk: each entity name becomes one
 * mention per occurrence in the chunk (see {@link findAll}), longest names
 * first, and an occurrence inside a longer mention (`Lovelace` in `Ada
 * Lovelace`) is that mention, not a new one; each relation's evidence quote
 * is located in the chunk and its subject and object are the occurrences of
 * their names nearest to it. Names, quotes and relations that cannot be
 * found are counted in `ungrounded` and dropped — or, with
 * `keepUngrounded`, kept and flagged `grounding: "ungrounded"`: such a
 * mention has an empty span at the chunk's start and the model's `name`;
 * such a relation's evidence is an empty span at the chunk's start. Spans
 * are in document code points.
 */
export const ground = (
  chunk: Chunk,
  answer: Answer,
  options: GroundOptions = { keepUngrounded: false, fallbackType: "Other" }
): ChunkExtraction => {
  const text = chunk.span.text
  const index = new CodePointIndex(text)
  const mentions: Array<Mention> = []
  /** Placed mentions with their UTF-16 ranges in the chunk. */
  const placed: Array<{ readonly start: number; readonly end: number; readonly mention: Mention }> = []
  const unplaced = new Map<string, Mention>()
  let ungrounded = 0
  const nextId = () => `c${chunk.index}-m${mentions.length + 1}`
  const mentionAt = (m: Match, type: string, description: string | null) => {
    const within = placed.find((p) => p.start <= m.start && m.end <= p.end)
    if (within) return within.mention
    const mention = new Mention({
      id: nextId(),
      type,
      span: shiftSpan(chunk.span.start, index.span(m.start, m.end)),
      chunk: chunk.index,
      grounding: m.grounding,
      description
    }, { disableValidation: true })
    mentions.push(mention)
    placed.push({ start: m.start, end: m.end, mention })
    return mention
  }
  const emptySpan = new Span({ start: chunk.span.start, end: chunk.span.start, text: "" }, { disableValidation: true })
  const mentionUnplaced = (name: string, type: string, description: string | null) => {
    const key = `${type}\u0000${name.trim().toLowerCase()}`
    const existing = unplaced.get(key)
    if (existing) return existing
    const mention = new Mention({
      id: nextId(),
      type,
      span: emptySpan,
      chunk: chunk.index,
      grounding: "ungrounded",
      description,
      name: name.trim()
    }, { disableValidation: true })
    mentions.push(mention)
    unplaced.set(key, mention)
    return mention
  }
  const typeOf = new Map<string, { type: string; description: string | null }>()
  for (const e of answer.entities) {
    const key = e.name.trim().toLowerCase()
    if (!typeOf.has(key)) typeOf.set(key, { type: e.type, description: e.description })
  }
  const byLength = [...answer.entities].sort((a, b) => b.name.trim().length - a.name.trim().length)
  for (const e of byLength) {
    if (e.name.trim() === "") continue
    const found = findAll(text, e.name)
    if (found.length === 0) {
      ungrounded++
      if (options.keepUngrounded) mentionUnplaced(e.name, e.type, e.description)
      continue
    }
    for (const m of found) mentionAt(m, e.type, e.description)
  }
  const relations: Array<ExtractedRelation> = []
  const fallback = options.fallbackType === null ? null : { type: options.fallbackType, description: null }
  for (const r of answer.relations) {
    const sType = typeOf.get(r.subject.trim().toLowerCase()) ?? fallback
    const oType = typeOf.get(r.object.trim().toLowerCase()) ?? fallback
    const evidence = findAll(text, r.evidence)[0]
    const s = findNearest(text, r.subject, evidence?.start ?? 0, evidence?.end ?? 0)
    const o = findNearest(text, r.object, evidence?.start ?? 0, evidence?.end ?? 0)
    if (sType === null || oType === null || r.subject.trim() === "" || r.object.trim() === "") {
      ungrounded++
      continue
    }
    if (!evidence || !s || !o) {
      ungrounded++
      if (!options.keepUngrounded) continue
    }
    const subject = s
      ? mentionAt(s, sType.type, sType.description)
      : mentionUnplaced(r.subject, sType.type, sType.description)
    const object = o
      ? mentionAt(o, oType.type, oType.description)
      : mentionUnplaced(r.object, oType.type, oType.description)
    if (subject === object) continue
    relations.push(
      new ExtractedRelation({
        subject: subject.id,
        predicate: r.predicate,
        object: object.id,
        evidence: evidence ? shiftSpan(chunk.span.start, index.span(evidence.start, evidence.end)) : emptySpan,
        chunk: chunk.index,
        grounding: evidence ? evidence.grounding : "ungrounded"
      }, { disableValidation: true })
    )
  }
  mentions.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end)
  return new ChunkExtraction({ chunk: chunk.index, extractor: "llm", mentions, relations, ungrounded, usage: null }, {
    disableValidation: true
  })
}

/**
 * The LLM extractor as the {@link Extractor}: over the Responses API
 * (`@effect/ai-openai`'s `OpenAiLanguageModel`) or Chat Completions
 * (`Llm/ChatCompletions.ts`), both through one `OpenAiClient` on
 * `options.baseUrl` (default https://api.openai.com/v1) and Node's HTTP
 * client (undici).
 */
export const layer = (options: LlmOptions) => {
  const temperature = options.temperature ?? undefined
  const languageModel = options.api === "chat"
    ? ChatCompletions.layer({
      model: options.model,
      structuredOutput: options.structuredOutput ?? "json-schema",
      temperature
    })
    : OpenAiLanguageModel.layer({ model: options.model, config: temperature === undefined ? {} : { temperature } })
  return Layer.effect(Extractor, make(options)).pipe(
    Layer.provide(Layer.mergeAll(languageModel, ResponseCache.layer(options.cacheDir ?? null), Tokenizer.Default)),
    Layer.provide(OpenAiClient.layer({ apiKey: options.apiKey, apiUrl: options.baseUrl })),
    Layer.provide(NodeHttpClient.layerUndici)
  )
}

/**
 * The extractor for one invocation's settings, with its response cache in
 * `<output-dir>/cache/llm` unless `--no-cache`.
 */
export const layerFromSettings = (settings: ExtractSettings) =>
  Layer.unwrapEffect(Effect.map(Path.Path, (path) => {
    const llm = settings.config.llm
    return layer({
      model: settings.config.model ?? "",
      baseUrl: Option.getOrUndefined(settings.baseUrl),
      apiKey: Option.getOrUndefined(settings.apiKey),
      ...(llm === null ? {} : {
        api: llm.api,
        structuredOutput: llm.structuredOutput,
        ...(settings.guidance === null ? {} : { guidance: settings.guidance }),
        passes: llm.passes,
        keepUngrounded: llm.keepUngrounded,
        temperature: llm.temperature,
        requestTimeoutMs: llm.requestTimeoutMs,
        maxRetries: llm.maxRetries,
        maxReasks: llm.maxReasks,
        rpm: llm.rpm,
        tpm: llm.tpm,
        concurrency: settings.config.concurrency,
        cacheDir: llm.cache ? path.resolve(settings.outputDir, "cache", "llm") : null
      })
    })
  }))

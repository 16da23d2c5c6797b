/**
 * The LLM extractor: asks an OpenAI-compatible model (OpenAI's Responses
 * API through `@effect/ai-openai`) for the entities and relations of a chunk
 * as a JSON object that follows {@link LlmExtraction}, then grounds every
 * name and evidence quote in the chunk text itself.
 */
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as OpenAiClient from "@effect/ai-openai/OpenAiClient"
import * as OpenAiLanguageModel from "@effect/ai-openai/OpenAiLanguageModel"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Chunk } from "../Domain/Chunk.js"
import { ExtractionError } from "../Domain/Errors.js"
import { ChunkExtraction, DEFAULT_ENTITY_TYPES, ExtractedRelation, Mention } from "../Domain/Extraction.js"
import { CodePointIndex, shiftSpan } from "../Domain/Span.js"
import { Extractor } from "../Extractor.js"
import { findAll, findNearest, type Match } from "../Grounding.js"

/**
 * What the model must return. Strict structured-output compatible: every
 * property required, absent values as null.
 */
export const LlmExtraction = Schema.Struct({
  entities: Schema.Array(Schema.Struct({
    name: Schema.String.annotations({ description: "The entity's name exactly as written in the text" }),
    type: Schema.String.annotations({ description: "Entity type" }),
    description: Schema.NullOr(Schema.String).annotations({ description: "One short sentence about the entity, or null" })
  })),
  relations: Schema.Array(Schema.Struct({
    subject: Schema.String.annotations({ description: "Name of the subject entity, as in `entities`" }),
    predicate: Schema.String.annotations({ description: "Relation name in lowerCamelCase, e.g. worksFor" }),
    object: Schema.String.annotations({ description: "Name of the object entity, as in `entities`" }),
    evidence: Schema.String.annotations({ description: "The shortest verbatim quote from the text that states the relation" })
  }))
}).annotations({ description: "Entities and relations stated in the text" })

/** Bumped whenever the prompt changes, so cached responses of older prompts are not reused. */
export const PROMPT_VERSION = 1

const systemPrompt = (entityTypes: ReadonlyArray<string>) =>
  [
    "You extract a knowledge graph from text.",
    `List the named entities in the text with a type from: ${entityTypes.join(", ")}.`,
    "Give each entity's name exactly as it is written in the text (same spelling and case).",
    "List the relations the text states between those entities as (subject, predicate, object),",
    "with a lowerCamelCase predicate (e.g. worksFor, founded, locatedIn, bornIn, spouse, memberOf)",
    "and the shortest verbatim quote from the text that states it as evidence.",
    "Only use information stated in the text."
  ].join("\n")

/** Settings of the LLM extractor. */
export interface LlmOptions {
  /** Model name, e.g. `gpt-4o-mini`. */
  readonly model: string
  /** OpenAI-compatible base URL (ending in `/v1`); undefined for api.openai.com. */
  readonly baseUrl: string | undefined
  /** API key; servers such as Ollama accept none. */
  readonly apiKey: Redacted.Redacted | undefined
  readonly entityTypes?: ReadonlyArray<string>
}

/** Turns an AiError into a one-line ExtractionError, naming the env var to fix for 401/403. */
const toExtractionError = (chunk: number) => (error: { readonly _tag: string; readonly message: string; readonly response?: { readonly status: number } }) => {
  const status = error.response?.status ?? null
  const message = status === 401 || status === 403
    ? `the provider rejected the API key (HTTP ${status}); set OPENAI_API_KEY to a valid key`
    : status !== null
    ? `the provider answered HTTP ${status} for chunk ${chunk}`
    : error._tag === "HttpRequestError"
    ? `cannot reach the provider: ${error.message.split("\n")[0]}`
    : `unusable model output for chunk ${chunk}: ${error.message.split("\n")[0]}`
  return new ExtractionError({ chunk, message, status })
}

export const make = (options: LlmOptions) =>
  Effect.gen(function*() {
    const model = yield* LanguageModel.LanguageModel
    const entityTypes = options.entityTypes ?? DEFAULT_ENTITY_TYPES

    const extract = Effect.fn("LlmExtractor.extract")(function*(chunk: Chunk) {
      const text = chunk.span.text
      const response = yield* model.generateObject({
        prompt: [
          { role: "system", content: systemPrompt(entityTypes) },
          { role: "user", content: [{ type: "text", text }] }
        ],
        schema: LlmExtraction,
        objectName: "extraction"
      }).pipe(Effect.mapError(toExtractionError(chunk.index)))
      return ground(chunk, response.value)
    })
    return Extractor.of({ kind: "llm", extract })
  })

/**
 * Grounds the model's answer in the chunk: each entity name becomes one
 * mention per occurrence in the chunk (see {@link findAll}); each relation's
 * evidence quote is located in the chunk and its subject and object are the
 * occurrences of their names nearest to it. Names, quotes and relations that
 * cannot be found are dropped and counted in `ungrounded`.
 */
export const ground = (chunk: Chunk, answer: typeof LlmExtraction.Type): ChunkExtraction => {
  const text = chunk.span.text
  const index = new CodePointIndex(text)
  const mentions: Array<Mention> = []
  const byRange = new Map<string, Mention>()
  let ungrounded = 0
  const mentionAt = (m: Match, type: string, description: string | null) => {
    const key = `${m.start}:${m.end}`
    const existing = byRange.get(key)
    if (existing) return existing
    const mention = new Mention({
      id: `c${chunk.index}-m${mentions.length + 1}`,
      type,
      span: shiftSpan(chunk.span.start, index.span(m.start, m.end)),
      chunk: chunk.index,
      grounding: m.grounding,
      description
    }, { disableValidation: true })
    mentions.push(mention)
    byRange.set(key, mention)
    return mention
  }
  const typeOf = new Map<string, { type: string; description: string | null }>()
  for (const e of answer.entities) {
    const found = findAll(text, e.name)
    if (found.length === 0) {
      ungrounded++
      continue
    }
    typeOf.set(e.name.trim().toLowerCase(), { type: e.type, description: e.description })
    for (const m of found) mentionAt(m, e.type, e.description)
  }
  const relations: Array<ExtractedRelation> = []
  for (const r of answer.relations) {
    const evidence = findAll(text, r.evidence)[0]
    const anchor = evidence ? evidence.start : 0
    const s = findNearest(text, r.subject, anchor)
    const o = findNearest(text, r.object, anchor)
    if (!evidence || !s || !o) {
      ungrounded++
      continue
    }
    const sType = typeOf.get(r.subject.trim().toLowerCase()) ?? { type: "Other", description: null }
    const oType = typeOf.get(r.object.trim().toLowerCase()) ?? { type: "Other", description: null }
    relations.push(new ExtractedRelation({
      subject: mentionAt(s, sType.type, sType.description).id,
      predicate: r.predicate,
      object: mentionAt(o, oType.type, oType.description).id,
      evidence: shiftSpan(chunk.span.start, index.span(evidence.start, evidence.end)),
      chunk: chunk.index,
      grounding: evidence.grounding
    }, { disableValidation: true }))
  }
  mentions.sort((a, b) => a.span.start - b.span.start)
  return new ChunkExtraction({ chunk: chunk.index, extractor: "llm", mentions, relations, ungrounded }, { disableValidation: true })
}

/**
 * The LLM extractor as the {@link Extractor}, over the Responses API of
 * `options.baseUrl` (default https://api.openai.com/v1) with Node's HTTP
 * client (undici).
 */
export const layer = (options: LlmOptions) =>
  Layer.effect(Extractor, make(options)).pipe(
    Layer.provide(OpenAiLanguageModel.layer({ model: options.model })),
    Layer.provide(OpenAiClient.layer({ apiKey: options.apiKey, apiUrl: options.baseUrl })),
    Layer.provide(NodeHttpClient.layerUndici)
  )

/**
 * What the llm extractor asks a model: the system prompt, the schema of the
 * answer (strict structured-output compatible, with the entity types and
 * predicates as enums), the follow-up that asks for missed facts
 * (gleaning), and the follow-up that feeds a validation error back.
 * Pure: no effects, no I/O.
 */
import type * as Prompt from "@effect/ai/Prompt"
import * as Tool from "@effect/ai/Tool"
import * as Schema from "effect/Schema"

/** Bumped whenever a prompt text or the answer schema changes, so older cached answers are not reused. */
export const PROMPT_VERSION = 2

/** An entity type or predicate the model may use, with what it means (e.g. an ontology's rdfs:comment). */
export interface TypeSpec {
  /** The name the model must answer with, e.g. `Person`, `worksFor`. */
  readonly name: string
  /** Optional gloss shown to the model. */
  readonly description: string | null
}

/** What the model may answer with. */
export interface Guidance {
  /** Entity types; the model must pick one of them for every entity. */
  readonly entityTypes: ReadonlyArray<TypeSpec>
  /** Predicates the model must pick from, or null to let it name relations itself (lowerCamelCase). */
  readonly relationTypes: ReadonlyArray<TypeSpec> | null
}

/**
 * Entity types used when neither `--entity-types` nor `--ontology` gives
 * any: the person/organization/location core shared by CoNLL, OntoNotes and
 * ACE, plus the classes general-domain documents keep naming (events,
 * works, products), dates and amounts of money, and a catch-all.
 */
export const DEFAULT_LLM_ENTITY_TYPES: ReadonlyArray<TypeSpec> = [
  { name: "Person", description: "a human being, real or fictional, or a named character" },
  {
    name: "Organization",
    description: "a company, institution, government body, team, party or other organised group"
  },
  { name: "Location", description: "a place: country, region, city, address, building, natural feature" },
  { name: "Event", description: "a named happening: war, battle, meeting, election, disaster, festival" },
  { name: "Work", description: "a named creative, scholarly or legal work: book, article, song, film, law, treaty" },
  { name: "Product", description: "a named object, machine, vehicle, device, software or other product" },
  { name: "Date", description: "a date, year or named period" },
  { name: "Money", description: "an amount of money" },
  { name: "Other", description: "any other named thing worth a node in a knowledge graph" }
]

/** Predicates suggested (not imposed) when no `--relation-types` or ontology properties are given. */
export const SUGGESTED_PREDICATES = [
  "worksFor",
  "founded",
  "memberOf",
  "locatedIn",
  "bornIn",
  "spouse",
  "childOf",
  "author",
  "partOf",
  "owns"
]

const literalOf = (names: ReadonlyArray<string>) => Schema.Literal(...(names as [string, ...Array<string>]))

/**
 * The answer schema for `guidance`. Every property is required and absent
 * values are `null` (OpenAI strict mode rejects optional properties); entity
 * types, and predicates when given, are enums.
 */
export const answerSchema = (guidance: Guidance) =>
  Schema.Struct({
    entities: Schema.Array(Schema.Struct({
      name: Schema.String.annotations({ description: "The entity's name exactly as written in the text" }),
      type: literalOf(guidance.entityTypes.map((t) => t.name)).annotations({ description: "Entity type" }),
      description: Schema.NullOr(Schema.String).annotations({
        description: "One short sentence about the entity from the text, or null"
      })
    })),
    relations: Schema.Array(Schema.Struct({
      subject: Schema.String.annotations({ description: "Name of the subject entity, as in `entities`" }),
      predicate: (guidance.relationTypes === null ? Schema.String : literalOf(guidance.relationTypes.map((t) =>
        t.name
      )))
        .annotations({ description: "Relation name in lowerCamelCase" }),
      object: Schema.String.annotations({ description: "Name of the object entity, as in `entities`" }),
      evidence: Schema.String.annotations({
        description: "The shortest verbatim quote from the text that states the relation"
      })
    }))
  }).annotations({ description: "Entities and relations stated in the text" })

/** A validated answer of the model. */
export interface Answer {
  readonly entities: ReadonlyArray<
    { readonly name: string; readonly type: string; readonly description: string | null }
  >
  readonly relations: ReadonlyArray<
    { readonly subject: string; readonly predicate: string; readonly object: string; readonly evidence: string }
  >
}

/** The JSON Schema (draft-07 subset accepted by OpenAI strict mode) of {@link answerSchema}. */
export const answerJsonSchema = (guidance: Guidance): Record<string, unknown> =>
  Tool.getJsonSchemaFromSchemaAst(answerSchema(guidance).ast) as unknown as Record<string, unknown>

/**
 * The schema handed to `LanguageModel.generateObject`: it advertises the
 * strict answer schema to the provider but accepts any JSON object, so that
 * an answer violating the schema reaches us (with its token usage) and we
 * can feed the exact violation back to the model.
 */
export const requestSchema = (guidance: Guidance) =>
  Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
    jsonSchema: answerJsonSchema(guidance),
    description: "Entities and relations stated in the text"
  })

const typeLine = (t: TypeSpec) => (t.description ? `- ${t.name}: ${t.description}` : `- ${t.name}`)

/** The system prompt for `guidance`. */
export const systemPrompt = (guidance: Guidance): string =>
  [
    "You extract a knowledge graph from text.",
    "List the named entities the text mentions, each with one of these types:",
    ...guidance.entityTypes.map(typeLine),
    "Give each entity's name exactly as it is written in the text (same spelling and case), once per entity.",
    "List the relations the text states between those entities as (subject, predicate, object),",
    ...(guidance.relationTypes === null
      ? [`with a lowerCamelCase predicate such as ${SUGGESTED_PREDICATES.join(", ")},`]
      : ["with one of these predicates:", ...guidance.relationTypes.map(typeLine)]),
    "and as evidence the shortest verbatim quote from the text that states the relation.",
    "Only use information stated in the text. Answer with a JSON object following the given schema."
  ].join("\n")

/** The follow-up asking for missed facts (gleaning, after Microsoft GraphRAG's "continue" prompt). */
export const GLEANING_PROMPT = [
  "Some entities and relations stated in the text were missed in your last answer.",
  "Answer with only the ones you have not listed yet, in the same format;",
  "answer with empty lists if nothing was missed."
].join(" ")

/** Longest stretch of an invalid answer repeated back to the model, in UTF-16 units. */
const REASK_ECHO_LIMIT = 8000

/** The follow-up after an invalid answer: the validation error, and what is expected instead. */
export const reaskPrompt = (error: string): string =>
  [
    `Your answer could not be used: ${error}`,
    "Answer again with only a JSON object that follows the schema exactly:",
    "{\"entities\": [{\"name\", \"type\", \"description\"}], \"relations\": [{\"subject\", \"predicate\", \"object\", \"evidence\"}]}."
  ].join("\n")

/**
 * The conversation for one pass over a chunk: the system prompt, the chunk
 * text, then for every earlier pass its answer and the gleaning follow-up.
 */
export const passMessages = (
  guidance: Guidance,
  text: string,
  earlier: ReadonlyArray<Answer>
): Array<Prompt.MessageEncoded> => {
  const messages: Array<Prompt.MessageEncoded> = [
    { role: "system", content: systemPrompt(guidance) },
    { role: "user", content: [{ type: "text", text }] }
  ]
  for (const answer of earlier) {
    messages.push({ role: "assistant", content: [{ type: "text", text: JSON.stringify(answer) }] })
    messages.push({ role: "user", content: [{ type: "text", text: GLEANING_PROMPT }] })
  }
  return messages
}

/** `messages` followed by an invalid answer and the re-ask follow-up for `error`. */
export const reaskMessages = (
  messages: ReadonlyArray<Prompt.MessageEncoded>,
  invalid: string,
  error: string
): Array<Prompt.MessageEncoded> => [
  ...messages,
  {
    role: "assistant",
    content: [{
      type: "text",
      text: invalid.length > REASK_ECHO_LIMIT ? `${invalid.slice(0, REASK_ECHO_LIMIT)}…` : invalid
    }]
  },
  { role: "user", content: [{ type: "text", text: reaskPrompt(error) }] }
]

/** All text of a conversation, for token estimates. */
export const messagesText = (messages: ReadonlyArray<Prompt.MessageEncoded>): string =>
  messages.map((m) =>
    typeof m.content === "string"
      ? m.content
      : (m.content as ReadonlyArray<{ readonly type: string; readonly text?: string }>).map((p) => p.text ?? "").join(
        ""
      )
  ).join("\n")

/**
 * Union of the answers of several passes: entities de-duplicated on
 * (name, type) and relations on (subject, predicate, object, evidence),
 * ignoring case and surrounding whitespace; first occurrence wins.
 */
export const mergeAnswers = (answers: ReadonlyArray<Answer>): Answer => {
  const key = (...parts: ReadonlyArray<string>) => parts.map((p) => p.trim().toLowerCase()).join("\u0000")
  const entities = new Map<string, Answer["entities"][number]>()
  const relations = new Map<string, Answer["relations"][number]>()
  for (const a of answers) {
    for (const e of a.entities) if (!entities.has(key(e.name, e.type))) entities.set(key(e.name, e.type), e)
    for (const r of a.relations) {
      const k = key(r.subject, r.predicate, r.object, r.evidence)
      if (!relations.has(k)) relations.set(k, r)
    }
  }
  return { entities: [...entities.values()], relations: [...relations.values()] }
}

/** How many entities and relations of `next` are not already in `known` (same keys as {@link mergeAnswers}). */
export const newFacts = (known: Answer, next: Answer): number =>
  mergeAnswers([known, next]).entities.length - mergeAnswers([known]).entities.length +
  mergeAnswers([known, next]).relations.length - mergeAnswers([known]).relations.length

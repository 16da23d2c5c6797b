/**
 * A `LanguageModel` over OpenAI's Chat Completions API
 * (`POST <base>/chat/completions`), for servers without the Responses API
 * (older vLLM, llama.cpp's server, LM Studio, many proxies). It sends its
 * requests through the same `OpenAiClient` as the Responses model — same
 * base URL, key and HTTP client — so the extractor does not care which API
 * it talks to.
 *
 * Responses are decoded leniently (only `choices[].message` and `usage`
 * are read): OpenAI-compatible servers differ in the fields they omit, and
 * the generated OpenAI schema rejects such answers outright.
 *
 * Structured output is asked for in one of three ways:
 * - `json-schema`: `response_format: {type: "json_schema", json_schema: {strict: true, …}}` (OpenAI, vLLM, Ollama, llama.cpp);
 * - `json-object`: `response_format: {type: "json_object"}` and the schema in the system prompt (servers with JSON mode only);
 * - `tool`: one function whose parameters are the schema, forced with `tool_choice`; its arguments are the answer.
 */
import * as OpenAiClient from "@effect/ai-openai/OpenAiClient"
import * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import * as Tool from "@effect/ai/Tool"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

/** How structured output is requested over Chat Completions. */
export type StructuredOutput = "json-schema" | "json-object" | "tool"

export interface ChatCompletionsOptions {
  readonly model: string
  readonly structuredOutput: StructuredOutput
  /** Sampling temperature; undefined sends none. */
  readonly temperature?: number | undefined
}

const ChatResponse = Schema.Struct({
  id: Schema.optional(Schema.NullOr(Schema.String)),
  model: Schema.optional(Schema.NullOr(Schema.String)),
  choices: Schema.Array(Schema.Struct({
    finish_reason: Schema.optional(Schema.NullOr(Schema.String)),
    message: Schema.Struct({
      content: Schema.optional(Schema.NullOr(Schema.String)),
      refusal: Schema.optional(Schema.NullOr(Schema.String)),
      tool_calls: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({
        function: Schema.Struct({ name: Schema.optional(Schema.String), arguments: Schema.String })
      }))))
    })
  })).pipe(Schema.minItems(1)),
  usage: Schema.optional(Schema.NullOr(Schema.Struct({
    prompt_tokens: Schema.optional(Schema.NullOr(Schema.Number)),
    completion_tokens: Schema.optional(Schema.NullOr(Schema.Number))
  })))
})
const decodeChatResponse = Schema.decodeUnknown(ChatResponse)

const finishReason = (reason: string | null | undefined): typeof Response.FinishReason.Encoded => {
  switch (reason) {
    case "stop":
      return "stop"
    case "length":
      return "length"
    case "content_filter":
      return "content-filter"
    case "tool_calls":
    case "function_call":
      return "tool-calls"
    case null:
    case undefined:
      return "unknown"
    default:
      return "other"
  }
}

/** Prompt messages as Chat Completions messages (text only; that is all the extractor sends). */
const toChatMessages = (prompt: Prompt.Prompt, schemaNote: string | null) => {
  const out: Array<{ role: string; content: string }> = []
  for (const message of prompt.content) {
    switch (message.role) {
      case "system":
        out.push({ role: "system", content: schemaNote ? `${message.content}\n\n${schemaNote}` : message.content })
        break
      case "user":
      case "assistant": {
        const text = (message.content as ReadonlyArray<{ readonly type: string; readonly text?: string }>)
          .map((p) => (p.type === "text" ? p.text ?? "" : ""))
          .join("")
        out.push({ role: message.role, content: text })
        break
      }
      case "tool":
        break
    }
  }
  return out
}

const fail = (method: string, description: string) =>
  new AiError.MalformedOutput({ module: "ChatCompletions", method, description })

/** The Chat Completions model; needs the `OpenAiClient` for the base URL, key and HTTP client. */
export const make = (options: ChatCompletionsOptions) =>
  Effect.gen(function*() {
    const client = yield* OpenAiClient.OpenAiClient
    const http = HttpClient.filterStatusOk(client.client.httpClient)

    const generateText = Effect.fn("ChatCompletions.generateText")(function*(provider: LanguageModel.ProviderOptions) {
      const format = provider.responseFormat
      const body: Record<string, unknown> = { model: options.model }
      if (options.temperature !== undefined) body.temperature = options.temperature
      let schemaNote: string | null = null
      if (format.type === "json") {
        const schema = Tool.getJsonSchemaFromSchemaAst(format.schema.ast)
        const description = Tool.getDescriptionFromSchemaAst(format.schema.ast) ?? "Response with a JSON object"
        switch (options.structuredOutput) {
          case "json-schema":
            body.response_format = {
              type: "json_schema",
              json_schema: { name: format.objectName, description, schema, strict: true }
            }
            break
          case "json-object":
            body.response_format = { type: "json_object" }
            schemaNote = `Answer with one JSON object that follows this JSON Schema:\n${JSON.stringify(schema)}`
            break
          case "tool":
            body.tools = [{
              type: "function",
              function: { name: format.objectName, description, parameters: schema, strict: true }
            }]
            body.tool_choice = { type: "function", function: { name: format.objectName } }
            break
        }
      }
      body.messages = toChatMessages(provider.prompt, schemaNote)

      const response = yield* http.execute(
        HttpClientRequest.post("/chat/completions").pipe(HttpClientRequest.bodyUnsafeJson(body))
      ).pipe(
        Effect.flatMap((r) => r.json),
        Effect.catchTags({
          RequestError: (error) =>
            Effect.fail(
              AiError.HttpRequestError.fromRequestError({
                module: "ChatCompletions",
                method: "createChatCompletion",
                error
              })
            ),
          ResponseError: (error) =>
            AiError.HttpResponseError.fromResponseError({
              module: "ChatCompletions",
              method: "createChatCompletion",
              error
            })
        })
      )
      const decoded = yield* decodeChatResponse(response).pipe(
        Effect.mapError((e) => fail("createChatCompletion", `not a chat completion: ${e.message.split("\n")[0]}`))
      )
      const choice = decoded.choices[0]!
      const toolArguments = choice.message.tool_calls?.[0]?.function.arguments
      const text = options.structuredOutput === "tool" && format.type === "json" && toolArguments !== undefined
        ? toolArguments
        : choice.message.content ?? ""
      const parts: Array<Response.PartEncoded> = [
        {
          type: "response-metadata",
          id: decoded.id ?? undefined,
          modelId: decoded.model ?? undefined,
          timestamp: undefined
        },
        { type: "text", text },
        {
          type: "finish",
          reason: finishReason(choice.finish_reason),
          usage: {
            inputTokens: decoded.usage?.prompt_tokens ?? undefined,
            outputTokens: decoded.usage?.completion_tokens ?? undefined,
            totalTokens: (decoded.usage?.prompt_tokens ?? 0) + (decoded.usage?.completion_tokens ?? 0)
          }
        }
      ]
      return parts
    })

    return yield* LanguageModel.make({
      generateText,
      streamText: () =>
        Stream.fail(
          new AiError.MalformedInput({
            module: "ChatCompletions",
            method: "streamText",
            description: "streaming is not supported"
          })
        )
    })
  })

/** {@link make} as a layer. */
export const layer = (
  options: ChatCompletionsOptions
): Layer.Layer<LanguageModel.LanguageModel, never, OpenAiClient.OpenAiClient> =>
  Layer.effect(LanguageModel.LanguageModel, make(options))

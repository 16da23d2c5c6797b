/**
 * The llm extractor in process, against the loopback OpenAI server over real
 * HTTP: both wire APIs, every fault the issue names, re-asks with the
 * validation error fed back, the response cache, gleaning, and grounding.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Chunk } from "../../src/Domain/Chunk.js"
import { Span } from "../../src/Domain/Span.js"
import { Extractor, ExtractorEvents } from "../../src/Extractor.js"
import * as Llm from "../../src/Extractor/Llm.js"
import { httpError, mockExtraction, type MockOptions, resetConnection, startMockOpenAi } from "../support/MockOpenAi.js"

const SECRET = "sk-test-never-on-disk-42"
const TEXT = "Ada Lovelace met Charles Babbage in London. 😀 Mary Somerville knew Ada Lovelace well."
const cps = (s: string) => Array.from(s)

/** A chunk at document offset `offset` (code points), as the chunker makes it. */
const chunkOf = (text: string, index = 0, offset = 0) =>
  new Chunk({
    index,
    span: new Span({ start: offset, end: offset + cps(text).length, text }),
    tokens: 20,
    sentences: 2
  })

const mock = (options: MockOptions = {}) =>
  Effect.acquireRelease(Effect.promise(() => startMockOpenAi(options)), (m) => Effect.promise(() => m.close()))

/** The extractor over `baseUrl` with fast retries; `events` collects what it reports. */
const extractor = (
  baseUrl: string,
  options: Partial<Llm.LlmOptions> = {},
  events: Array<{ type: string; data: any }> = []
) =>
  Effect.gen(function*() {
    // Built in the test's scope: the HTTP client lives until the test ends.
    const context = yield* Layer.build(
      Llm.layer({
        model: "mock-model",
        baseUrl,
        apiKey: Redacted.make(SECRET),
        retryBaseMs: 20,
        retryMaxMs: 100,
        cacheDir: null,
        ...options
      }).pipe(
        Layer.provide(NodeContext.layer)
      )
    )
    const x = Context.get(context, Extractor)
    return {
      ...x,
      extract: (chunk: Chunk) =>
        x.extract(chunk).pipe(Effect.provideService(ExtractorEvents, {
          report: (type, data) => Effect.sync(() => void events.push({ type, data }))
        }))
    }
  })

/** Spans must be exact slices of the document (code points). */
const expectGrounded = (doc: string, x: { mentions: ReadonlyArray<any>; relations: ReadonlyArray<any> }) => {
  const d = cps(doc)
  for (const m of x.mentions) expect(d.slice(m.span.start, m.span.end).join("")).toBe(m.span.text)
  for (const r of x.relations) expect(d.slice(r.evidence.start, r.evidence.end).join("")).toBe(r.evidence.text)
}

/** A fault that hits each distinct chunk text's first `times` requests. */
const firstAttempts = (times: number, act: (res: any, n: number) => void) => {
  const seen = new Map<string, number>()
  return (req: { chunkText: string; messages: ReadonlyArray<{ text: string }> }, res: any) => {
    const n = seen.get(req.chunkText) ?? 0
    seen.set(req.chunkText, n + 1)
    if (n >= times) return false
    act(res, n)
    return true
  }
}

describe("LlmExtractor over both wire APIs", () => {
  for (
    const [api, structuredOutput] of [["responses", "json-schema"], ["chat", "json-schema"], ["chat", "json-object"], [
      "chat",
      "tool"
    ]] as const
  ) {
    it.scopedLive(`${api} / ${structuredOutput}: grounds the model's names and quotes in document code points`, () =>
      Effect.gen(function*() {
        const server = yield* mock()
        const x = yield* extractor(server.baseUrl, { api, structuredOutput })
        const prefix = "𝄞 Intro. "
        const result = yield* x.extract(chunkOf(TEXT, 3, cps(prefix).length))
        const doc = prefix + TEXT
        expect(result.mentions.map((m) => m.span.text)).toEqual([
          "Ada Lovelace",
          "Charles Babbage",
          "Mary Somerville",
          "Ada Lovelace"
        ])
        expect(result.mentions[0]!.span.start).toBe(cps(prefix).length)
        expect(result.relations.map((r) => r.predicate)).toEqual(["knows", "knows"])
        expectGrounded(doc, result)
        expect(result.usage).toMatchObject({ calls: 1, retries: 0, reasks: 0, cacheMisses: 1, cacheHits: 0 })
        expect(result.usage!.inputTokens).toBe(api === "responses" ? 100 : 120)

        const [req] = server.requests
        expect(req!.url).toBe(api === "responses" ? "/v1/responses" : "/v1/chat/completions")
        expect(req!.headers.authorization).toBe(`Bearer ${SECRET}`)
        // The schema is strict-mode compatible: every property required, entity types as an enum.
        const schema = api === "responses"
          ? req!.body.text.format.schema
          : structuredOutput === "json-schema"
          ? req!.body.response_format.json_schema.schema
          : structuredOutput === "tool"
          ? req!.body.tools[0].function.parameters
          : JSON.parse(req!.body.messages[0].content.split("JSON Schema:\n")[1])
        const entity = schema.properties.entities.items
        expect(entity.required).toEqual(["name", "type", "description"])
        expect(entity.additionalProperties).toBe(false)
        expect(entity.properties.type.enum).toContain("Person")
        if (api === "responses") expect(req!.body.text.format.strict).toBe(true)
        if (structuredOutput === "json-object") expect(req!.body.response_format).toEqual({ type: "json_object" })
        if (structuredOutput === "tool") {
          expect(req!.body.tool_choice).toEqual({ type: "function", function: { name: "extraction" } })
        }
      }))
  }

  it.scopedLive("constrains types and predicates to the given enums", () =>
    Effect.gen(function*() {
      const server = yield* mock()
      const x = yield* extractor(server.baseUrl, {
        guidance: {
          entityTypes: [{ name: "Person", description: "a human" }],
          relationTypes: [{ name: "knows", description: null }]
        }
      })
      yield* x.extract(chunkOf(TEXT))
      const body = server.requests[0]!.body
      const schema = body.text.format.schema
      expect(schema.properties.entities.items.properties.type.enum).toEqual(["Person"])
      expect(schema.properties.relations.items.properties.predicate.enum).toEqual(["knows"])
      expect(body.input[0].content).toContain("- Person: a human")
    }))
})

describe("LlmExtractor failure handling", () => {
  it.scopedLive("honours Retry-After on 429, then succeeds, and reports the retry", () =>
    Effect.gen(function*() {
      const server = yield* mock({
        fault: firstAttempts(1, (res) => httpError(res, 429, "Rate limit reached", { "retry-after": "1" }))
      })
      const events: Array<{ type: string; data: any }> = []
      const x = yield* extractor(server.baseUrl, {}, events)
      const started = Date.now()
      const result = yield* x.extract(chunkOf(TEXT))
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
      expect(result.mentions.length).toBe(4)
      expect(result.usage).toMatchObject({ calls: 2, retries: 1 })
      expect(events).toEqual([{
        type: "llm.retry",
        data: expect.objectContaining({ chunk: 0, retry: 1, status: 429 })
      }])
      expect(events[0]!.data.delayMs).toBeGreaterThanOrEqual(1000)
    }))

  it.scopedLive("retries 500, 503, reset connections and a hung request (timeout) until it succeeds", () =>
    Effect.gen(function*() {
      const server = yield* mock({
        fault: firstAttempts(4, (res, n) => {
          if (n === 0) httpError(res, 500, "internal error")
          else if (n === 1) httpError(res, 503, "overloaded")
          else if (n === 2) resetConnection(res)
          // n === 3: never answer
        })
      })
      const events: Array<{ type: string; data: any }> = []
      const x = yield* extractor(server.baseUrl, { requestTimeoutMs: 300 }, events)
      const result = yield* x.extract(chunkOf(TEXT))
      expect(result.mentions.length).toBe(4)
      expect(result.usage).toMatchObject({ calls: 5, retries: 4 })
      expect(events.map((e) => e.data.reason)).toEqual([
        expect.stringContaining("HTTP 500"),
        expect.stringContaining("HTTP 503"),
        expect.stringMatching(/connection (reset|closed)/),
        "request timed out"
      ])
    }))

  it.scopedLive("re-asks after malformed JSON with the parse error and the invalid answer fed back", () =>
    Effect.gen(function*() {
      let n = 0
      const server = yield* mock({
        answer: (req) => (n++ === 0 ? "{\"entities\": [ oops" : JSON.stringify(mockExtraction(req.chunkText)))
      })
      const events: Array<{ type: string; data: any }> = []
      const x = yield* extractor(server.baseUrl, {}, events)
      const result = yield* x.extract(chunkOf(TEXT))
      expect(result.mentions.length).toBe(4)
      expect(result.usage).toMatchObject({ calls: 2, reasks: 1, retries: 0 })
      const reask = server.requests[1]!.messages
      expect(reask.at(-2)).toEqual({ role: "assistant", text: "{\"entities\": [ oops" })
      expect(reask.at(-1)!.text).toContain("not valid JSON")
      expect(events[0]).toMatchObject({ type: "llm.reask", data: { chunk: 0, reask: 1 } })
    }))

  it.scopedLive("re-asks after schema-violating output, naming the offending field", () =>
    Effect.gen(function*() {
      let n = 0
      const server = yield* mock({
        answer: (req) =>
          n++ === 0
            ? JSON.stringify({ entities: [{ name: "Ada Lovelace", type: "Human", description: null }], relations: [] })
            : JSON.stringify(mockExtraction(req.chunkText))
      })
      const x = yield* extractor(server.baseUrl)
      const result = yield* x.extract(chunkOf(TEXT))
      expect(result.mentions.length).toBe(4)
      const feedback = server.requests[1]!.messages.at(-1)!.text
      expect(feedback).toContain("does not follow the schema")
      expect(feedback).toContain("entities[0].type")
      expect(feedback).toContain("Human")
    }))

  it.scopedLive("fails the chunk, not the run, when the output stays invalid after the re-asks", () =>
    Effect.gen(function*() {
      const server = yield* mock({ answer: () => "I cannot help with that." })
      const x = yield* extractor(server.baseUrl, { maxReasks: 2 })
      const error = yield* Effect.flip(x.extract(chunkOf(TEXT, 7)))
      expect(error).toMatchObject({ _tag: "ExtractionError", chunk: 7, fatal: false })
      expect(error.message).toContain("after 2 re-asks")
      expect(error.usage).toMatchObject({ calls: 3, reasks: 2 })
      expect(server.requests).toHaveLength(3)
    }))

  it.scopedLive("fails the chunk after the last retry when a fault persists", () =>
    Effect.gen(function*() {
      const server = yield* mock({ fault: (_req, res) => (httpError(res, 503, "down for maintenance"), true) })
      const x = yield* extractor(server.baseUrl, { maxRetries: 2 })
      const error = yield* Effect.flip(x.extract(chunkOf(TEXT, 2)))
      expect(error).toMatchObject({ chunk: 2, fatal: false, status: 503 })
      expect(error.message).toContain("gave up after 2 retries")
      expect(server.requests).toHaveLength(3)
    }))

  it.scopedLive("ends at once on a rejected key, an unknown model, or an unreachable server", () =>
    Effect.gen(function*() {
      const denying = yield* mock({ fault: (_req, res) => (httpError(res, 401, "Incorrect API key provided"), true) })
      const e401 = yield* Effect.flip((yield* extractor(denying.baseUrl)).extract(chunkOf(TEXT)))
      expect(e401).toMatchObject({ fatal: true, status: 401 })
      expect(e401.message).toContain("OPENAI_API_KEY")
      expect(e401.message).not.toContain(SECRET)
      expect(denying.requests).toHaveLength(1)

      const unknown = yield* mock({
        fault: (_req, res) => (httpError(res, 404, "The model `nope` does not exist"), true)
      })
      const e404 = yield* Effect.flip((yield* extractor(unknown.baseUrl)).extract(chunkOf(TEXT)))
      expect(e404).toMatchObject({ fatal: true, status: 404 })
      expect(e404.message).toContain("does not exist")

      // A port nobody listens on: connection refused.
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const s = createServer()
          s.listen(0, "127.0.0.1", () => {
            const p = (s.address() as { port: number }).port
            s.close(() => resolve(p))
          })
        })
      )
      const started = Date.now()
      const refused = yield* Effect.flip((yield* extractor(`http://127.0.0.1:${port}/v1`)).extract(chunkOf(TEXT)))
      expect(refused.fatal).toBe(true)
      expect(refused.message).toBe(`cannot reach the provider at 127.0.0.1:${port}: connection refused`)
      expect(Date.now() - started).toBeLessThan(5000)
    }))

  it.scopedLive("treats a 400 as fatal before anything succeeded and as the chunk's problem after", () =>
    Effect.gen(function*() {
      const server = yield* mock({
        fault: (req, res) => req.chunkText.includes("poison") ? (httpError(res, 400, "context too long"), true) : false
      })
      const first = yield* Effect.flip((yield* extractor(server.baseUrl)).extract(chunkOf("poison Ada Lovelace.")))
      expect(first.fatal).toBe(true)
      const x = yield* extractor(server.baseUrl)
      yield* x.extract(chunkOf(TEXT))
      const later = yield* Effect.flip(x.extract(chunkOf("poison Ada Lovelace.", 1)))
      expect(later).toMatchObject({ fatal: false, status: 400, chunk: 1 })
    }))
})

describe("LlmExtractor throttling", () => {
  it.scopedLive("keeps requests under --rpm even with more chunks in flight, and under --concurrency", () =>
    Effect.gen(function*() {
      const arrivals: Array<number> = []
      let open = 0
      let mostOpen = 0
      const server = yield* mock({
        latencyMs: 50,
        fault: () => {
          arrivals.push(Date.now())
          mostOpen = Math.max(mostOpen, ++open)
          setTimeout(() => open--, 50)
          return false
        }
      })
      // 120 a minute: one every 500 ms after a burst of one second's worth.
      const x = yield* extractor(server.baseUrl, { rpm: 120, concurrency: 8 })
      yield* Effect.forEach(
        Array.from({ length: 6 }, (_, i) => chunkOf(`Ada Lovelace wrote letter ${i}.`, i)),
        x.extract,
        { concurrency: 6 }
      )
      const span = arrivals.at(-1)! - arrivals[0]!
      expect(arrivals).toHaveLength(6)
      expect(span).toBeGreaterThanOrEqual(1400)
      expect(span).toBeLessThan(3000)

      const limited = yield* extractor(server.baseUrl, { concurrency: 2 })
      mostOpen = 0
      yield* Effect.forEach(
        Array.from({ length: 6 }, (_, i) => chunkOf(`Mary Somerville wrote letter ${i}.`, i)),
        limited.extract,
        { concurrency: 6 }
      )
      expect(mostOpen).toBe(2)
    }))
})

describe("LlmExtractor response cache", () => {
  it.scopedLive("answers a repeated chunk from disk with zero requests, never storing the key", () =>
    Effect.gen(function*() {
      const server = yield* mock()
      const dir = mkdtempSync(join(tmpdir(), "extract-cache-"))
      const first = yield* (yield* extractor(server.baseUrl, { cacheDir: dir })).extract(chunkOf(TEXT))
      expect(server.requests).toHaveLength(1)
      const again = yield* (yield* extractor(server.baseUrl, { cacheDir: dir })).extract(chunkOf(TEXT))
      expect(server.requests).toHaveLength(1)
      expect(again.usage).toMatchObject({ calls: 0, cacheHits: 1, cacheMisses: 0, inputTokens: 0 })
      expect({ ...again, usage: null }).toEqual({ ...first, usage: null })

      const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".json"))
      expect(files).toHaveLength(1)
      const entry = readFileSync(join(dir, files[0]!), "utf8")
      expect(entry).not.toContain(SECRET)
      expect(JSON.parse(entry)).toMatchObject({
        version: 1,
        model: "mock-model",
        usage: { inputTokens: 100, outputTokens: 50 }
      })
      expect(statSync(join(dir, files[0]!)).size).toBeGreaterThan(0)

      // Another model, or another schema, is another key.
      yield* (yield* extractor(server.baseUrl, { cacheDir: dir, model: "other-model" })).extract(chunkOf(TEXT))
      yield* (yield* extractor(server.baseUrl, {
        cacheDir: dir,
        guidance: { entityTypes: [{ name: "Person", description: null }], relationTypes: null }
      })).extract(chunkOf(TEXT))
      expect(server.requests).toHaveLength(3)
    }))

  it.scopedLive("plans a dry run from the cache without any request", () =>
    Effect.gen(function*() {
      const server = yield* mock()
      const dir = mkdtempSync(join(tmpdir(), "extract-cache-"))
      const x = yield* extractor(server.baseUrl, { cacheDir: dir, passes: 2 })
      const before = yield* x.plan!(chunkOf(TEXT))
      expect(before.calls).toBe(2)
      expect(before.cached).toBe(0)
      expect(before.inputTokens).toBeGreaterThan(2 * 20)
      expect(server.requests).toHaveLength(0)
      yield* x.extract(chunkOf(TEXT))
      const after = yield* x.plan!(chunkOf(TEXT))
      expect(after).toEqual({ calls: 0, inputTokens: 0, cached: 2 })
    }))
})

describe("LlmExtractor gleaning", () => {
  it.scopedLive("asks again for missed facts, merges the new grounded ones and stops when nothing is new", () =>
    Effect.gen(function*() {
      const server = yield* mock({
        answer: (req) => {
          const turn = req.messages.filter((m) => m.role === "user").length
          if (turn === 1) {
            return JSON.stringify({
              entities: [{ name: "Ada Lovelace", type: "Person", description: null }],
              relations: []
            })
          }
          if (turn === 2) {
            return JSON.stringify({
              entities: [{ name: "London", type: "Location", description: "a city" }],
              relations: []
            })
          }
          return JSON.stringify({ entities: [{ name: "London", type: "Location", description: null }], relations: [] })
        }
      })
      const x = yield* extractor(server.baseUrl, { passes: 5 })
      const result = yield* x.extract(chunkOf(TEXT))
      expect(result.mentions.map((m) => `${m.span.text}/${m.type}`)).toEqual([
        "Ada Lovelace/Person",
        "London/Location",
        "Ada Lovelace/Person"
      ])
      // pass 3 found nothing new: no pass 4 or 5
      expect(server.requests).toHaveLength(3)
      const third = server.requests[2]!.messages
      expect(third.map((m) => m.role)).toEqual(["system", "user", "assistant", "user", "assistant", "user"])
      expect(third[3]!.text).toContain("missed")
    }))
})

describe("ground", () => {
  it("places longest names first: a name inside a longer mention is that mention", () => {
    const c = chunkOf("Ada Lovelace met Babbage. Later Lovelace wrote notes.")
    const x = Llm.ground(c, {
      entities: [{ name: "Lovelace", type: "Person", description: null }, {
        name: "Ada Lovelace",
        type: "Person",
        description: null
      }, {
        name: "Babbage",
        type: "Person",
        description: null
      }],
      relations: [{ subject: "Lovelace", predicate: "met", object: "Babbage", evidence: "Ada Lovelace met Babbage" }]
    })
    expect(x.mentions.map((m) => m.span.text)).toEqual(["Ada Lovelace", "Babbage", "Lovelace"])
    expect(x.relations[0]!.subject).toBe(x.mentions[0]!.id)
  })

  it("drops relations to unlisted names when the types have no catch-all", () => {
    const c = chunkOf("Ada Lovelace met Babbage.")
    const answer = {
      entities: [{ name: "Ada Lovelace", type: "Scientist", description: null }],
      relations: [{
        subject: "Ada Lovelace",
        predicate: "met",
        object: "Babbage",
        evidence: "Ada Lovelace met Babbage"
      }]
    }
    expect(Llm.ground(c, answer, { keepUngrounded: false, fallbackType: null })).toMatchObject({
      relations: [],
      ungrounded: 1
    })
    const kept = Llm.ground(c, answer, { keepUngrounded: false, fallbackType: "Other" })
    expect(kept.mentions.map((m) => [m.span.text, m.type])).toEqual([["Ada Lovelace", "Scientist"], [
      "Babbage",
      "Other"
    ]])
  })

  const chunk = chunkOf("Mr. Charles  Babbage designed the engine. Later, lovelace wrote notes on it.", 0, 5)
  const answer = {
    entities: [
      { name: "Charles Babbage", type: "Person", description: null },
      { name: "Lovelace", type: "Person", description: null },
      { name: "Isambard Brunel", type: "Person", description: null }
    ],
    relations: [
      {
        subject: "Charles Babbage",
        predicate: "designed",
        object: "Lovelace",
        evidence: "Charles Babbage designed the engine"
      },
      { subject: "Charles Babbage", predicate: "met", object: "Lovelace", evidence: "they met at a party" }
    ]
  }

  it("drops and counts what cannot be found, marking how the rest was found", () => {
    const x = Llm.ground(chunk, answer)
    expect(x.mentions.map((m) => [m.span.text, m.grounding])).toEqual([["Charles  Babbage", "normalized"], [
      "lovelace",
      "normalized"
    ]])
    expect(x.mentions[0]!.span.start).toBe(5 + 4)
    expect(x.relations).toHaveLength(1)
    expect(x.relations[0]!.evidence.text).toBe("Charles  Babbage designed the engine")
    expect(x.ungrounded).toBe(2)
  })

  it("keeps ungrounded items flagged, with an empty span and the model's name, when asked", () => {
    const x = Llm.ground(chunk, answer, { keepUngrounded: true, fallbackType: "Other" })
    const brunel = x.mentions.find((m) => m.name === "Isambard Brunel")!
    expect(brunel).toMatchObject({ grounding: "ungrounded", span: { start: 5, end: 5, text: "" } })
    expect(x.relations).toHaveLength(2)
    const met = x.relations.find((r) => r.predicate === "met")!
    expect(met).toMatchObject({ grounding: "ungrounded", evidence: { start: 5, end: 5, text: "" } })
    expect(x.ungrounded).toBe(2)
  })
})

import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import {
  DEFAULT_RAW_LLM_SETTINGS,
  type RawLlmSettings,
  type RawSettings,
  redactUrl,
  resolveSettings
} from "../src/Settings.js"

const raw = (over: Partial<RawSettings> = {}): RawSettings => ({
  files: ["a.txt"],
  outputDir: "./output",
  extractor: "auto",
  model: Option.none(),
  baseUrl: Option.none(),
  chunkSize: 1200,
  chunkOverlap: 100,
  concurrency: 4,
  force: false,
  json: false,
  quiet: false,
  ...over
})
const withEnv = (env: Record<string, string>) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(NodeFileSystem.layer)
  )

describe("resolveSettings", () => {
  it.effect("auto picks nlp without a key or base URL, and says so", () =>
    Effect.gen(function*() {
      const s = yield* resolveSettings(raw(), "o200k_base").pipe(withEnv({}))
      expect(s.config.extractor).toBe("nlp")
      expect(s.config.model).toBeNull()
      expect(s.notices[0]).toContain("embedded offline extractor")
    }))

  it.effect("auto picks llm with OPENAI_API_KEY, keeps the key out of the config", () =>
    Effect.gen(function*() {
      const s = yield* resolveSettings(raw(), "o200k_base").pipe(withEnv({ OPENAI_API_KEY: "sk-secret" }))
      expect(s.config.extractor).toBe("llm")
      expect(s.config.model).toBe("gpt-4o-mini")
      expect(Redacted.value(Option.getOrThrow(s.apiKey))).toBe("sk-secret")
      expect(JSON.stringify(s.config)).not.toContain("sk-secret")
    }))

  it.effect("auto picks llm with a base URL alone (local servers) and records it without credentials", () =>
    Effect.gen(function*() {
      const s = yield* resolveSettings(raw({ baseUrl: Option.some("http://user:pw@localhost:11434/v1") }), "o200k_base")
        .pipe(withEnv({}))
      expect(s.config.extractor).toBe("llm")
      expect(s.config.baseUrl).toBe("http://localhost:11434/v1")
    }))

  it.effect("rejects out-of-range values, unknown flags and a missing input with UsageError", () =>
    Effect.gen(function*() {
      const fails = (over: Partial<RawSettings>) =>
        Effect.flip(resolveSettings(raw(over), "o200k_base").pipe(withEnv({})))
      expect((yield* fails({ chunkSize: 3 })).message).toContain("--chunk-size")
      expect((yield* fails({ chunkOverlap: 600 })).message).toContain("--chunk-overlap")
      expect((yield* fails({ concurrency: 0 })).message).toContain("--concurrency")
      expect((yield* fails({ files: [] })).message).toContain("no input")
      expect((yield* fails({ files: ["--bogus"] })).message).toContain("unknown option --bogus")
      expect((yield* fails({ baseUrl: Option.some("not a url") })).message).toContain("--base-url")
      expect((yield* fails({ extractor: "llm" })).message).toContain("OPENAI_API_KEY")
    }))
})

describe("resolveSettings for the llm extractor", () => {
  const llm = (over: Partial<RawLlmSettings>) =>
    raw({ extractor: "llm", llm: { ...DEFAULT_RAW_LLM_SETTINGS, ...over } })
  const key = withEnv({ OPENAI_API_KEY: "sk-x" })

  it.effect("records the llm settings with the default types and free predicates", () =>
    Effect.gen(function*() {
      const s = yield* resolveSettings(raw({ extractor: "llm" }), "o200k_base").pipe(key)
      expect(s.config.llm).toMatchObject({
        api: "responses",
        structuredOutput: "json-schema",
        relationTypes: null,
        passes: 1,
        cache: true,
        requestTimeoutMs: 120_000,
        maxRetries: 6,
        maxReasks: 2,
        rpm: null,
        tpm: null
      })
      expect(s.config.llm!.entityTypes).toContain("Person")
      expect(s.guidance!.entityTypes.find((t) => t.name === "Person")!.description).not.toBeNull()
    }))

  it.effect("takes comma-separated types and predicates, trimmed and de-duplicated", () =>
    Effect.gen(function*() {
      const s = yield* resolveSettings(
        llm({ entityTypes: Option.some(" Person, Ship ,Person"), relationTypes: Option.some("commands") }),
        "o200k_base"
      ).pipe(key)
      expect(s.config.llm).toMatchObject({ entityTypes: ["Person", "Ship"], relationTypes: ["commands"] })
      expect(s.guidance!.entityTypes[0]!.description).toContain("human")
    }))

  it.effect("rejects out-of-range llm flags with UsageError naming the flag", () =>
    Effect.gen(function*() {
      const fails = (over: Partial<RawLlmSettings>) => Effect.flip(resolveSettings(llm(over), "o200k_base").pipe(key))
      expect((yield* fails({ passes: 0 })).message).toContain("--passes")
      expect((yield* fails({ requestTimeout: 0 })).message).toContain("--request-timeout")
      expect((yield* fails({ maxRetries: -1 })).message).toContain("--max-retries")
      expect((yield* fails({ rpm: Option.some(0) })).message).toContain("--rpm")
      expect((yield* fails({ tpm: Option.some(1.5) })).message).toContain("--tpm")
      expect((yield* fails({ priceInput: Option.some(-1) })).message).toContain("--price-input")
      expect((yield* fails({ temperature: Option.some(3) })).message).toContain("--temperature")
      expect((yield* fails({ entityTypes: Option.some(" , ") })).message).toContain("--entity-types needs at least one")
      expect((yield* fails({ structuredOutput: "json-object" })).message).toContain("needs --api chat")
    }))

  it.effect("says that llm-only flags are ignored by the nlp extractor", () =>
    Effect.gen(function*() {
      const s = yield* resolveSettings(
        raw({ extractor: "nlp", llm: { ...DEFAULT_RAW_LLM_SETTINGS, passes: 2 } }),
        "o200k_base"
      ).pipe(withEnv({}))
      expect(s.config.llm).toBeNull()
      expect(s.notices.join("\n")).toContain("--passes only apply to the llm extractor")
    }))
})

describe("redactUrl", () => {
  it("removes user-info and leaves other URLs alone", () => {
    expect(redactUrl("https://k:s@api.example.com/v1")).toBe("https://api.example.com/v1")
    expect(redactUrl("http://localhost:8080/v1")).toBe("http://localhost:8080/v1")
  })
})

// --- outputs (issue 5) ---
describe("resolveSettings: --formats and --base-iri", () => {
  it.effect("defaults to the four default formats and the example.org base IRI", () =>
    Effect.gen(function*() {
      const s = yield* resolveSettings(raw(), "o200k_base").pipe(withEnv({}))
      expect(s.config.formats).toEqual(["json", "resolution", "mermaid", "turtle", "html"])
      expect(s.config.baseIri).toBe("http://example.org/extract/")
    }))

  it.effect("records the chosen formats in canonical order and the base IRI with a final /", () =>
    Effect.gen(function*() {
      const s = yield* resolveSettings(
        raw({ formats: Option.some("neo4j,jsonld"), baseIri: Option.some("https://kg.example.com/x") }),
        "o200k_base"
      ).pipe(withEnv({}))
      expect(s.config.formats).toEqual(["json", "jsonld", "neo4j"])
      expect(s.config.baseIri).toBe("https://kg.example.com/x/")
    }))

  it.effect("refuses an unknown format or a bad base IRI as a usage error", () =>
    Effect.gen(function*() {
      const f = yield* Effect.flip(
        resolveSettings(raw({ formats: Option.some("svg") }), "o200k_base").pipe(withEnv({}))
      )
      expect(f).toMatchObject({ _tag: "UsageError" })
      expect(f.message).toContain("unknown format \"svg\"")
      const b = yield* Effect.flip(
        resolveSettings(raw({ baseIri: Option.some("not an iri") }), "o200k_base").pipe(withEnv({}))
      )
      expect(b.message).toContain("--base-iri must be")
    }))
})

import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { type RawSettings, redactUrl, resolveSettings } from "../src/Settings.js"

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
const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

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
      const s = yield* resolveSettings(raw({ baseUrl: Option.some("http://user:pw@localhost:11434/v1") }), "o200k_base").pipe(withEnv({}))
      expect(s.config.extractor).toBe("llm")
      expect(s.config.baseUrl).toBe("http://localhost:11434/v1")
    }))

  it.effect("rejects out-of-range values, unknown flags and a missing input with UsageError", () =>
    Effect.gen(function*() {
      const fails = (over: Partial<RawSettings>) => Effect.flip(resolveSettings(raw(over), "o200k_base").pipe(withEnv({})))
      expect((yield* fails({ chunkSize: 3 })).message).toContain("--chunk-size")
      expect((yield* fails({ chunkOverlap: 600 })).message).toContain("--chunk-overlap")
      expect((yield* fails({ concurrency: 0 })).message).toContain("--concurrency")
      expect((yield* fails({ files: [] })).message).toContain("no input")
      expect((yield* fails({ files: ["--bogus"] })).message).toContain("unknown option --bogus")
      expect((yield* fails({ baseUrl: Option.some("not a url") })).message).toContain("--base-url")
      expect((yield* fails({ extractor: "llm" })).message).toContain("OPENAI_API_KEY")
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
      expect(s.config.formats).toEqual(["json", "resolution", "mermaid", "turtle"])
      expect(s.config.baseIri).toBe("http://example.org/extract/")
    }))

  it.effect("records the chosen formats in canonical order and the base IRI with a final /", () =>
    Effect.gen(function*() {
      const s = yield* resolveSettings(raw({ formats: Option.some("neo4j,jsonld"), baseIri: Option.some("https://kg.example.com/x") }), "o200k_base").pipe(withEnv({}))
      expect(s.config.formats).toEqual(["json", "jsonld", "neo4j"])
      expect(s.config.baseIri).toBe("https://kg.example.com/x/")
    }))

  it.effect("refuses an unknown format or a bad base IRI as a usage error", () =>
    Effect.gen(function*() {
      const f = yield* Effect.flip(resolveSettings(raw({ formats: Option.some("svg") }), "o200k_base").pipe(withEnv({})))
      expect(f).toMatchObject({ _tag: "UsageError" })
      expect(f.message).toContain('unknown format "svg"')
      const b = yield* Effect.flip(resolveSettings(raw({ baseIri: Option.some("not an iri") }), "o200k_base").pipe(withEnv({})))
      expect(b.message).toContain("--base-iri must be")
    }))
})

import { describe, expect, it } from "@effect/vitest"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
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
const withEnv = (env: Record<string, string>) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))), Effect.provide(NodeFileSystem.layer))

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

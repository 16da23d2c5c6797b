import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { resolveEvalSettings, sentenceAround } from "../../src/Eval/EvalRunner.js"
import { DEFAULT_RAW_LLM_SETTINGS, type RawSettings } from "../../src/Settings.js"

const raw = (over: Partial<RawSettings> = {}): RawSettings => ({
  files: ["dev.txt"],
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
const noEnv = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())), Effect.provide(NodeFileSystem.layer))

describe("resolveEvalSettings", () => {
  it.effect("offers the llm extractor the scored types and one predicate per CoNLL04 label", () =>
    Effect.gen(function*() {
      const s = yield* resolveEvalSettings(raw({ baseUrl: Option.some("http://127.0.0.1:1/v1") }), "o200k_base")
        .pipe(noEnv)
      expect(s.config.extractor).toBe("llm")
      expect(s.config.llm!.entityTypes).toEqual(["Person", "Organization", "Location", "Other"])
      expect(s.config.llm!.relationTypes).toEqual(["worksFor", "killed", "livesIn", "basedIn", "locatedIn"])
      // auto's notice survives the second resolution
      expect(s.notices.join("\n")).toContain("using the llm extractor")
    }))

  it.effect("keeps the user's own types and predicates", () =>
    Effect.gen(function*() {
      const s = yield* resolveEvalSettings(
        raw({
          extractor: "llm",
          baseUrl: Option.some("http://127.0.0.1:1/v1"),
          llm: { ...DEFAULT_RAW_LLM_SETTINGS, entityTypes: Option.some("Person,Place") }
        }),
        "o200k_base"
      ).pipe(noEnv)
      expect(s.config.llm!.entityTypes).toEqual(["Person", "Place"])
      expect(s.config.llm!.relationTypes).toEqual(["worksFor", "killed", "livesIn", "basedIn", "locatedIn"])
    }))

  it.effect("leaves the nlp extractor as extract resolves it", () =>
    Effect.gen(function*() {
      const s = yield* resolveEvalSettings(raw({ extractor: "nlp" }), "o200k_base").pipe(noEnv)
      expect(s.config.extractor).toBe("nlp")
      expect(s.config.llm).toBeNull()
    }))
})

describe("sentenceAround", () => {
  it("returns a short text whole and, in a long one, the sentence around the span", () => {
    expect(sentenceAround("A short one. Two.", 2, 7)).toBe("A short one. Two.")
    const filler = "Words go on here . ".repeat(30)
    const text = `${filler}Then 😀 Ann Wu came to Rome . ${filler}`
    const start = text.indexOf("Rome")
    expect(sentenceAround(text, start, start + 4)).toBe("Then 😀 Ann Wu came to Rome .")
  })
})

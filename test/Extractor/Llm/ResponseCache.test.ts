import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CacheEntry, cacheKey, canonicalJson, makeResponseCache } from "../../../src/Extractor/Llm/ResponseCache.js"

const parts = {
  api: "responses",
  structuredOutput: "json-schema",
  host: "api.openai.com",
  model: "gpt-4o-mini",
  promptVersion: 2,
  schema: { type: "object", properties: { a: { type: "string" } } },
  messages: [{ role: "user", content: "text" }],
  settings: { temperature: null }
}

describe("cacheKey", () => {
  it("is the same for equal parts in any key order, and changes with each part", () => {
    const key = cacheKey(parts)
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(cacheKey({ ...parts, schema: { properties: { a: { type: "string" } }, type: "object" } })).toBe(key)
    for (
      const change of [
        { api: "chat" },
        { host: "localhost:11434" },
        { model: "gpt-4o" },
        { promptVersion: 3 },
        { schema: {} },
        { messages: [] },
        { settings: { temperature: 0 } }
      ]
    ) {
      expect(cacheKey({ ...parts, ...change })).not.toBe(key)
    }
  })
  it("writes objects with sorted keys at every level", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe("{\"a\":[{\"c\":2,\"d\":1}],\"b\":1}")
  })
})

describe("ResponseCache", () => {
  it.effect("stores entries atomically under <dir>/<2 hex>/<key>.json and treats unreadable ones as misses", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "cache-"))
      const cache = yield* makeResponseCache(dir)
      const key = cacheKey(parts)
      expect(Option.isNone(yield* cache.get(key))).toBe(true)
      const entry = new CacheEntry({
        version: 1,
        key,
        createdAt: "2025-01-01T00:00:00.000Z",
        api: "responses",
        host: "api.openai.com",
        model: "gpt-4o-mini",
        promptVersion: 2,
        answer: { entities: [], relations: [] },
        usage: { inputTokens: 10, outputTokens: 5 }
      })
      yield* cache.put(entry)
      expect(readdirSync(join(dir, key.slice(0, 2)))).toEqual([`${key}.json`])
      expect(Option.getOrThrow(yield* cache.get(key)).answer).toEqual({ entities: [], relations: [] })
      writeFileSync(join(dir, key.slice(0, 2), `${key}.json`), "{\"version\": 1, \"key\": \"tru")
      expect(Option.isNone(yield* cache.get(key))).toBe(true)
      const disabled = yield* makeResponseCache(null)
      yield* disabled.put(entry)
      expect(disabled.enabled).toBe(false)
      expect(Option.isNone(yield* disabled.get(key))).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))
})

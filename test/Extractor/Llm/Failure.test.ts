import * as AiError from "@effect/ai/AiError"
import { describe, expect, it } from "@effect/vitest"
import * as Option from "effect/Option"
import {
  backoffMs,
  classify,
  providerMessage,
  redactSecrets,
  retryAfterMs,
  retryDelayMs
} from "../../../src/Extractor/Llm/Failure.js"

const request = {
  hash: Option.none(),
  headers: {},
  method: "POST" as const,
  url: "http://127.0.0.1/v1/responses",
  urlParams: []
}
const response = (status: number, headers: Record<string, string> = {}, body?: string) =>
  new AiError.HttpResponseError({
    module: "test",
    method: "test",
    reason: "StatusCode",
    request,
    response: { status, headers },
    ...(body === undefined ? {} : { body })
  }, { disableValidation: true })
const transport = (code: string) =>
  new AiError.HttpRequestError({
    module: "test",
    method: "test",
    reason: "Transport",
    request,
    cause: { cause: Object.assign(new Error("fetch failed"), { code }) }
  }, { disableValidation: true })

describe("retryAfterMs", () => {
  it("reads retry-after-ms, retry-after seconds and retry-after dates", () => {
    expect(retryAfterMs({ "retry-after-ms": "250" })).toBe(250)
    expect(retryAfterMs({ "retry-after": "2" })).toBe(2000)
    expect(retryAfterMs({ "retry-after": "1.5" })).toBe(1500)
    expect(
      retryAfterMs({ "retry-after": "Wed, 21 Oct 2015 07:28:10 GMT" }, Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))
    ).toBe(10_000)
    expect(retryAfterMs({ "retry-after": "soon" })).toBeNull()
    expect(retryAfterMs({})).toBeNull()
  })
})

describe("backoff", () => {
  it("is full jitter: uniform below min(cap, base · 2^retry)", () => {
    expect(backoffMs(0, 500, 30_000, 0.999)).toBe(499)
    expect(backoffMs(3, 500, 30_000, 0.5)).toBe(2000)
    expect(backoffMs(10, 500, 30_000, 0.5)).toBe(15_000)
    expect(backoffMs(2, 500, 30_000, 0)).toBe(0)
  })
  it("waits at least the provider's Retry-After", () => {
    const verdict = classify(response(429, { "retry-after": "3" }))
    expect(verdict.kind).toBe("retry")
    if (verdict.kind === "retry") {
      expect(retryDelayMs(verdict, 0, 500, 30_000, 0)).toBe(3000)
      expect(retryDelayMs(verdict, 0, 500, 30_000, 0.99)).toBeLessThan(3300)
    }
  })
})

describe("classify", () => {
  it("retries timeouts, 408, 429, 5xx and reset connections", () => {
    expect(classify({ _tag: "TimeoutException" })).toMatchObject({ kind: "retry", reason: "request timed out" })
    for (const status of [408, 429, 500, 502, 503, 504]) expect(classify(response(status)).kind).toBe("retry")
    expect(classify(transport("ECONNRESET"))).toMatchObject({
      kind: "retry",
      reason: "connection reset",
      unreachable: false
    })
  })
  it("marks refused connections and unknown hosts unreachable", () => {
    expect(classify(transport("ECONNREFUSED"))).toMatchObject({
      kind: "retry",
      unreachable: true,
      reason: "connection refused"
    })
    expect(classify(transport("ENOTFOUND"))).toMatchObject({ kind: "retry", unreachable: true })
  })
  it("ends the run on a bad key, an unknown model, an exhausted quota or a Retry-After of hours", () => {
    expect(classify(response(401))).toMatchObject({ kind: "fail", scope: "run", status: 401 })
    expect(classify(response(403))).toMatchObject({ kind: "fail", scope: "run" })
    expect(classify(response(404, {}, JSON.stringify({ error: { message: "model 'x' not found" } })))).toMatchObject({
      kind: "fail",
      scope: "run"
    })
    expect(classify(response(400, {}, JSON.stringify({ error: { message: "The model `x` does not exist" } }))))
      .toMatchObject({ kind: "fail", scope: "run" })
    expect(
      classify(
        response(
          429,
          {},
          JSON.stringify({ error: { code: "insufficient_quota", message: "You exceeded your current quota" } })
        )
      )
    ).toMatchObject({
      kind: "fail",
      scope: "run"
    })
    expect(classify(response(429, { "retry-after": "7200" }))).toMatchObject({ kind: "fail", scope: "run" })
  })
  it("fails only the request on other 4xx", () => {
    const v = classify(response(400, {}, JSON.stringify({ error: { message: "context length exceeded" } })))
    expect(v).toMatchObject({ kind: "fail", scope: "request", status: 400 })
    expect(v.reason).toContain("context length exceeded")
  })
})

describe("providerMessage", () => {
  it("finds the message in OpenAI, plain and doubly encoded error bodies", () => {
    expect(providerMessage(JSON.stringify({ error: { message: "Bad key\nmore" } }))).toBe("Bad key")
    expect(providerMessage(JSON.stringify({ error: "model not found" }))).toBe("model not found")
    expect(providerMessage(JSON.stringify(JSON.stringify({ error: { message: "inner" } })))).toBe("inner")
    expect(providerMessage("upstream timeout")).toBe("upstream timeout")
    expect(providerMessage(undefined)).toBeNull()
  })

  it("masks key-like strings providers echo back", () => {
    const said = providerMessage(
      JSON.stringify({ error: { message: "Incorrect API key provided: sk-proj-abc123********wxyz. Get one at …" } })
    )!
    expect(said).toContain("Incorrect API key provided")
    expect(said).not.toMatch(/sk-proj|abc123|wxyz/)
    expect(redactSecrets("token Bearer abc.def and 0123456789abcdef0123456789abcdef99")).toBe(
      "token Bearer [redacted] and [redacted]"
    )
  })
})

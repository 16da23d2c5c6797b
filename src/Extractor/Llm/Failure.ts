/**
 * What to do when a request to the model fails: retry it later (transient
 * trouble), re-ask the model (its answer was unusable), or give up on the
 * chunk or on the whole run. Pure functions over the errors of
 * `@effect/ai` and `Effect.timeout`.
 */
import * as AiError from "@effect/ai/AiError"

/** How one failed attempt is handled. */
export type Verdict =
  /** Transient: try the same request again after a delay (at least `retryAfterMs` when the provider said so). */
  | {
    readonly kind: "retry"
    readonly reason: string
    readonly status: number | null
    readonly retryAfterMs: number | null
    /** The server could not be reached at all (refused, unknown host): fatal while nothing has succeeded yet. */
    readonly unreachable: boolean
  }
  /** Permanent. `run`: no chunk can succeed (bad key, unknown model); `request`: this request is refused (fatal only while nothing has succeeded yet, as it is then most likely the configuration). */
  | {
    readonly kind: "fail"
    readonly reason: string
    readonly status: number | null
    readonly scope: "run" | "request"
  }

/** Errors an attempt can end with (besides an answer that fails validation, which is handled before this). */
export type AttemptError = AiError.AiError | { readonly _tag: "TimeoutException" }

/** Retry-After values beyond this (ms) mean a quota is exhausted, not a passing limit: the run stops. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000

/**
 * The delay the provider asked for, in milliseconds: OpenAI's
 * `retry-after-ms`, else `retry-after` as seconds or as an HTTP date
 * (RFC 9110 §10.2.3). Null when absent or unreadable.
 */
export const retryAfterMs = (
  headers: Readonly<Record<string, string | undefined>>,
  now = Date.now()
): number | null => {
  const ms = headers["retry-after-ms"]
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms))
  const value = headers["retry-after"]
  if (value === undefined) return null
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

/**
 * Exponential backoff with "full jitter" (M. Brooker, "Exponential Backoff
 * And Jitter", AWS Architecture Blog, 2015): a uniform random delay in
 * [0, min(capMs, baseMs · 2^retry)) milliseconds, `retry` counting from 0.
 */
export const backoffMs = (retry: number, baseMs: number, capMs: number, random: number = Math.random()): number =>
  Math.floor(random * Math.min(capMs, baseMs * 2 ** retry))

/** The delay before retry number `retry` (from 0) after `verdict`: the provider's Retry-After plus up to 10 % jitter, or {@link backoffMs}. */
export const retryDelayMs = (
  verdict: Extract<Verdict, { kind: "retry" }>,
  retry: number,
  baseMs: number,
  capMs: number,
  random: number = Math.random()
): number =>
  verdict.retryAfterMs !== null
    ? verdict.retryAfterMs + Math.floor(random * Math.min(1000, verdict.retryAfterMs * 0.1))
    : backoffMs(retry, baseMs, capMs, random)

/** The provider's own error message from a JSON error body (`{"error": {"message"}}` or `{"error": "…"}`), first line, at most 200 characters. */
export const providerMessage = (body: string | undefined): string | null => {
  if (body === undefined || body.trim() === "") return null
  let text: string | null = null
  try {
    const parsed = JSON.parse(body) as unknown
    const seek = (v: unknown): string | null => {
      if (typeof v === "string") {
        // The generated client stores the error body as a JSON string inside the description.
        if (v.trim().startsWith("{")) {
          try {
            return seek(JSON.parse(v))
          } catch {
            return v
          }
        }
        return v
      }
      if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>
        return seek(o.error) ?? (typeof o.message === "string" ? o.message : null) ??
          (typeof o.detail === "string" ? o.detail : null)
      }
      return null
    }
    text = seek(parsed)
  } catch {
    text = body
  }
  if (text === null) return null
  const line = redactSecrets(text.split("\n")[0]!.trim())
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

/**
 * Masks anything in a provider's message that looks like an API key
 * (`sk-…`, `Bearer …`, long opaque tokens): providers echo part of a
 * rejected key (OpenAI: "Incorrect API key provided: sk-proj-…"), and what
 * we print or record must never carry it.
 */
export const redactSecrets = (text: string): string =>
  text
    .replace(/\b(?:sk|pk|rk)-[A-Za-z0-9_*.-]{4,}/g, "[redacted key]")
    .replace(/\bBearer\s+\S+/gi, "Bearer [redacted]")
    .replace(/\b[A-Za-z0-9_-]{32,}\b/g, "[redacted]")

/** Node/undici error codes met walking an error's `cause` chain. */
const causeCodes = (error: unknown): Array<string> => {
  const codes: Array<string> = []
  let current: unknown = error
  for (let depth = 0; depth < 8 && current !== null && typeof current === "object"; depth++) {
    const c = current as { code?: unknown; cause?: unknown; message?: unknown }
    if (typeof c.code === "string") codes.push(c.code)
    if (typeof c.message === "string" && /other side closed|socket hang up/i.test(c.message)) codes.push("ECONNRESET")
    current = c.cause
  }
  return codes
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "unknown host",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable"
}

const TRANSIENT_CODES: Record<string, string> = {
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_HEADERS_TIMEOUT: "no response headers in time",
  UND_ERR_BODY_TIMEOUT: "response body stalled",
  ECONNABORTED: "connection aborted"
}

/**
 * Classifies a failed attempt (see {@link Verdict}):
 *
 * - timeouts, reset or closed connections, HTTP 408, 409, 425, 429 and 5xx,
 *   and responses cut off mid-body: `retry` (429 and 503 with the
 *   provider's Retry-After, if any; a Retry-After beyond
 *   {@link MAX_RETRY_AFTER_MS} or OpenAI's `insufficient_quota` stop the run);
 * - refused connections and unknown hosts: `retry`, flagged `unreachable`;
 * - HTTP 401/403 (key), 404 (unknown model or endpoint), an unknown model
 *   named in a 400, an invalid URL: `fail` the run;
 * - other HTTP 4xx and answers that are not the API's shape: `fail` the request.
 *
 * Answers that are not JSON are not classified here: they are re-asked.
 */
export const classify = (error: AttemptError): Verdict => {
  switch (error._tag) {
    case "TimeoutException":
      return { kind: "retry", reason: "request timed out", status: null, retryAfterMs: null, unreachable: false }
    case "HttpRequestError": {
      if (error.reason !== "Transport") {
        return {
          kind: "fail",
          reason: `cannot send the request (${error.reason}): ${error.description ?? ""}`.trim(),
          status: null,
          scope: "run"
        }
      }
      const codes = causeCodes(error.cause)
      const unreachable = codes.find((c) => c in UNREACHABLE)
      if (unreachable) {
        return { kind: "retry", reason: UNREACHABLE[unreachable]!, status: null, retryAfterMs: null, unreachable: true }
      }
      const transient = codes.find((c) => c in TRANSIENT_CODES)
      return {
        kind: "retry",
        reason: transient
          ? TRANSIENT_CODES[transient]!
          : `connection failed${error.description ? `: ${error.description}` : ""}`,
        status: null,
        retryAfterMs: null,
        unreachable: false
      }
    }
    case "HttpResponseError": {
      const status = error.response.status
      const detail = providerMessage(error.body) ?? providerMessage(error.description)
      const said = detail ? `: ${detail}` : ""
      if (error.reason !== "StatusCode" && status >= 200 && status < 300) {
        return {
          kind: "retry",
          reason: `response cut off (${error.reason})`,
          status,
          retryAfterMs: null,
          unreachable: false
        }
      }
      if (status === 401 || status === 403) {
        // The provider's text is left out: it may quote part of the key.
        return {
          kind: "fail",
          reason: `the provider rejected the API key (HTTP ${status}); set OPENAI_API_KEY to a valid key`,
          status,
          scope: "run"
        }
      }
      if (
        status === 429 &&
        /insufficient_quota|exceeded your current quota/i.test(`${error.body ?? ""} ${error.description ?? ""}`)
      ) {
        return {
          kind: "fail",
          reason: `the provider reports the account's quota exhausted (HTTP 429)${said}`,
          status,
          scope: "run"
        }
      }
      if (status === 408 || status === 409 || status === 425 || status === 429 || status >= 500) {
        const after = retryAfterMs(error.response.headers as Record<string, string | undefined>)
        if (after !== null && after > MAX_RETRY_AFTER_MS) {
          return {
            kind: "fail",
            reason: `the provider asks to wait ${
              Math.round(after / 1000)
            } s before the next request (HTTP ${status})${said}`,
            status,
            scope: "run"
          }
        }
        return { kind: "retry", reason: `HTTP ${status}${said}`, status, retryAfterMs: after, unreachable: false }
      }
      if (
        status === 404 ||
        /model.*(not found|does not exist|not exist)|unknown model|model_not_found/i.test(detail ?? "")
      ) {
        return { kind: "fail", reason: `the provider answered HTTP ${status}${said}`, status, scope: "run" }
      }
      return { kind: "fail", reason: `the provider answered HTTP ${status}${said}`, status, scope: "request" }
    }
    case "MalformedOutput":
      return {
        kind: "fail",
        reason: `the server's answer is not an API response: ${(error.description ?? error.message).split("\n")[0]}`,
        status: null,
        scope: "request"
      }
    case "MalformedInput":
      return {
        kind: "fail",
        reason: `cannot build the request: ${(error.description ?? error.message).split("\n")[0]}`,
        status: null,
        scope: "run"
      }
    case "UnknownError":
      return {
        kind: "fail",
        reason: (error.description ?? error.message).split("\n")[0]!,
        status: null,
        scope: "request"
      }
  }
}

/** True for the `MalformedOutput` that `LanguageModel.generateObject` raises when the model's text is not the requested JSON. */
export const isInvalidAnswer = (error: AttemptError): error is AiError.MalformedOutput =>
  error._tag === "MalformedOutput" && error.module === "LanguageModel"

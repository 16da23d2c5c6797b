/**
 * Bearer-token authentication of `extract serve`. When the server has a
 * token (`--token` / `EXTRACT_SERVER_TOKEN`; required on any non-loopback
 * host), every request, the docs and the OpenAPI document included, must
 * carry `Authorization: Bearer <token>`; anything else answers 401 with a
 * JSON body. Tokens are compared in constant time: both sides are hashed
 * (SHA-256, equal lengths) and compared with `crypto.timingSafeEqual`, so
 * neither the token's content nor its length leaks through timing.
 */
import * as Headers from "@effect/platform/Headers"
import * as Redacted from "effect/Redacted"
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest()

/** True when `presented` equals `expected`, compared in constant time. */
export const tokensEqual = (presented: string, expected: string): boolean =>
  timingSafeEqual(digest(presented), digest(expected))

/**
 * Checks a request's headers against the server's token: null when the
 * request may go on (no token configured, or the right Bearer token), else
 * the message of the 401.
 */
export const checkBearer = (headers: Headers.Headers, token: Redacted.Redacted | null): string | null => {
  if (token === null) return null
  const header = Headers.get(headers, "authorization")
  if (header._tag === "None") return "this server needs Authorization: Bearer <token>"
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header.value)
  if (!m) return "this server needs Authorization: Bearer <token>"
  return tokensEqual(m[1]!, Redacted.value(token)) ? null : "the Bearer token is not valid for this server"
}

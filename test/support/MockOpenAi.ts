/**
 * A loopback HTTP server that speaks enough of the OpenAI Responses API
 * (`POST /v1/responses`) for the real `@effect/ai-openai` client to talk to
 * it. Its "model" is deterministic: every run of two capitalised words is a
 * Person, and consecutive people in one sentence are related by `knows`.
 * Tests can script faults per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: any
}

export interface MockOpenAi {
  /** Base URL to hand to the client, ending in `/v1`. */
  readonly baseUrl: string
  readonly requests: Array<RecordedRequest>
  readonly close: () => Promise<void>
}

/** The deterministic extraction the mock model answers with, for a chunk text. */
export const mockExtraction = (text: string) => {
  const names = [...new Set([...text.matchAll(/\b[A-Z][a-z]{2,} [A-Z][a-z]{2,}\b/g)].map((m) => m[0]))]
  const relations: Array<{ subject: string; predicate: string; object: string; evidence: string }> = []
  for (const sentence of text.split(/(?<=[.!?])\s+/)) {
    const inSentence = names.filter((n) => sentence.includes(n))
    for (let i = 0; i + 1 < inSentence.length; i++) {
      relations.push({ subject: inSentence[i]!, predicate: "knows", object: inSentence[i + 1]!, evidence: sentence.trim() })
    }
  }
  return {
    entities: names.map((name) => ({ name, type: "Person", description: null })),
    relations
  }
}

/** The user text of a Responses API request body. */
const userText = (body: any): string => {
  for (const item of body?.input ?? []) {
    if (item.role === "user") {
      return typeof item.content === "string"
        ? item.content
        : item.content.map((c: any) => c.text ?? "").join("")
    }
  }
  return ""
}

const responseBody = (body: any, text: string) => ({
  id: `resp_${Math.random().toString(36).slice(2)}`,
  object: "response",
  status: "completed",
  created_at: Math.floor(Date.now() / 1000),
  error: null,
  incomplete_details: null,
  instructions: null,
  model: body.model ?? "mock",
  output: [{
    type: "message",
    id: `msg_${Math.random().toString(36).slice(2)}`,
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text, annotations: [] }]
  }],
  parallel_tool_calls: true,
  tools: [],
  tool_choice: "auto",
  metadata: null,
  temperature: null,
  top_p: null,
  usage: {
    input_tokens: 100,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 50,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 150
  }
})

export type Fault = (req: RecordedRequest, res: ServerResponse) => boolean

/**
 * Starts the server on 127.0.0.1 at a free port. `fault`, if given, sees
 * every request first and returns true when it has answered it itself.
 */
export const startMockOpenAi = (
  options: {
    readonly fault?: Fault
    readonly latencyMs?: number
    /** Awaited before each request is answered: lets a test hold a run at a known point. */
    readonly gate?: () => Promise<void>
  } = {}
) =>
  new Promise<MockOpenAi>((resolve) => {
    const requests: Array<RecordedRequest> = []
    const server: Server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        let body: any = null
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
        } catch {
          body = null
        }
        const recorded: RecordedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body }
        requests.push(recorded)
        const answer = () => {
          if (options.fault?.(recorded, res)) return
          if (req.method === "POST" && req.url === "/v1/responses") {
            const out = JSON.stringify(mockExtraction(userText(body)))
            res.writeHead(200, { "content-type": "application/json" })
            res.end(JSON.stringify(responseBody(body, out)))
            return
          }
          res.writeHead(404, { "content-type": "application/json" })
          res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }))
        }
        const later = () => (options.latencyMs ? void setTimeout(answer, options.latencyMs) : answer())
        if (options.gate) void options.gate().then(later)
        else later()
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        baseUrl: `http://127.0.0.1:${port}/v1`,
        requests,
        close: () => new Promise<void>((done) => server.close(() => done()))
      })
    })
  })

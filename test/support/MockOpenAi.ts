/**
 * A loopback HTTP server that speaks enough of the OpenAI Responses API
 * (`POST /v1/responses`) and Chat Completions API
 * (`POST /v1/chat/completions`) for the real `@effect/ai-openai` client and
 * our Chat Completions model to talk to it. Its "model" is deterministic:
 * every run of two capitalised words is a Person, and consecutive people in
 * one sentence are related by `knows`; a gleaning follow-up gets empty
 * lists. Tests can replace the answer and script faults per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { Socket } from "node:net"

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: any
  /** `responses` or `chat`, from the path; null for other paths. */
  readonly api: "responses" | "chat" | null
  /** The first user message: the chunk text. */
  readonly chunkText: string
  /** Every message's text, in order (system, user, assistant, …). */
  readonly messages: ReadonlyArray<{ readonly role: string; readonly text: string }>
  /** When the request arrived (Date.now(), milliseconds). */
  readonly receivedAt: number
}

export interface MockOpenAi {
  /** Base URL to hand to the client, ending in `/v1`. */
  readonly baseUrl: string
  readonly requests: Array<RecordedRequest>
  /** Requests that were answered (not failed by a fault) with a model answer. */
  readonly answered: Array<RecordedRequest>
  readonly close: () => Promise<void>
}

/** The deterministic extraction the mock model answers with, for a chunk text. */
export const mockExtraction = (text: string) => {
  const names = [...new Set([...text.matchAll(/\b[A-Z][a-z]{2,} [A-Z][a-z]{2,}\b/g)].map((m) => m[0]))]
  const relations: Array<{ subject: string; predicate: string; object: string; evidence: string }> = []
  for (const sentence of text.split(/(?<=[.!?])\s+/)) {
    const inSentence = names.filter((n) => sentence.includes(n))
    for (let i = 0; i + 1 < inSentence.length; i++) {
      relations.push({
        subject: inSentence[i]!,
        predicate: "knows",
        object: inSentence[i + 1]!,
        evidence: sentence.trim()
      })
    }
  }
  return {
    entities: names.map((name) => ({ name, type: "Person", description: null })),
    relations
  }
}

const partsText = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
    ? content.map((c: any) => c?.text ?? "").join("")
    : ""

/** The messages of a Responses or Chat Completions request body. */
const messagesOf = (body: any): Array<{ role: string; text: string }> =>
  (body?.input ?? body?.messages ?? []).map((m: any) => ({ role: m.role ?? m.type ?? "", text: partsText(m.content) }))

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

/** A minimal chat completion, as llama.cpp or Ollama send it (no logprobs, no system_fingerprint). */
const chatBody = (body: any, text: string) => {
  const tool = body?.tool_choice?.function?.name
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? "mock",
    choices: [{
      index: 0,
      finish_reason: tool ? "tool_calls" : "stop",
      message: tool
        ? {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: tool, arguments: text } }]
        }
        : { role: "assistant", content: text }
    }],
    usage: { prompt_tokens: 120, completion_tokens: 60, total_tokens: 180 }
  }
}

export type Fault = (req: RecordedRequest, res: ServerResponse) => boolean

export interface MockOptions {
  /** Sees every request first; returns true when it has answered (or dropped) it itself. */
  readonly fault?: Fault
  /** Delay before answering, in milliseconds. */
  readonly latencyMs?: number
  /** Replaces the model: the answer text (usually JSON) for a request. */
  readonly answer?: (req: RecordedRequest) => string
  /** Record request bodies (default true; the benchmark turns it off to keep memory flat). */
  readonly record?: boolean
  /** Awaited before each request is answered: lets a test hold a run at a known point. */
  readonly gate?: () => Promise<void>
}

/** The default model's answer: the extraction of the chunk, or empty lists for a gleaning follow-up. */
export const defaultAnswer = (req: RecordedRequest): string => {
  const last = req.messages.at(-1)
  if (
    req.messages.filter((m) => m.role === "user").length > 1 && last && /missed in your last answer/.test(last.text)
  ) {
    return JSON.stringify({ entities: [], relations: [] })
  }
  return JSON.stringify(mockExtraction(req.chunkText))
}

/** Answers `req` with a model answer whose text is `text`, in the envelope of the request's API. */
export const answerWith = (req: RecordedRequest, res: ServerResponse, text: string) => {
  res.writeHead(200, { "content-type": "application/json" })
  res.end(JSON.stringify(req.api === "chat" ? chatBody(req.body ?? {}, text) : responseBody(req.body ?? {}, text)))
}

/** Closes the connection without an HTTP answer (the client sees a reset / "other side closed"). */
export const resetConnection = (res: ServerResponse) => {
  res.socket?.resetAndDestroy?.()
  res.socket?.destroy()
}

/** Answers with an HTTP error and a JSON error body. */
export const httpError = (
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {}
) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify({ error: { message, type: "mock_error" } }))
}

/**
 * Starts the server on 127.0.0.1 at a free port.
 */
export const startMockOpenAi = (options: MockOptions = {}) =>
  new Promise<MockOpenAi>((resolve) => {
    const requests: Array<RecordedRequest> = []
    const answered: Array<RecordedRequest> = []
    const sockets = new Set<Socket>()
    const record = options.record ?? true
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
        const url = req.url ?? ""
        const api = url === "/v1/responses"
          ? "responses" as const
          : url === "/v1/chat/completions"
          ? "chat" as const
          : null
        const messages = messagesOf(body)
        const recorded: RecordedRequest = {
          method: req.method ?? "",
          url,
          headers: req.headers,
          body: record ? body : null,
          api,
          chunkText: messages.find((m) => m.role === "user")?.text ?? "",
          messages: record ? messages : [],
          receivedAt: Date.now()
        }
        requests.push(recorded)
        const reply = () => {
          if (options.fault?.(recorded, res)) return
          if (req.method === "POST" && api !== null) {
            const text = (options.answer ?? defaultAnswer)({ ...recorded, messages })
            answered.push(recorded)
            res.writeHead(200, { "content-type": "application/json" })
            res.end(JSON.stringify(api === "responses" ? responseBody(body, text) : chatBody(body, text)))
            return
          }
          httpError(res, 404, `no route ${req.method} ${url}`)
        }
        const later = () => (options.latencyMs ? void setTimeout(reply, options.latencyMs) : reply())
        if (options.gate) void options.gate().then(later)
        else later()
      })
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        baseUrl: `http://127.0.0.1:${port}/v1`,
        requests,
        answered,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          })
      })
    })
  })

/**
 * API contract of `extract serve` over a real loopback server (port 0) and a
 * fake workflow engine that writes runs through the real run store.
 */
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs"
import { request as httpRequest } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { RunMetadata } from "../../src/Domain/Run.js"
import { type FakeServer, startFakeServer } from "./support/FakeServer.js"

const sha12 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12)

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

/** Waits until GET /runs/{runId} reports `completed`. */
const completed = async (server: FakeServer, runId: string) => {
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${server.url}/runs/${runId}`)
    if (r.status === 200 && ((await r.json()) as { status: string }).status === "completed") return
    await new Promise((res) => setTimeout(res, 25))
  }
  throw new Error(`run ${runId} did not complete`)
}

/** A body sent with chunked transfer encoding (no Content-Length), for the limit while reading. */
const postChunked = (url: string, chunks: ReadonlyArray<string>) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let body = ""
      res.on("data", (d: Buffer) => (body += d.toString()))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on("error", reject)
    for (const c of chunks) req.write(c)
    req.end()
  })

describe("extract serve: API contract", () => {
  let server: FakeServer
  let root: string
  let outside: string
  beforeAll(async () => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "extract-root-")))
    outside = realpathSync(mkdtempSync(join(tmpdir(), "extract-outside-")))
    mkdirSync(join(root, "sub"))
    writeFileSync(join(root, "sub", "doc.txt"), "Ada Lovelace worked with Charles Babbage in London.\n")
    writeFileSync(join(outside, "secret.txt"), "outside the root\n")
    symlinkSync(join(outside, "secret.txt"), join(root, "escape.txt"))
    symlinkSync(outside, join(root, "escape-dir"))
    server = await startFakeServer({ inputRoot: root, maxInputBytes: 4096 })
  })
  afterAll(() => server.close())

  it("POST /runs with text answers 202 with the run id, execution id and run directory", async () => {
    const text = "Grace Hopper joined the Navy in 1943.\n"
    const r = await post(`${server.url}/runs`, { text, path: null, options: { chunkSize: 200, formats: ["json"] } })
    expect(r.status).toBe(202)
    const body = (await r.json()) as { runId: string; executionId: string; runDir: string }
    expect(body.runId).toBe(`doc-${sha12(text)}`)
    expect(body.executionId).toBe(`exec-${body.runId}`)
    expect(body.runDir).toBe(join(server.outputDir, "runs", body.runId))
    const request = server.calls.starts.at(-1)!
    expect(request.document.text).toBe(text)
    expect(request.options.chunkSize).toBe(200)
    expect(request.options.formats).toEqual(["json"])
    await completed(server, body.runId)

    // GET /runs/{runId}: the run's metadata, as in metadata.json
    const got = await fetch(`${server.url}/runs/${body.runId}`)
    expect(got.status).toBe(200)
    expect(got.headers.get("content-type")).toContain("application/json")
    const metadata = (await got.json()) as Record<string, unknown>
    expect(Schema.decodeUnknownEither(RunMetadata)(metadata)._tag).toBe("Right")
    const onDisk = JSON.parse(readFileSync(join(body.runDir, "metadata.json"), "utf8")) as Record<string, unknown>
    for (const key of ["runId", "status", "input", "config", "stats", "outputs", "events", "errors"]) {
      expect(metadata[key], key).toEqual(onDisk[key])
    }

    // GET /runs lists it
    const list = (await (await fetch(`${server.url}/runs`)).json()) as {
      runs: Array<{ runId: string; runDir: string }>
    }
    expect(list.runs.map((x) => x.runId)).toContain(body.runId)

    // an output by type and by file name, byte for byte
    const file = readFileSync(join(body.runDir, "outputs", "knowledge-graph.json"), "utf8")
    for (const name of ["knowledge-graph", "knowledge-graph.json"]) {
      const out = await fetch(`${server.url}/runs/${body.runId}/outputs/${name}`)
      expect(out.status).toBe(200)
      expect(out.headers.get("content-type")).toContain("application/json")
      expect(await out.text()).toBe(file)
    }
    const missing = await fetch(`${server.url}/runs/${body.runId}/outputs/graph.graphml`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { _tag: string })._tag).toBe("NotFound")
  })

  it("malformed JSON is a 400 with a JSON error body", async () => {
    const r = await post(`${server.url}/runs`, "{\"text\": ")
    expect(r.status).toBe(400)
    const body = (await r.json()) as { _tag: string; message: string }
    expect(body._tag).toBe("BadRequest")
    expect(body.message).toMatch(/malformed request body/)
  })

  it("missing or mistyped fields are 400s", async () => {
    for (const bad of [{}, { path: null }, { options: {} }, { text: 5 }, { text: "a", path: "b" }]) {
      const r = await post(`${server.url}/runs`, bad)
      expect(r.status, JSON.stringify(bad)).toBe(400)
      expect(((await r.json()) as { _tag: string })._tag).toBe("HttpApiDecodeError")
    }
    const batch = await post(`${server.url}/batches`, { documents: [] })
    expect(batch.status).toBe(400)
  })

  it("provider settings and unknown options are refused with 400, before the engine sees them", async () => {
    const before = server.calls.starts.length
    for (
      const options of [{ baseUrl: "http://evil.example/v1" }, { apiKey: "sk-x" }, { model: "gpt-5" }, {
        colour: "red"
      }]
    ) {
      const r = await post(`${server.url}/runs`, { text: "Some text.", options })
      expect(r.status, JSON.stringify(options)).toBe(400)
      const body = (await r.json()) as { message: string }
      expect(body.message).not.toContain("sk-x")
    }
    expect(server.calls.starts.length).toBe(before)
  })

  it("options the engine refuses (UsageError) are a 400 with its message", async () => {
    const r = await post(`${server.url}/runs`, { text: "Short text.", options: { chunkSize: 5 } })
    expect(r.status).toBe(400)
    expect(((await r.json()) as { message: string }).message).toMatch(/--chunk-size must be/)
  })

  it("empty or binary text is a 422 InputRefused", async () => {
    for (const text of ["   \n", "a\u0000b"]) {
      const r = await post(`${server.url}/runs`, { text })
      expect(r.status).toBe(422)
      expect(((await r.json()) as { _tag: string })._tag).toBe("InputRefused")
    }
  })

  it("a body over --max-input-bytes is a 413, by Content-Length and while reading a chunked body", async () => {
    const big = await post(`${server.url}/runs`, { text: "x".repeat(5000) })
    expect(big.status).toBe(413)
    expect((await big.json()) as { _tag: string; maxBytes: number }).toMatchObject({
      _tag: "PayloadTooLarge",
      maxBytes: 4096
    })
    // a chunked body (no Content-Length) is read up to the limit: past it a 413 with the same JSON body,
    // the engine never asked; the rest of the body is drained, so the client sees the answer
    const before = server.calls.starts.length
    for (const size of [5000, 256 * 1024]) {
      const chunked = await postChunked(`${server.url}/runs`, [
        "{\"text\": \"",
        ...Array.from({ length: Math.ceil(size / 1000) }, () => "y".repeat(1000)),
        "\"}"
      ])
      expect(chunked.status, chunked.body).toBe(413)
      expect(JSON.parse(chunked.body)).toMatchObject({ _tag: "PayloadTooLarge", maxBytes: 4096 })
    }
    expect(server.calls.starts.length).toBe(before)
    const small = await postChunked(`${server.url}/runs`, ["{\"text\": \"", "Small chunked body.", "\"}"])
    expect(small.status).toBe(202)
  })

  it("an unknown run is a 404, a malformed run id a 400, an unknown route a 404, all with JSON bodies", async () => {
    const unknown = await fetch(`${server.url}/runs/doc-000000000000`)
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { _tag: string })._tag).toBe("NotFound")
    for (const path of ["/runs/doc-XYZ", "/runs/..%2F..%2Fetc", "/runs/doc-0000000000000"]) {
      const r = await fetch(`${server.url}${path}`)
      expect(r.status, path).toBe(400)
      await r.json()
    }
    const events = await fetch(`${server.url}/runs/doc-000000000000/events`)
    expect(events.status).toBe(404)
    const interrupt = await fetch(`${server.url}/runs/doc-000000000000/interrupt`, { method: "POST" })
    expect(interrupt.status).toBe(404)
    const route = await fetch(`${server.url}/nope`)
    expect(route.status).toBe(404)
    expect(((await route.json()) as { _tag: string })._tag).toBe("NotFound")
    const batch = await fetch(`${server.url}/batches/batch-000000000000`)
    expect(batch.status).toBe(404)
  })

  it("path submissions are confined to --input-root: no .., no absolute path outside, no symlink escape", async () => {
    const refused = [
      "../" + outside.split("/").pop() + "/secret.txt",
      "sub/../../etc/passwd",
      "sub\\..\\..\\secret.txt",
      join(outside, "secret.txt"),
      "/etc/passwd",
      "escape.txt",
      "escape-dir/secret.txt"
    ]
    for (const path of refused) {
      const r = await post(`${server.url}/runs`, { path })
      expect(r.status, path).toBe(400)
      const body = (await r.json()) as { _tag: string; message: string }
      expect(body._tag).toBe("BadRequest")
      expect(body.message).not.toContain("outside the root\n")
    }
    const missing = await post(`${server.url}/runs`, { path: "sub/none.txt" })
    expect(missing.status).toBe(404)
    const ok = await post(`${server.url}/runs`, { path: "sub/doc.txt" })
    expect(ok.status).toBe(202)
    const absolute = await post(`${server.url}/runs`, { path: join(root, "sub", "doc.txt") })
    expect(absolute.status).toBe(202)
    const request = server.calls.starts.at(-2)!
    expect(request.document.path).toBe("sub/doc.txt")
    expect(request.document.text).toBe(readFileSync(join(root, "sub", "doc.txt"), "utf8"))
  })

  it("interrupt and resume reach the engine with the run's execution", async () => {
    const text = "Alan Turing was born in London.\n"
    const { runId } = (await (await post(`${server.url}/runs`, { text })).json()) as { runId: string }
    const i = await fetch(`${server.url}/runs/${runId}/interrupt`, { method: "POST" })
    expect(i.status).toBe(202)
    expect(await i.json()).toEqual({ runId, executionId: `exec-${runId}` })
    const r = await fetch(`${server.url}/runs/${runId}/resume`, { method: "POST" })
    expect(r.status).toBe(202)
    expect(server.calls.interrupts).toContain(`exec-${runId}`)
    expect(server.calls.resumes).toContain(`exec-${runId}`)
  })

  it("POST /batches answers 202 with the batch and its runs; GET /batches/{id} gives its BatchState", async () => {
    const r = await post(`${server.url}/batches`, {
      documents: [{ text: "First document about Paris.\n" }, { path: "sub/doc.txt" }],
      options: { chunkSize: 300 },
      context: "people"
    })
    expect(r.status).toBe(202)
    const body = (await r.json()) as {
      batchId: string
      executionId: string
      runs: Array<{ runId: string; runDir: string }>
    }
    expect(body.batchId).toMatch(/^batch-[0-9a-f]{12}$/)
    expect(body.runs).toHaveLength(2)
    expect(body.runs[0]!.runId).toBe(`doc-${sha12("First document about Paris.\n")}`)
    const state = await fetch(`${server.url}/batches/${body.batchId}`)
    expect(state.status).toBe(200)
    expect(["Pending", "Extracting"]).toContain(((await state.json()) as { _tag: string })._tag)
  })

  it("serves the OpenAPI document and the docs", async () => {
    const r = await fetch(`${server.url}/openapi.json`)
    expect(r.status).toBe(200)
    const spec = (await r.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> }
    expect(spec.openapi).toMatch(/^3\./)
    for (
      const path of [
        "/runs",
        "/runs/{runId}",
        "/runs/{runId}/events",
        "/runs/{runId}/outputs/{name}",
        "/batches",
        "/batches/{batchId}"
      ]
    ) {
      expect(Object.keys(spec.paths), path).toContain(path)
    }
    expect(Object.keys(spec.paths["/runs"]!["post"] as object)).toContain("requestBody")
    const docs = await fetch(`${server.url}/docs`)
    expect(docs.status).toBe(200)
    expect(await docs.text()).toContain("swagger-ui")
  })
})

describe("extract serve: draining", () => {
  it("answers 503 to new submissions once a drain has begun, and still serves reads", async () => {
    const server = await startFakeServer()
    try {
      await server.drain()
      const r = await post(`${server.url}/runs`, { text: "Too late.\n" })
      expect(r.status).toBe(503)
      expect(((await r.json()) as { _tag: string })._tag).toBe("Unavailable")
      expect((await fetch(`${server.url}/runs`)).status).toBe(200)
    } finally {
      await server.close()
    }
  })
})

describe("extract serve: token", () => {
  it("on a non-loopback bind, every request without the Bearer token is a 401 with a JSON body", async () => {
    const server = await startFakeServer({ host: "127.0.0.2", token: Redacted.make("s3cret-token") })
    const url = server.url.replace("127.0.0.1", "127.0.0.2")
    try {
      for (const path of ["/runs", "/openapi.json", "/docs", "/runs/doc-000000000000"]) {
        const r = await fetch(`${url}${path}`)
        expect(r.status, path).toBe(401)
        expect(r.headers.get("www-authenticate")).toBe("Bearer")
        expect(((await r.json()) as { _tag: string })._tag).toBe("Unauthorized")
      }
      const wrong = await fetch(`${url}/runs`, { headers: { authorization: "Bearer s3cret-tokeN" } })
      expect(wrong.status).toBe(401)
      const post401 = await post(`${url}/runs`, { text: "x" }, { authorization: "Basic s3cret-token" })
      expect(post401.status).toBe(401)
      const right = await fetch(`${url}/runs`, { headers: { authorization: "Bearer s3cret-token" } })
      expect(right.status).toBe(200)
    } finally {
      await server.close()
    }
  })
})

/**
 * End-to-end: the built CLI with the llm extractor against a loopback server
 * speaking the OpenAI Responses API, through the real @effect/ai-openai
 * client over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCli } from "../support/Cli.js"
import { type MockOpenAi, startMockOpenAi } from "../support/MockOpenAi.js"

const SECRET = "sk-test-DO-NOT-LEAK-0123456789abcdef"
const TEXT = [
  "Ada Lovelace met Charles Babbage in London in 1833. Ada Lovelace later wrote notes on the Analytical Engine.",
  "",
  "Mary Somerville introduced Ada Lovelace to Charles Babbage. 😀 Michael Faraday admired Mary Somerville."
].join("\n")

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })

describe("extract --extractor llm (loopback Responses API)", () => {
  let server: MockOpenAi
  const out = mkdtempSync(join(tmpdir(), "extract-llm-"))
  const input = join(out, "ada.txt")
  writeFileSync(input, TEXT)
  const runId = `doc-${createHash("sha256").update(TEXT).digest("hex").slice(0, 12)}`

  beforeAll(async () => {
    server = await startMockOpenAi()
  })
  afterAll(() => server.close())

  it("extracts through the Responses API, grounds every fact, and never writes the key", async () => {
    const r = await runCli([input, "-o", out, "--chunk-size", "40", "--chunk-overlap", "0", "--json"], {
      env: { OPENAI_API_KEY: SECRET, OPENAI_BASE_URL: server.baseUrl, EXTRACT_MODEL: "mock-model" }
    })
    expect(r.stderr).toContain("using the llm extractor")
    expect(r.code).toBe(0)
    const line = JSON.parse(r.stdout)
    expect(line).toMatchObject({ runId, status: "completed" })

    // the real client spoke HTTP to us, with the key as a bearer token and our schema
    const calls = server.requests.filter((q) => q.url === "/v1/responses")
    expect(calls.length).toBe(line.stats.chunkCount)
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${SECRET}`)
    expect(calls[0]!.body.model).toBe("mock-model")
    expect(calls[0]!.body.text.format.type).toBe("json_schema")

    const runDir = join(out, "runs", runId)
    const graph = JSON.parse(readFileSync(join(runDir, "outputs", "knowledge-graph.json"), "utf8"))
    const labels = graph.entities.map((e: any) => e.label)
    expect(labels).toEqual(
      expect.arrayContaining(["Ada Lovelace", "Charles Babbage", "Mary Somerville", "Michael Faraday"])
    )
    const ada = graph.entities.find((e: any) => e.label === "Ada Lovelace")
    expect(ada.mentions).toHaveLength(3)
    const cps = Array.from(readFileSync(join(runDir, "input", "document.txt"), "utf8"))
    for (const e of graph.entities) {
      for (const m of e.mentions) expect(cps.slice(m.span.start, m.span.end).join("")).toBe(m.span.text)
    }
    expect(graph.relations.length).toBeGreaterThan(0)
    for (const rel of graph.relations) {
      for (const ev of rel.evidence) expect(cps.slice(ev.span.start, ev.span.end).join("")).toBe(ev.span.text)
    }
    const meta = JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8"))
    expect(meta.config).toMatchObject({ extractor: "llm", model: "mock-model", baseUrl: server.baseUrl })

    for (const f of filesUnder(out)) expect(readFileSync(f, "utf8")).not.toContain(SECRET)
  })

  it("fails the run with a one-line message naming OPENAI_API_KEY on HTTP 401", async () => {
    const denying = await startMockOpenAi({
      fault: (_req, res) => {
        res.writeHead(401, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error" } }))
        return true
      }
    })
    try {
      const other = join(out, "other.txt")
      writeFileSync(other, "Grace Hopper worked at Harvard University.")
      const r = await runCli([other, "-o", out], { env: { OPENAI_API_KEY: SECRET, OPENAI_BASE_URL: denying.baseUrl } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain("OPENAI_API_KEY")
      expect(r.stderr).not.toContain(SECRET)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      const id = `doc-${
        createHash("sha256").update("Grace Hopper worked at Harvard University.").digest("hex").slice(0, 12)
      }`
      const meta = JSON.parse(readFileSync(join(out, "runs", id, "metadata.json"), "utf8"))
      expect(meta.status).toBe("failed")
      expect(meta.errors.at(-1).message).toContain("HTTP 401")
    } finally {
      await denying.close()
    }
  })
})

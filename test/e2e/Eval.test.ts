/**
 * End-to-end: `extract eval ner|relations` from the built CLI.
 *
 * - With `--extractor llm` against the loopback mock server, which answers
 *   with the gold entities for some sentences, with wrong ones for one, and
 *   with HTTP 500 for another; the printed figures are checked against
 *   counts worked out by hand below (not by the scorer).
 * - With `--extractor nlp` on the first sentences of CoNLL04 dev, against
 *   `npm run eval:ner` (scripts/eval-ner.ts) on the same limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { ROOT, runCli, SHARED } from "../support/Cli.js"
import { httpError, type MockOpenAi, startMockOpenAi } from "../support/MockOpenAi.js"

/** One CoNLL04 sentence: tokens with BIO tags, relations as [token, label, head token]. */
const sentence = (
  id: number,
  tokens: ReadonlyArray<[string, string]>,
  relations: ReadonlyArray<[number, string, number]> = []
) =>
  [
    `#doc ${id}`,
    ...tokens.map(([token, tag], i) => {
      const rels = relations.filter((r) => r[0] === i)
      const labels = rels.length === 0 ? ["N"] : rels.map((r) => r[1])
      const heads = rels.length === 0 ? [i] : rels.map((r) => r[2])
      return `${i}\t${token}\t${tag}\t[${labels.map((l) => `'${l}'`).join(", ")}]\t[${heads.join(", ")}]`
    })
  ].join("\n")

const FIXTURE = [
  // 1: answered with the gold entities and the Work_For relation
  sentence(1, [["John", "B-Peop"], ["Smith", "I-Peop"], ["works", "O"], ["for", "O"], ["Acme", "B-Org"], [
    "Inc",
    "I-Org"
  ], [".", "O"]], [[1, "Work_For", 5]]),
  // 2: a character outside the BMP before the entities; answered with the gold entities, no relation
  sentence(2, [["😀", "O"], ["Mary", "B-Peop"], ["Jones", "I-Peop"], ["lives", "O"], ["in", "O"], ["Paris", "B-Loc"], [
    ".",
    "O"
  ]], [[2, "Live_In", 5]]),
  // 3: answered wrongly: Bob Ray as an Organization, Rome as Other, Berlin right
  sentence(3, [["Bob", "B-Peop"], ["Ray", "I-Peop"], ["visited", "O"], ["Berlin", "B-Loc"], ["and", "O"], [
    "Rome",
    "B-Loc"
  ], [".", "O"]]),
  // 4: the server fails (HTTP 500; --max-retries 0): nothing predicted
  sentence(4, [["IBM", "B-Org"], ["hired", "O"], ["Tom", "B-Peop"], ["Hill", "I-Peop"], [".", "O"]]),
  // 5: answered with the gold entities plus "1990" as Other (not scored); "Olympics" is CoNLL04 Other (not scored)
  sentence(5, [
    ["Ann", "B-Peop"],
    ["Wu", "I-Peop"],
    ["joined", "O"],
    ["NATO", "B-Org"],
    ["in", "O"],
    ["1990", "O"],
    [
      "for",
      "O"
    ],
    ["the", "O"],
    ["Olympics", "B-Other"],
    [".", "O"]
  ]),
  ""
].join("\n")

const entity = (name: string, type: string) => ({ name, type, description: null })
/** The mock model's answer per sentence, keyed by a word only that sentence has; null: fail with HTTP 500. */
const ANSWERS: ReadonlyArray<[string, object | null]> = [
  ["Smith", {
    entities: [entity("John Smith", "Person"), entity("Acme Inc", "Organization")],
    relations: [{
      subject: "John Smith",
      predicate: "worksFor",
      object: "Acme Inc",
      evidence: "John Smith works for Acme Inc."
    }]
  }],
  ["Mary", { entities: [entity("Mary Jones", "Person"), entity("Paris", "Location")], relations: [] }],
  ["Berlin", {
    entities: [entity("Bob Ray", "Organization"), entity("Berlin", "Location"), entity("Rome", "Other")],
    relations: []
  }],
  ["IBM", null],
  ["Kellynch", {
    entities: [
      entity("Sir Walter Elliot", "Person"),
      entity("Kellynch Hall", "Location"),
      entity("Anne Elliot", "Person"),
      entity("Bath", "Location")
    ],
    relations: []
  }],
  ["NATO", {
    entities: [entity("Ann Wu", "Person"), entity("NATO", "Organization"), entity("1990", "Other")],
    relations: []
  }]
]

// By hand, per type (sentence: outcome):
//   PER: 1 tp, 2 tp, 3 fn (Bob Ray typed ORG), 4 fn (Tom Hill), 5 tp      → tp 3 fp 0 fn 2: P 1, R 0.6, F1 0.75
//   ORG: 1 tp, 3 fp (Bob Ray), 4 fn (IBM), 5 tp                         → tp 2 fp 1 fn 1: P = R = F1 = 0.6667
//   LOC: 2 tp (Paris), 3 tp (Berlin), 3 fn (Rome, answered as Other)      → tp 2 fp 0 fn 1: P 1, R 0.6667, F1 0.8
//   overall: tp 7 fp 1 fn 4: P 7/8 = 0.875, R 7/11 = 0.6364, F1 14/19 = 0.7368
// Relations: Work_For 1 tp; Live_In 1 fn → tp 1 fp 0 fn 1: P 1, R 0.5, F1 0.6667
// Model: 5 calls (4 answered at 100 input + 50 output tokens each, the mock's usage; 1 refused with HTTP 500)
//   → 400 input, 200 output tokens; at $2 / $10 per million: (400·2 + 200·10) / 1e6 = $0.0028

describe("extract eval ner --extractor llm (loopback mock model)", () => {
  let server: MockOpenAi
  const dir = mkdtempSync(join(tmpdir(), "extract-eval-"))
  const gold = join(dir, "conll04.txt")
  writeFileSync(gold, FIXTURE)
  const args = (task: string, ...more: Array<string>) => [
    "eval",
    task,
    gold,
    "--extractor",
    "llm",
    "--model",
    "mock-model",
    "-o",
    dir,
    "--max-retries",
    "0",
    "--concurrency",
    "1",
    "--price-input",
    "2",
    "--price-output",
    "10",
    ...more
  ]
  const env = () => ({ OPENAI_BASE_URL: server.baseUrl })

  beforeAll(async () => {
    server = await startMockOpenAi({
      fault: (req, res) => {
        if (req.chunkText.includes("IBM")) {
          httpError(res, 500, "mock failure")
          return true
        }
        return false
      },
      answer: (req) => JSON.stringify(ANSWERS.find(([word]) => req.chunkText.includes(word))![1])
    })
  })
  afterAll(() => server.close())

  it("prints the hand-computed figures, the calls, tokens and cost, and exits 3 for the failed sentence", async () => {
    const errors = join(dir, "errors.jsonl")
    const r = await runCli(args("ner", "--errors", errors), { env: env() })
    expect(r.code).toBe(3)
    const lines = r.stdout.trim().split("\n")
    const cells = (name: string) => lines.find((l) => l.startsWith(name))!.trim().split(/\s+/)
    expect(lines[0]).toBe(`ner on ${gold} (CoNLL04, 5 sentences), extractor llm`)
    expect(cells("PER")).toEqual(["PER", "1.0000", "0.6000", "0.7500", "3", "0", "2"])
    expect(cells("ORG")).toEqual(["ORG", "0.6667", "0.6667", "0.6667", "2", "1", "1"])
    expect(cells("LOC")).toEqual(["LOC", "1.0000", "0.6667", "0.8000", "2", "0", "1"])
    expect(cells("overall")).toEqual(["overall", "0.8750", "0.6364", "0.7368", "7", "1", "4"])
    expect(r.stdout).toContain("failed: 1 of 5 sentences")
    expect(r.stderr).toMatch(/^extract: sentence 4: gave up after 0 retries: .*500/m)
    expect(r.stdout).toContain(
      "llm: 5 calls (0 retries, 0 re-asks), 400 input and 200 output tokens, 0 cached answers, $0.0028"
    )

    const misses = readFileSync(errors, "utf8").trim().split("\n").map((l) => JSON.parse(l))
    expect(misses.map((m) => `${m.kind} ${m.type} ${m.text}`).sort()).toEqual([
      "fn LOC Rome",
      "fn ORG IBM",
      "fn PER Bob Ray",
      "fn PER Tom Hill",
      "fp ORG Bob Ray"
    ])
    const rome = misses.find((m) => m.text === "Rome")
    expect(rome).toMatchObject({ item: "3", sentence: "Bob Ray visited Berlin and Rome." })
    expect(rome.sentence.slice(rome.start, rome.end)).toBe("Rome")
  })

  it("answers a second run from the response cache: only the failed sentence is asked again", async () => {
    const before = server.requests.length
    const r = await runCli(args("ner", "--json"), { env: env() })
    expect(r.code).toBe(3)
    const report = JSON.parse(r.stdout)
    expect(report).toMatchObject({
      task: "ner",
      dataset: "conll04",
      extractor: "llm",
      model: "mock-model",
      sentences: 5,
      failed: 1,
      failedItems: ["4"],
      precision: 0.875,
      recall: 0.6364,
      f1: 0.7368,
      tp: 7,
      fp: 1,
      fn: 4
    })
    expect(report.byType.PER).toEqual({ precision: 1, recall: 0.6, f1: 0.75, tp: 3, fp: 0, fn: 2 })
    expect(report.llm).toMatchObject({ calls: 1, inputTokens: 0, outputTokens: 0, cacheHits: 4, costUsd: 0 })
    expect(server.requests.length - before).toBe(1)
  })

  it("eval relations offers the same types, so it shares the cache, and scores by CoNLL04 label", async () => {
    const r = await runCli(args("relations", "--json"), { env: env() })
    expect(r.code).toBe(3)
    const report = JSON.parse(r.stdout)
    expect(report).toMatchObject({ task: "relations", precision: 1, recall: 0.5, f1: 0.6667, tp: 1, fp: 0, fn: 1 })
    expect(report.byLabel.Work_For).toMatchObject({ tp: 1, fp: 0, fn: 0 })
    expect(report.byLabel.Live_In).toMatchObject({ tp: 0, fp: 0, fn: 1 })
    expect(report.llm).toMatchObject({ cacheHits: 4 })
    // the model was offered the eval types and predicates
    const schema = JSON.stringify(server.answered[0]!.body.text.format.schema)
    for (const name of ["Person", "Organization", "Location", "Other", "worksFor", "livesIn", "basedIn"]) {
      expect(schema).toContain(name)
    }
  })

  it("scores a LitBank directory: brat offsets (UTF-16) against grounded spans (code points), proper names only", async () => {
    const litbank = join(dir, "litbank")
    mkdirSync(litbank)
    const text = "Chapter 1 😀 Sir Walter Elliot , of Kellynch Hall , met Anne Elliot and the captain in Bath ."
    const ann = (n: number, type: string, name: string) =>
      `T${n}\t${type} ${text.indexOf(name)} ${text.indexOf(name) + name.length}\t${name}`
    writeFileSync(join(litbank, "1_book.txt"), text)
    writeFileSync(
      join(litbank, "1_book.ann"),
      [
        ann(1, "PER", "Sir Walter Elliot"),
        ann(2, "FAC", "Kellynch Hall"),
        ann(3, "PER", "Anne Elliot"),
        ann(4, "PER", "the captain"),
        ann(5, "GPE", "Bath"),
        ""
      ].join("\n")
    )
    const r = await runCli(
      ["eval", "ner", litbank, "--extractor", "llm", "--model", "mock-model", "-o", dir, "--json"],
      { env: env() }
    )
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout)
    // the four proper names, all found at their gold offsets; "the captain" is not a proper name
    expect(report).toMatchObject({ dataset: "litbank", documents: 1, failed: 0, tp: 4, fp: 0, fn: 0, f1: 1 })
    expect(report.byType.LOC).toMatchObject({ tp: 2, fp: 0, fn: 0 })
  })

  it("refuses eval relations on a LitBank directory, a file that is not CoNLL04 and a missing one", async () => {
    const litbank = await runCli(["eval", "relations", dir, "--extractor", "nlp"])
    expect(litbank.code).toBe(2)
    expect(litbank.stderr).toMatch(/^extract: .*eval relations takes a CoNLL04 file\n$/)
    const prose = join(dir, "prose.txt")
    writeFileSync(prose, "Not a CoNLL04 file.\nJust prose.\n")
    const notGold = await runCli(["eval", "ner", prose, "--extractor", "nlp"])
    expect(notGold.code).toBe(2)
    expect(notGold.stderr).toContain("no CoNLL04 sentences in this file")
    const missing = await runCli(["eval", "ner", join(dir, "nope.txt"), "--extractor", "nlp"])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toContain("no such file or directory")
  })
})

const DEV = join(SHARED, "data/conll04/dev.txt")

describe.skipIf(!existsSync(DEV))("extract eval ner --extractor nlp", () => {
  it("prints the figures of npm run eval:ner on the same sentences", async () => {
    const [cli, script] = await Promise.all([
      runCli(["eval", "ner", DEV, "--extractor", "nlp", "--limit", "60", "--json"]),
      promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/eval-ner.ts", DEV, "--limit", "60"], {
        cwd: ROOT
      })
    ])
    expect(cli.code).toBe(0)
    const ours = JSON.parse(cli.stdout)
    const theirs = JSON.parse(script.stdout.trim().split("\n").at(-1)!)
    expect(ours.sentences).toBe(60)
    expect(theirs.sentences).toBe(60)
    expect({ precision: ours.precision, recall: ours.recall, f1: ours.f1 }).toEqual(theirs.entities)
    expect(ours.byType).toEqual(theirs.byType)
    // a real score, not an empty one
    expect(ours.tp).toBeGreaterThan(50)
  }, 60_000)
})

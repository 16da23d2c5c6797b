/**
 * Scale benchmark of entity resolution.
 *
 *   npm run bench:resolution [-- --sizes 1000,10000,100000]
 *
 * Resolves one synthetic document per size (default 1k, 10k and 100k
 * mentions) and prints, per size, the resolve time (after one warm-up run,
 * the median over 7 runs up to 10k mentions and over 3 runs above: wall
 * clock around `Resolver.resolve`, and the process's CPU time, which is
 * steadier on a shared machine), the
 * peak resident memory of the process that ran it (each size runs in a
 * fresh child process, so peaks do not mix; `process.resourceUsage().maxRSS`)
 * and the wall and CPU time ratios to the previous size. The goal (issue 4): 100k
 * mentions in under 5 s, each 10× step at most ~12× the time. The last line
 * on stdout is one JSON object with the same figures.
 *
 * The synthetic document mimics a long text: about one entity per five
 * mentions; persons named in full, by surname, with a title, with initials
 * and with occasional typos; organisations with legal forms and acronyms;
 * places; dates. Names are built from syllables by a fixed-seed generator,
 * so every run resolves the same mentions and name collisions (shared
 * surnames, ambiguous short forms) occur as in real text.
 */
import * as Effect from "effect/Effect"
import { spawnSync } from "node:child_process"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { Mention } from "../src/Domain/Extraction.js"
import { Span } from "../src/Domain/Span.js"
import { Resolver } from "../src/Resolver.js"

/** Mulberry32: a small, fast, seeded PRNG (public domain, Tommy Ettinger). */
const prng = (seed: number) => () => {
  seed |= 0
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const SYLLABLES = [
  "ka",
  "lo",
  "mer",
  "an",
  "vi",
  "tor",
  "sel",
  "da",
  "ri",
  "bel",
  "no",
  "gan",
  "ste",
  "pha",
  "ul",
  "wen",
  "cor",
  "is",
  "mai",
  "tha",
  "bro",
  "ne",
  "quin",
  "zar",
  "el",
  "ho",
  "dun",
  "fi",
  "ras",
  "ley"
]
const ORG_WORDS = [
  "National",
  "Federal",
  "United",
  "Royal",
  "General",
  "International",
  "Northern",
  "Atlantic",
  "Pacific",
  "Central",
  "Union",
  "Bank",
  "Railway",
  "Electric",
  "Motors",
  "Society",
  "Institute",
  "Council",
  "Agency",
  "Trust",
  "Mining",
  "Shipping",
  "Press",
  "Academy",
  "Foundation",
  "Insurance",
  "Steel",
  "Airlines",
  "Chemical",
  "Textile"
]
const LEGAL = ["Inc.", "Ltd.", "GmbH", "Corporation", "plc"]
const TITLES_M = ["Mr.", "Sir", "Dr."]
const TITLES_F = ["Mrs.", "Miss", "Dr."]
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]

const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1)

/** The mentions of one synthetic document of `size` mentions (deterministic). */
export const syntheticMentions = (size: number): Array<Mention> => {
  const rand = prng(size)
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(rand() * xs.length)]!
  const word = (syllables: number) => capital(Array.from({ length: syllables }, () => pick(SYLLABLES)).join(""))
  const entityCount = Math.max(10, Math.round(size / 5))
  const givenNames = Array.from({ length: 300 }, () => word(2))
  type Entity = { kind: "person" | "org" | "place" | "date"; forms: Array<string> }
  const entities: Array<Entity> = []
  for (let i = 0; i < entityCount; i++) {
    const r = rand()
    if (r < 0.5) {
      const given = pick(givenNames)
      const surname = word(2 + Math.floor(rand() * 2))
      const female = rand() < 0.5
      const title = pick(female ? TITLES_F : TITLES_M)
      const typo = surname.slice(0, -1) + (surname.endsWith("a") ? "e" : "a")
      entities.push({
        kind: "person",
        forms: [
          `${given} ${surname}`,
          surname,
          `${title} ${surname}`,
          `${given[0]}. ${surname}`,
          given,
          `${given} ${typo}`
        ]
      })
    } else if (r < 0.75) {
      const words = [pick(ORG_WORDS), word(2), pick(ORG_WORDS)]
      const acronym = words.map((w) => w[0]).join("").toUpperCase()
      entities.push({
        kind: "org",
        forms: [`${words.join(" ")} ${pick(LEGAL)}`, words.join(" "), acronym, `the ${words.join(" ")}`]
      })
    } else if (r < 0.92) {
      const place = word(2 + Math.floor(rand() * 2))
      entities.push({ kind: "place", forms: [place, `${place} City`, place.toUpperCase()] })
    } else {
      const year = 1700 + Math.floor(rand() * 320)
      entities.push({ kind: "date", forms: [`${Math.ceil(rand() * 28)} ${pick(MONTHS)} ${year}`, String(year)] })
    }
  }
  const types = { person: "Person", org: "Organization", place: "Location", date: "Date" } as const
  const mentions: Array<Mention> = []
  let offset = 0
  // entities are introduced in order and then recur, most often their first (full) form
  for (let i = 0; i < size; i++) {
    const e = entities[i < entityCount ? i : Math.floor(Math.pow(rand(), 1.5) * entityCount)]!
    const form = i < entityCount || rand() < 0.35 ? e.forms[0]! : pick(e.forms)
    const chunk = Math.floor(i / 40)
    mentions.push(
      new Mention({
        id: `c${chunk}-m${i}`,
        type: types[e.kind],
        span: new Span({ start: offset, end: offset + form.length, text: form }, { disableValidation: true }),
        chunk,
        grounding: "exact",
        description: null
      }, { disableValidation: true })
    )
    offset += form.length + 17
  }
  return mentions
}

/** Resolves one synthetic document in this process; prints `{"size","ms","entities","maxRssMb"}` as a JSON line. */
const runOne = (size: number) =>
  Effect.gen(function*() {
    const mentions = syntheticMentions(size)
    const resolver = yield* Resolver
    // one warm-up run (JIT), then the median of several timed runs
    yield* resolver.resolve(mentions)
    const runs = size <= 10_000 ? 7 : 3
    const wall: Array<number> = []
    const cpu: Array<number> = []
    let entities = 0
    for (let i = 0; i < runs; i++) {
      const cpuStart = process.cpuUsage()
      const started = performance.now()
      const r = yield* resolver.resolve(mentions)
      wall.push(performance.now() - started)
      const used = process.cpuUsage(cpuStart)
      cpu.push((used.user + used.system) / 1000)
      entities = r.clusters.length
    }
    const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const ms = median(wall)
    const cpuMs = median(cpu)
    const maxRssMb = process.resourceUsage().maxRSS / 1024
    process.stdout.write(
      `${
        JSON.stringify({ size, ms: Math.round(ms), cpuMs: Math.round(cpuMs), entities, maxRssMb: Math.round(maxRssMb) })
      }\n`
    )
  }).pipe(Effect.provide(Resolver.Default))

const main = () => {
  const args = process.argv.slice(2)
  const one = args.indexOf("--one")
  if (one >= 0) return Effect.runPromise(runOne(Number(args[one + 1])))
  const sizesAt = args.indexOf("--sizes")
  const sizes = (sizesAt >= 0 ? args[sizesAt + 1]! : "1000,10000,100000").split(",").map(Number)
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    process.stderr.write("bench:resolution: --sizes takes positive integers separated by commas\n")
    process.exit(2)
  }
  const self = fileURLToPath(import.meta.url)
  const results: Array<
    {
      size: number
      ms: number
      cpuMs: number
      entities: number
      maxRssMb: number
      ratio: number | null
      cpuRatio: number | null
    }
  > = []
  process.stdout.write("mentions    entities   wall ms    CPU ms   peak RSS MB   wall ×prev   CPU ×prev\n")
  for (const size of sizes) {
    const child = spawnSync(process.execPath, [...process.execArgv, self, "--one", String(size)], { encoding: "utf8" })
    if (child.status !== 0) {
      process.stderr.write(
        `bench:resolution: the run for ${size} mentions failed: ${child.stderr.trim().split("\n")[0]}\n`
      )
      process.exit(1)
    }
    const r = JSON.parse(child.stdout.trim().split("\n").pop()!)
    const previous = results[results.length - 1]
    const times = (now: number, before: number) => Math.round((now / Math.max(1, before)) * 10) / 10
    const ratio = previous === undefined ? null : times(r.ms, previous.ms)
    const cpuRatio = previous === undefined ? null : times(r.cpuMs, previous.cpuMs)
    results.push({ ...r, ratio, cpuRatio })
    process.stdout.write(
      `${String(size).padStart(8)}  ${String(r.entities).padStart(10)}  ${String(r.ms).padStart(8)}  ${
        String(r.cpuMs).padStart(8)
      }  ${String(r.maxRssMb).padStart(12)}  ${ratio === null ? "" : `${ratio}×`.padStart(11)}  ${
        cpuRatio === null ? "" : `${cpuRatio}×`.padStart(10)
      }\n`
    )
  }
  process.stdout.write(`${JSON.stringify({ results })}\n`)
}

// run only as a script, so syntheticMentions can be imported
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main()

import { describe, expect, it } from "@effect/vitest"
import { Assignment, Cluster, Resolution } from "../src/Domain/Graph.js"
import { buildGraphs, slugify } from "../src/GraphBuilder.js"
import { mentionsIn, relation } from "./support/Fixtures.js"

const text = "Ada Lovelace worked with Charles Babbage. Ada Lovelace wrote notes. Paris, Texas and Paris, France."
const mentions = mentionsIn(text, [
  ["Ada Lovelace", "Person"],
  ["Charles Babbage", "Person"],
  ["Ada Lovelace", "Person"],
  ["Paris", "Location"],
  ["Paris", "Location"]
])
const resolution = new Resolution({
  clusters: [
    new Cluster({ label: "Ada Lovelace", type: "Person", mentions: ["c0-m1", "c0-m3"] }),
    new Cluster({ label: "Charles Babbage", type: "Person", mentions: ["c0-m2"] }),
    new Cluster({ label: "Paris", type: "Location", mentions: ["c0-m4"] }),
    new Cluster({ label: "Paris", type: "Location", mentions: ["c0-m5"] })
  ],
  assignments: [
    new Assignment({ mention: "c0-m1", cluster: 0, method: "exact", score: 1, reason: "r" }),
    new Assignment({ mention: "c0-m3", cluster: 0, method: "exact", score: 1, reason: "r" }),
    new Assignment({ mention: "c0-m2", cluster: 1, method: "singleton", score: 1, reason: "r" }),
    new Assignment({ mention: "c0-m4", cluster: 2, method: "singleton", score: 1, reason: "r" }),
    new Assignment({ mention: "c0-m5", cluster: 3, method: "singleton", score: 1, reason: "r" })
  ]
})

describe("buildGraphs", () => {
  const relations = [
    relation(mentions[0]!, "worksWith", mentions[1]!),
    relation(mentions[2]!, "worksWith", mentions[1]!), // same triple after resolution, other evidence
    relation(mentions[0]!, "sameAs", mentions[2]!) // self-loop after resolution
  ]
  const { graph, resolution: rg } = buildGraphs({
    runId: "doc-000000000000",
    documentSha256: "f".repeat(64),
    documentLength: Array.from(text).length,
    mentions,
    relations,
    resolution
  })

  it("mints readable ids and disambiguates colliding slugs with a hash", () => {
    const ids = graph.entities.map((e) => e.id)
    expect(ids).toContain("ada-lovelace")
    expect(ids).toContain("charles-babbage")
    const paris = ids.filter((id) => id.startsWith("paris-"))
    expect(paris).toHaveLength(2)
    expect(paris[0]).not.toBe(paris[1])
    expect(paris.every((id) => /^paris-[0-9a-f]{8}$/.test(id))).toBe(true)
  })

  it("merges relations with the same triple and drops self-loops", () => {
    expect(graph.relations).toHaveLength(1)
    expect(graph.relations[0]).toMatchObject({
      subject: "ada-lovelace",
      predicate: "worksWith",
      object: "charles-babbage"
    })
    expect(graph.relations[0]!.evidence).toHaveLength(2)
  })

  it("keeps every mention under its entity and records aliases", () => {
    const ada = graph.entities.find((e) => e.id === "ada-lovelace")!
    expect(ada.mentions.map((m) => m.id)).toEqual(["c0-m1", "c0-m3"])
    expect(ada.aliases).toEqual([])
    expect(rg.edges).toHaveLength(5)
    expect(rg.edges.find((e) => e.mention === "c0-m3")!.entity).toBe("ada-lovelace")
    // edges follow the document order of their mentions
    expect(rg.edges.map((e) => e.mention)).toEqual(["c0-m1", "c0-m2", "c0-m3", "c0-m4", "c0-m5"])
  })

  it("is deterministic", () => {
    const again = buildGraphs({
      runId: "doc-000000000000",
      documentSha256: "f".repeat(64),
      documentLength: 1,
      mentions,
      relations,
      resolution
    })
    expect(JSON.stringify(again.graph.entities)).toBe(JSON.stringify(graph.entities))
  })
})

describe("slugify", () => {
  it("folds Latin diacritics and joins lower-case words with -", () => {
    expect(slugify("Émile Zola & Co.")).toBe("emile-zola-co")
    expect(slugify("İstanbul")).toBe("istanbul")
    expect(slugify("Москва́")).toBe("москва")
  })

  it("keeps the words of other scripts, so ids stay readable", () => {
    expect(slugify("東京")).toBe("東京")
    expect(slugify("한국어 문장")).toBe("한국어-문장")
    expect(slugify("हिन्दी भाषा")).toBe("हिन्दी-भाषा")
  })

  it("is empty for names without letters or digits, and cuts at 60 code points without splitting a pair", () => {
    expect(slugify("   ")).toBe("")
    expect(slugify("\u200b")).toBe("")
    expect(slugify("😀 !!")).toBe("")
    const long = slugify("𠀀".repeat(100))
    expect(Array.from(long)).toHaveLength(60)
    expect(long).toBe("𠀀".repeat(60))
    expect(slugify("bad\ud800name")).toBe("bad-name")
  })
})

describe("buildGraphs on names from a model", () => {
  it("replaces lone surrogates in labels, types, predicates and descriptions with U+FFFD", () => {
    const text = "Ada met Bob."
    const [ada, bob] = mentionsIn(text, [["Ada", "Per\ud800son"], ["Bob", "Person"]])
    const { graph, resolution: rg } = buildGraphs({
      runId: "doc-000000000000",
      documentSha256: "f".repeat(64),
      documentLength: text.length,
      mentions: [ada!, bob!],
      relations: [relation(ada!, "me\udc00t", bob!)],
      resolution: new Resolution({
        clusters: [
          new Cluster({ label: "A\ud800da", type: "Per\ud800son", mentions: ["c0-m1"] }),
          new Cluster({ label: "Bob", type: "Person", mentions: ["c0-m2"] })
        ],
        assignments: [
          new Assignment({ mention: "c0-m1", cluster: 0, method: "singleton", score: 1, reason: "r" }),
          new Assignment({ mention: "c0-m2", cluster: 1, method: "singleton", score: 1, reason: "r" })
        ]
      })
    })
    expect(graph.entities[0]).toMatchObject({ label: "A\ufffdda", type: "Per\ufffdson", aliases: ["Ada"] })
    expect(graph.relations[0]!.predicate).toBe("me\ufffdt")
    expect(rg.mentions[0]!.type).toBe("Per\ufffdson")
  })
})

describe("buildGraphs evidence links", () => {
  it("copies each assignment's via link onto its resolution edge", () => {
    const ms = mentionsIn("Grace Hopper and Hopper.", [["Grace Hopper", "Person"], ["Hopper", "Person"]])
    const { resolution: rg } = buildGraphs({
      runId: "doc-000000000000",
      documentSha256: "f".repeat(64),
      documentLength: 24,
      mentions: ms,
      relations: [],
      resolution: new Resolution({
        clusters: [new Cluster({ label: "Grace Hopper", type: "Person", mentions: ["c0-m1", "c0-m2"] })],
        assignments: [
          new Assignment({ mention: "c0-m1", cluster: 0, method: "exact", score: 1, reason: "label" }),
          new Assignment({
            mention: "c0-m2",
            cluster: 0,
            method: "short-form",
            score: 0.9,
            reason: "surname",
            via: "c0-m1"
          })
        ]
      })
    })
    expect(rg.edges.map((e) => [e.mention, e.method, e.via])).toEqual([
      ["c0-m1", "exact", undefined],
      ["c0-m2", "short-form", "c0-m1"]
    ])
    expect("via" in rg.edges[0]!).toBe(false)
  })
})

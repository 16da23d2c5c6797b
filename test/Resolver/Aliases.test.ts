import { describe, expect, it } from "@effect/vitest"
import { buildGraphs } from "../../src/GraphBuilder.js"
import { resolveMentions } from "../../src/Resolver.js"
import { aliasTargets, locationKey, sharedPlace } from "../../src/Resolver/Aliases.js"
import { mentionsIn } from "../support/Fixtures.js"

const groups = (texts: ReadonlyArray<string>, clusters: ReadonlyArray<{ readonly mentions: ReadonlyArray<string> }>) =>
  clusters.map((c) => c.mentions.map((id) => texts[Number(id.split("-m")[1]) - 1]))

describe("alias packages", () => {
  it("give one place for a country's names, keyed like the resolver's location key", () => {
    expect(locationKey("The Gambia")).toBe("gambia")
    expect(locationKey("Côte d'Ivoire")).toBe("cote divoire")
    // world-countries lists Burma for Myanmar and native names; i18n-iso-countries the Ivory Coast for Côte d'Ivoire
    expect(aliasTargets("burma").map((t) => t.id)).toEqual(["country:MM"])
    expect(aliasTargets(locationKey("Ivory Coast")).map((t) => t.id)).toEqual(["country:CI"])
    expect(aliasTargets(locationKey("Deutschland")).map((t) => t.id)).toContain("country:DE")
    // US states with their postal codes, from country-region-data
    expect(aliasTargets("ca")).toEqual([{ id: "region:US-CA", sources: ["country-region-data"] }])
    // Georgia is a country and a US state
    expect(aliasTargets("georgia").map((t) => t.id).sort()).toEqual(["country:GE", "region:US-GA"])
    expect(aliasTargets("atlantis")).toEqual([])
  })

  it("take former names from countries-list's aliases and leave out the corrections", () => {
    // countries-list: Siam for Thailand, Ceylon for Sri Lanka, Upper Volta for Burkina Faso
    expect(aliasTargets("siam")).toEqual([{ id: "country:TH", sources: ["countries-list"] }])
    expect(aliasTargets(locationKey("Upper Volta")).map((t) => t.id)).toEqual(["country:BF"])
    expect(sharedPlace(aliasTargets("siam"), aliasTargets("thailand"))).toEqual({
      id: "country:TH",
      source: "countries-list"
    })
    // its codes are codes, not names ("UAE", "DRC")
    expect(aliasTargets("drc")).toEqual([])
    // CORRECTIONS: world-countries splits "Prathet Thai" into altSpellings; alone they are a demonym and a noun
    expect(aliasTargets("thai")).toEqual([])
    expect(aliasTargets("prathet")).toEqual([])
    expect(aliasTargets(locationKey("Ratcha Anachak Thai")).map((t) => t.id)).toEqual(["country:TH"])
  })

  it("join two names only when each names exactly one place and it is the same", () => {
    // the evidence names the package that lists both names
    expect(sharedPlace(aliasTargets("burma"), aliasTargets("myanmar"))).toEqual({
      id: "country:MM",
      source: "world-countries"
    })
    expect(sharedPlace(aliasTargets("georgia"), aliasTargets("ga"))).toBeNull()
    expect(sharedPlace(aliasTargets("burma"), aliasTargets("thailand"))).toBeNull()
  })
})

describe("Resolver with alias knowledge", () => {
  it("merges a country's alias and names the package in the evidence and in entity-resolution-graph.json", () => {
    const text = "Myanmar, once a colony, borders Thailand. Burma was renamed in 1989. California and CA."
    const names = ["Myanmar", "Thailand", "Burma", "California", "CA"]
    const mentions = mentionsIn(text, names.map((n) => [n, "Location"] as const))
    const r = resolveMentions(mentions)
    expect(groups(names, r.clusters)).toEqual([["Myanmar", "Burma"], ["Thailand"], ["California", "CA"]])
    const burma = r.assignments.find((a) => a.mention === "c0-m3")!
    expect(burma).toMatchObject({ method: "alias", via: "c0-m1", source: "world-countries" })
    expect(burma.reason).toContain("country:MM")
    expect(r.assignments.find((a) => a.mention === "c0-m5")).toMatchObject({
      method: "alias",
      source: "country-region-data"
    })
    // the label's own assignment carries no source
    expect(r.assignments.find((a) => a.mention === "c0-m1")!.source).toBeUndefined()

    const graphs = buildGraphs({
      runId: "doc-000000000000",
      documentSha256: "0".repeat(64),
      documentLength: text.length,
      mentions,
      relations: [],
      resolution: r
    })
    const edge = graphs.resolution.edges.find((e) => e.mention === "c0-m3")!
    expect(edge).toMatchObject({ method: "alias", source: "world-countries", via: "c0-m1" })
  })

  it("applies only to places: a person called Burma stays apart, and nothing joins with the rule off", () => {
    const text = "Burma Shave and Burma. Myanmar."
    const mentions = mentionsIn(text, [["Burma", "Person"], ["Burma", "Location"], ["Myanmar", "Location"]])
    const r = resolveMentions(mentions)
    expect(groups(["Burma", "Burma", "Myanmar"], r.clusters)).toEqual([["Burma"], ["Burma", "Myanmar"]])
    const off = resolveMentions(mentions, { disable: new Set(["alias"]) })
    expect(off.clusters).toHaveLength(3)
  })
})

import { describe, expect, it } from "@effect/vitest"
import type { GraphChange, GraphRecord } from "../../src/Domain/ContextGraph.js"
import { planRun, type RunContribution } from "../../src/Graph/CrossResolver.js"
import { GraphState } from "../../src/Graph/GraphState.js"
import { contribution } from "./Fixtures.js"

/** Adds runs to a state the way the store does (run.added + plan + commit), returning the plans' changes. */
const addAll = (runs: ReadonlyArray<RunContribution>) => {
  const state = new GraphState()
  const plans: Array<Array<GraphChange>> = []
  for (const run of runs) {
    const { changes } = planRun(state, run)
    plans.push(changes)
    const all: Array<GraphChange> = [
      { _tag: "run.added", runId: run.runId, document: run.document, digest: run.digest, replaces: false },
      ...changes
    ]
    const first = state.seq + 1
    all.forEach((c, i) => state.feed({ ...c, seq: first + i, at: "2026-01-01T00:00:00.000Z" } as GraphRecord))
    state.feed({ _tag: "commit", first, count: all.length, seq: first + all.length, at: "2026-01-01T00:00:00.000Z" })
  }
  return { state, plans }
}
const entityOf = (state: GraphState, run: RunContribution, local: string) =>
  state.contributions.get(`${run.runId}/${local}`)!.entity

describe("cross-document resolution", () => {
  it("merges the same full name across documents, with evidence", () => {
    const a = contribution("a", [{ id: "lincoln", label: "Abraham Lincoln", type: "Person", aliases: ["Lincoln"] }])
    const b = contribution("b", [{ id: "al", label: "Abraham Lincoln", type: "Person" }])
    const { plans, state } = addAll([a, b])
    expect(entityOf(state, a, "lincoln")).toBe(entityOf(state, b, "al"))
    const attached = plans[1]!.find((c) => c._tag === "mentions.attached")!
    expect(attached._tag === "mentions.attached" && attached.evidence?.rule).toBe("same-name")
    expect(state.entities.size).toBe(1)
  })

  it("never merges a lone surname or a lone given name across documents", () => {
    const a = contribution("a", [{ id: "al", label: "Abraham Lincoln", type: "Person", aliases: ["Lincoln"] }])
    const b = contribution("b", [{ id: "l", label: "Lincoln", type: "Person" }])
    const c = contribution("c", [{ id: "l", label: "Lincoln", type: "Person" }])
    const d = contribution("d", [{ id: "ab", label: "Abraham", type: "Person" }])
    const { state } = addAll([a, b, c, d])
    expect(new Set([a, b, c, d].map((r, i) => entityOf(state, r, ["al", "l", "l", "ab"][i]!))).size).toBe(4)
  })

  it("merges an alias and an acronym a document defines, not an undefined acronym", () => {
    const a = contribution("a", [{
      id: "ibm",
      label: "International Business Machines",
      type: "Organization",
      aliases: ["IBM"]
    }])
    const b = contribution("b", [{ id: "ibm", label: "IBM", type: "Organization" }])
    const c = contribution("c", [{ id: "nato", label: "North Atlantic Treaty Organization", type: "Organization" }])
    const d = contribution("d", [{ id: "nato", label: "NATO", type: "Organization" }])
    const { plans, state } = addAll([a, b, c, d])
    expect(entityOf(state, a, "ibm")).toBe(entityOf(state, b, "ibm"))
    const attached = plans[1]!.find((x) => x._tag === "mentions.attached")!
    expect(attached._tag === "mentions.attached" && attached.evidence?.rule).toBe("acronym")
    expect(entityOf(state, c, "nato")).not.toBe(entityOf(state, d, "nato"))
  })

  it("keeps type classes, genders and generations apart", () => {
    const a = contribution("a", [{ id: "w", label: "Washington", type: "Location" }])
    const b = contribution("b", [{ id: "w", label: "Washington", type: "Person" }])
    const c = contribution("c", [{ id: "j", label: "John Smith Jr.", type: "Person" }])
    const d = contribution("d", [{ id: "j", label: "John Smith Sr.", type: "Person" }])
    const e = contribution("e", [{ id: "m", label: "Mr. Pat Jones", type: "Person" }])
    const f = contribution("f", [{ id: "m", label: "Mrs. Pat Jones", type: "Person" }])
    const { state } = addAll([a, b, c, d, e, f])
    expect(entityOf(state, a, "w")).not.toBe(entityOf(state, b, "w"))
    expect(entityOf(state, c, "j")).not.toBe(entityOf(state, d, "j"))
    expect(entityOf(state, e, "m")).not.toBe(entityOf(state, f, "m"))
  })

  it("does not merge through a name two context entities share, nor two entities one document keeps apart", () => {
    // one document has two different "Bank of Ireland"s (e.g. typed apart by generation-free names): the key is ambiguous
    const a = contribution("a", [
      { id: "x", label: "Acme", type: "Organization" },
      { id: "y", label: "Acme Holdings", type: "Organization", aliases: [] }
    ])
    const b = contribution("b", [{ id: "z", label: "Acme Holdings", type: "Organization", aliases: ["Acme"] }])
    const { state } = addAll([a, b])
    // b's entity names both of a's entities; a keeps them apart, so they stay two entities
    expect(entityOf(state, a, "x")).not.toBe(entityOf(state, a, "y"))
    expect(state.entities.size).toBe(2)
  })

  it("joins two context entities when a new document shows they are one (entities.merged)", () => {
    const a = contribution("a", [{ id: "u", label: "United Nations", type: "Organization" }])
    const b = contribution("b", [{ id: "u", label: "UN", type: "Organization", mentions: 1 }])
    const c = contribution("c", [{ id: "u", label: "United Nations", type: "Organization", aliases: ["UN"] }])
    const { plans, state } = addAll([a, b, c])
    expect(plans[2]!.some((x) => x._tag === "entities.merged")).toBe(true)
    expect(entityOf(state, a, "u")).toBe(entityOf(state, b, "u"))
    expect(state.entities.size).toBe(1)
  })

  it("applies the Resolver's name-variant rule across documents, only when one entity could be meant", () => {
    const a = contribution("a", [{ id: "h", label: "Henrik August Angell", type: "Person" }])
    const b = contribution("b", [{ id: "h", label: "Henrik Angell", type: "Person" }])
    const c = contribution("c", [{ id: "g", label: "George H. W. Bush", type: "Person" }])
    const d = contribution("d", [{ id: "g", label: "George W. Bush", type: "Person" }])
    const e = contribution("e", [{ id: "g", label: "George Bush", type: "Person" }])
    const { plans, state } = addAll([a, b, c, d, e])
    expect(entityOf(state, a, "h")).toBe(entityOf(state, b, "h"))
    const attached = plans[1]!.find((x) => x._tag === "mentions.attached")!
    expect(attached._tag === "mentions.attached" && attached.evidence?.rule).toBe("name-variant")
    // "George Bush" could be either president: it stays apart from both, which stay apart from each other
    const bushes = new Set([c, d, e].map((r) => entityOf(state, r, "g")))
    expect(bushes.size).toBe(3)
  })
})

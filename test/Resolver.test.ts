import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { normalizeName, Resolver } from "../src/Resolver.js"
import { mentionsIn } from "./support/Fixtures.js"

layer(Resolver.Default)("Resolver (first version)", (it) => {
  it.effect("merges the same normalised name within one type, and nothing across types", () =>
    Effect.gen(function*() {
      const text = "Ada Lovelace met ADA LOVELACE. Austin lived in Austin. Lovelace's notes."
      const mentions = mentionsIn(text, [
        ["Ada Lovelace", "Person"],
        ["ADA LOVELACE", "Person"],
        ["Austin", "Person"],
        ["Austin", "Location"],
        ["Lovelace", "Person"]
      ])
      const r = yield* Resolver.resolve(mentions)
      const clusterOf = new Map(r.assignments.map((a) => [a.mention, a.cluster]))
      expect(clusterOf.get("c0-m1")).toBe(clusterOf.get("c0-m2"))
      expect(clusterOf.get("c0-m3")).not.toBe(clusterOf.get("c0-m4"))
      expect(clusterOf.get("c0-m5")).not.toBe(clusterOf.get("c0-m1"))
      expect(r.clusters).toHaveLength(4)
      expect(r.assignments).toHaveLength(5)
      expect(r.assignments.find((a) => a.mention === "c0-m2")!.method).toBe("exact")
    }))
})

layer(Resolver.Default)("normalizeName", (it) => {
  it.effect("folds case, diacritics, punctuation and possessives", () =>
    Effect.sync(() => {
      expect(normalizeName("  Émile  Zola's ")).toBe("emile zola")
      expect(normalizeName("“IBM”")).toBe("ibm")
      expect(normalizeName("Ｆｕｌｌwidth")).toBe("fullwidth")
    }))
})

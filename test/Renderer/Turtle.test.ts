import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Parser } from "n3"
import { renderTurtle } from "../../src/Renderer/Turtle.js"
import { awkwardGraph } from "../support/Fixtures.js"

describe("renderTurtle", () => {
  it.effect("writes Turtle that n3 parses back to labels, aliases and relations", () =>
    Effect.gen(function*() {
      const ttl = yield* renderTurtle(awkwardGraph)
      const quads = new Parser().parse(ttl)
      const labels = quads.filter((q) => q.predicate.value.endsWith("#label")).map((q) => q.object.value)
      expect(labels).toContain("O'Brien \"the <elder>\" \\ #1;")
      expect(labels).toContain("東京 😀")
      const alt = quads.filter((q) => q.predicate.value.endsWith("altLabel")).map((q) => q.object.value)
      expect(alt).toEqual(expect.arrayContaining(["O’Brien", "line\nbreak"]))
      const lives = quads.find((q) => q.predicate.value.endsWith("/livesIn"))!
      expect(lives.subject.value).toMatch(/\/doc-0123456789ab\/entity\/o-brien$/)
      expect(lives.object.value).toMatch(/\/entity\/tokyo$/)
      expect(quads.some((q) => q.predicate.value.endsWith("/has%20space"))).toBe(true)
      expect(quads.some((q) => q.object.value.endsWith("/Other%20Type%2FWith%20Slash"))).toBe(true)
    }))
})

import { describe, expect, it } from "@effect/vitest"
import { ChunkExtraction } from "../src/Domain/Extraction.js"
import { mergeExtractions } from "../src/MergeExtractions.js"
import { mentionsIn, relation } from "./support/Fixtures.js"

describe("mergeExtractions", () => {
  it("drops the copies that chunk overlap creates and re-points relations to the survivors", () => {
    const text = "Ada Lovelace met Charles Babbage in London."
    const [a0, b0] = mentionsIn(text, [["Ada Lovelace", "Person"], ["Charles Babbage", "Person"]], 0)
    const [b1, l1] = mentionsIn(text, [["Charles Babbage", "Person"], ["London", "Location"]], 1)
    const merged = mergeExtractions([
      new ChunkExtraction({
        chunk: 1,
        extractor: "nlp",
        mentions: [b1!, l1!],
        relations: [relation(b1!, "visited", l1!)],
        ungrounded: 2
      }),
      new ChunkExtraction({
        chunk: 0,
        extractor: "nlp",
        mentions: [a0!, b0!],
        relations: [relation(a0!, "met", b0!)],
        ungrounded: 1
      })
    ])
    expect(merged.mentions.map((m) => m.id)).toEqual(["c0-m1", "c0-m2", "c1-m2"])
    expect(merged.duplicateMentions).toBe(1)
    expect(merged.ungrounded).toBe(3)
    const visited = merged.relations.find((r) => r.predicate === "visited")!
    expect(visited.subject).toBe("c0-m2")
  })
})

import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { chunkId, nameKeys, normalizeName } from "../../src/Sql/RunRows.js"

const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex")

describe("chunkId", () => {
  it("is the documented formula over doc id, code-point offsets and the chunk text's hash", () => {
    const doc = sha("Zoë met 𝒜da.\n")
    const text = "met 𝒜da."
    const expected = "ch-" + sha(`${doc}:4:12:${sha(text)}`).slice(0, 32)
    expect(chunkId(doc, 4, 12, sha(text))).toBe(expected)
    expect(chunkId(doc, 4, 12, sha(text))).toMatch(/^ch-[0-9a-f]{32}$/)
    expect(chunkId(doc, 4, 13, sha(text))).not.toBe(expected)
    expect(chunkId(sha("other"), 4, 12, sha(text))).not.toBe(expected)
  })
})

describe("names for search", () => {
  it("ignore case, diacritics and punctuation", () => {
    expect(normalizeName("Zoë  O'Brien")).toBe("zoe o brien")
    expect(normalizeName("KRAKÓW")).toBe("krakow")
    expect(normalizeName("Ångström-Łukasz")).toBe("angstrom łukasz")
  })
  it("are keyed by every word-suffix of the label and aliases, without repeats", () => {
    expect(nameKeys("Abraham Lincoln", ["Lincoln", "Honest Abe"]).sort()).toEqual(
      ["abe", "abraham lincoln", "honest abe", "lincoln"]
    )
  })
})

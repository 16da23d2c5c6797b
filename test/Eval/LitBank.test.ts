import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { isProperName, parseAnn, readLitBank } from "../../src/Eval/LitBank.js"

describe("isProperName", () => {
  it("keeps capitalised names with connectors, drops common nouns, determiners and lone titles", () => {
    expect(["Sir Walter Elliot", "Kellynch Hall", "Duke of Omnium", "Mr. Darcy"].map(isProperName)).toEqual([
      true,
      true,
      true,
      true
    ])
    expect(["the wrathful skipper", "The Captain", "Mr.", "Madame", "his sister"].map(isProperName)).toEqual([
      false,
      false,
      false,
      false,
      false
    ])
  })
})

describe("readLitBank", () => {
  it("reads NAME.txt with NAME.ann, keeping proper names of scored types, places as LOC", () => {
    const dir = mkdtempSync(join(tmpdir(), "litbank-"))
    const text = "Sir Walter Elliot , of Kellynch Hall , in Somersetshire , met the captain on the Ark ."
    const span = (s: string) => `${text.indexOf(s)} ${text.indexOf(s) + s.length}\t${s}`
    writeFileSync(join(dir, "1_book.txt"), text)
    writeFileSync(
      join(dir, "1_book.ann"),
      [
        `T1\tPER ${span("Sir Walter Elliot")}`,
        `T2\tFAC ${span("Kellynch Hall")}`,
        `T3\tGPE ${span("Somersetshire")}`,
        `T4\tPER ${span("the captain")}`,
        `T5\tVEH ${span("Ark")}`,
        ""
      ].join("\n")
    )
    writeFileSync(join(dir, "2_orphan.txt"), "No annotations here .")
    const docs = readLitBank(dir)
    expect(docs.map((d) => d.id)).toEqual(["1_book.txt"])
    expect(docs[0]!.entities.map((e) => [e.type, text.slice(e.start, e.end)])).toEqual([
      ["PER", "Sir Walter Elliot"],
      ["LOC", "Kellynch Hall"],
      ["LOC", "Somersetshire"]
    ])
    expect(parseAnn("R1\tnot an entity\n")).toEqual([])
  })
})

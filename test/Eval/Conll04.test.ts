import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { readConll04 } from "../../src/Eval/Conll04.js"

const SAMPLE = [
  "#doc 7",
  "0\t` \tO\t['N']\t[0]".replace(" \t", "\t"),
  "1\t`\tO\t['N']\t[1]",
  "2\tHe\tO\t['N']\t[2]",
  "3\tca\tO\t['N']\t[3]",
  "4\tn't\tO\t['N']\t[4]",
  "5\tstay\tO\t['N']\t[5]",
  "6\t,\tO\t['N']\t[6]",
  "7\t'\tO\t['N']\t[7]",
  "8\t'\tO\t['N']\t[8]",
  "9\tsaid\tO\t['N']\t[9]",
  "10\tJohn\tB-Peop\t['N']\t[10]",
  "11\tO\tI-Peop\t['N']\t[11]",
  "12\t'Brien\tI-Peop\t['Live_In']\t[15]",
  "13\tof\tO\t['N']\t[13]",
  "14\tBoston\tB-Loc\t['N']\t[14]",
  "15\tMass.\tI-Loc\t['N']\t[15]",
  "16\t(\tO\t['N']\t[16]",
  "17\tAP\tB-Org\t['OrgBased_In', 'N']\t[15, 17]",
  "18\t)\tO\t['N']\t[18]",
  "#doc 8",
  "0\tOK\tO\t['N']\t[0]",
  ""
].join("\n")

describe("readConll04", () => {
  const dir = mkdtempSync(join(tmpdir(), "conll04-"))
  const path = join(dir, "sample.txt")
  writeFileSync(path, SAMPLE)

  it("rebuilds running text and keeps exact token offsets", () => {
    const [s, t] = readConll04(path)
    expect(s!.id).toBe("7")
    expect(s!.text).toBe("\"He can't stay,\" said John O'Brien of Boston Mass. (AP)")
    for (const tok of s!.tokens) {
      if (tok.end > tok.start && tok.value !== "`" && tok.value !== "'") {
        expect(s!.text.slice(tok.start, tok.end)).toBe(tok.value)
      }
    }
    expect(s!.entities.map((e) => [e.type, s!.text.slice(e.start, e.end)])).toEqual([
      ["PER", "John O'Brien"],
      ["LOC", "Boston Mass."],
      ["ORG", "AP"]
    ])
    expect(t!.text).toBe("OK")
  })

  it("reads relations from the last token of the subject to the head token of the object", () => {
    const [s] = readConll04(path)
    expect(
      s!.relations.map((r) =>
        `${r.label} ${s!.text.slice(r.subject.start, r.subject.end)} > ${s!.text.slice(r.object.start, r.object.end)}`
      )
    )
      .toEqual(["Live_In John O'Brien > Boston Mass.", "OrgBased_In AP > Boston Mass."])
  })

  it("can join tokens with single spaces as the original corpus does", () => {
    const [s] = readConll04(path, "spaced")
    expect(s!.text).toBe("` ` He ca n't stay , ' ' said John O 'Brien of Boston Mass. ( AP )")
    expect(s!.entities.map((e) => s!.text.slice(e.start, e.end))).toEqual(["John O 'Brien", "Boston Mass.", "AP"])
  })
})

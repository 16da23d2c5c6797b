import { describe, expect, it } from "@effect/vitest"
import { conllLabel, labelTallies, scoreRelations } from "../../src/Eval/Relations.js"

const text = "Ann Lee of Acme, based in Paris, killed Bob Ray."
const at = (s: string) => ({ start: text.indexOf(s), end: text.indexOf(s) + s.length })
const entities = [
  { id: "a", type: "Person", ...at("Ann Lee") },
  { id: "b", type: "Organization", ...at("Acme") },
  { id: "c", type: "Location", ...at("Paris") },
  { id: "d", type: "Person", ...at("Bob Ray") },
  { id: "e", type: "Date", ...at("based") }
]

describe("conllLabel", () => {
  it("maps predicates with the argument types onto CoNLL04's labels", () => {
    expect(conllLabel("worksFor", "PER", "ORG")).toBe("Work_For")
    expect(conllLabel("memberOf", "PER", "ORG")).toBe("Work_For")
    expect(conllLabel("killed", "PER", "PER")).toBe("Kill")
    expect(conllLabel("bornIn", "PER", "LOC")).toBe("Live_In")
    expect(conllLabel("basedIn", "ORG", "LOC")).toBe("OrgBased_In")
    expect(conllLabel("locatedIn", "LOC", "LOC")).toBe("Located_In")
    expect(conllLabel("worksFor", "ORG", "ORG")).toBeUndefined()
    expect(conllLabel("spouse", "PER", "PER")).toBeUndefined()
  })
})

describe("scoreRelations", () => {
  it("needs the label and both trimmed argument spans; unmappable predictions are ignored", () => {
    const byLabel = labelTallies()
    const misses = scoreRelations(
      {
        id: "1",
        text,
        entities: [],
        relations: [
          { label: "Work_For", subject: at("Ann Lee"), object: at("Acme,") }, // "," trimmed: matches b
          { label: "OrgBased_In", subject: at("Acme"), object: at("Paris") },
          { label: "Kill", subject: at("Ann Lee"), object: at("Bob Ray") }
        ]
      },
      entities,
      [
        { subject: "a", predicate: "worksFor", object: "b" }, // tp Work_For
        { subject: "b", predicate: "locatedIn", object: "c" }, // ORG→LOC locatedIn = OrgBased_In: tp
        { subject: "d", predicate: "killed", object: "a" }, // reversed: fp Kill, and the gold Kill is fn
        { subject: "a", predicate: "spouse", object: "d" }, // no label: ignored
        { subject: "e", predicate: "livesIn", object: "c" } // unscored subject type: ignored
      ],
      byLabel
    )
    expect(byLabel).toEqual({
      Work_For: { tp: 1, fp: 0, fn: 0 },
      Kill: { tp: 0, fp: 1, fn: 1 },
      OrgBased_In: { tp: 1, fp: 0, fn: 0 },
      Live_In: { tp: 0, fp: 0, fn: 0 },
      Located_In: { tp: 0, fp: 0, fn: 0 }
    })
    expect(misses.map((m) => `${m.kind} ${m.label} ${text.slice(...m.subject)} > ${text.slice(...m.object)}`)).toEqual([
      "fn Kill Ann Lee > Bob Ray",
      "fp Kill Bob Ray > Ann Lee"
    ])
  })
})

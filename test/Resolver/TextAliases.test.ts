import { describe, expect, it } from "@effect/vitest"
import { CodePointIndex } from "../../src/Domain/Span.js"
import { resolveMentions } from "../../src/Resolver.js"
import { abbreviates, scriptOf, textAliases } from "../../src/Resolver/TextAliases.js"
import { mentionsIn } from "../support/Fixtures.js"

const clustersOf = (names: ReadonlyArray<string>, r: ReturnType<typeof resolveMentions>) =>
  r.clusters.map((c) => c.mentions.map((id) => names[Number(id.split("-m")[1]) - 1]))

describe("abbreviates (Schwartz & Hearst 2003)", () => {
  it("finds the short form's letters in order, the first at a word start", () => {
    expect(abbreviates("KANU", "Kenya African National Union")).toBe(true)
    expect(abbreviates("MLSTP", "Movement for the Liberation of São Tomé and Príncipe")).toBe(true)
    expect(abbreviates("HMM", "hidden Markov model")).toBe(true)
    expect(abbreviates("RGE", "Malabo")).toBe(false)
    // the first letter must start a word: "x" inside "Ox" does not
    expect(abbreviates("XR", "Oxford Road")).toBe(false)
  })
})

describe("textAliases", () => {
  const find = (text: string, names: ReadonlyArray<string>) => {
    const mentions = mentionsIn(text, names.map((n) => [n, "Organization"] as const))
    return textAliases(new CodePointIndex(text), mentions, () => true).map((a) => [
      names[a.first],
      names[a.second],
      a.rule
    ])
  }

  it("reads the defining phrases, also in tokenised text", () => {
    expect(find("the Kenya African National Union (KANU) won", ["Kenya African National Union", "KANU"])).toEqual([[
      "Kenya African National Union",
      "KANU",
      "text-acronym"
    ]])
    expect(find("Sanaa , also known as Sana'a , is", ["Sanaa", "Sana'a"])).toEqual([["Sanaa", "Sana'a", "text-aka"]])
    expect(find("Sri Lanka, formerly Ceylon, is", ["Sri Lanka", "Ceylon"])).toEqual([[
      "Sri Lanka",
      "Ceylon",
      "text-formerly"
    ]])
    expect(find("Kristiania (now Oslo) was", ["Kristiania", "Oslo"])).toEqual([["Kristiania", "Oslo", "text-now"]])
    expect(find("Myanmar (Burma) is", ["Myanmar", "Burma"])).toEqual([["Myanmar", "Burma", "text-parenthesis"]])
    expect(find("Vysotsky, Vladimir Semyonovich, was", ["Vysotsky", "Vladimir Semyonovich"])).toEqual([[
      "Vysotsky",
      "Vladimir Semyonovich",
      "text-apposition"
    ]])
  })

  it("reads a name in another script in parentheses, with or without a language label", () => {
    const find2 = (text: string, names: ReadonlyArray<readonly [string, string]>) =>
      textAliases(new CodePointIndex(text), mentionsIn(text, names), () => true).map((a) => [
        names[a.first]![0],
        names[a.second]![0],
        a.rule
      ])
    expect(find2("Osaka Bay ( 大阪湾 , Ōsaka - wan ) is", [["Osaka Bay", "Location"], ["大阪湾", "Location"]]))
      .toEqual([["Osaka Bay", "大阪湾", "text-script"]])
    // the label is a word or itself a mention: "Debub Gondar ( [Amharic] : ደቡብ ጎንደር )"
    expect(find2("Debub Gondar ( Amharic : ደቡብ ጎንደር ) is", [["Debub Gondar", "Location"], ["ደቡብ ጎንደር", "Location"]]))
      .toEqual([["Debub Gondar", "ደቡብ ጎንደር", "text-script"]])
    expect(
      find2("Debub Gondar ( Amharic : ደቡብ ጎንደር ) is", [["Debub Gondar", "Location"], ["Amharic", "Miscellaneous"], [
        "ደቡብ ጎንደር",
        "Location"
      ]])
    ).toEqual([["Debub Gondar", "ደቡብ ጎንደር", "text-script"]])
    // same script: a parenthesis like any other ("Altamira (Caracas)")
    expect(find2("Altamira ( Caracas ) is", [["Altamira", "Location"], ["Caracas", "Location"]])).toEqual([[
      "Altamira",
      "Caracas",
      "text-parenthesis"
    ]])
    expect([scriptOf("Aleksandr Borovkov"), scriptOf("Александр Боровков"), scriptOf("1990"), scriptOf("Ōsaka")])
      .toEqual(["latin", "other", null, "latin"])
  })

  it("finds nothing where the text between two names is not a defining phrase", () => {
    expect(find("Apple and Google", ["Apple", "Google"])).toEqual([])
    expect(find("Apple bought Google (a rival)", ["Apple", "Google"])).toEqual([])
    // a list is no apposition
    expect(find("Apple, Google, and IBM", ["Apple", "Google", "IBM"])).toEqual([])
  })
})

describe("Resolver with aliases the text defines", () => {
  it("merges an acronym defined in parentheses, with the text quoted in the evidence", () => {
    const text = "The Union Nationale des Forces Populaires (UNFP) split. Later the UNFP won."
    const names = ["Union Nationale des Forces Populaires", "UNFP", "UNFP"]
    const mentions = mentionsIn(text, names.map((n) => [n, "Organization"] as const))
    // by the acronym rule alone "UNFP" ("unfp" vs initials "undfp", "unfp" without "des") already matches: use text
    const r = resolveMentions(mentions, { text, disable: new Set(["acronym"]) })
    expect(clustersOf(names, r)).toEqual([["Union Nationale des Forces Populaires", "UNFP", "UNFP"]])
    expect(r.assignments.find((a) => a.mention === "c0-m2")).toMatchObject({ method: "text-alias", via: "c0-m1" })
    expect(r.assignments.find((a) => a.mention === "c0-m2")!.reason).toContain(
      "\"Union Nationale des Forces Populaires (UNFP)\""
    )
    // without the text, no text-defined alias
    expect(resolveMentions(mentions, { disable: new Set(["acronym"]) }).clusters).toHaveLength(2)
  })

  it("merges a former and a later name of compatible types, and the same names of other types stay apart", () => {
    const text = "Sri Lanka, formerly Ceylon, grew tea. Ceylon tea."
    const places = mentionsIn(text, [["Sri Lanka", "Location"], ["Ceylon", "Location"], ["Ceylon", "Location"]])
    expect(clustersOf(["Sri Lanka", "Ceylon", "Ceylon"], resolveMentions(places, { text }))).toEqual([[
      "Sri Lanka",
      "Ceylon",
      "Ceylon"
    ]])
    // the type-compatibility guard: a person and a place are never one entity, whatever the text says
    const mixed = mentionsIn(text, [["Sri Lanka", "Location"], ["Ceylon", "Person"]])
    expect(resolveMentions(mixed, { text }).clusters).toHaveLength(2)
    // an untyped mention may join a typed one
    const untyped = mentionsIn(text, [["Sri Lanka", "Location"], ["Ceylon", "Other"]])
    expect(resolveMentions(untyped, { text }).clusters).toHaveLength(1)
    // dates never: "1990 (1991)" is no alias
    const dates = mentionsIn("in 1990 (1991) it", [["1990", "Date"], ["1991", "Date"]])
    expect(resolveMentions(dates, { text: "in 1990 (1991) it" }).clusters).toHaveLength(2)
  })

  it("merges a name with its form in another script, of compatible types only", () => {
    const text = "Aleksandr Borovkov ( Александр Боровков ) was born in Moscow ( Москва )."
    const names = [["Aleksandr Borovkov", "Person"], ["Александр Боровков", "Person"], ["Moscow", "Location"], [
      "Москва",
      "Location"
    ]] as const
    const r = resolveMentions(mentionsIn(text, names), { text })
    expect(clustersOf(names.map((n) => n[0]), r)).toEqual([["Aleksandr Borovkov", "Александр Боровков"], [
      "Moscow",
      "Москва"
    ]])
    expect(r.assignments.find((a) => a.mention === "c0-m2")!.reason).toContain("the name in another script")
    const mixed = mentionsIn(text, [["Aleksandr Borovkov", "Person"], ["Александр Боровков", "Location"]])
    expect(resolveMentions(mixed, { text }).clusters).toHaveLength(2)
  })

  it("leaves places in parentheses and appositions apart by default (RULES_OFF)", () => {
    const text = "Altamira (Caracas) and Ann Smith, Bob Jones, sang."
    const mentions = mentionsIn(text, [
      ["Altamira", "Location"],
      ["Caracas", "Location"],
      ["Ann Smith", "Person"],
      ["Bob Jones", "Person"]
    ])
    expect(resolveMentions(mentions, { text }).clusters).toHaveLength(4)
    // "a later name" of a place needs a naming verb: "Raipur (now Chhattisgarh)" says where it is now
    const now = "Madhya Pradesh (now Chhattisgarh) and Kristiania, now known as Oslo."
    const places = mentionsIn(now, [
      ["Madhya Pradesh", "Location"],
      ["Chhattisgarh", "Location"],
      ["Kristiania", "Location"],
      ["Oslo", "Location"]
    ])
    expect(clustersOf(["Madhya Pradesh", "Chhattisgarh", "Kristiania", "Oslo"], resolveMentions(places, { text: now })))
      .toEqual([["Madhya Pradesh"], ["Chhattisgarh"], ["Kristiania", "Oslo"]])
    // persons too: in a novel "now" is mostly the time ("Mr. Wickfield, now Agnes, …"), not a new name
    const story = "He thanked Mr. Wickfield, now Agnes, and then Cassius Clay, now known as Muhammad Ali."
    const people = mentionsIn(story, [
      ["Mr. Wickfield", "Person"],
      ["Agnes", "Person"],
      ["Cassius Clay", "Person"],
      ["Muhammad Ali", "Person"]
    ])
    expect(
      clustersOf(["Mr. Wickfield", "Agnes", "Cassius Clay", "Muhammad Ali"], resolveMentions(people, { text: story }))
    )
      .toEqual([["Mr. Wickfield"], ["Agnes"], ["Cassius Clay", "Muhammad Ali"]])
  })
})

import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { Mention } from "../src/Domain/Extraction.js"
import type { Resolution } from "../src/Domain/Graph.js"
import { LONG_DOCUMENT, resolveMentions, Resolver } from "../src/Resolver.js"
import { mentionsIn } from "./support/Fixtures.js"

/** Surface forms of each cluster, as sorted arrays, for readable assertions. */
const groups = (mentions: ReadonlyArray<Mention>, r: Resolution) => {
  const text = new Map(mentions.map((m) => [m.id, m.span.text] as const))
  return r.clusters.map((c) => c.mentions.map((id) => text.get(id)!))
}
const clusterOf = (r: Resolution) => new Map(r.assignments.map((a) => [a.mention, a.cluster] as const))
const assignmentOf = (r: Resolution, id: string) => r.assignments.find((a) => a.mention === id)!

describe("Resolver rules", () => {
  it("exact: one entity for names equal after normalisation (case, diacritics, article, legal form, honorific)", () => {
    const text =
      "😀 Émile Zola met EMILE ZOLA. The Beatles and Beatles. Atari, Inc. bought Atari. Dr. Watson and Watson."
    const mentions = mentionsIn(text, [
      ["Émile Zola", "Person"],
      ["EMILE ZOLA", "Person"],
      ["The Beatles", "Organization"],
      ["Beatles", "Organization"],
      ["Atari, Inc.", "Organization"],
      ["Atari", "Organization"],
      ["Dr. Watson", "Person"],
      ["Watson", "Person"]
    ])
    const r = resolveMentions(mentions)
    expect(groups(mentions, r)).toEqual([
      ["Émile Zola", "EMILE ZOLA"],
      ["The Beatles", "Beatles"],
      ["Atari, Inc.", "Atari"],
      ["Dr. Watson", "Watson"]
    ])
    expect(assignmentOf(r, "c0-m2")).toMatchObject({ method: "exact", score: 1, via: "c0-m1" })
    // spans are code points: the emoji before the first name counts as one
    expect(mentions[0]!.span.start).toBe(2)
  })

  it("never merges across incompatible types: Austin the city and Austin the person stay apart", () => {
    const text = "Austin moved to Austin. Later Austin left Austin."
    const mentions = mentionsIn(text, [
      ["Austin", "Person"],
      ["Austin", "Location"],
      ["Austin", "PER"],
      ["Austin", "GPE"]
    ])
    const r = resolveMentions(mentions)
    const c = clusterOf(r)
    expect(c.get("c0-m1")).not.toBe(c.get("c0-m2"))
    // type synonyms are one class: PER is Person, GPE is Location
    expect(c.get("c0-m1")).toBe(c.get("c0-m3"))
    expect(c.get("c0-m2")).toBe(c.get("c0-m4"))
    expect(r.clusters).toHaveLength(2)
  })

  it("short form: a surname joins the one person it can be; a given name only in a long document", () => {
    const text = "Ada Lovelace wrote notes. Lovelace published them. Ada was 27."
    const mentions = mentionsIn(text, [["Ada Lovelace", "Person"], ["Lovelace", "Person"], ["Ada", "Person"]])
    const r = resolveMentions(mentions)
    expect(groups(mentions, r)).toEqual([["Ada Lovelace", "Lovelace"], ["Ada"]])
    expect(assignmentOf(r, "c0-m2")).toMatchObject({ method: "short-form", via: "c0-m1" })
    expect(r.clusters[0]!.label).toBe("Ada Lovelace")
    // given-name applies to long documents only (it fails the fold-precision test on Re-DocRED's short ones)
    const all = resolveMentions(mentions, { longDocument: 0 })
    expect(groups(mentions, all)).toEqual([["Ada Lovelace", "Lovelace", "Ada"]])
    expect(assignmentOf(all, "c0-m3")).toMatchObject({ method: "short-form", via: "c0-m1" })
    // a document is long from LONG_DOCUMENT code points on (its last mention's end): then "Ada" joins by default
    const padded = " ".repeat(LONG_DOCUMENT) + text
    const far = mentionsIn(padded, [["Ada Lovelace", "Person"], ["Lovelace", "Person"], ["Ada", "Person"]])
    expect(groups(far, resolveMentions(far))).toEqual([["Ada Lovelace", "Lovelace", "Ada"]])
  })

  it("passing surname: the surname of a person named in full once, who is not the first-named person, stays apart", () => {
    const names = (text: string, list: ReadonlyArray<string>) =>
      mentionsIn(text, list.map((n) => [n, "Person"] as const))
    const passing = "Manon Balletti met the famous Giacomo Casanova. Casanova wrote to her."
    const m1 = names(passing, ["Manon Balletti", "Giacomo Casanova", "Casanova"])
    expect(groups(m1, resolveMentions(m1))).toEqual([["Manon Balletti"], ["Giacomo Casanova"], ["Casanova"]])
    expect(assignmentOf(resolveMentions(m1), "c0-m3").reason).toContain(
      "not merged with \"Giacomo Casanova\", a person named in full once, in passing"
    )
    // in a long document (a novel names a character in full once, then by surname) it joins
    expect(groups(m1, resolveMentions(m1, { longDocument: 0 }))).toEqual([["Manon Balletti"], [
      "Giacomo Casanova",
      "Casanova"
    ]])
    // a passing person still competes: without the topic rule "Smith" could be John Smith or Jane Smith
    const both = "John Smith met Jane Smith. Smith spoke."
    const m4 = names(both, ["John Smith", "Jane Smith", "Smith"])
    const noTopic = resolveMentions(m4, { disable: new Set(["topic"]) })
    expect(groups(m4, noTopic)).toEqual([["John Smith"], ["Jane Smith"], ["Smith"]])
    expect(assignmentOf(noTopic, "c0-m3").reason).toContain("could be any of")
    // named in full twice, or the first-named person: the surname joins
    const twice = "Manon Balletti met Giacomo Casanova. Giacomo Casanova left; Casanova wrote."
    const m2 = names(twice, ["Manon Balletti", "Giacomo Casanova", "Giacomo Casanova", "Casanova"])
    expect(groups(m2, resolveMentions(m2))).toEqual([["Manon Balletti"], [
      "Giacomo Casanova",
      "Giacomo Casanova",
      "Casanova"
    ]])
    const first = "Giacomo Casanova met Manon Balletti. Casanova wrote to her."
    const m3 = names(first, ["Giacomo Casanova", "Manon Balletti", "Casanova"])
    expect(groups(m3, resolveMentions(m3))).toEqual([["Giacomo Casanova", "Casanova"], ["Manon Balletti"]])
  })

  it("cataphora: a surname before its full name joins it only in a long document", () => {
    const text = "Lovelace wrote notes. Ada Lovelace published them."
    const names = [["Lovelace", "Person"], ["Ada Lovelace", "Person"]] as const
    expect(resolveMentions(mentionsIn(text, names)).clusters).toHaveLength(2)
    expect(resolveMentions(mentionsIn(" ".repeat(LONG_DOCUMENT) + text, names)).clusters).toHaveLength(1)
  })

  it("two different Smiths stay apart, and the ambiguous bare surname joins neither (in a long document)", () => {
    const text = "John Smith met Jane Smith. Smith smiled."
    const mentions = mentionsIn(text, [["John Smith", "Person"], ["Jane Smith", "Person"], ["Smith", "Person"]])
    // topic: in a short document the first-named of the candidates, John Smith, is the one meant
    expect(groups(mentions, resolveMentions(mentions))).toEqual([["John Smith", "Smith"], ["Jane Smith"]])
    expect(assignmentOf(resolveMentions(mentions), "c0-m3").reason).toContain("the first-named of the candidates")
    // in a long document (a novel's topic shifts) it stays ambiguous
    const r = resolveMentions(mentions, { longDocument: 0 })
    expect(groups(mentions, r)).toEqual([["John Smith"], ["Jane Smith"], ["Smith"]])
    const smith = assignmentOf(r, "c0-m3")
    expect(smith.method).toBe("singleton")
    expect(smith.reason).toContain("John Smith")
    expect(smith.reason).toContain("Jane Smith")
  })

  it("John Smith and John Stone stay apart, and a bare John is ambiguous", () => {
    const text = "John Smith and John Stone. John left."
    const mentions = mentionsIn(text, [["John Smith", "Person"], ["John Stone", "Person"], ["John", "Person"]])
    const r = resolveMentions(mentions)
    expect(r.clusters).toHaveLength(3)
  })

  it("clusters stay coherent: an initial that fits two full names cannot chain them together", () => {
    const text = "John Smith, J. Smith and Jane Smith."
    const mentions = mentionsIn(text, [["John Smith", "Person"], ["J. Smith", "Person"], ["Jane Smith", "Person"]])
    const r = resolveMentions(mentions)
    const c = clusterOf(r)
    expect(c.get("c0-m1")).not.toBe(c.get("c0-m3"))
    expect(c.get("c0-m2")).toBe(c.get("c0-m1"))
  })

  it("acronym: IBM joins International Business Machines, U.S. joins the United States", () => {
    const text = "International Business Machines (IBM) sold to the United States. IBM and the U.S. agreed."
    const mentions = mentionsIn(text, [
      ["International Business Machines", "Organization"],
      ["IBM", "Organization"],
      ["the United States", "Location"],
      ["IBM", "Organization"],
      ["U.S.", "Location"]
    ])
    const r = resolveMentions(mentions)
    expect(groups(mentions, r)).toEqual([
      ["International Business Machines", "IBM", "IBM"],
      ["the United States", "U.S."]
    ])
    expect(assignmentOf(r, "c0-m2")).toMatchObject({ method: "acronym", via: "c0-m1" })
    expect(r.clusters[0]!.label).toBe("International Business Machines")
  })

  it("head noun: \"the Committee\" joins the one name it heads; not without \"the\", not places or persons", () => {
    const text =
      "The Committee against the Finnish White Terror met. Later the Committee and the Asian Games: the Games."
    const mentions = mentionsIn(text, [
      ["Committee against the Finnish White Terror", "Organization"],
      ["Committee", "Organization"],
      ["Asian Games", "Miscellaneous"],
      ["Games", "Miscellaneous"]
    ])
    const r = resolveMentions(mentions, { text })
    expect(groups(mentions, r)).toEqual([["Committee against the Finnish White Terror", "Committee"], [
      "Asian Games",
      "Games"
    ]])
    expect(assignmentOf(r, "c0-m2")).toMatchObject({ method: "head-noun", via: "c0-m1" })
    // without the text (or the rule), nothing says "the"
    expect(resolveMentions(mentions).clusters).toHaveLength(4)
    expect(resolveMentions(mentions, { text, disable: new Set(["head-noun"]) }).clusters).toHaveLength(4)
    // a bare head without "the" is a name of its own; two names with one head make it ambiguous
    const bare = "Asian Games and Olympic Games. Games Workshop."
    const two = mentionsIn(bare, [["Asian Games", "Miscellaneous"], ["Olympic Games", "Miscellaneous"], [
      "Games",
      "Miscellaneous"
    ]])
    expect(resolveMentions(two, { text: bare }).clusters).toHaveLength(3)
    const ambiguous = "Asian Games and Olympic Games. The Games ended."
    const three = mentionsIn(ambiguous, [["Asian Games", "Miscellaneous"], ["Olympic Games", "Miscellaneous"], [
      "Games",
      "Miscellaneous"
    ]])
    expect(resolveMentions(three, { text: ambiguous, disable: new Set(["topic"]) }).clusters).toHaveLength(3)
    // topic: the first-named of the two is the one meant
    expect(groups(three, resolveMentions(three, { text: ambiguous }))).toEqual([["Asian Games", "Games"], [
      "Olympic Games"
    ]])
    // most mentions definite is enough ("World War ended. Resistance fighters" starts a sentence without "the")
    const most = "The French Resistance fought. The Resistance grew; the Resistance won. Resistance ended."
    const resistance = mentionsIn(most, [
      ["French Resistance", "Miscellaneous"],
      ["Resistance", "Miscellaneous"],
      ["Resistance", "Miscellaneous"],
      ["Resistance", "Miscellaneous"]
    ])
    expect(resolveMentions(resistance, { text: most }).clusters).toHaveLength(1)
    const few = "The French Resistance fought. The Resistance grew; Resistance won. Resistance ended."
    const bareMostly = mentionsIn(few, [
      ["French Resistance", "Miscellaneous"],
      ["Resistance", "Miscellaneous"],
      ["Resistance", "Miscellaneous"],
      ["Resistance", "Miscellaneous"]
    ])
    expect(resolveMentions(bareMostly, { text: few }).clusters).toHaveLength(2)
    // places: "the Valley" is not "Sacramento Valley" by this rule
    const place = "Sacramento Valley and the Valley."
    const valley = mentionsIn(place, [["Sacramento Valley", "Location"], ["Valley", "Location"]])
    expect(resolveMentions(valley, { text: place }).clusters).toHaveLength(2)
  })

  it("a phrase in lower case is not the title-case name of the same words; one word may differ in case", () => {
    const text = "\"Two Doors Down\" is a song: she lives two doors down. Souvlaki is food; souvlaki sells."
    const mentions = mentionsIn(text, [
      ["Two Doors Down", "Miscellaneous"],
      ["two doors down", "Miscellaneous"],
      ["Souvlaki", "Miscellaneous"],
      ["souvlaki", "Miscellaneous"]
    ])
    expect(groups(mentions, resolveMentions(mentions))).toEqual([["Two Doors Down"], ["two doors down"], [
      "Souvlaki",
      "souvlaki"
    ]])
  })

  it("acronym: an acronym of two different names in the document stays apart", () => {
    const text = "Bank of England and Bank of Estonia: BoE."
    const mentions = mentionsIn(text, [["Bank of England", "Organization"], ["Bank of Estonia", "Organization"], [
      "BoE",
      "Organization"
    ]])
    expect(resolveMentions(mentions).clusters).toHaveLength(3)
  })

  it("acronym: only within one type class", () => {
    const text = "Internet Business Machines wrote about IBM."
    const mentions = mentionsIn(text, [["Internet Business Machines", "Other"], ["IBM", "Organization"]])
    expect(resolveMentions(mentions).clusters).toHaveLength(2)
  })

  it("nickname: quoted nicknames join the full name; a middle name left out only with name-variant on", () => {
    const text =
      "Wilfried \"Willi\" Schneider raced. Willi Schneider won; Schneider and Willi celebrated. Henrik August Angell met Henrik Angell."
    const mentions = mentionsIn(text, [
      ["Wilfried \"Willi\" Schneider", "Person"],
      ["Willi Schneider", "Person"],
      ["Schneider", "Person"],
      ["Willi", "Person"],
      ["Henrik August Angell", "Person"],
      ["Henrik Angell", "Person"]
    ])
    const r = resolveMentions(mentions)
    // a middle name left out is rule name-variant, off by default (RULES_OFF): Henrik Angell stays apart
    expect(groups(mentions, r)).toEqual([
      ["Wilfried \"Willi\" Schneider", "Willi Schneider", "Schneider", "Willi"],
      ["Henrik August Angell"],
      ["Henrik Angell"]
    ])
    expect(assignmentOf(r, "c0-m2").method).toBe("name-variant")
    expect(r.clusters[0]!.label).toBe("Wilfried \"Willi\" Schneider")
    const all = resolveMentions(mentions, { disable: new Set() })
    expect(groups(mentions, all)[1]).toEqual(["Henrik August Angell", "Henrik Angell"])
    expect(assignmentOf(all, "c0-m6")).toMatchObject({ method: "name-variant", via: "c0-m5" })
  })

  it("similarity: spelling variants of one person merge; different given names and Paul/Paula do not", () => {
    const text = "Ramey Idriss, Ramez Idriss, Gabriel Donizetti, Gaetano Donizetti, Paul Smith, Paula Smith."
    const mentions = mentionsIn(text, [
      ["Ramey Idriss", "Person"],
      ["Ramez Idriss", "Person"],
      ["Gabriel Donizetti", "Person"],
      ["Gaetano Donizetti", "Person"],
      ["Paul Smith", "Person"],
      ["Paula Smith", "Person"]
    ])
    const r = resolveMentions(mentions)
    expect(groups(mentions, r)).toEqual([
      ["Ramey Idriss", "Ramez Idriss"],
      ["Gabriel Donizetti"],
      ["Gaetano Donizetti"],
      ["Paul Smith"],
      ["Paula Smith"]
    ])
    const a = assignmentOf(r, "c0-m2")
    expect(a.method).toBe("similar-name")
    expect(a.score).toBeGreaterThan(0.9)
    expect(a.score).toBeLessThan(1)
  })

  it("similarity: numbers and Roman numerals must match exactly", () => {
    const text = "Task Force 104 and Task Force 105; World War I and World War II."
    const mentions = mentionsIn(text, [
      ["Task Force 104", "Organization"],
      ["Task Force 105", "Organization"],
      ["World War I", "Other"],
      ["World War II", "Other"]
    ])
    expect(resolveMentions(mentions).clusters).toHaveLength(4)
  })

  it("titles: Mr. and Mrs. Micawber stay apart; a titled surname joins the one compatible full name", () => {
    const text = "Wilkins Micawber bowed. Mr. Micawber spoke to Mrs. Micawber. Micawber sighed."
    const mentions = mentionsIn(text, [
      ["Wilkins Micawber", "Person"],
      ["Mr. Micawber", "Person"],
      ["Mrs. Micawber", "Person"],
      ["Micawber", "Person"]
    ])
    // a long document: the bare surname could be Mr. or Mrs. Micawber
    const r = resolveMentions(mentions, { longDocument: 0 })
    expect(groups(mentions, r)).toEqual([["Wilkins Micawber", "Mr. Micawber"], ["Mrs. Micawber"], ["Micawber"]])
    // a short one: the first-named of the two (rule topic)
    expect(groups(mentions, resolveMentions(mentions))).toEqual([
      ["Wilkins Micawber", "Mr. Micawber", "Micawber"],
      ["Mrs. Micawber"]
    ])
  })

  it("a bare name joins its one titled form", () => {
    const text = "Mrs. Gummidge cried. Gummidge was lone and lorn."
    const mentions = mentionsIn(text, [["Mrs. Gummidge", "Person"], ["Gummidge", "Person"]])
    const r = resolveMentions(mentions)
    expect(r.clusters).toHaveLength(1)
    expect(assignmentOf(r, "c0-m2")).toMatchObject({ method: "title", via: "c0-m1" })
  })

  it("generation suffixes keep father and son apart, and a numbered name is not a short form", () => {
    const text = "Paul Desmarais Jr. and Paul Desmarais Sr. Ferdinand I met Ferdinand Smith."
    const mentions = mentionsIn(text, [
      ["Paul Desmarais Jr.", "Person"],
      ["Paul Desmarais Sr.", "Person"],
      ["Ferdinand I", "Person"],
      ["Ferdinand Smith", "Person"]
    ])
    expect(resolveMentions(mentions).clusters).toHaveLength(4)
  })

  it("untyped mentions (type Other) join the one typed entity they name", () => {
    const text = "Charles Babbage and International Business Machines. Babbage, IBM and London met London."
    const mentions = mentionsIn(text, [
      ["Charles Babbage", "Person"],
      ["International Business Machines", "Organization"],
      ["Babbage", "Other"],
      ["IBM", "Other"],
      ["London", "Other"],
      ["London", "Location"]
    ])
    const r = resolveMentions(mentions)
    expect(groups(mentions, r)).toEqual([
      ["Charles Babbage", "Babbage"],
      ["International Business Machines", "IBM"],
      ["London", "London"]
    ])
    // the entity takes its type from the typed mentions
    expect(r.clusters.map((c) => c.type)).toEqual(["Person", "Organization", "Location"])
  })

  it("an untyped mention cannot bridge two typed entities: Austin (Other) stays apart from both Austins", () => {
    const text = "Austin met Austin in Austin."
    const mentions = mentionsIn(text, [["Austin", "Person"], ["Austin", "Other"], ["Austin", "Location"]])
    const r = resolveMentions(mentions)
    expect(r.clusters).toHaveLength(3)
    expect(assignmentOf(r, "c0-m2").reason).toContain("could be any of")
  })

  it("a coordination (\"Peggotty and Mr. Dick\") is no one's full name", () => {
    const text = "Peggotty and Mr. Dick came. Dick laughed."
    const mentions = mentionsIn(text, [["Peggotty and Mr. Dick", "Person"], ["Dick", "Person"]])
    expect(resolveMentions(mentions).clusters).toHaveLength(2)
  })

  it("labels an entity with its plain form, not a possessive or a heading in capitals", () => {
    const text = "MICAWBER. Micawber’s hat. Micawber’s cane. Micawber smiled."
    const mentions = mentionsIn(text, [
      ["MICAWBER", "Person"],
      ["Micawber’s", "Person"],
      ["Micawber’s", "Person"],
      ["Micawber", "Person"]
    ])
    const r = resolveMentions(mentions)
    expect(r.clusters).toHaveLength(1)
    expect(r.clusters[0]!.label).toBe("Micawber")
  })

  it("place names with a modifier or a designator are other places", () => {
    const text = "Sudan and South Sudan. Urgut and Urgut District."
    const mentions = mentionsIn(text, [
      ["Sudan", "Location"],
      ["South Sudan", "Location"],
      ["Urgut", "Location"],
      ["Urgut District", "Location"]
    ])
    expect(resolveMentions(mentions).clusters).toHaveLength(4)
  })
})

describe("Resolver output", () => {
  const text =
    "Ada Lovelace and Charles Babbage. Babbage built it; Lovelace, Ada and IBM. International Business Machines."
  const mentions = mentionsIn(text, [
    ["Ada Lovelace", "Person"],
    ["Charles Babbage", "Person"],
    ["Babbage", "Person"],
    ["Lovelace", "Person"],
    ["Ada", "Person"],
    ["IBM", "Organization"],
    ["International Business Machines", "Organization"]
  ])

  it("assigns every mention exactly once, links each merge to a mention of the same entity", () => {
    const r = resolveMentions(mentions)
    expect(r.assignments.map((a) => a.mention).sort()).toEqual(mentions.map((m) => m.id).sort())
    const c = clusterOf(r)
    for (const a of r.assignments) {
      expect(r.clusters[a.cluster]!.mentions).toContain(a.mention)
      if (a.via !== undefined) expect(c.get(a.via)).toBe(a.cluster)
      expect(a.score).toBeGreaterThan(0)
      expect(a.score).toBeLessThanOrEqual(1)
      expect(a.reason.length).toBeGreaterThan(10)
    }
    // clusters in order of first mention, mentions in document order; Charles Babbage is named once, in
    // passing (Ada Lovelace is named first), so in this short document his bare surname stays apart
    expect(groups(mentions, r)).toEqual([
      ["Ada Lovelace", "Lovelace"],
      ["Charles Babbage"],
      ["Babbage"],
      ["Ada"],
      ["IBM", "International Business Machines"]
    ])
    // the label is the most informative name, not the first
    expect(r.clusters[4]!.label).toBe("International Business Machines")
  })

  it("gives the same clusters for the mentions in any order", () => {
    const forward = resolveMentions(mentions)
    const backward = resolveMentions([...mentions].reverse())
    expect(groups(mentions, backward)).toEqual(groups(mentions, forward))
    expect(backward.clusters.map((c) => c.label)).toEqual(forward.clusters.map((c) => c.label))
  })

  it("handles no mentions", () => {
    expect(resolveMentions([])).toMatchObject({ clusters: [], assignments: [] })
  })
})

layer(Resolver.Default)("Resolver service", (it) => {
  it.effect("resolves through the service with the pipeline's Mention[]", () =>
    Effect.gen(function*() {
      const mentions = mentionsIn("Grace Hopper and Hopper.", [["Grace Hopper", "Person"], ["Hopper", "Person"]])
      const r = yield* Resolver.resolve(mentions)
      expect(r.clusters).toHaveLength(1)
      expect(r.clusters[0]!.mentions).toEqual(["c0-m1", "c0-m2"])
    }))
})

describe("Resolver on titled mentions (the embedded extractor keeps courtesy titles inside names)", () => {
  it("one name with and without its title is one person, labelled without the title; titled and bare surnames follow it", () => {
    const text = "Mr. Sherlock Holmes came. Sherlock Holmes sat. Mr. Holmes spoke. Holmes left. Dr. Watson smiled."
    const mentions = mentionsIn(text, [
      ["Mr. Sherlock Holmes", "Person"],
      ["Sherlock Holmes", "Person"],
      ["Mr. Holmes", "Person"],
      ["Holmes", "Person"],
      ["Dr. Watson", "Person"]
    ])
    const r = resolveMentions(mentions)
    expect(r.clusters.map((c) => [c.label, c.mentions.length])).toEqual([["Sherlock Holmes", 4], ["Dr. Watson", 1]])
    expect(assignmentOf(r, "c0-m1")).toMatchObject({ method: "title" })
  })

  it("clashing titles and generations keep one name apart", () => {
    const text = "Mr. Wilkins Micawber and Mrs. Wilkins Micawber dined. John Smith Jr. met John Smith."
    const mentions = mentionsIn(text, [
      ["Mr. Wilkins Micawber", "Person"],
      ["Mrs. Wilkins Micawber", "Person"],
      ["John Smith Jr.", "Person"],
      ["John Smith", "Person"]
    ])
    expect(resolveMentions(mentions).clusters).toHaveLength(4)
  })
})

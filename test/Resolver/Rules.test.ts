import { describe, expect, it } from "@effect/vitest"
import { analyzeName } from "../../src/Resolver/Names.js"
import {
  acronymKeys,
  givenNamesCompatible,
  personVariant,
  spellingVariant,
  surnameRun,
  surnamesCompatible
} from "../../src/Resolver/Rules.js"

const person = (s: string) => analyzeName(s, "person")
const org = (s: string) => analyzeName(s, "organization")

describe("givenNamesCompatible / surnamesCompatible", () => {
  it("accepts equal names, initials and spelling variants", () => {
    expect(givenNamesCompatible("john", "john")).toBe(true)
    expect(givenNamesCompatible("j", "john")).toBe(true)
    expect(givenNamesCompatible("ramey", "ramez")).toBe(true)
    expect(givenNamesCompatible("zakhary", "zachary")).toBe(true)
  })

  it("rejects different names, including a name and its feminine form", () => {
    expect(givenNamesCompatible("john", "jane")).toBe(false)
    expect(givenNamesCompatible("gabriel", "gaetano")).toBe(false)
    expect(givenNamesCompatible("paul", "paula")).toBe(false)
    expect(givenNamesCompatible("j", "paul")).toBe(false)
    expect(surnamesCompatible("smith", "stone")).toBe(false)
    expect(surnamesCompatible("smith", "smyth")).toBe(false)
  })
})

describe("personVariant", () => {
  it("finds names with names left out and nickname forms", () => {
    expect(personVariant(person("Henrik Angell"), person("Henrik August Angell"))?.method).toBe("name-variant")
    expect(personVariant(person("Jefferson Madeira"), person("Jefferson Madeira da Silva"))?.method).toBe(
      "name-variant"
    )
    expect(personVariant(person("Willi Schneider"), person("Wilfried \"Willi\" Schneider"))?.method).toBe(
      "name-variant"
    )
  })

  it("finds spelling and initial variants of the same shape", () => {
    expect(personVariant(person("Ramey Idriss"), person("Ramez Idriss"))?.method).toBe("similar-name")
    expect(personVariant(person("J. Smith"), person("John Smith"))?.method).toBe("similar-name")
  })

  it("rejects different people", () => {
    expect(personVariant(person("John Smith"), person("John Stone"))).toBeNull()
    expect(personVariant(person("John Smith"), person("Jane Smith"))).toBeNull()
    expect(personVariant(person("Paul Smith"), person("Henrik Paul Smith"))).toBeNull()
    expect(personVariant(person("Mr. John Smith"), person("Mrs. John Smith"))).toBeNull()
    expect(personVariant(person("John Smith Jr."), person("John Smith Sr."))).toBeNull()
    // one-token names are short forms, decided by the resolver with uniqueness
    expect(personVariant(person("Smith"), person("John Smith"))).toBeNull()
  })
})

describe("surnameRun", () => {
  it("finds a multi-word surname standing for the full name", () => {
    expect(surnameRun(person("Burne - Jones"), person("Edward Burne - Jones"))?.method).toBe("short-form")
    expect(surnameRun(person("Jones Edward"), person("Edward Burne - Jones"))).toBeNull()
  })
})

describe("spellingVariant", () => {
  it("accepts a one-letter typo in a long word", () => {
    expect(spellingVariant(analyzeName("Tobolsk", "location"), analyzeName("Tobolesk", "location"))?.method).toBe(
      "similar-name"
    )
  })

  it("rejects derivations, different words and different numbers", () => {
    const loc = (s: string) => analyzeName(s, "location")
    expect(spellingVariant(loc("Canada"), loc("Canadian"))).toBeNull()
    expect(spellingVariant(loc("Austria"), loc("Australia"))).toBeNull()
    expect(spellingVariant(loc("Argentina"), loc("Argentine"))).toBeNull()
    expect(spellingVariant(org("Task Force 104"), org("Task Force 105"))).toBeNull()
    expect(spellingVariant(org("Apollo XI"), org("Apollo XII"))).toBeNull()
  })
})

describe("acronymKeys", () => {
  it("gives initials with and without function words, hyphen parts and legal forms", () => {
    expect(acronymKeys(org("International Business Machines"))).toContain("ibm")
    expect(acronymKeys(org("Bank of England"))).toEqual(expect.arrayContaining(["boe", "be"]))
    expect(acronymKeys(org("Three-Self Patriotic Movement"))).toContain("tspm")
    expect(acronymKeys(org("Empresa Nacional de Autocamiones S.A."))).toContain("enasa")
    expect(acronymKeys(analyzeName("the United States", "location"))).toContain("us")
  })
})

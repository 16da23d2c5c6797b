import { describe, expect, it } from "@effect/vitest"
import { typeClassOf } from "../../src/Resolver/EntityTypes.js"
import { acronymOf, analyzeName, normalizeName } from "../../src/Resolver/Names.js"

describe("normalizeName", () => {
  it("folds NFKC, case, diacritics, ligatures, quotes, punctuation and possessives", () => {
    expect(normalizeName("  Émile  Zola's ")).toBe("emile zola")
    expect(normalizeName("“IBM”")).toBe("ibm")
    expect(normalizeName("Ｆｕｌｌwidth")).toBe("fullwidth")
    expect(normalizeName("Straße Øresund Łódź")).toBe("strasse oresund lodz")
    expect(normalizeName("O'Brien")).toBe("obrien")
    expect(normalizeName("Qurʾān")).toBe(normalizeName("Qur'an"))
  })

  it("normalises tokenised text like running text", () => {
    expect(normalizeName("Convention People 's Party")).toBe(normalizeName("Convention People's Party"))
    expect(normalizeName("Ho - Chunk")).toBe(normalizeName("Ho-Chunk"))
    expect(normalizeName("U.S.")).toBe("us")
    expect(normalizeName("U. S.")).toBe("us")
  })

  it("reads a plus sign as a word: an edition or model is another name", () => {
    expect(normalizeName("Samsung Galaxy S9 +")).toBe("samsung galaxy s9 plus")
    expect(normalizeName("Samsung Galaxy S9+")).toBe(normalizeName("Samsung Galaxy S9 +"))
    expect(normalizeName("Samsung Galaxy S9+")).not.toBe(normalizeName("Samsung Galaxy S9"))
    expect(normalizeName("C++")).toBe("c plus plus")
  })
})

describe("analyzeName", () => {
  it("drops a leading article but keeps a name that is only the article", () => {
    expect(analyzeName("The Sacramento Bee", "organization").key).toBe("sacramento bee")
    expect(analyzeName("The", "other").key).toBe("the")
    expect(analyzeName("A Tribe Called Quest", "organization").key).toBe("a tribe called quest")
  })

  it("drops honorifics from persons and records the gender they imply", () => {
    expect(analyzeName("Mrs. Micawber", "person")).toMatchObject({ key: "micawber", gender: "f" })
    expect(analyzeName("Sir Walter Scott", "person")).toMatchObject({ key: "walter scott", gender: "m" })
    expect(analyzeName("Dr. Watson", "person")).toMatchObject({ key: "watson", gender: null })
    expect(analyzeName("Sir", "person").key).toBe("sir")
    // not for other types: "Dr Pepper" the company keeps its name
    expect(analyzeName("Dr Pepper", "organization").key).toBe("dr pepper")
  })

  it("records generation suffixes and Roman numerals, and drops post-nominals", () => {
    expect(analyzeName("Paul Desmarais Jr.", "person")).toMatchObject({ key: "paul desmarais", generation: "jr" })
    expect(analyzeName("Carol II", "person")).toMatchObject({ key: "carol", generation: "ii" })
    expect(analyzeName("John Smith, Esq.", "person")).toMatchObject({ key: "john smith", generation: null })
  })

  it("keeps a person's initials as tokens", () => {
    expect(analyzeName("J. H. Dearle", "person").tokens).toEqual(["j", "h", "dearle"])
    expect(analyzeName("J.R.R. Tolkien", "person").tokens).toEqual(["j", "r", "r", "tolkien"])
  })

  it("reads quoted and parenthesised parts of a person's name as nicknames", () => {
    expect(analyzeName("Wilfried \" Willi \" Schneider", "person")).toMatchObject({
      key: "wilfried schneider",
      nicknames: ["willi"]
    })
    expect(analyzeName("Jacqueline ( Maranger ) Desmarais", "person")).toMatchObject({
      key: "jacqueline desmarais",
      nicknames: ["maranger"]
    })
  })

  it("drops legal-form suffixes from organisations only", () => {
    expect(analyzeName("Atari, Inc.", "organization").key).toBe("atari")
    expect(analyzeName("Siemens AG", "organization").key).toBe("siemens")
    expect(analyzeName("Empresa Nacional de Autocamiones S.A.", "organization")).toMatchObject({
      key: "empresa nacional de autocamiones",
      fullTokens: ["empresa", "nacional", "de", "autocamiones", "sa"]
    })
    expect(analyzeName("Inc", "organization").key).toBe("inc")
  })
})

describe("acronymOf", () => {
  it("reads acronyms written in capitals, with dots, mixed case or a plural s", () => {
    expect(acronymOf("IBM")).toBe("ibm")
    expect(acronymOf("U.S.")).toBe("us")
    expect(acronymOf("BoE")).toBe("boe")
    expect(acronymOf("MSAs")).toBe("msa")
    expect(acronymOf("AT&T")).toBe("att")
  })

  it("rejects ordinary words and names", () => {
    expect(acronymOf("Ibm")).toBeNull()
    expect(acronymOf("McDonald")).toBeNull()
    expect(acronymOf("I")).toBeNull()
    expect(acronymOf("New York")).toBeNull()
  })
})

describe("typeClassOf", () => {
  it("maps synonyms of one type to one class and keeps unknown types apart", () => {
    expect(typeClassOf("Person")).toBe("person")
    expect(typeClassOf("PER")).toBe("person")
    expect(typeClassOf("GPE")).toBe("location")
    expect(typeClassOf("Organisation")).toBe("organization")
    expect(typeClassOf("Work_Of_Art")).toBe(typeClassOf("work of art"))
    expect(typeClassOf("Facility")).not.toBe(typeClassOf("Location"))
    expect(typeClassOf("Other")).toBe("untyped")
    expect(typeClassOf("MISC")).toBe("misc")
  })
})

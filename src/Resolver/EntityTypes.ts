/**
 * Entity-type compatibility for entity resolution. Extractors name types
 * differently (`Person` from the embedded extractor, `PER` in Re-DocRED and
 * CoNLL, `PERSON` from spaCy-style models, whatever an LLM or an ontology
 * says); the resolver compares coarse *type classes* so that synonyms match
 * and nothing else does. Two mentions may be one entity only when their type
 * classes are equal.
 */

/** Coarse classes the resolver knows rules for; any other type is its own class. */
export type KnownTypeClass = "person" | "organization" | "location" | "date" | "untyped"

/** The class of mentions whose type the extractor could not tell. */
export const UNTYPED = "untyped"

/**
 * Type names (lower case, letters only) that belong to each known class.
 * Sources: the project's default types (src/Domain/Extraction.ts), the
 * CoNLL-2003/CoNLL04 and Re-DocRED tag sets (PER/PEOP, ORG, LOC, TIME) and
 * the OntoNotes 5 tag set (PERSON, ORG, GPE, LOC, DATE, TIME). OntoNotes
 * FAC (buildings, roads) and NORP (nationalities, religious and political
 * groups) stay classes of their own.
 */
const SYNONYMS: Record<KnownTypeClass, ReadonlyArray<string>> = {
  person: ["person", "per", "peop", "people", "human", "individual", "character"],
  organization: ["organization", "organisation", "org", "company", "corporation", "institution", "agency"],
  location: ["location", "loc", "gpe", "place", "geopoliticalentity", "country", "city"],
  date: ["date", "time", "datetime"],
  untyped: ["other", "unknown", "entity", "thing", "untyped"]
}

const CLASS_OF = new Map<string, KnownTypeClass>(
  (Object.entries(SYNONYMS) as Array<[KnownTypeClass, ReadonlyArray<string>]>).flatMap(([cls, names]) =>
    names.map((n) => [n, cls] as const)
  )
)

/**
 * The type class of an entity type name: one of {@link KnownTypeClass} for
 * a known synonym (case, spaces, `_` and `-` ignored), otherwise the type
 * name folded the same way (so `Work_Of_Art` and `work of art` agree).
 */
export const typeClassOf = (type: string): string => {
  const folded = type.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "")
  return CLASS_OF.get(folded) ?? folded
}

/**
 * Alias knowledge for entity resolution, from packages made for it: names
 * of countries and territories in many languages, with their official,
 * native and alternative forms, and the names and postal codes of US
 * states (also Canadian provinces and Australian states). Two location
 * names that the packages give for one place can be one entity even when
 * nothing in their form relates them ("Burma"/"Myanmar", "Ivory Coast"/
 * "Côte d'Ivoire", "Deutschland"/"Germany", "CA"/"California").
 *
 * Sources, in priority order (the first that lists a name is the one a
 * merge's evidence names):
 * - `i18n-iso-countries` (MIT): ISO 3166-1 country names (it has 78
 *   languages; English is loaded, see {@link LOCALES}) with the
 *   alternative names it lists;
 * - `world-countries` (ODbL 1.0, data from the mledoze/countries project):
 *   common and official names, native names and `altSpellings` (former
 *   and alternative names);
 * - `countries-list` (MIT): English and native names;
 * - `country-region-data` (MIT): first-level regions with their codes,
 *   used here for the US, Canada and Australia.
 * `city-timezones` (MIT) has no alternative city names (its `city_ascii`
 * only drops diacritics, which normalisation already does), so no city
 * aliases are loaded.
 *
 * The tables are built on first use (about 70 ms on an idle core), never at
 * module load, so the CLI's start-up does not pay for them.
 */
import { countries as countriesList } from "countries-list"
import regionData from "country-region-data/data.json" with { type: "json" }
import i18nEnglish from "i18n-iso-countries/langs/en.json" with { type: "json" }
import worldCountries from "world-countries/countries.json" with { type: "json" }
import { normalizeName } from "./Names.js"

/** A place some package names: its id (`country:NO`, `region:US-CA`) and the packages that give the name, in {@link SOURCES} order. */
export interface AliasTarget {
  readonly id: string
  readonly sources: ReadonlyArray<string>
}

/** The alias packages, in the order a merge's evidence prefers them. */
export const SOURCES: ReadonlyArray<string> = [
  "i18n-iso-countries",
  "world-countries",
  "countries-list",
  "country-region-data"
]

/**
 * Names the packages give that must not be read as names of the place
 * they are listed under: the short, documented list of corrections
 * (docs/resolution.md, "Alias knowledge"). Besides these, the two- and
 * three-letter codes that `world-countries` lists among `altSpellings`
 * are left out as a rule ({@link isCode}).
 */
export const CORRECTIONS: ReadonlyArray<{ readonly id: string; readonly name: string; readonly why: string }> = [
  {
    id: "country:TH",
    name: "Thai",
    why:
      "world-countries lists the words of \"Prathet Thai\" as altSpellings; alone, \"Thai\" is the demonym and the language"
  },
  {
    id: "country:TH",
    name: "Prathet",
    why: "world-countries lists the words of \"Prathet Thai\" as altSpellings; alone, \"Prathet\" means \"country\""
  }
]

/**
 * Languages whose country names are loaded: English, the language of the
 * texts. Names in every other language were tried on Re-DocRED dev and
 * cost precision: other languages' names collide with English words and
 * demonyms (French "Argentine", "Thaï" → "thai"), while the names a text in
 * English uses for a foreign country are its English and native names
 * (`world-countries` `name.native`), which are loaded.
 */
const LOCALES: ReadonlyArray<string> = ["en"]

let table: ReadonlyMap<string, ReadonlyArray<AliasTarget>> | null = null

/** Upper-case codes of 2–3 letters ("NO", "USA"): left out of `altSpellings`, since they are codes, not names. */
const isCode = (name: string) => /^[A-Z]{2,3}$/u.test(name)

const build = (): ReadonlyMap<string, ReadonlyArray<AliasTarget>> => {
  const map = new Map<string, Array<AliasTarget>>()
  // packages are read in SOURCES order, so every target's sources are in that order
  const corrected = new Set(CORRECTIONS.map((c) => `${c.id}\u0000${locationKey(c.name)}`))
  const seen = new Set<string>()
  const add = (name: string | undefined, id: string, source: string) => {
    if (name === undefined) return
    const raw = `${source}\u0000${id}\u0000${name}`
    if (seen.has(raw)) return
    seen.add(raw)
    const key = locationKey(name)
    if (key === "" || corrected.has(`${id}\u0000${key}`)) return
    const list = map.get(key)
    const target = list?.find((t) => t.id === id)
    if (list === undefined) map.set(key, [{ id, sources: [source] }])
    else if (target === undefined) list.push({ id, sources: [source] })
    else if (!target.sources.includes(source)) (target.sources as Array<string>).push(source)
  }

  // i18n-iso-countries: English names with the alternatives it lists (code → name or [names])
  const i18n = "i18n-iso-countries"
  // the locales' files are imported statically (so the bundle holds them); LOCALES names which
  const langs: Record<string, unknown> = { en: i18nEnglish }
  for (const locale of LOCALES) {
    const lang = langs[locale] as {
      readonly countries: Readonly<Record<string, string | ReadonlyArray<string>>>
    }
    for (const [code, names] of Object.entries(lang.countries)) {
      for (const name of typeof names === "string" ? [names] : names) add(name, `country:${code}`, i18n)
    }
  }

  // world-countries: common, official, native, translations, altSpellings
  interface NamePair {
    readonly common?: string
    readonly official?: string
  }
  const world = worldCountries as unknown as ReadonlyArray<{
    readonly cca2: string
    readonly name: NamePair & { readonly native?: Readonly<Record<string, NamePair>> }
    readonly translations?: Readonly<Record<string, NamePair>>
    readonly altSpellings?: ReadonlyArray<string>
  }>
  for (const c of world) {
    const id = `country:${c.cca2}`
    const pairs = [c.name, ...Object.values(c.name.native ?? {})]
    for (const p of pairs) {
      add(p.common, id, "world-countries")
      add(p.official, id, "world-countries")
    }
    for (const alt of c.altSpellings ?? []) if (!isCode(alt)) add(alt, id, "world-countries")
  }

  // countries-list: English and native names
  const list = { countries: countriesList } as unknown as {
    readonly countries: Readonly<
      Record<string, { readonly name: string; readonly native: string; readonly alias?: ReadonlyArray<string> }>
    >
  }
  for (const [code, c] of Object.entries(list.countries)) {
    add(c.name, `country:${code}`, "countries-list")
    add(c.native, `country:${code}`, "countries-list")
    // former and alternative names ("Siam", "Ceylon", "Upper Volta"), codes aside ("UAE", "DRC")
    for (const alias of c.alias ?? []) if (!isCode(alias)) add(alias, `country:${code}`, "countries-list")
  }

  // country-region-data: US states (and territories), Canadian provinces, Australian states, with their codes
  const regions = regionData as unknown as ReadonlyArray<{
    readonly countryShortCode: string
    readonly regions: ReadonlyArray<{ readonly name: string; readonly shortCode?: string }>
  }>
  for (const country of regions) {
    if (!["US", "CA", "AU"].includes(country.countryShortCode)) continue
    for (const r of country.regions) {
      if (r.shortCode === undefined) continue
      const id = `region:${country.countryShortCode}-${r.shortCode}`
      add(r.name, id, "country-region-data")
      add(r.shortCode, id, "country-region-data")
    }
  }
  return map
}

/**
 * The comparison key of a location name, as `analyzeName(name,
 * "location").key` computes it (normalised, a leading "the" dropped), or
 * "" when nothing is left.
 */
export const locationKey = (name: string): string => {
  const key = normalizeName(name)
  return key.startsWith("the ") ? key.slice(4) : key
}

/**
 * The places the alias packages give a name for, keyed by the name's
 * location key ({@link locationKey}: case, diacritics,
 * punctuation and a leading "the" ignored). Empty when no package lists
 * it. Builds the tables on first call.
 */
export const aliasTargets = (key: string): ReadonlyArray<AliasTarget> => {
  if (table === null) table = build()
  return table.get(key) ?? []
}

/**
 * Whether two names are names of one place by the alias packages: each
 * names exactly one place, and it is the same ("Georgia", both a country
 * and a US state, joins nothing by this rule). Returns that place and the
 * package to name: the first that lists both names for it ("Burma" and
 * "Myanmar": `world-countries`), else the first of each, joined by ", ".
 * Null when they are not one place.
 */
export const sharedPlace = (
  a: ReadonlyArray<AliasTarget>,
  b: ReadonlyArray<AliasTarget>
): { readonly id: string; readonly source: string } | null => {
  if (a.length !== 1 || b.length !== 1 || a[0]!.id !== b[0]!.id) return null
  const [x, y] = [a[0]!, b[0]!]
  const both = x.sources.find((s) => y.sources.includes(s))
  return { id: x.id, source: both ?? [x.sources[0]!, y.sources[0]!].sort().join(", ") }
}

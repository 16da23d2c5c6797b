/**
 * Dates and amounts of money for the embedded extractor, by rules over
 * wink-nlp's tokens (wink's own entity recogniser costs about a third of its
 * `readDoc` time, so the extractor does not run it; `npm run bench:nlp`).
 *
 * Dates: a month with a day and/or year ("Jan. 8, 1935", "3 March 1891",
 * "December 1955"), a weekday ("Monday"), a year after a preposition or
 * before a comma at a sentence start ("in 1865", "In 1865,"), a decade
 * ("the 1960s"), and relative dates ("yesterday", "last week", "two years
 * ago"). Money: a currency sign and a number ("$5 million", "£300"), or a
 * number and a currency word ("12 billion Slovak crowns", "500 dollars").
 */

/** A recognised date or amount, as an inclusive range of token indices. */
export interface Amount {
  readonly type: "Date" | "Money"
  readonly first: number
  readonly last: number
}

const MONTHS = new Set([
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
  "jan",
  "feb",
  "mar",
  "apr",
  "jun",
  "jul",
  "aug",
  "sep",
  "sept",
  "oct",
  "nov",
  "dec"
])
/** Month names that are also common words: a month only next to a day or a year. */
const AMBIGUOUS_MONTHS = new Set([
  "may",
  "march",
  "mar",
  "jun",
  "jan",
  "dec",
  "sep",
  "oct",
  "nov",
  "aug",
  "apr",
  "jul",
  "feb"
])
const WEEKDAYS = new Set(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
const YEAR_BEFORE = new Set([
  "in",
  "since",
  "by",
  "from",
  "until",
  "till",
  "to",
  "during",
  "after",
  "before",
  "of",
  "around",
  "circa",
  "c.",
  "early",
  "late",
  "mid",
  "fiscal",
  "spring",
  "summer",
  "autumn",
  "fall",
  "winter",
  "year",
  "between",
  "and",
  "through"
])
const RELATIVE = new Set(["today", "yesterday", "tomorrow", "tonight"])
const PERIOD = new Set([
  "week",
  "month",
  "year",
  "weekend",
  "spring",
  "summer",
  "fall",
  "autumn",
  "winter",
  "century",
  "decade",
  "night",
  "morning",
  "evening",
  "afternoon"
])
const UNITS = new Set([
  "day",
  "days",
  "week",
  "weeks",
  "month",
  "months",
  "year",
  "years",
  "decade",
  "decades",
  "century",
  "centuries"
])
const COUNT_WORDS = new Set([
  "a",
  "an",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "several",
  "few",
  "many",
  "some"
])
const CURRENCY_SIGNS = new Set(["$", "£", "€", "¥", "₹", "us$", "c$", "a$", "hk$"])
const CURRENCY_WORDS = new Set([
  "dollar",
  "dollars",
  "cent",
  "cents",
  "pound",
  "pounds",
  "euro",
  "euros",
  "yen",
  "franc",
  "francs",
  "mark",
  "marks",
  "ruble",
  "rubles",
  "rouble",
  "roubles",
  "peso",
  "pesos",
  "rupee",
  "rupees",
  "crown",
  "crowns",
  "yuan",
  "lira",
  "lire",
  "dinar",
  "dinars",
  "shekel",
  "shekels",
  "won",
  "kronor",
  "kroner",
  "krona",
  "rand",
  "guilders",
  "pence",
  "shillings"
])
const SCALES = new Set(["thousand", "million", "billion", "trillion", "hundred", "m", "bn"])

const NUMBER = /^\d[\d,.]*$/
const DAY = /^(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?$/
const YEAR = /^(?:1[0-9]|20)\d\d$/
const DECADE = /^(?:1[0-9]|20)\d0'?s$/

interface Tok {
  readonly value: string
  readonly key: string
  readonly sentence: number
}

/**
 * Dates and amounts among `tokens` (keys are lower case without a final
 * period), in order and not overlapping.
 */
export const findAmounts = (tokens: ReadonlyArray<Tok>): Array<Amount> => {
  const out: Array<Amount> = []
  const n = tokens.length
  const same = (i: number, k: number) => k >= 0 && k < n && tokens[k]!.sentence === tokens[i]!.sentence
  const is = (k: number, re: RegExp, i: number) => same(i, k) && re.test(tokens[k]!.value)
  let i = 0
  while (i < n) {
    const t = tokens[i]!
    const key = t.key
    const c = t.value.charCodeAt(0)
    const digit = c >= 48 && c <= 57
    let last = -1
    let first = i
    let type: "Date" | "Money" = "Date"
    if (MONTHS.has(key) && /^\p{Lu}/u.test(t.value)) {
      // [day] Month [day][,] [year]
      let k = i
      let anchored = false
      if (is(i - 1, DAY, i) && !(out.length > 0 && out[out.length - 1]!.last >= i - 1)) {
        first = i - 1
        anchored = true
      }
      if (is(k + 1, DAY, i)) {
        k++
        anchored = true
      }
      if (same(i, k + 1) && tokens[k + 1]!.value === "," && is(k + 2, YEAR, i)) k += 2
      else if (is(k + 1, YEAR, i)) k++
      if (k > i) anchored = true
      if (anchored || !AMBIGUOUS_MONTHS.has(key)) last = k
    } else if (WEEKDAYS.has(key)) {
      last = i
    } else if (RELATIVE.has(key)) {
      last = i
    } else if (
      (key === "last" || key === "next" || key === "this" || key === "past") && same(i, i + 1) &&
      PERIOD.has(tokens[i + 1]!.key)
    ) {
      last = i + 1
    } else if (
      (digit && NUMBER.test(t.value) || COUNT_WORDS.has(key)) && same(i, i + 2) && UNITS.has(tokens[i + 1]!.key) &&
      tokens[i + 2]!.key === "ago"
    ) {
      last = i + 2
    } else if (digit && DECADE.test(t.value)) {
      last = i
    } else if (digit && YEAR.test(t.value)) {
      const prev = same(i, i - 1) ? tokens[i - 1]!.key : ""
      const opensSentence = !same(i, i - 1) && same(i, i + 1) && tokens[i + 1]!.value === ","
      if (YEAR_BEFORE.has(prev) || opensSentence) last = i
    } else if (CURRENCY_SIGNS.has(key) && is(i + 1, NUMBER, i)) {
      type = "Money"
      last = i + 1
      if (same(i, last + 1) && SCALES.has(tokens[last + 1]!.key)) last++
    } else if (digit && NUMBER.test(t.value)) {
      let k = i
      if (same(i, k + 1) && SCALES.has(tokens[k + 1]!.key)) k++
      if (same(i, k + 2) && CURRENCY_WORDS.has(tokens[k + 2]!.key) && /^\p{Lu}/u.test(tokens[k + 1]!.value)) k++
      if (same(i, k + 1) && CURRENCY_WORDS.has(tokens[k + 1]!.key)) {
        type = "Money"
        last = k + 1
      }
    }
    if (last >= i) {
      out.push({ type, first, last })
      i = last + 1
    } else {
      i++
    }
  }
  return out
}

/**
 * Entity-resolution evaluation on Re-DocRED gold mentions: a thin wrapper
 * of src/Eval/Resolution.ts (the scorer `extract eval resolution` runs).
 *
 *   npm run --silent eval:resolution -- [../shared/data/redocred/dev.json] [--folds K] [--limit N]
 *     [--baseline] [--breakdown] [--errors N] [--contributions] [--disable rule,rule] [--no-text]
 *
 * stdout gets the table (pairwise and B-cubed P/R/F1; with `--folds K`
 * each fold, the folds' mean and minimum); stderr assignments by method, and
 * with `--breakdown` the gold pairs by name relation and the form ceiling;
 * with `--errors N` up to N wrong merges and N missed pairs. `--disable`
 * and `--enable` take rule names (src/Resolver.ts `RuleName`; the rules in
 * `RULES_OFF` are off unless enabled). `--long` treats every document as
 * long, so the long-document rules (`given-name`, `cataphora`,
 * `passing-surname`; src/Resolver.ts `LONG_ONLY`) apply and the short-document
 * one (`topic`, `SHORT_ONLY`) does not. With `--contributions`, every rule
 * is switched in turn (off when on, on when off) and stderr gets what it
 * adds: the P/R/F1 deltas overall and per fold, and each fold's
 * precision with and without it; a rule that does not apply at that
 * document length is marked "(long only)" or "(short only)" and changes
 * nothing. The last line on stdout is one JSON
 * object:
 *
 *   {"docs":N,"mentions":N,"bcubed":{…},"pairwise":{"precision":p,"recall":r,"f1":f},"ms":t,
 *    "folds":[{"fold":0,"docs":N,"mentions":N,"pairwise":{…},"bcubed":{…}},…],"foldMean":{…},"foldMin":{…}}
 *
 * (the fold fields only with `--folds`). Metric definitions: docs/resolution.md.
 * Exit codes: 0 done, 2 bad arguments, 4 unreadable or invalid input.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import {
  evaluate,
  type Evaluation,
  formatEvaluation,
  formatTable,
  type PairError,
  readRedocred,
  summaryJson
} from "../src/Eval/Resolution.js"
import { LONG_ONLY, Resolver, type RuleName, RULES_OFF, SHORT_ONLY } from "../src/Resolver.js"

const DEFAULT_PATH = "../shared/data/redocred/dev.json"
/** Every rule, in the order the contribution table lists them. */
const RULES: ReadonlyArray<RuleName> = [
  "title",
  "similar-name",
  "name-variant",
  "nickname",
  "surname-run",
  "acronym",
  "head-noun",
  "short-form",
  "passing-surname",
  "given-name",
  "cataphora",
  "untyped",
  "topic",
  "alias",
  "text-acronym",
  "text-script",
  "text-parenthesis",
  "text-aka",
  "text-formerly",
  "text-now",
  "text-apposition"
]

const usage = (message: string): never => {
  process.stderr.write(`eval:resolution: ${message}\n`)
  process.exit(2)
}

const args = process.argv.slice(2)
const VALUE_FLAGS = new Set(["--folds", "--limit", "--errors", "--disable", "--enable"])
const value = (flag: string): string | undefined => {
  const at = args.indexOf(flag)
  return at >= 0 ? args[at + 1] ?? usage(`${flag} needs a value`) : undefined
}
const int = (flag: string): number | undefined => {
  const v = value(flag)
  if (v === undefined) return undefined
  const n = Number(v)
  return Number.isInteger(n) && n >= 0 ? n : usage(`${flag} must be a non-negative integer, got ${v}`)
}
const path = args.find((a, i) => !a.startsWith("--") && !VALUE_FLAGS.has(args[i - 1] ?? "")) ?? DEFAULT_PATH
const folds = int("--folds")
if (folds !== undefined && folds < 2) usage("--folds must be at least 2")
const limit = int("--limit")
const showErrors = int("--errors") ?? 0
const listOf = (flag: string) => {
  const rules = (value(flag) ?? "").split(",").filter((r) => r !== "") as Array<RuleName>
  for (const r of rules) if (!RULES.includes(r)) usage(`unknown rule ${r}; rules: ${RULES.join(", ")}`)
  return rules
}
const enable = listOf("--enable")
const disable = new Set([...RULES_OFF, ...listOf("--disable")].filter((r) => !enable.includes(r)))
const options = {
  ...(args.includes("--long") ? { longDocument: 0 } : {}),
  ...(folds === undefined ? {} : { folds }),
  ...(limit === undefined ? {} : { limit }),
  baseline: args.includes("--baseline"),
  breakdown: args.includes("--breakdown"),
  errors: showErrors > 0,
  disable,
  text: !args.includes("--no-text")
}

const pairLine = (e: PairError) =>
  `  ${e.title}: ${e.a.text} [${e.a.type}]#${e.a.gold}(${e.a.method}) ~ ${e.b.text} [${e.b.type}]#${e.b.gold}(${e.b.method})`

/**
 * The pairs a rule adds (predicted with it and not without it, net) and
 * their precision (net correct pairs / net predicted pairs), overall and the
 * lowest over the folds where it adds any: a rule whose own pairs are less
 * precise than the target pulls precision below it.
 */
const marginal = (withIt: Evaluation, without: Evaluation): Array<string> => {
  const p = (a: Evaluation["pairs"], b: Evaluation["pairs"]) =>
    a.predicted === b.predicted ? null : (a.correct - b.correct) / (a.predicted - b.predicted)
  const folds = withIt.folds!.map((f, i) => p(f.pairs, without.folds![i]!.pairs)).filter((x) => x !== null)
  const overall = p(withIt.pairs, without.pairs)
  return [
    String(withIt.pairs.predicted - without.pairs.predicted),
    overall === null ? "" : overall.toFixed(3),
    folds.length === 0 ? "" : Math.min(...folds).toFixed(3)
  ]
}

/** Pairwise precision a fold must keep, and how much a rule may lower a fold below it (about one pair). */
const TARGET_PRECISION = 0.97
const TOLERANCE = 0.001
/** How precise the pairs a rule adds must be on the whole split. */
const MIN_RULE_PRECISION = 0.8

/**
 * The shipping test (docs/resolution.md, "Choosing rules by
 * cross-validation"): a rule passes when it raises the folds' mean
 * pairwise F1, the pairs it adds are at least {@link MIN_RULE_PRECISION}
 * precise, and, in every fold, precision with it is at least
 * {@link TARGET_PRECISION} or at most {@link TOLERANCE} lower than without.
 */
const passes = (withIt: Evaluation, without: Evaluation): boolean =>
  withIt.foldMean!.f1 > without.foldMean!.f1 &&
  withIt.pairs.correct - without.pairs.correct >=
    MIN_RULE_PRECISION * (withIt.pairs.predicted - without.pairs.predicted) &&
  withIt.folds!.every((f, i) => {
    const p = f.pairwise.precision
    return p >= TARGET_PRECISION || p >= without.folds![i]!.pairwise.precision - TOLERANCE
  })

const d = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(4)}`

const main = Effect.gen(function*() {
  const docs = yield* readRedocred(path)
  const result = yield* evaluate(docs, options)
  process.stdout.write(`${formatEvaluation(result)}\n`)
  process.stderr.write(
    `assignments by method: ${
      [...result.methods].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(", ")
    }\n`
  )
  if (result.breakdown !== null) {
    const rows = [...result.breakdown.relations].sort((a, b) => b[1].pairs - a[1].pairs)
    process.stderr.write(
      `gold coreferent pairs by name relation (joined/pairs): ${
        rows.map(([k, v]) => `${k} ${v.joined}/${v.pairs}`).join(", ")
      }\nform ceiling: ${result.breakdown.ceilingPairs} gold pairs are joined through names related by form\n`
    )
  }
  if (showErrors > 0) {
    const wrong = result.errors.filter((e) => e.kind === "wrong-merge").slice(0, showErrors)
    const missed = result.errors.filter((e) => e.kind === "missed").slice(0, showErrors)
    process.stderr.write(
      `wrong merges:\n${wrong.map(pairLine).join("\n")}\nmissed pairs:\n${missed.map(pairLine).join("\n")}\n`
    )
  }
  if (args.includes("--contributions") && result.folds !== null) {
    const rows: Array<Array<string>> = [[
      "rule",
      "ΔP",
      "ΔR",
      "ΔF1",
      ...result.folds.map((_, i) => `fold ${i} ΔP/ΔR`),
      "min fold P with",
      "min fold P without",
      "pairs added",
      "their P",
      "min fold their P",
      "passes"
    ]]
    for (const rule of RULES) {
      // a rule that is on is compared with it off; a rule that is off, with it on
      const other: Evaluation = yield* evaluate(docs, {
        ...options,
        errors: false,
        breakdown: false,
        disable: disable.has(rule) ? new Set([...disable].filter((r) => r !== rule)) : new Set([...disable, rule])
      })
      const [withIt, without] = disable.has(rule) ? [other, result] : [result, other]
      rows.push([
        // a rule that does not apply at this document length changes nothing: say so
        `${rule}${disable.has(rule) ? " (off)" : ""}${
          (args.includes("--long") ? SHORT_ONLY : LONG_ONLY).has(rule)
            ? args.includes("--long") ? " (short only)" : " (long only)"
            : ""
        }`,
        d(withIt.pairwise.precision - without.pairwise.precision),
        d(withIt.pairwise.recall - without.pairwise.recall),
        d(withIt.pairwise.f1 - without.pairwise.f1),
        ...withIt.folds!.map((f, i) =>
          `${d(f.pairwise.precision - without.folds![i]!.pairwise.precision)}/${
            d(f.pairwise.recall - without.folds![i]!.pairwise.recall)
          }`
        ),
        withIt.foldMin!.precision.toFixed(4),
        without.foldMin!.precision.toFixed(4),
        ...marginal(withIt, without),
        passes(withIt, without) ? "yes" : "no"
      ])
    }
    process.stderr.write(
      `what each rule adds (with it minus without it; "(off)": not shipped):\n${formatTable(rows)}\n`
    )
  }
  process.stdout.write(`${JSON.stringify(summaryJson(result))}\n`)
})

Effect.runPromise(
  main.pipe(
    Effect.provide(Resolver.Default),
    Effect.provide(NodeContext.layer),
    Effect.catchAll((e) =>
      Effect.sync(() => {
        process.stderr.write(`eval:resolution: ${e.message}\n`)
        process.exit(4)
      })
    )
  )
).catch((e) => usage(String(e)))

/**
 * Token counting for chunk budgets and LLM accounting.
 */
import * as Effect from "effect/Effect"

/** Special-token markers in documents are ordinary text to us. */
const asText = { disallowedSpecial: new Set<string>() }

/**
 * Counts tokens with OpenAI's `o200k_base` byte-pair encoding (GPT-4o and
 * later), via the `gpt-tokenizer` package. Counts are exact for OpenAI models
 * and a close estimate for other providers' models.
 *
 * The encoding's ranks (2.8 MB of bundled JavaScript, about 0.27 s to compile
 * and evaluate) are imported when the layer is built, not when this file is,
 * so a command that only names the service loads none of it.
 */
export class Tokenizer extends Effect.Service<Tokenizer>()("Tokenizer", {
  effect: Effect.map(Effect.promise(() => import("gpt-tokenizer/encoding/o200k_base")), ({ countTokens }) => ({
    /** Name of the encoding, recorded in run config. */
    encoding: "o200k_base",
    /** Number of tokens in `text`. Pure and synchronous; never fails. */
    count: (text: string): number => countTokens(text, asText)
  })),
  accessors: true
}) {}

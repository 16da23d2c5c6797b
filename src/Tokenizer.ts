/**
 * Token counting for chunk budgets and LLM accounting.
 */
import * as Effect from "effect/Effect"
import { countTokens } from "gpt-tokenizer/encoding/o200k_base"

/** Special-token markers in documents are ordinary text to us. */
const asText = { disallowedSpecial: new Set<string>() }

/**
 * Counts tokens with OpenAI's `o200k_base` byte-pair encoding (GPT-4o and
 * later), via the `gpt-tokenizer` package. Counts are exact for OpenAI models
 * and a close estimate for other providers' models.
 */
export class Tokenizer extends Effect.Service<Tokenizer>()("Tokenizer", {
  succeed: {
    /** Name of the encoding, recorded in run config. */
    encoding: "o200k_base",
    /** Number of tokens in `text`. Pure and synchronous; never fails. */
    count: (text: string): number => countTokens(text, asText)
  },
  accessors: true
}) {}

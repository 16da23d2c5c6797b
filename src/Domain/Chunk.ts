import * as Schema from "effect/Schema"
import { Span } from "./Span.js"

/**
 * A chunk of the document: a run of whole sentences (a sentence longer than
 * the budget is split at token boundaries). `span` covers the chunk in
 * document code points and `span.text` is the chunk's text; consecutive
 * chunks may overlap by up to the configured overlap.
 */
export class Chunk extends Schema.Class<Chunk>("Chunk")({
  /** 0-based position of the chunk in the document. */
  index: Schema.Int.pipe(Schema.nonNegative()),
  span: Span,
  /** Tokens in `span.text`, counted with the configured tokenizer. */
  tokens: Schema.Int.pipe(Schema.nonNegative()),
  /** Sentences (or sentence pieces) the chunk is made of. */
  sentences: Schema.Int.pipe(Schema.nonNegative())
}) {}

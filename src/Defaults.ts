/**
 * Defaults of the command line's numeric options, in a module of their own
 * (no imports) so that `src/Cli.ts` can show them in `--help` without
 * loading the chunker, the tokenizer or the settings resolver (issue 14).
 */

/** Tokens per chunk; follows Microsoft GraphRAG's chunking default (1,200-token chunks). */
export const DEFAULT_CHUNK_SIZE = 1200
/** Tokens of overlap between consecutive chunks; GraphRAG's default (100 tokens). */
export const DEFAULT_CHUNK_OVERLAP = 100
/** Chunks extracted at once when `--concurrency` is not given. */
export const DEFAULT_CONCURRENCY = 4

/**
 * Defaults of the command line's numeric options, in a module of their own
 * (no imports) so that `src/Cli.ts` can show them in `--help` without
 * loading the chunker, the tokenizer or the settings resolver (issue 14),
 * and the output directory's, which the launcher's `runs list` fast path
 * (src/RunsListing.ts) resolves as `--output-dir` does.
 */

/** Tokens per chunk; follows Microsoft GraphRAG's chunking default (1,200-token chunks). */
export const DEFAULT_CHUNK_SIZE = 1200
/** Tokens of overlap between consecutive chunks; GraphRAG's default (100 tokens). */
export const DEFAULT_CHUNK_OVERLAP = 100
/** Chunks extracted at once when `--concurrency` is not given. */
export const DEFAULT_CONCURRENCY = 4

/** The environment variable `--output-dir` falls back to. */
export const OUTPUT_DIR_ENV = "EXTRACT_OUTPUT_DIR"
/** The output directory when neither `--output-dir` nor {@link OUTPUT_DIR_ENV} gives one. */
export const DEFAULT_OUTPUT_DIR = "./output"

/**
 * The document a run works on: its decoded text and where it came from.
 */
import { CodePointIndex } from "./Span.js"

/**
 * A decoded input document. `text` is exactly what the run store writes to
 * `input/document.txt` (UTF-8), and every span in every output counts code
 * points over it. `sha256` and `bytes` describe the input bytes as read
 * (before decoding), so `sha256sum doc.txt` predicts the run id.
 */
export class SourceDocument {
  readonly index: CodePointIndex
  constructor(
    /** Decoded text, line ends kept as they were (CRLF, CR, LF). */
    readonly text: string,
    /** Where the bytes came from: a path as given on the command line, or `-` for stdin. */
    readonly path: string,
    /** Size of the input in bytes. */
    readonly bytes: number,
    /** Lower-case hex SHA-256 of the input bytes. */
    readonly sha256: string,
    /** How the bytes were decoded, e.g. `utf-8` or `utf-16le`. */
    readonly encoding: string,
    /** Invalid byte sequences replaced by U+FFFD (only when decoding with an explicit `--encoding`). */
    readonly replacements: number = 0
  ) {
    this.index = new CodePointIndex(text)
  }

  /** Run id for this document: `doc-` + the first 12 hex digits of its SHA-256. */
  get runId(): string {
    return runIdOf(this.sha256)
  }

  /** Length of the text in code points. */
  get length(): number {
    return this.index.length
  }
}

/** `doc-` + the first 12 hex digits of a SHA-256 hex digest. */
export const runIdOf = (sha256Hex: string): string => `doc-${sha256Hex.slice(0, 12)}`

/** Run ids are `doc-` and 12 lower-case hex digits (defined in ./RunId.ts, which loads nothing). */
export { RUN_ID_PATTERN } from "./RunId.js"

/**
 * Mermaid's own parser in Node: `mermaid.parse` needs a DOM (DOMPurify), so
 * this gives it one from jsdom, once per test file.
 */
import { JSDOM } from "jsdom"

let parser: Promise<(text: string) => Promise<unknown>> | undefined

/** Parses diagram text (without the ``` fence) with mermaid; rejects with Mermaid's message when it refuses it. */
export const parseMermaid = (text: string): Promise<unknown> => {
  parser ??= (async () => {
    const dom = new JSDOM("<!doctype html><html><body></body></html>")
    const g = globalThis as Record<string, unknown>
    g.window = dom.window
    g.document = dom.window.document
    const { default: mermaid } = await import("mermaid")
    mermaid.initialize({ startOnLoad: false })
    return (t: string) => mermaid.parse(t)
  })()
  return parser.then((parse) => parse(text))
}

/** The diagram inside a ```mermaid fence; throws if the file is not exactly one fenced block. */
export const unfence = (markdown: string): string => {
  const m = /^```mermaid\n([\s\S]*)\n```\n$/.exec(markdown)
  if (!m) throw new Error("not a single ```mermaid fenced block")
  return m[1]!
}

/**
 * Small DOM helpers for the viewer's browser code. Every piece of run data
 * enters the page through {@link h}'s text children (Text nodes) or through
 * properties such as `title` — never as HTML — so labels and document text
 * containing markup show literally and can run nothing.
 */

/** Child of {@link h}: an element, or text (made a Text node), or nothing. */
export type Child = Node | string | null | undefined | false

/**
 * Creates `<tag>` with a class name (`cls`, may be "") and children; strings
 * become Text nodes (document.createTextNode), never markup.
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls: string,
  ...children: ReadonlyArray<Child>
): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag)
  if (cls !== "") el.className = cls
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    el.append(typeof c === "string" ? document.createTextNode(c) : c)
  }
  return el
}

/** The element with `id` (throws if the page lacks it: a bug in the page). */
export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`viewer: #${id} is missing`)
  return el as T
}

/**
 * Code point offsets → UTF-16 indices over one string, as
 * `src/Domain/Span.ts`'s CodePointIndex converts them: every offset in the
 * run's data counts code points, `String.prototype.slice` takes UTF-16
 * indices. O(log p) per lookup (p = surrogate pairs), O(1) without any.
 */
export class CodePoints {
  /** UTF-16 index of the low surrogate of every surrogate pair, ascending. */
  private readonly lows: Int32Array

  constructor(text: string) {
    const lows: Array<number> = []
    for (let i = 0; i < text.length - 1; i++) {
      const c = text.charCodeAt(i)
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = text.charCodeAt(i + 1)
        if (d >= 0xdc00 && d <= 0xdfff) {
          lows.push(i + 1)
          i++
        }
      }
    }
    this.lows = Int32Array.from(lows)
  }

  /** UTF-16 index of code point offset `cp`. */
  toUtf16(cp: number): number {
    const lows = this.lows
    if (lows.length === 0) return cp
    let lo = 0
    let hi = lows.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (lows[mid]! - 1 - mid < cp) lo = mid + 1
      else hi = mid
    }
    return cp + lo
  }
}

/** Text shortened to `max` UTF-16 units, cut at a code point boundary, with `…`. */
export const shorten = (s: string, max: number): string => {
  if (s.length <= max) return s
  let end = max
  const c = s.charCodeAt(end - 1)
  if (c >= 0xd800 && c <= 0xdbff) end--
  return s.slice(0, end) + "…"
}

/** Distinct colours for entity types, by the type's index (Tableau 10, then a second set). */
export const TYPE_COLOURS = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
  "#1f77b4",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf"
]

/** The colour of type index `t`. */
export const colourOf = (t: number): string => TYPE_COLOURS[t % TYPE_COLOURS.length]!

/** Replaces `el`'s children with `children` (strings as Text nodes; null, undefined and false skipped). */
export const fill = (el: HTMLElement, ...children: ReadonlyArray<Child>): void => {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false))
}

/**
 * The document with every mention highlighted. The text is cut into blocks
 * of about {@link BLOCK_SIZE} UTF-16 units at line ends that fall outside
 * every mention. Small documents render every block at once; large ones
 * ({@link LAZY_THRESHOLD_BYTES}) render a block when it comes within a
 * screen or two of the viewport (IntersectionObserver), so highlights far
 * from it are not in the DOM until scrolled to; a rendered block stays.
 *
 * Each mention is one `<mark class="m t<type>" data-mention-id="<id>">`.
 * Nested mentions nest; a mention that overlaps the end of an enclosing one
 * is cut at that end. An ungrounded mention (an empty span) is an empty
 * mark, drawn by CSS.
 */
import { h } from "./Dom.js"
import type { Model } from "./Model.js"

/** Target block size, in UTF-16 units. */
export const BLOCK_SIZE = 8_000

/** Documents of more UTF-8 bytes than this render their text lazily (1 MB). */
export const LAZY_THRESHOLD_BYTES = 1_000_000

interface Block {
  readonly start: number
  readonly end: number
  /** Mentions [m0, m1) start in this block. */
  readonly m0: number
  readonly m1: number
  readonly el: HTMLElement
  rendered: boolean
}

export class TextView {
  readonly lazy: boolean
  private readonly blocks: Array<Block> = []
  /** The mark of each mention, once its block is rendered. */
  private readonly marks: Array<HTMLElement | undefined>
  private observer: IntersectionObserver | undefined
  /** Called for each mark when its block renders (to apply the selection). */
  onMark: (mention: number, el: HTMLElement) => void = () => {}

  constructor(readonly container: HTMLElement, readonly model: Model) {
    this.marks = new Array(model.data.mentions.length)
    this.lazy = new TextEncoder().encode(model.text).length > LAZY_THRESHOLD_BYTES
    this.cut()
  }

  /** Splits the text into blocks and puts them (rendered, or as placeholders) in the container. */
  private cut() {
    const { text, mentionStart, mentionEnd } = this.model
    const n = mentionStart.length
    let start = 0
    let mi = 0
    // the furthest end of the mentions started so far: no cut before it
    let reach = 0
    const frag = document.createDocumentFragment()
    const charsPerLine = Math.max(40, Math.floor((this.container.clientWidth || 800) / 8.2))
    while (start < text.length || (start === 0 && this.blocks.length === 0)) {
      let end = Math.min(text.length, start + BLOCK_SIZE)
      if (end < text.length) {
        const nl = text.indexOf("\n", end)
        end = nl < 0 ? text.length : nl + 1
      }
      // take in the mentions that start before the cut, pushing the cut past any mention it would split
      const m0 = mi
      for (;;) {
        while (mi < n && (mentionStart[mi]! < end || end >= text.length)) {
          reach = Math.max(reach, mentionEnd[mi]!)
          mi++
        }
        // a mention that starts exactly at the cut belongs to the next block; an empty one at the end too
        if (reach <= end) break
        const nl = text.indexOf("\n", reach)
        end = nl < 0 ? text.length : nl + 1
      }
      const el = h("div", "block")
      el.dataset["block"] = String(this.blocks.length)
      const block: Block = { start, end, m0, m1: mi, el, rendered: false }
      this.blocks.push(block)
      if (this.lazy) {
        // placeholder height, so the scroll bar is about right before the block renders
        const slice = text.slice(start, end)
        let lines = 0
        for (const line of slice.split("\n")) lines += Math.max(1, Math.ceil(line.length / charsPerLine))
        el.style.height = `${Math.round(lines * 1.6 * 15)}px`
      } else {
        this.renderBlock(block)
      }
      frag.append(el)
      if (end >= text.length) break
      start = end
    }
    this.container.replaceChildren(frag)
    if (this.lazy) {
      this.observer = new IntersectionObserver((entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue
          this.ensure(Number((entry.target as HTMLElement).dataset["block"]))
        }
      }, { root: this.container, rootMargin: "1500px 0px" })
      for (const b of this.blocks) this.observer.observe(b.el)
    }
  }

  /** Renders block `index` if it is not yet. */
  ensure(index: number) {
    const block = this.blocks[index]
    if (!block || block.rendered) return
    this.renderBlock(block)
    block.el.style.height = ""
    this.observer?.unobserve(block.el)
  }

  /** True once every block is rendered. */
  get complete(): boolean {
    return this.blocks.every((b) => b.rendered)
  }

  private renderBlock(block: Block) {
    const { text, mentionStart, mentionEnd, mentionEntity, data } = this.model
    const frag = document.createDocumentFragment()
    const stack: Array<{ el: Node; end: number }> = [{ el: frag, end: block.end }]
    let pos = block.start
    const flush = (to: number) => {
      if (to > pos) stack[stack.length - 1]!.el.appendChild(document.createTextNode(text.slice(pos, to)))
      pos = Math.max(pos, to)
    }
    for (let i = block.m0; i < block.m1; i++) {
      const s = Math.max(mentionStart[i]!, pos)
      // close the marks that end before this mention starts (an empty one closes where it opened)
      while (stack.length > 1 && stack[stack.length - 1]!.end <= s) {
        flush(stack[stack.length - 1]!.end)
        stack.pop()
      }
      flush(s)
      const parent = stack[stack.length - 1]!
      const end = Math.min(Math.max(mentionEnd[i]!, s), parent.end)
      const m = data.mentions[i]!
      const entity = data.entities[mentionEntity[i]!]!
      const el = document.createElement("mark")
      el.className = end === s ? `m t${entity[2]} empty` : `m t${entity[2]}`
      el.dataset["mentionId"] = m[0]
      parent.el.appendChild(el)
      this.marks[i] = el
      stack.push({ el, end })
      this.onMark(i, el)
    }
    while (stack.length > 1) {
      flush(stack[stack.length - 1]!.end)
      stack.pop()
    }
    flush(block.end)
    block.el.replaceChildren(frag)
    block.rendered = true
  }

  /** Index of the block holding UTF-16 index `u16`. */
  private blockAt(u16: number): number {
    let lo = 0
    let hi = this.blocks.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.blocks[mid]!.start <= u16) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** The mark of mention `i`, rendering its block first. */
  markOf(i: number): HTMLElement | undefined {
    if (this.marks[i] === undefined) this.ensure(this.blockAt(this.model.mentionStart[i]!))
    return this.marks[i]
  }

  /** The mark of mention `i` if its block is rendered (no rendering). */
  renderedMark(i: number): HTMLElement | undefined {
    return this.marks[i]
  }

  /** DOM position of UTF-16 index `u16` (rendering its block first). */
  private positionOf(u16: number): [Node, number] {
    const b = this.blocks[this.blockAt(u16)]!
    this.ensure(this.blockAt(u16))
    const walker = document.createTreeWalker(b.el, NodeFilter.SHOW_TEXT)
    let at = b.start
    let last: Node = b.el
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const len = (node as Text).length
      if (u16 <= at + len) return [node, u16 - at]
      at += len
      last = node
    }
    return last === b.el ? [b.el, 0] : [last, (last as Text).length]
  }

  /** A DOM Range over UTF-16 [start, end) of the document. */
  rangeOf(start: number, end: number): Range {
    const range = document.createRange()
    const [sn, so] = this.positionOf(start)
    const [en, eo] = this.positionOf(Math.max(start, end))
    range.setStart(sn, so)
    range.setEnd(en, eo)
    return range
  }
}

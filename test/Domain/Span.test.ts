import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import { CodePointIndex, codePointLength } from "../../src/Domain/Span.js"

/** Code-point slice, as Python's doc[start:end] would give. */
const cpSlice = (s: string, start: number, end: number) => Array.from(s).slice(start, end).join("")

describe("CodePointIndex", () => {
  it("counts characters outside the BMP as one code point", () => {
    const text = "a😀b𝄞c"
    const index = new CodePointIndex(text)
    expect(index.length).toBe(5)
    expect(codePointLength(text)).toBe(5)
    expect(index.toCodePoint(3)).toBe(2) // "b" is UTF-16 index 3, code point 2
    expect(index.toUtf16(4)).toBe(6) // "c"
    const span = index.span(1, 3)
    expect(span).toMatchObject({ start: 1, end: 2, text: "😀" })
  })

  it("is the identity for text without surrogate pairs", () => {
    const index = new CodePointIndex("plain ASCII and é")
    expect(index.toCodePoint(7)).toBe(7)
    expect(index.toUtf16(7)).toBe(7)
  })

  it("maps every UTF-16 boundary so that code-point slices give the same text", () => {
    const alphabet = FastCheck.constantFrom("a", "é", "😀", "𝄞", " ", "\n", "中", "\r\n")
    FastCheck.assert(
      FastCheck.property(
        FastCheck.array(alphabet, { maxLength: 40 }),
        FastCheck.nat(),
        FastCheck.nat(),
        (parts, x, y) => {
          const text = parts.join("")
          const index = new CodePointIndex(text)
          const cps = Array.from(text)
          expect(index.length).toBe(cps.length)
          const a = Math.min(x, y) % (cps.length + 1)
          const b = Math.max(a, Math.max(x, y) % (cps.length + 1))
          const u16a = index.toUtf16(a)
          const u16b = index.toUtf16(b)
          expect(index.toCodePoint(u16a)).toBe(a)
          const span = index.span(u16a, u16b)
          expect(span.text).toBe(cpSlice(text, span.start, span.end))
          expect(index.slice(a, b)).toBe(cpSlice(text, a, b))
        }
      )
    )
  })
})

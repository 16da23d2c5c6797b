/** Generated documents for llm tests: one paragraph per chunk at `--chunk-size 64 --chunk-overlap 0`. */

const FIRST = ["Ada", "Charles", "Mary", "Michael", "Grace", "Alan", "Emmy", "Henri", "Sofia", "Niels"]
const LAST = ["Lovelace", "Babbage", "Somerville", "Faraday", "Hopper", "Turing", "Noether", "Poincare", "Kovalevskaya", "Bohr"]

/** Paragraph `i`: two people (two capitalised words each) in one sentence, about 45 tokens. */
export const paragraph = (i: number) => {
  const a = `${FIRST[i % 10]} ${LAST[(i * 3) % 10]}`
  const b = `${FIRST[(i + 3) % 10]} ${LAST[(i * 7 + 1) % 10]}`
  return `Paragraph ${i}: ${a} wrote to ${b} about the engine in the year ${1800 + (i % 200)}. ${b} answered with a long letter on numbers and machines.`
}

/** A document of `n` paragraphs; with `--chunk-size 64 --chunk-overlap 0` each is one chunk. */
export const paragraphs = (n: number) => Array.from({ length: n }, (_, i) => paragraph(i)).join("\n\n") + "\n"

/** The chunking flags that make {@link paragraphs} one chunk per paragraph. */
export const ONE_PARAGRAPH_PER_CHUNK = ["--chunk-size", "64", "--chunk-overlap", "0"] as const

/** Generated test documents. */

const FIRST = [
  "Ada",
  "Charles",
  "Mary",
  "Michael",
  "Grace",
  "Alan",
  "Emmy",
  "Sofia",
  "Niels",
  "Lise",
  "Marie",
  "Pierre"
]
const LAST = [
  "Lovelace",
  "Babbage",
  "Somerville",
  "Faraday",
  "Hopper",
  "Turing",
  "Noether",
  "Kovalevskaya",
  "Bohr",
  "Meitner",
  "Curie",
  "Laplace"
]

/**
 * A document of `paragraphs` paragraphs, each naming a few people (two
 * capitalised words, which the mock model extracts) with non-BMP characters
 * in between; `seed` varies the names, so different seeds give different
 * documents (and run ids).
 */
export const peopleDocument = (seed: number, paragraphs: number): string => {
  const out: Array<string> = []
  for (let p = 0; p < paragraphs; p++) {
    const a = `${FIRST[(seed + p) % FIRST.length]} ${LAST[(seed * 7 + p) % LAST.length]}`
    const b = `${FIRST[(seed + p + 5) % FIRST.length]} ${LAST[(seed * 3 + p + 2) % LAST.length]}`
    out.push(
      `${a} wrote to ${b} in paragraph ${p} of document ${seed}. 📜 Later ${b} answered ${a} with a long letter about engines.`
    )
  }
  return out.join("\n\n") + "\n"
}

// Documents for llm tests: one paragraph per chunk at `--chunk-size 64 --chunk-overlap 0`.

const LLM_FIRST = ["Ada", "Charles", "Mary", "Michael", "Grace", "Alan", "Emmy", "Henri", "Sofia", "Niels"]
const LLM_LAST = [
  "Lovelace",
  "Babbage",
  "Somerville",
  "Faraday",
  "Hopper",
  "Turing",
  "Noether",
  "Poincare",
  "Kovalevskaya",
  "Bohr"
]

/** Paragraph `i`: two people (two capitalised words each) in one sentence, about 45 tokens. */
export const paragraph = (i: number) => {
  const a = `${LLM_FIRST[i % 10]} ${LLM_LAST[(i * 3) % 10]}`
  const b = `${LLM_FIRST[(i + 3) % 10]} ${LLM_LAST[(i * 7 + 1) % 10]}`
  return `Paragraph ${i}: ${a} wrote to ${b} about the engine in the year ${
    1800 + (i % 200)
  }. ${b} answered with a long letter on numbers and machines.`
}

/** A document of `n` paragraphs; with `--chunk-size 64 --chunk-overlap 0` each is one chunk. */
export const paragraphs = (n: number) => Array.from({ length: n }, (_, i) => paragraph(i)).join("\n\n") + "\n"

/** The chunking flags that make {@link paragraphs} one chunk per paragraph. */
export const ONE_PARAGRAPH_PER_CHUNK = ["--chunk-size", "64", "--chunk-overlap", "0"] as const

/** Generated test documents. */

const FIRST = ["Ada", "Charles", "Mary", "Michael", "Grace", "Alan", "Emmy", "Sofia", "Niels", "Lise", "Marie", "Pierre"]
const LAST = ["Lovelace", "Babbage", "Somerville", "Faraday", "Hopper", "Turing", "Noether", "Kovalevskaya", "Bohr", "Meitner", "Curie", "Laplace"]

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
    out.push(`${a} wrote to ${b} in paragraph ${p} of document ${seed}. 📜 Later ${b} answered ${a} with a long letter about engines.`)
  }
  return out.join("\n\n") + "\n"
}

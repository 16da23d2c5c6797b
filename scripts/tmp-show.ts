import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { Chunk } from "../src/Domain/Chunk.js"
import { Span } from "../src/Domain/Span.js"
import { Extractor } from "../src/Extractor.js"
import * as Nlp from "../src/Extractor/Nlp.js"
const rt = ManagedRuntime.make(Nlp.layer)
rt.runPromise(Effect.gen(function*() {
  const ex = yield* Extractor
  for (const text of process.argv.slice(2)) {
    const x = yield* ex.extract(new Chunk({ index: 0, span: new Span({ start: 0, end: Array.from(text).length, text }), tokens: 0, sentences: 1 }))
    console.log(text)
    for (const m of x.mentions) console.log("  ", m.type, JSON.stringify(m.span.text), m.confidence)
    const by = new Map(x.mentions.map((m) => [m.id, m.span.text]))
    for (const r of x.relations) console.log("  REL", by.get(r.subject), r.predicate, by.get(r.object))
  }
}))

import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { Chunk } from "../src/Domain/Chunk.js"
import { Span } from "../src/Domain/Span.js"
import { Extractor } from "../src/Extractor.js"
import * as Nlp from "../src/Extractor/Nlp.js"
import { readConll04 } from "../scripts/lib/Conll04.js"
const rt = ManagedRuntime.make(Nlp.layer)
rt.runPromise(Effect.gen(function*() {
  const ex = yield* Extractor
  const counts: Record<string, number> = {}
  for (const s of readConll04(process.argv[2]!)) {
    const x = yield* ex.extract(new Chunk({ index: 0, span: new Span({ start: 0, end: s.text.length, text: s.text }), tokens: 0, sentences: 1 }))
    for (const m of x.mentions) {
      if (m.type !== (process.argv[3] ?? "Other")) continue
      const g = s.entities.find((e) => e.start === m.span.start && (e.end === m.span.end || e.end === m.span.end + 1))
      const k = g ? g.type : "none"
      counts[k] = (counts[k] ?? 0) + 1
      if (process.argv[4]) console.log(k, m.span.text, m.confidence)
    }
  }
  console.log(counts)
}))

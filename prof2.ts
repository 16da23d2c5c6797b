import { renderTurtle } from "./src/Renderer/Turtle.js"
import { renderJsonLd } from "./src/Renderer/JsonLd.js"
import { Entity, EntityMention, Evidence, KnowledgeGraph, Relation } from "./src/Domain/Graph.js"
import { Span } from "./src/Domain/Span.js"
const n = 10000
const entities = Array.from({ length: n }, (_, i) => new Entity({ id: `e-${i}`, label: `Name ${i}`, type: "Person", aliases: [], mentions: Array.from({ length: 4 }, (_, k) => new EntityMention({ id: `m${i}-${k}`, span: new Span({ start: i, end: i + 5, text: "Name " }, { disableValidation: true }), chunk: 0, grounding: "exact" }, { disableValidation: true })), description: null }, { disableValidation: true }))
const relations = Array.from({ length: n }, (_, i) => new Relation({ id: `r-${i}`, subject: `e-${i}`, predicate: "knows", object: `e-${(i + 1) % n}`, evidence: [new Evidence({ span: new Span({ start: 0, end: 3, text: "abc" }, { disableValidation: true }), chunk: 0, grounding: "exact" }, { disableValidation: true })] }, { disableValidation: true }))
const graph = new KnowledgeGraph({ schemaVersion: 1, runId: "doc-0123456789ab", document: { path: "input/document.txt", sha256: "a".repeat(64), length: 1 }, entities, relations }, { disableValidation: true })
let t = performance.now(); renderTurtle(graph, { baseIri: "http://example.org/extract/" }); console.log("turtle", Math.round(performance.now() - t))
t = performance.now(); renderJsonLd(graph, { baseIri: "http://example.org/extract/" }); console.log("jsonld", Math.round(performance.now() - t))

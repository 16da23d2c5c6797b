import { findAll, similarity } from "../src/Grounding.js"
const text = "The engine was designed by Charles Babbage in London."
const n = "engine was designed by Babbage in London"
console.log(findAll(text, n), similarity(n, "engine was designed by Charles Babbage in London"))

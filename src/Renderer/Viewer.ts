/**
 * `viewer.html`: one self-contained HTML page that shows a run — the
 * document with every mention highlighted, the entities, the relations
 * with their evidence, a graph view and each entity's resolution. Its
 * JavaScript and CSS (built from `src/Viewer/` by `scripts/build-viewer.ts`
 * into `dist/assets/`) and the run's data are inlined, so the page works
 * from `file://` and makes no network request; a Content-Security-Policy of
 * `default-src 'none'` forbids any.
 */
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { KnowledgeGraph, ResolutionGraph } from "../Domain/Graph.js"
import type { ViewerData, ViewerEntity, ViewerMention, ViewerRelation } from "../Viewer/ViewerData.js"
import { compareStrings } from "./Text.js"

/** The built browser code and style sheet that every viewer.html inlines. */
export interface ViewerAssets {
  readonly script: string
  readonly style: string
}

/** File names of the built assets, in `dist/assets/`. */
export const VIEWER_ASSET_FILES = { script: "viewer.js", style: "viewer.css" } as const

let cached: ViewerAssets | undefined

/**
 * Reads the built viewer assets once per process. They sit in
 * `dist/assets/`, found relative to this module: `../assets/` when it runs
 * from `dist/Renderer/`, `./assets/` when the CLI is bundled into
 * `dist/bin.js`, and `../../dist/assets/` when it runs from `src/` (tsx,
 * vitest). Throws when `npm run build` has not written them.
 */
export const viewerAssets = (): ViewerAssets => {
  if (cached) return cached
  const candidates = ["../assets/", "./assets/", "../../dist/assets/"].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url))
  )
  const dir = candidates.find((d) => existsSync(d + VIEWER_ASSET_FILES.script))
  if (dir === undefined) {
    throw new Error(`the viewer's built assets are missing (looked in ${candidates.join(", ")}); run npm run build`)
  }
  cached = {
    script: readFileSync(dir + VIEWER_ASSET_FILES.script, "utf8"),
    style: readFileSync(dir + VIEWER_ASSET_FILES.style, "utf8")
  }
  return cached
}

/**
 * The page's data: the graph's entities, mentions (with their resolution
 * edge) and relations, as {@link ViewerData} tuples. Mentions are sorted by
 * start, longer first, then by id, so nested highlights open outermost first.
 */
export const viewerDataOf = (graph: KnowledgeGraph, resolution: ResolutionGraph, text: string): ViewerData => {
  const types = [...new Set(graph.entities.map((e) => e.type))].sort(compareStrings)
  const typeIndex = new Map(types.map((t, i) => [t, i]))
  const entityIndex = new Map(graph.entities.map((e, i) => [e.id, i]))
  const edges = new Map(resolution.edges.map((e) => [e.mention, e]))
  const entities: Array<ViewerEntity> = graph.entities.map((e) => [
    e.id,
    e.label,
    typeIndex.get(e.type)!,
    e.aliases,
    e.description
  ])
  const mentions: Array<ViewerMention> = []
  const reasons: Array<string> = []
  const reasonIndex = new Map<string, number>()
  const reasonOf = (reason: string | undefined) => {
    if (reason === undefined) return -1
    let k = reasonIndex.get(reason)
    if (k === undefined) {
      k = reasons.length
      reasons.push(reason)
      reasonIndex.set(reason, k)
    }
    return k
  }
  graph.entities.forEach((e, i) => {
    for (const m of e.mentions) {
      const edge = edges.get(m.id)
      mentions.push([
        m.id,
        i,
        m.span.start,
        m.span.end,
        m.grounding,
        edge?.method ?? null,
        edge?.score ?? null,
        reasonOf(edge?.reason),
        edge?.via ?? null
      ])
    }
  })
  mentions.sort((a, b) => a[2] - b[2] || b[3] - a[3] || compareStrings(a[0], b[0]))
  const relations: Array<ViewerRelation> = graph.relations.map((r) => [
    r.id,
    entityIndex.get(r.subject) ?? -1,
    r.predicate,
    entityIndex.get(r.object) ?? -1,
    r.evidence.map((ev) => [ev.span.start, ev.span.end] as const)
  ])
  return { version: 1, runId: graph.runId, text, types, entities, mentions, reasons, relations }
}

/**
 * JSON for a `<script type="application/json">` block: `<` becomes `\u003c`
 * (so neither `</script>` nor `<!--` can end or confuse the block) and
 * U+2028/U+2029 are escaped too; JSON.parse reads the text back unchanged.
 * Lone surrogates come out as `\udXXX` escapes (JSON.stringify is well-formed).
 */
export const scriptSafeJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")

/** Escapes text for an HTML text node or a double-quoted attribute. */
const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** The page's Content-Security-Policy: inline script and style only, nothing fetched, no forms, no base. */
export const VIEWER_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'"

/**
 * Renders `viewer.html` for a run: a complete HTML page with the assets
 * ({@link viewerAssets} unless given) and {@link viewerDataOf} inlined.
 * Pure given the assets: the same graphs, text and assets give the same
 * bytes. `text` is the document (`input/document.txt`).
 */
export const renderViewer = (
  graph: KnowledgeGraph,
  resolution: ResolutionGraph,
  text: string,
  assets: ViewerAssets = viewerAssets()
): string =>
  [
    "<!doctype html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${VIEWER_CSP}">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(`${graph.runId} · extract viewer`)}</title>`,
    `<style>${assets.style}</style>`,
    "</head>",
    "<body>",
    `<noscript>This viewer needs JavaScript. The same data is in knowledge-graph.json.</noscript>`,
    `<script type="application/json" id="extract-data">${
      scriptSafeJson(viewerDataOf(graph, resolution, text))
    }</script>`,
    `<script>${assets.script}</script>`,
    "</body>",
    "</html>",
    ""
  ].join("\n")

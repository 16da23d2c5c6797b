/**
 * Small runs for the viewer's tests, built with the real graph builder from
 * a text and a list of names: every occurrence of a name (leftmost-longest,
 * non-overlapping) is a mention, mentions with the same label are one
 * entity, and a relation holds between two names on the same line that
 * contains its cue.
 */
import { createHash } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ExtractedRelation, Mention } from "../../src/Domain/Extraction.js"
import { Assignment, Cluster, Resolution } from "../../src/Domain/Graph.js"
import { CodePointIndex } from "../../src/Domain/Span.js"
import { buildGraphs } from "../../src/GraphBuilder.js"
import { renderViewer } from "../../src/Renderer/Viewer.js"

export interface FixtureName {
  /** The surface form searched for. */
  readonly text: string
  readonly type: string
  /** The entity it belongs to (default: `text`). */
  readonly label?: string
}

export interface FixtureRelation {
  readonly subject: string
  readonly predicate: string
  readonly object: string
  /** A phrase that must be on the line too. */
  readonly cue: string
}

/** The graphs of a run over `text` with the given names and relations. */
export const fixtureGraphs = (
  text: string,
  names: ReadonlyArray<FixtureName>,
  relationCues: ReadonlyArray<FixtureRelation> = []
) => {
  const index = new CodePointIndex(text)
  const byLength = [...names].sort((a, b) => b.text.length - a.text.length)
  const taken: Array<[number, number]> = []
  const found: Array<{ name: FixtureName; at: number }> = []
  for (const name of byLength) {
    for (let at = text.indexOf(name.text); at >= 0; at = text.indexOf(name.text, at + 1)) {
      if (taken.some(([s, e]) => at < e && at + name.text.length > s)) continue
      taken.push([at, at + name.text.length])
      found.push({ name, at })
    }
  }
  found.sort((a, b) => a.at - b.at)
  const mentions = found.map((f, i) =>
    new Mention({
      id: `c0-m${i + 1}`,
      type: f.name.type,
      span: index.span(f.at, f.at + f.name.text.length),
      chunk: 0,
      grounding: "exact",
      description: null
    })
  )
  const clusters: Array<{ label: string; type: string; mentions: Array<string> }> = []
  const assignments: Array<Assignment> = []
  found.forEach((f, i) => {
    const label = f.name.label ?? f.name.text
    let c = clusters.findIndex((x) => x.label === label && x.type === f.name.type)
    const first = c < 0
    if (first) {
      c = clusters.length
      clusters.push({ label, type: f.name.type, mentions: [] })
    }
    const via = first ? undefined : clusters[c]!.mentions[0]
    clusters[c]!.mentions.push(mentions[i]!.id)
    assignments.push(
      new Assignment({
        mention: mentions[i]!.id,
        cluster: c,
        method: first ? "exact" : f.name.text === label ? "exact" : "alias",
        score: first || f.name.text === label ? 1 : 0.9,
        reason: first ? `first mention of ${label}` : `same entity as ${label}`,
        ...(via === undefined ? {} : { via })
      })
    )
  })
  const relations: Array<ExtractedRelation> = []
  let lineStart = 0
  for (const line of text.split("\n")) {
    const lineEnd = lineStart + line.length
    const on = (t: string) => found.findIndex((f) => f.name.text === t && f.at >= lineStart && f.at < lineEnd)
    for (const r of relationCues) {
      const s = on(r.subject)
      const o = on(r.object)
      if (s < 0 || o < 0 || !line.includes(r.cue)) continue
      relations.push(
        new ExtractedRelation({
          subject: mentions[s]!.id,
          predicate: r.predicate,
          object: mentions[o]!.id,
          evidence: index.span(lineStart, lineEnd),
          chunk: 0,
          grounding: "exact"
        })
      )
    }
    lineStart = lineEnd + 1
  }
  const sha = createHash("sha256").update(text).digest("hex")
  return buildGraphs({
    runId: `doc-${sha.slice(0, 12)}`,
    documentSha256: sha,
    documentLength: index.length,
    mentions,
    relations,
    resolution: new Resolution({ clusters: clusters.map((c) => new Cluster(c)), assignments })
  })
}

/** Writes the viewer of a fixture run to a fresh temporary directory; returns the file's path and the graphs. */
export const writeFixtureViewer = (
  text: string,
  names: ReadonlyArray<FixtureName>,
  relationCues: ReadonlyArray<FixtureRelation> = []
) => {
  const graphs = fixtureGraphs(text, names, relationCues)
  const dir = mkdtempSync(join(tmpdir(), "extract-viewer-"))
  const file = join(dir, "viewer.html")
  writeFileSync(file, renderViewer(graphs.graph, graphs.resolution, text))
  return { file, ...graphs }
}

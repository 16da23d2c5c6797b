import { describe, expect, it } from "@effect/vitest"
import { JSDOM } from "jsdom"
import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { renderGraphMl } from "../../src/Renderer/GraphMl.js"
import { adversarialGraphs } from "../support/Adversarial.js"

const GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
/** What the file must say for a string: XML cannot carry C0 controls (but tab, LF, CR) or U+FFFE/U+FFFF. */
const xmlVisible = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")

describe("renderGraphMl on adversarial names", () => {
  const { graph } = adversarialGraphs()
  const xml = renderGraphMl(graph)
  const doc = new new JSDOM("").window.DOMParser().parseFromString(xml, "application/xml")

  it("parses as well-formed XML (jsdom's strict XML parser)", () => {
    expect(doc.getElementsByTagName("parsererror")).toHaveLength(0)
    expect(doc.documentElement.namespaceURI).toBe(GRAPHML_NS)
    // and the check can fail
    const broken = new new JSDOM("").window.DOMParser().parseFromString(
      "<graphml><node>\u0001</node></graphml>",
      "application/xml"
    )
    expect(broken.getElementsByTagName("parsererror").length).toBeGreaterThan(0)
  })

  it("reads back every node, edge, label and type exactly", () => {
    const keyName = new Map(
      [...doc.getElementsByTagNameNS(GRAPHML_NS, "key")].map((
        k
      ) => [k.getAttribute("id")!, `${k.getAttribute("for")}:${k.getAttribute("attr.name")}`])
    )
    const dataOf = (el: Element) =>
      Object.fromEntries(
        [...el.getElementsByTagNameNS(GRAPHML_NS, "data")].map((
          d
        ) => [keyName.get(d.getAttribute("key")!)!, d.textContent!])
      )
    const nodes = [...doc.getElementsByTagNameNS(GRAPHML_NS, "node")]
    expect(nodes.map((n) => n.getAttribute("id"))).toEqual(graph.entities.map((e) => xmlVisible(e.id)))
    nodes.forEach((n, i) => {
      const e = graph.entities[i]!
      const data = dataOf(n)
      expect(data["node:label"]).toBe(xmlVisible(e.label))
      expect(data["node:type"]).toBe(xmlVisible(e.type))
      expect(JSON.parse(data["node:aliases"]!)).toEqual(e.aliases)
      expect(Number(data["node:mentionCount"])).toBe(e.mentions.length)
      expect(JSON.parse(data["node:mentions"]!)).toEqual(e.mentions.map((m) => [m.span.start, m.span.end, m.span.text]))
    })
    const edges = [...doc.getElementsByTagNameNS(GRAPHML_NS, "edge")]
    expect(edges.map((e) => [e.getAttribute("source"), e.getAttribute("target")])).toEqual(
      graph.relations.map((r) => [r.subject, r.object])
    )
    edges.forEach((e, i) => expect(dataOf(e)["edge:predicate"]).toBe(xmlVisible(graph.relations[i]!.predicate)))
  })

  const python = spawnSync("python3", ["-c", "import networkx"], { encoding: "utf8" })
  it.skipIf(python.status !== 0)("loads in NetworkX (networkx.read_graphml), when NetworkX is installed", () => {
    const file = join(mkdtempSync(join(tmpdir(), "extract-graphml-")), "graph.graphml")
    writeFileSync(file, xml)
    const script = [
      "import json, sys, networkx as nx",
      "g = nx.read_graphml(sys.argv[1])",
      "print(json.dumps({'nodes': g.number_of_nodes(), 'edges': g.number_of_edges(), 'directed': g.is_directed(),",
      "  'labels': sorted(d['label'] for _, d in g.nodes(data=True)), 'mentionCount': sorted(d['mentionCount'] for _, d in g.nodes(data=True))}))"
    ].join("\n")
    const r = spawnSync("python3", ["-c", script, file], { encoding: "utf8" })
    expect(r.stderr).toBe("")
    const loaded = JSON.parse(r.stdout)
    expect(loaded).toMatchObject({ nodes: graph.entities.length, edges: graph.relations.length, directed: true })
    expect([...loaded.labels].sort()).toEqual(graph.entities.map((e) => xmlVisible(e.label)).sort())
    expect([...loaded.mentionCount].sort()).toEqual(graph.entities.map((e) => e.mentions.length).sort())
  })
})

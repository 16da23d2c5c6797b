/**
 * The graph view: the top entities by mention count as nodes (size by
 * mentions, colour by type) and the relations among them as edges, drawn
 * with sigma.js (WebGL) over a graphology graph laid out by graphology's
 * ForceAtlas2 (Jacomy et al. 2014, https://doi.org/10.1371/journal.pone.0098679),
 * Barnes–Hut approximated above {@link BARNES_HUT_FROM} nodes. Clicking a
 * node selects its entity.
 */
import Graph from "graphology"
import forceAtlas2 from "graphology-layout-forceatlas2"
import Sigma from "sigma"
import { colourOf } from "./Dom.js"
import type { Model } from "./Model.js"

/** Nodes shown at first, and added by each "show more". */
export const GRAPH_STEP = 200

/** Node count from which ForceAtlas2 uses the Barnes–Hut approximation. */
export const BARNES_HUT_FROM = 400

interface NodeAttributes {
  label: string
  x: number
  y: number
  size: number
  color: string
  entity: number
  [key: string]: unknown
}

export class GraphView {
  private graph = new Graph<NodeAttributes>({ type: "directed", multi: false, allowSelfLoops: true })
  private sigma: Sigma<NodeAttributes> | undefined
  /** Entity indices by mention count (descending), then label. */
  private readonly ranked: ReadonlyArray<number>
  shown = 0
  private selected = -1
  private neighbours = new Set<string>()
  /** Why the graph cannot be drawn (no WebGL), or null. */
  failure: string | null = null

  constructor(
    readonly container: HTMLElement,
    readonly model: Model,
    readonly onSelect: (entity: number) => void
  ) {
    const { data, mentionsOf } = model
    this.ranked = data.entities.map((_, i) => i).sort((a, b) =>
      mentionsOf[b]!.length - mentionsOf[a]!.length || (data.entities[a]![1] < data.entities[b]![1] ? -1 : 1)
    )
  }

  get total(): number {
    return this.ranked.length
  }

  get edgeCount(): number {
    return this.graph.size
  }

  /**
   * Shows the top `count` entities (clamped to all), laid out afresh. The
   * graph is built and laid out detached, then handed to sigma whole (sigma
   * reacts to every change of a graph it draws).
   */
  show(count: number) {
    const { data, mentionsOf } = this.model
    const n = Math.min(count, this.ranked.length)
    this.shown = n
    const g = new Graph<NodeAttributes>({ type: "directed", multi: false, allowSelfLoops: true })
    const top = this.ranked.slice(0, n)
    const maxMentions = Math.max(1, ...top.slice(0, 1).map((i) => mentionsOf[i]!.length))
    top.forEach((i, rank) => {
      const e = data.entities[i]!
      // a sunflower spiral by rank: a deterministic start, the most mentioned in the middle
      const r = Math.sqrt(rank + 0.5)
      const a = rank * 2.399963229728653
      g.addNode(e[0], {
        label: e[1],
        x: r * Math.cos(a),
        y: r * Math.sin(a),
        size: 2 + 8 * Math.sqrt(mentionsOf[i]!.length / maxMentions),
        color: colourOf(e[2]),
        entity: i
      })
    })
    for (const r of data.relations) {
      const s = data.entities[r[1]]?.[0]
      const o = data.entities[r[3]]?.[0]
      if (s === undefined || o === undefined || !g.hasNode(s) || !g.hasNode(o)) continue
      const key = `${s}\u0000${o}`
      if (g.hasEdge(key)) {
        const predicates = g.getEdgeAttribute(key, "predicates") as Array<string>
        if (!predicates.includes(r[2])) predicates.push(r[2])
      } else {
        g.addEdgeWithKey(key, s, o, { predicates: [r[2]], size: 1.5, color: "#9aa4b1" })
      }
    }
    if (n > 1) {
      const settings = forceAtlas2.inferSettings(g)
      forceAtlas2.assign(g, {
        iterations: n > 2000 ? 60 : n > 500 ? 120 : 250,
        settings: { ...settings, barnesHutOptimize: n >= BARNES_HUT_FROM, gravity: 1 }
      })
    }
    this.graph = g
    this.draw()
  }

  private draw() {
    if (this.sigma || this.failure !== null) {
      this.sigma?.setGraph(this.graph)
      return
    }
    try {
      this.sigma = new Sigma<NodeAttributes>(this.graph, this.container, {
        settings: { renderEdgeLabels: true, labelRenderedSizeThreshold: 7, itemSizesReference: "screen" },
        nodeReducer: (node) => {
          if (this.selected < 0) return {}
          if (node === this.model.data.entities[this.selected]![0]) {
            return { highlighted: true, zIndex: 2, labelVisibility: "visible" }
          }
          if (this.neighbours.has(node)) return { zIndex: 1, labelVisibility: "visible" }
          return { color: "#d5d9de", labelVisibility: "hidden" }
        },
        edgeReducer: (edge) => {
          if (this.selected < 0) return {}
          const id = this.model.data.entities[this.selected]![0]
          const g = this.graph
          if (g.source(edge) === id || g.target(edge) === id) {
            const predicates = g.getEdgeAttribute(edge, "predicates") as Array<string>
            return { color: "#39424e", size: 2.5, label: predicates.join(", ") }
          }
          return { color: "#eceef1" }
        }
      })
      this.sigma.on("clickNode", ({ node }) => {
        const entity = this.graph.getNodeAttribute(node, "entity")
        this.onSelect(entity)
      })
    } catch (e) {
      this.failure = `The graph view needs WebGL, which this browser does not offer (${
        e instanceof Error ? e.message : String(e)
      }).`
      this.container.replaceChildren(document.createTextNode(this.failure))
    }
  }

  /** Highlights entity `i` and its neighbours (-1: none). */
  select(i: number) {
    this.selected = i
    const id = i >= 0 ? this.model.data.entities[i]![0] : undefined
    this.neighbours = new Set(id !== undefined && this.graph.hasNode(id) ? this.graph.neighbors(id) : [])
    this.sigma?.refresh({ skipIndexation: true })
  }

  /** Whether entity `i` is a node of the graph now. */
  has(i: number): boolean {
    return this.graph.hasNode(this.model.data.entities[i]![0])
  }

  /** Viewport coordinates (CSS px, relative to the container) of entity `id`'s node, or null. */
  viewportOf(id: string): { x: number; y: number } | null {
    if (!this.sigma || !this.graph.hasNode(id)) return null
    const a = this.graph.getNodeAttributes(id)
    return this.sigma.graphToViewport({ x: a.x, y: a.y })
  }
}

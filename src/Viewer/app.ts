/**
 * The browser side of `viewer.html` (bundled by `scripts/build-viewer.ts`):
 * reads the run's data from `<script id="extract-data">` and builds the page —
 * the highlighted document (TextView), the entity list (sorted, filtered by
 * type and by a search box), the selected entity's mentions, relations and
 * resolution, the relations table with jumps to each evidence span, and the
 * graph (GraphView).
 *
 * Everything from the run enters the page as text (Dom.ts `h`, textContent,
 * `title`), never as HTML. Markup for tests and scripts: `[data-mention-id]`
 * on each highlight, `[data-entity-id]` on each entity list item,
 * `[data-relation-id]` on each relations row, class `selected` on the
 * selected entity's highlights. `window.__viewerReady` is set (ms since
 * navigation start, `performance.now()`) when the page is interactive, and
 * `window.__viewerGraphReady` when the graph is drawn.
 */
import { byId, colourOf, fill, h, shorten } from "./Dom.js"
import { GRAPH_STEP, GraphView } from "./GraphView.js"
import { type Model, modelOf } from "./Model.js"
import { TextView } from "./TextView.js"
import type { ViewerData } from "./ViewerData.js"

declare global {
  interface Window {
    __viewerReady?: number
    __viewerGraphReady?: number
    __viewer?: {
      readonly model: Model
      readonly text: TextView
      readonly graph: GraphView
      select(entityId: string): void
    }
  }
}

/** Most rows listed at once in the selection panel before a "show all" button. */
const LIST_CAP = 200

const data = JSON.parse(byId("extract-data").textContent ?? "{}") as ViewerData
const model = modelOf(data)
const { entities, mentions, relations, types } = data

// ---- page skeleton -------------------------------------------------------

const typeCounts = types.map(() => 0)
for (const e of entities) typeCounts[e[2]]!++

const legend = h("div", "legend")
const search = h("input", "search")
search.type = "search"
search.placeholder = "Search entities"
search.id = "search"
search.setAttribute("aria-label", "Search entities by name")
const typeFilter = h("select", "", h("option", "", "All types"))
typeFilter.id = "type-filter"
typeFilter.setAttribute("aria-label", "Filter entities by type")
typeFilter.options[0]!.value = ""
types.forEach((t, i) => {
  const o = h("option", "", `${t} (${typeCounts[i]})`)
  o.value = String(i)
  typeFilter.append(o)
})
const sort = h(
  "select",
  "",
  h("option", "", "Most mentioned"),
  h("option", "", "Name"),
  h("option", "", "First in text")
)
sort.id = "sort"
sort.setAttribute("aria-label", "Sort entities")
;["mentions", "label", "first"].forEach((v, i) => (sort.options[i]!.value = v))
const entityCount = h("div", "count")
const entityList = h("ul", "entities")
entityList.id = "entity-list"
const textPane = h("div", "text")
textPane.id = "text"
const details = h("div", "details")
details.id = "details"
const relationsBody = h("tbody", "")
const relationsTable = h(
  "table",
  "relations",
  h(
    "thead",
    "",
    h("tr", "", h("th", "", "Subject"), h("th", "", "Predicate"), h("th", "", "Object"), h("th", "", "Evidence"))
  ),
  relationsBody
)
relationsTable.id = "relations"
const graphBox = h("div", "graph")
graphBox.id = "graph"
const graphInfo = h("span", "count")
const moreButton = h("button", "", `Show ${GRAPH_STEP} more`)
moreButton.id = "graph-more"
const tooltip = h("div", "tooltip")
tooltip.hidden = true

const header = h(
  "header",
  "",
  h("h1", "", "extract viewer"),
  h("span", "run", data.runId),
  h(
    "span",
    "stats",
    `${entities.length} entities · ${mentions.length} mentions · ${relations.length} relations · ${model.text.length} characters`
  ),
  legend
)
document.body.append(
  header,
  h(
    "main",
    "",
    h(
      "section",
      "pane entities-pane",
      h("h2", "", "Entities"),
      h("div", "controls", search, typeFilter, sort),
      entityCount,
      entityList
    ),
    h("section", "pane text-pane", textPane),
    h("section", "pane details-pane", details),
    h(
      "section",
      "pane relations-pane",
      h("h2", "", `Relations (${relations.length})`),
      h("div", "scroll", relationsTable)
    ),
    h("section", "pane graph-pane", h("h2", "", "Graph ", graphInfo, moreButton), graphBox)
  ),
  tooltip
)

// type colours as CSS rules on type-index classes (no run data goes into the CSS)
const css = h("style", "")
css.textContent = types.map((_, i) => `.t${i}{--c:${colourOf(i)}}`).join("\n")
document.head.append(css)

types.forEach((t, i) => {
  const chip = h("button", `chip t${i}`, h("span", "swatch"), t, h("span", "n", String(typeCounts[i])))
  chip.title = `Show only ${t} entities`
  chip.addEventListener("click", () => {
    typeFilter.value = typeFilter.value === String(i) ? "" : String(i)
    applyFilter()
  })
  legend.append(chip)
})

// ---- text ----------------------------------------------------------------

const text = new TextView(textPane, model)
let selected = -1
let current: HTMLElement | undefined
// a block rendered later (large documents) marks the selected entity's mentions as it renders
text.onMark = (i, el) => {
  if (selected >= 0 && model.mentionEntity[i] === selected) {
    el.classList.add("selected")
    selectedMarks.push(el)
  }
}

const entityOfMark = (target: EventTarget | null): number => {
  const el = (target as Element | null)?.closest?.("[data-mention-id]") as HTMLElement | null
  const i = el ? model.mentionById.get(el.dataset["mentionId"]!) : undefined
  return i ?? -1
}

textPane.addEventListener("click", (ev) => {
  const i = entityOfMark(ev.target)
  if (i < 0) return
  select(model.mentionEntity[i]!, { scrollList: true })
  setCurrent(text.markOf(i))
})
textPane.addEventListener("mouseover", (ev) => {
  const i = entityOfMark(ev.target)
  if (i < 0) {
    tooltip.hidden = true
    return
  }
  const m = mentions[i]!
  const e = entities[m[1]]!
  fill(
    tooltip,
    h("b", "", e[1]),
    h("span", `type t${e[2]}`, types[e[2]]!),
    m[5] === null ? null : h("span", "method", m[5])
  )
  tooltip.hidden = false
  const r = (ev.target as Element).closest("[data-mention-id]")!.getBoundingClientRect()
  tooltip.style.left = `${Math.min(window.innerWidth - 320, Math.max(4, r.left))}px`
  tooltip.style.top = `${r.bottom + 6}px`
})
textPane.addEventListener("mouseleave", () => (tooltip.hidden = true))
textPane.addEventListener("scroll", () => (tooltip.hidden = true), { passive: true })

const setCurrent = (el: HTMLElement | undefined) => {
  current?.classList.remove("current")
  current = el
  el?.classList.add("current")
}

/** Scrolls mention `i` into the middle of the text pane and marks it current. */
const jumpTo = (i: number) => {
  const el = text.markOf(i)
  if (!el) return
  setCurrent(el)
  el.scrollIntoView({ block: "center" })
}

/** Highlights relation `r`'s evidence span `k` (CSS Custom Highlight API) and scrolls it into view. */
const jumpToEvidence = (r: number, k: number) => {
  const [s, e] = model.evidence[r]![k]!
  const range = text.rangeOf(s, e)
  const highlights = (globalThis as { CSS?: { highlights?: Map<string, unknown> } }).CSS?.highlights
  const HighlightClass = (globalThis as { Highlight?: new(...r: Array<Range>) => unknown }).Highlight
  if (highlights && HighlightClass) highlights.set("evidence", new HighlightClass(range))
  const anchor = range.startContainer.nodeType === Node.TEXT_NODE
    ? range.startContainer.parentElement
    : range.startContainer as Element
  const rect = range.getBoundingClientRect()
  const pane = textPane.getBoundingClientRect()
  if (rect.height > 0 || rect.width > 0) textPane.scrollTop += rect.top - pane.top - pane.height / 3
  else anchor?.scrollIntoView({ block: "center" })
  textPane.dataset["evidence"] = `${data.relations[r]![0]}:${k}`
}

// ---- entity list ---------------------------------------------------------

const items = entities.map((e, i) => {
  const li = h(
    "li",
    `t${e[2]}`,
    h("span", "swatch"),
    h("span", "label", e[1]),
    h("span", "n", String(model.mentionsOf[i]!.length))
  )
  li.dataset["entityId"] = e[0]
  li.tabIndex = 0
  li.title = `${e[1]} · ${types[e[2]]}`
  return li
})
const order = {
  mentions: entities.map((_, i) => i).sort((a, b) =>
    model.mentionsOf[b]!.length - model.mentionsOf[a]!.length || cmp(entities[a]![1], entities[b]![1])
  ),
  label: entities.map((_, i) => i).sort((a, b) => cmp(entities[a]![1].toLowerCase(), entities[b]![1].toLowerCase())),
  first: entities.map((_, i) => i).sort((a, b) =>
    (model.mentionStart[model.mentionsOf[a]![0] ?? 0] ?? 0) - (model.mentionStart[model.mentionsOf[b]![0] ?? 0] ?? 0)
  )
}
function cmp(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0
}
const applySort = () => {
  const frag = document.createDocumentFragment()
  for (const i of order[sort.value as keyof typeof order] ?? order.mentions) frag.append(items[i]!)
  entityList.replaceChildren(frag)
}
const applyFilter = () => {
  const q = search.value.trim().toLowerCase()
  const t = typeFilter.value === "" ? -1 : Number(typeFilter.value)
  let shown = 0
  entities.forEach((e, i) => {
    const visible = (t < 0 || e[2] === t) && (q === "" || model.searchKey[i]!.includes(q))
    items[i]!.hidden = !visible
    if (visible) shown++
  })
  entityCount.textContent = shown === entities.length
    ? `${entities.length} entities`
    : `${shown} of ${entities.length} entities`
  for (const chip of legend.children) chip.classList.toggle("off", t >= 0 && !chip.classList.contains(`t${t}`))
}
applySort()
applyFilter()
sort.addEventListener("change", applySort)
typeFilter.addEventListener("change", applyFilter)
search.addEventListener("input", applyFilter)
const entityOfItem = (target: EventTarget | null) => {
  const li = (target as Element | null)?.closest?.("[data-entity-id]") as HTMLElement | null
  return li ? model.entityById.get(li.dataset["entityId"]!) ?? -1 : -1
}
entityList.addEventListener("click", (ev) => {
  const i = entityOfItem(ev.target)
  if (i >= 0) {
    select(i)
    const first = model.mentionsOf[i]![0]
    if (first !== undefined) jumpTo(first)
  }
})
entityList.addEventListener("keydown", (ev) => {
  if (ev.key !== "Enter" && ev.key !== " ") return
  const i = entityOfItem(ev.target)
  if (i >= 0) {
    ev.preventDefault()
    select(i)
  }
})

// ---- relations table -----------------------------------------------------

const entityLabel = (i: number) => entities[i]?.[1] ?? "?"
relations.forEach((r, ri) => {
  const [s, e] = model.evidence[ri]![0] ?? [0, 0]
  const more = r[4].length > 1 ? h("span", "more", ` (+${r[4].length - 1} more)`) : null
  const tr = h(
    "tr",
    "",
    h("td", `ent t${entities[r[1]]?.[2] ?? 0}`, entityLabel(r[1])),
    h("td", "pred", r[2]),
    h("td", `ent t${entities[r[3]]?.[2] ?? 0}`, entityLabel(r[3])),
    h("td", "quote", shorten(model.text.slice(s, e), 240), more)
  )
  tr.dataset["relationId"] = r[0]
  tr.tabIndex = 0
  relationsBody.append(tr)
})
let activeRow: HTMLElement | undefined
const relationOfRow = (target: EventTarget | null) => {
  const tr = (target as Element | null)?.closest?.("[data-relation-id]") as HTMLElement | null
  return tr ? { tr, index: [...relationsBody.children].indexOf(tr) } : undefined
}
const activate = (target: EventTarget | null) => {
  const row = relationOfRow(target)
  if (!row || row.index < 0) return
  activeRow?.classList.remove("active")
  activeRow = row.tr
  row.tr.classList.add("active")
  jumpToEvidence(row.index, 0)
}
relationsBody.addEventListener("click", (ev) => activate(ev.target))
relationsBody.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter") activate(ev.target)
})

// ---- selection -----------------------------------------------------------

let selectedMarks: Array<HTMLElement> = []
let selectedItem: HTMLElement | undefined

const emptyDetails = () =>
  details.replaceChildren(
    h("h2", "", "Selection"),
    h(
      "p",
      "hint",
      "Click a highlighted mention, an entity or a graph node to see all its mentions, relations and how they were resolved."
    )
  )
emptyDetails()

/** A mention in context: up to 24 characters before and 60 after, the mention in bold. */
const snippet = (i: number) => {
  const s = model.mentionStart[i]!
  const e = model.mentionEnd[i]!
  const before = model.text.slice(Math.max(0, s - 24), s).replace(/\s+/g, " ")
  const after = model.text.slice(e, e + 60).replace(/\s+/g, " ")
  return h("span", "snippet", "…" + before, h("b", "", model.text.slice(s, e) || "(ungrounded)"), after + "…")
}

/** A list that shows its first {@link LIST_CAP} rows and a button for the rest. */
const capped = (parent: HTMLElement, count: number, row: (k: number) => HTMLElement) => {
  const upto = Math.min(count, LIST_CAP)
  for (let k = 0; k < upto; k++) parent.append(row(k))
  if (count > upto) {
    const all = h("button", "all", `Show all ${count}`)
    all.addEventListener("click", () => {
      all.remove()
      for (let k = upto; k < count; k++) parent.append(row(k))
    })
    parent.after(all)
  }
}

const mentionText = (id: string | null) => {
  if (id === null) return null
  const i = model.mentionById.get(id)
  return i === undefined ? id : `“${model.text.slice(model.mentionStart[i], model.mentionEnd[i])}” (${id})`
}

/** Selects entity `i`: marks its mentions `selected`, fills the selection panel, highlights its node. */
function select(i: number, opts: { readonly scrollList?: boolean } = {}) {
  for (const el of selectedMarks) el.classList.remove("selected")
  selectedMarks = []
  selectedItem?.classList.remove("active")
  selected = i
  graph.select(i)
  if (i < 0) {
    emptyDetails()
    return
  }
  const e = entities[i]!
  const own = model.mentionsOf[i]!
  for (const mi of own) {
    const el = text.renderedMark(mi)
    if (el) {
      el.classList.add("selected")
      selectedMarks.push(el)
    }
  }
  selectedItem = items[i]
  selectedItem?.classList.add("active")
  if (opts.scrollList) selectedItem?.scrollIntoView({ block: "nearest" })

  const mentionList = h("ol", "mentions")
  capped(mentionList, own.length, (k) => {
    const mi = own[k]!
    const b = h("button", "jump", snippet(mi))
    b.title = `Jump to mention ${mentions[mi]![0]}`
    b.dataset["jump"] = mentions[mi]![0]
    b.addEventListener("click", () => jumpTo(mi))
    return h("li", "", b)
  })

  const rels = model.relationsOf[i]!
  const relList = h("ul", "rels")
  capped(relList, rels.length, (k) => {
    const ri = rels[k]!
    const r = relations[ri]!
    const b = h("button", "jump", h("b", "", entityLabel(r[1])), ` ${r[2]} `, h("b", "", entityLabel(r[3])))
    b.addEventListener("click", () => jumpToEvidence(ri, 0))
    return h("li", "", b)
  })

  const methods = new Map<string, number>()
  for (const mi of own) methods.set(mentions[mi]![5] ?? "—", (methods.get(mentions[mi]![5] ?? "—") ?? 0) + 1)
  const resolutionBody = h("tbody", "")
  capped(resolutionBody, own.length, (k) => {
    const m = mentions[own[k]!]!
    return h(
      "tr",
      "",
      h(
        "td",
        "",
        model.text.slice(model.mentionStart[own[k]!], model.mentionEnd[own[k]!]) || "(ungrounded)",
        h("div", "id", m[0])
      ),
      h("td", "method", m[5] ?? "—", m[6] === null ? null : h("div", "score", m[6].toFixed(2))),
      h("td", "", data.reasons[m[7]] ?? "", m[8] === null ? null : h("div", "via", "linked via ", mentionText(m[8])))
    )
  })

  fill(
    details,
    h("h2", "", e[1]),
    h("div", "meta", h("span", `type t${e[2]}`, types[e[2]]!), " ", h("code", "", e[0])),
    e[4] === null ? null : h("p", "description", e[4]),
    e[3].length === 0 ? null : h("p", "aliases", "Also: ", e[3].join(" · ")),
    h("h3", "", `Mentions (${own.length})`),
    mentionList,
    h("h3", "", `Relations (${rels.length})`),
    rels.length === 0 ? h("p", "hint", "None.") : relList,
    h("h3", "", "Resolution"),
    h(
      "p",
      "hint",
      `${own.length} mention${own.length === 1 ? "" : "s"} merged: `,
      [...methods].map(([m, n]) => `${m} ${n}`).join(", ")
    ),
    h(
      "table",
      "resolution",
      h("thead", "", h("tr", "", h("th", "", "Mention"), h("th", "", "Method"), h("th", "", "Reason"))),
      resolutionBody
    )
  )
  details.scrollTop = 0
}

// ---- graph ---------------------------------------------------------------

const graph = new GraphView(graphBox, model, (i) => {
  select(i, { scrollList: true })
  const first = model.mentionsOf[i]![0]
  if (first !== undefined) jumpTo(first)
})
const showGraph = (n: number) => {
  graph.show(n)
  graphInfo.textContent = graph.failure ??
    `top ${graph.shown} of ${graph.total} entities by mentions · ${graph.edgeCount} edges`
  moreButton.hidden = graph.shown >= graph.total || graph.failure !== null
  graph.select(selected)
}
moreButton.addEventListener("click", () => showGraph(graph.shown + GRAPH_STEP))

window.__viewer = {
  model,
  text,
  graph,
  select: (id) => select(model.entityById.get(id) ?? -1)
}

// interactive once the first frame with the text is painted; the graph follows
requestAnimationFrame(() =>
  setTimeout(() => {
    window.__viewerReady = performance.now()
    setTimeout(() => {
      showGraph(GRAPH_STEP)
      requestAnimationFrame(() => (window.__viewerGraphReady = performance.now()))
    }, 0)
  }, 0)
)

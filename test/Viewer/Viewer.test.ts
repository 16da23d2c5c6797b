/**
 * viewer.html in a real browser (headless Chromium, support/Browser.ts):
 * a small run with XSS payloads and characters outside the BMP before its
 * mentions, and a run over 1 MB whose text renders lazily.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { browserTests, launch, screenshot, type TestBrowser } from "../support/Browser.js"
import { type FixtureName, writeFixtureViewer } from "../support/ViewerFixtures.js"

const SCRIPT = "<script>alert(1)</script>"
const IMG = "\"><img src=x onerror=alert(1)>"
const JS_URL = "javascript:alert(1)"

const TEXT = [
  "👩‍🔬🎉 Ada Lovelace met Charles Babbage in London. 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝄞 Ada Lovelace worked with Charles Babbage.",
  `${SCRIPT} wrote to ${IMG} about ${JS_URL} and <a href="javascript:alert(2)">a link</a>.`,
  "",
  `Later 😀 Lovelace wrote about London, and ${SCRIPT} again; 東京 is far from London.`,
  ""
].join("\n")

const NAMES: ReadonlyArray<FixtureName> = [
  { text: "Ada Lovelace", type: "Person" },
  { text: "Lovelace", type: "Person", label: "Ada Lovelace" },
  { text: "Charles Babbage", type: "Person" },
  { text: "London", type: "Location" },
  { text: "東京", type: "Location" },
  { text: SCRIPT, type: "Other" },
  { text: IMG, type: "Organization" },
  { text: JS_URL, type: "Other" }
]

const fixture = writeFixtureViewer(TEXT, NAMES, [
  { subject: "Ada Lovelace", predicate: "worksWith", object: "Charles Babbage", cue: "worked with" },
  { subject: SCRIPT, predicate: "wroteTo", object: IMG, cue: "wrote to" },
  { subject: "東京", predicate: "farFrom", object: "London", cue: "far from" }
])
const { graph } = fixture

let browser: TestBrowser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

const mentionIdsOf = (label: string) => graph.entities.find((e) => e.label === label)!.mentions.map((m) => m.id).sort()

describe.skipIf(!browserTests)("viewer.html (small run)", () => {
  it("loads from file:// with no console error, no request, and one element per mention, entity and relation", async () => {
    const { page, errors, requests, dialogs } = await browser.open(fixture.file, { waitForGraph: true })
    const counts = await page.evaluate(() => ({
      mentions: document.querySelectorAll("[data-mention-id]").length,
      entities: document.querySelectorAll("[data-entity-id]").length,
      relations: document.querySelectorAll("[data-relation-id]").length
    }))
    const mentionCount = graph.entities.reduce((n, e) => n + e.mentions.length, 0)
    expect(mentionCount).toBe(13)
    expect(counts).toEqual({ mentions: mentionCount, entities: graph.entities.length, relations: 3 })
    expect(graph.relations).toHaveLength(3)
    await screenshot(page, "fixture")
    expect(errors).toEqual([])
    expect(requests).toEqual([])
    expect(dialogs).toEqual([])
    await page.close()
  })

  it("highlights exactly each mention's span, with characters outside the BMP before it", async () => {
    const { page } = await browser.open(fixture.file)
    const marks = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll<HTMLElement>("[data-mention-id]")].map((
          el
        ) => [el.dataset.mentionId, el.textContent])
      )
    )
    const chars = Array.from(TEXT)
    for (const e of graph.entities) {
      for (const m of e.mentions) {
        // the expected text is cut from the document by code points, independently of the viewer
        expect(marks[m.id], m.id).toBe(chars.slice(m.span.start, m.span.end).join(""))
      }
    }
    expect(marks[graph.entities.find((e) => e.label === "東京")!.mentions[0]!.id]).toBe("東京")
    await page.close()
  })

  it("shows markup and javascript: URLs as text, and runs none of it", async () => {
    const { page, errors, dialogs } = await browser.open(fixture.file, { waitForGraph: true })
    const scriptEntity = graph.entities.find((e) => e.label === SCRIPT)!
    const imgEntity = graph.entities.find((e) => e.label === IMG)!
    // hover and click the payloads: tooltip, selection panel, relation row
    await page.hover(`[data-mention-id="${scriptEntity.mentions[0]!.id}"]`)
    // the tooltip names the entity and its type, as text
    expect(await page.$eval(".tooltip", (e) => [(e as HTMLElement).hidden, e.textContent])).toEqual([
      false,
      `${SCRIPT}Otherexact`
    ])
    await page.click(`[data-mention-id="${scriptEntity.mentions[0]!.id}"]`)
    await page.click(`[data-entity-id="${imgEntity.id}"]`)
    await page.click(`[data-relation-id="${graph.relations.find((r) => r.predicate === "wroteTo")!.id}"]`)
    const dom = await page.evaluate(() => ({
      scripts: document.querySelectorAll("script").length,
      images: document.querySelectorAll("img").length,
      links: document.querySelectorAll("a").length,
      text: document.getElementById("text")!.textContent,
      labels: [...document.querySelectorAll("[data-entity-id] .label")].map((e) => e.textContent),
      details: document.getElementById("details")!.textContent
    }))
    expect(dom.scripts).toBe(2) // the data block and the viewer's own code
    expect(dom.images).toBe(0)
    expect(dom.links).toBe(0)
    expect(dom.text).toBe(TEXT)
    expect(dom.labels).toEqual(expect.arrayContaining([SCRIPT, IMG, JS_URL]))
    expect(dom.details).toContain(IMG)
    expect(dialogs).toEqual([])
    expect(errors).toEqual([])
    // the embedded data cannot end its script block early
    const html = readFileSync(fixture.file, "utf8")
    const data = html.slice(html.indexOf(`id="extract-data">`), html.indexOf("</script>"))
    expect(data).not.toContain("<")
    expect(data).toContain("\\u003cscript>alert(1)\\u003c/script>")
    await page.close()
  })

  it("clicking an entity marks exactly its mentions selected and lists them with resolution reasons", async () => {
    const { page } = await browser.open(fixture.file)
    const ada = graph.entities.find((e) => e.label === "Ada Lovelace")!
    await page.click(`[data-entity-id="${ada.id}"]`)
    const selected = await page.$$eval(
      ".selected",
      (els) => els.map((e) => (e as HTMLElement).dataset.mentionId!).sort()
    )
    expect(selected).toEqual(mentionIdsOf("Ada Lovelace"))
    expect(selected).toHaveLength(3)
    const details = await page.$eval("#details", (e) => e.textContent ?? "")
    expect(details).toContain("Mentions (3)")
    expect(details).toContain("alias") // the merge of "Lovelace" into Ada Lovelace
    expect(details).toContain("same entity as Ada Lovelace")
    const jumps = await page.$$eval(
      "#details [data-jump]",
      (els) => els.map((e) => (e as HTMLElement).dataset.jump!).sort()
    )
    expect(jumps).toEqual(selected)

    // clicking a mention in the text selects its entity instead
    const london = graph.entities.find((e) => e.label === "London")!
    await page.click(`[data-mention-id="${london.mentions[1]!.id}"]`)
    const now = await page.$$eval(".selected", (els) => els.map((e) => (e as HTMLElement).dataset.mentionId!).sort())
    expect(now).toEqual(mentionIdsOf("London"))
    await page.close()
  })

  it("filters the entity list by the search box and by type", async () => {
    const { page } = await browser.open(fixture.file)
    const visible = () =>
      page.$$eval(
        "[data-entity-id]",
        (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => (e as HTMLElement).dataset.entityId!).sort()
      )
    await page.fill("#search", "LOVE")
    expect(await visible()).toEqual([graph.entities.find((e) => e.label === "Ada Lovelace")!.id])
    await page.fill("#search", "alert")
    expect(await visible()).toEqual(graph.entities.filter((e) => e.label.includes("alert")).map((e) => e.id).sort())
    await page.fill("#search", "")
    expect(await visible()).toHaveLength(graph.entities.length)
    await page.selectOption("#type-filter", { label: "Location (2)" })
    expect(await visible()).toEqual(graph.entities.filter((e) => e.type === "Location").map((e) => e.id).sort())
    await page.close()
  })

  it("sorts the entity list by mention count", async () => {
    const { page } = await browser.open(fixture.file)
    const counts = await page.$$eval("[data-entity-id] .n", (els) => els.map((e) => Number(e.textContent)))
    expect(counts).toEqual([...counts].sort((a, b) => b - a))
    expect(counts[0]).toBe(3)
    await page.close()
  })

  it("clicking a relation row highlights its evidence span in the text", async () => {
    const { page } = await browser.open(fixture.file)
    const r = graph.relations.find((x) => x.predicate === "farFrom")!
    await page.click(`[data-relation-id="${r.id}"]`)
    const shown = await page.evaluate(() => {
      const h = (CSS as unknown as { highlights: Map<string, Set<Range>> }).highlights.get("evidence")
      return h ? [...h][0]!.toString() : null
    })
    expect(shown).toBe(r.evidence[0].span.text)
    expect(shown).toContain("😀")
    await page.close()
  })

  it("draws the graph; clicking a node selects its entity", async () => {
    const { page } = await browser.open(fixture.file, { waitForGraph: true })
    const ada = graph.entities.find((e) => e.label === "Ada Lovelace")!
    const at = await page.evaluate(
      (id) => (window as any).__viewer.graph.viewportOf(id) as { x: number; y: number } | null,
      ada.id
    )
    expect(at).not.toBeNull()
    const box = (await page.locator("#graph").boundingBox())!
    await page.mouse.click(box.x + at!.x, box.y + at!.y)
    await page.waitForFunction(
      (id) => document.querySelector(`[data-entity-id="${id}"]`)?.classList.contains("active"),
      ada.id
    )
    expect(await page.$eval("#details h2", (e) => e.textContent)).toBe("Ada Lovelace")
    expect(await page.$eval("#graph", (e) => e.parentElement!.textContent)).toContain(
      `top ${graph.entities.length} of ${graph.entities.length}`
    )
    await page.close()
  })
})

describe.skipIf(!browserTests)("viewer.html (a document over 1 MB)", () => {
  const people = ["Grace Hopper", "Alan Turing", "Emmy Noether", "Kurt Gödel", "Sofia Kovalevskaya", "John von Neumann"]
  const places = ["Vienna", "Göttingen", "Princeton", "Cambridge", "Stockholm"]
  const lines: Array<string> = []
  let size = 0
  for (let i = 0; size < 1_150_000; i++) {
    const p = people[i % people.length]!
    const q = places[(i * 7) % places.length]!
    const line = i % 50 === 0
      ? `🧮 ${p} wrote to ${people[(i + 1) % people.length]} from ${q}; 𝑥² is not a name.`
      : `Paragraph ${i}: the committee in ${q} read what ${p} had said about the proof, and nobody objected.`
    lines.push(line, "")
    size += line.length + 2
  }
  const big = lines.join("\n")
  const large = writeFixtureViewer(
    big,
    [...people.map((t) => ({ text: t, type: "Person" })), ...places.map((t) => ({ text: t, type: "Location" }))]
  )
  const total = large.graph.entities.reduce((n, e) => n + e.mentions.length, 0)

  it("renders the text lazily, and every mention appears when the whole document is scrolled through", async () => {
    expect(Buffer.byteLength(big)).toBeGreaterThan(1_000_000)
    const { page, errors, requests } = await browser.open(large.file)
    const before = await page.evaluate(() => document.querySelectorAll("[data-mention-id]").length)
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(total / 4)
    expect(await page.evaluate(() => document.querySelectorAll("[data-entity-id]").length)).toBe(
      large.graph.entities.length
    )
    const seen = await page.evaluate(async () => {
      const pane = document.getElementById("text")!
      const ids = new Set<string>()
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
      for (let guard = 0; guard < 5000; guard++) {
        await frame()
        for (const el of pane.querySelectorAll<HTMLElement>("[data-mention-id]")) ids.add(el.dataset.mentionId!)
        if (pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 1) break
        pane.scrollTop += pane.clientHeight + 2000
      }
      await frame()
      for (const el of pane.querySelectorAll<HTMLElement>("[data-mention-id]")) ids.add(el.dataset.mentionId!)
      return [...ids]
    })
    expect(seen.length).toBe(total)
    expect(new Set(seen)).toEqual(new Set(large.graph.entities.flatMap((e) => e.mentions.map((m) => m.id))))
    expect(await page.evaluate(() => document.querySelectorAll("[data-mention-id]").length)).toBe(total)
    expect(errors).toEqual([])
    expect(requests).toEqual([])
    await page.close()
  })

  it("selecting an entity marks its mentions in blocks rendered later too", async () => {
    const { page } = await browser.open(large.file)
    const turing = large.graph.entities.find((e) => e.label === "Alan Turing")!
    await page.click(`[data-entity-id="${turing.id}"]`)
    // jump to its last mention (far below), then check every rendered mention of it is selected
    await page.evaluate(() => document.querySelector<HTMLElement>("#details [data-jump]:last-of-type")?.click())
    await page.evaluate(() => {
      const pane = document.getElementById("text")!
      pane.scrollTop = pane.scrollHeight / 2
    })
    await page.waitForTimeout(100)
    const marks = await page.$$eval(
      "[data-mention-id]",
      (els, ids) =>
        els.filter((e) => ids.includes((e as HTMLElement).dataset.mentionId!)).map((e) =>
          e.classList.contains("selected")
        ),
      turing.mentions.map((m) => m.id)
    )
    expect(marks.length).toBeGreaterThan(0)
    expect(marks.every(Boolean)).toBe(true)
    const others = await page.$$eval(
      ".selected",
      (els, ids) => els.filter((e) => !ids.includes((e as HTMLElement).dataset.mentionId!)).length,
      turing.mentions.map((m) => m.id)
    )
    expect(others).toBe(0)
    await page.close()
  })
})

/**
 * End to end: `extract` on The Adventures of Sherlock Holmes writes
 * outputs/viewer.html, which shows in Chromium one highlight per mention,
 * one list item per entity and one row per relation of knowledge-graph.json,
 * and the graph. Keeps a screenshot (test/Viewer/screenshots/sherlock.png).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { browserTests, launch, screenshot, type TestBrowser } from "../support/Browser.js"
import { runCli, SHARED } from "../support/Cli.js"

const SHERLOCK = join(SHARED, "data/litbank/texts/1661_the_adventures_of_sherlock_holmes.txt")

describe.skipIf(!browserTests)("viewer.html of the Sherlock Holmes run", () => {
  let runDir = ""
  let browser: TestBrowser
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), "extract-sherlock-"))
    const r = await runCli([SHERLOCK, "-o", out, "-q"])
    expect(r.code).toBe(0)
    runDir = r.stdout.trim().split("\t")[1]!
    browser = await launch()
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
  })

  it("shows every mention, entity and relation of knowledge-graph.json, and the graph", async () => {
    const graph = JSON.parse(readFileSync(join(runDir, "outputs", "knowledge-graph.json"), "utf8"))
    const mentions = graph.entities.reduce((n: number, e: { mentions: Array<unknown> }) => n + e.mentions.length, 0)
    expect(graph.entities.length).toBeGreaterThan(500)
    const { page, errors, requests, dialogs } = await browser.open(join(runDir, "outputs", "viewer.html"), {
      waitForGraph: true
    })
    const counts = await page.evaluate(() => ({
      mentions: document.querySelectorAll("[data-mention-id]").length,
      entities: document.querySelectorAll("[data-entity-id]").length,
      relations: document.querySelectorAll("[data-relation-id]").length,
      canvases: document.querySelectorAll("#graph canvas").length
    }))
    expect(counts).toMatchObject({ mentions, entities: graph.entities.length, relations: graph.relations.length })
    expect(counts.canvases).toBeGreaterThan(0)

    const holmes = graph.entities.find((e: { id: string }) => e.id === "sherlock-holmes")
    await page.click(`[data-entity-id="sherlock-holmes"]`)
    const selected = await page.$$eval(".selected", (els) => els.map((e) => (e as HTMLElement).dataset.mentionId!))
    expect(selected.sort()).toEqual(holmes.mentions.map((m: { id: string }) => m.id).sort())
    await page.fill("#search", "irene")
    const visible = await page.$$eval(
      "[data-entity-id]",
      (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.textContent ?? "")
    )
    expect(visible.length).toBeGreaterThan(0)
    for (const v of visible) expect(v.toLowerCase()).toContain("irene")
    await page.fill("#search", "")
    await screenshot(page, "sherlock")
    // the graph shows the top 200 entities, and "show more" adds 200
    const info = () => page.$eval("#graph", (e) => e.parentElement!.querySelector("h2")!.textContent ?? "")
    expect(await info()).toContain(`top 200 of ${graph.entities.length} entities`)
    await page.click("#graph-more")
    expect(await info()).toContain(`top 400 of ${graph.entities.length} entities`)
    expect(errors).toEqual([])
    expect(requests).toEqual([])
    expect(dialogs).toEqual([])
    await page.close()
  })
})

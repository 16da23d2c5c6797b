/**
 * Headless Chromium for the viewer's tests: Debian's `/usr/bin/chromium`
 * driven by playwright-core, with a fresh profile per launch. Each page
 * records its console errors, uncaught exceptions, dialogs and every
 * request other than the page's own file; requests are aborted, so a page
 * that tried to reach the network fails its test rather than the network.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { ROOT } from "./Cli.js"

export const CHROMIUM = process.env.EXTRACT_TEST_CHROMIUM ?? "/usr/bin/chromium"

/**
 * Whether the browser tests run: always in CI (`CI` set; `.ci/run` installs
 * Debian's chromium, and a missing one fails the tests), elsewhere only when
 * {@link CHROMIUM} exists, so `npm test` on a machine without it skips them.
 */
export const browserTests: boolean = process.env.CI !== undefined || existsSync(CHROMIUM)

/** The flags every test browser runs with. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run"
]

/** Where tests keep screenshots (gitignored). */
export const SCREENSHOTS = join(ROOT, "test", "Viewer", "screenshots")

export interface Watched {
  readonly page: Page
  /** Console messages of type error, and uncaught exceptions. */
  readonly errors: Array<string>
  /** URLs requested other than the page's own file:// URL. */
  readonly requests: Array<string>
  /** Messages of dialogs (alert, confirm, prompt) that opened. */
  readonly dialogs: Array<string>
}

export interface TestBrowser {
  /** Opens `file` (a path) in a new page and waits for `window.__viewerReady`. */
  open(file: string, options?: { readonly waitForGraph?: boolean }): Promise<Watched>
  close(): Promise<void>
}

/** Launches Chromium with {@link CHROMIUM_FLAGS} and a fresh `--user-data-dir`. */
export const launch = async (viewport = { width: 1600, height: 1000 }): Promise<TestBrowser> => {
  const profile = mkdtempSync(join(tmpdir(), "extract-chromium-"))
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    viewport
  })
  return {
    open: async (file, options = {}) => {
      const page = await context.newPage()
      const url = pathToFileURL(file).href
      const errors: Array<string> = []
      const requests: Array<string> = []
      const dialogs: Array<string> = []
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text())
      })
      page.on("pageerror", (e) => errors.push(String(e)))
      page.on("dialog", (d) => {
        dialogs.push(d.message())
        void d.dismiss()
      })
      await page.route("**/*", (route) => {
        if (route.request().url() === url) return route.continue()
        requests.push(route.request().url())
        return route.abort()
      })
      page.on("request", (r) => {
        if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url())
      })
      await page.goto(url)
      await page.waitForFunction(() => (window as { __viewerReady?: number }).__viewerReady !== undefined)
      if (options.waitForGraph) {
        await page.waitForFunction(() => (window as { __viewerGraphReady?: number }).__viewerGraphReady !== undefined)
      }
      return { page, errors, requests, dialogs }
    },
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
}

/** Saves a screenshot of `page` as `test/Viewer/screenshots/<name>.png`. */
export const screenshot = async (page: Page, name: string) => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
}

/**
 * Builds the viewer's browser code (`src/Viewer/app.ts` and what it imports,
 * sigma.js and graphology included) and style sheet (`src/Viewer/style.css`)
 * with esbuild into `dist/assets/viewer.js` and `dist/assets/viewer.css`,
 * which `src/Renderer/Viewer.ts` inlines into every `viewer.html`.
 * Minified, no source map, no timestamps: the same sources give the same bytes.
 *
 * Run by `npm run build` (after tsc) and by the tests' global setup:
 *   tsx scripts/build-viewer.ts
 */
import * as esbuild from "esbuild"
import { mkdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = fileURLToPath(new URL("..", import.meta.url))

/**
 * Sequences that would end an inline element or switch the HTML tokenizer
 * into another state inside it (HTML § 13.2.5.15 script data states).
 */
const UNSAFE_INLINE: Record<string, RegExp> = { "viewer.js": /<\/script|<!--/i, "viewer.css": /<\/style|<!--/i }

/**
 * Bundles the viewer into `outdir` (default `<root>/dist/assets/`); returns
 * the two files' sizes in bytes. Throws on a build error.
 */
export const buildViewer = async (root: string = ROOT, outdir: string = join(root, "dist", "assets")) => {
  mkdirSync(outdir, { recursive: true })
  const common = {
    bundle: true,
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    target: ["chrome110", "firefox110", "safari16"],
    charset: "utf8"
  } satisfies esbuild.BuildOptions
  await esbuild.build({
    ...common,
    entryPoints: [join(root, "src", "Viewer", "app.ts")],
    outfile: join(outdir, "viewer.js"),
    format: "iife",
    platform: "browser",
    define: { "process.env.NODE_ENV": "\"production\"" }
  })
  await esbuild.build({
    ...common,
    entryPoints: [join(root, "src", "Viewer", "style.css")],
    outfile: join(outdir, "viewer.css")
  })
  const sizes: Record<string, number> = {}
  for (const [name, unsafe] of Object.entries(UNSAFE_INLINE)) {
    const text = readFileSync(join(outdir, name), "utf8")
    const bad = unsafe.exec(text)
    if (bad) throw new Error(`dist/assets/${name} contains ${JSON.stringify(bad[0])}, which cannot be inlined in HTML`)
    sizes[name] = Buffer.byteLength(text)
  }
  return sizes
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildViewer().then(
    (sizes) => {
      for (const [name, bytes] of Object.entries(sizes)) console.error(`dist/assets/${name}  ${bytes} bytes`)
    },
    (e) => {
      console.error(`build-viewer: ${e instanceof Error ? e.message : String(e)}`)
      process.exit(1)
    }
  )
}

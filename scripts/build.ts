/**
 * build — bundles the CLI into dist/ with esbuild, the way the Effect team's
 * CLI template does (Effect-TS/examples templates/cli: one tree-shaken ESM
 * bundle per entry point), so that start-up reads a few files instead of
 * the thousand small modules of effect and @effect/*.
 *
 *   npm run build        (also run by `npm install` through `prepare`, and by `npm test`)
 *
 * - Entry point: `src/Launcher.ts` → `dist/bin.js` (the `extract` bin, chmod
 *   0755), which imports `src/bin.ts`. A module started by URL at run time
 *   (a worker, say) must be added to {@link ENTRY_POINTS}, since only entry
 *   points keep a file of their own.
 * - The launcher's answers to `--version` and `--help` are rendered here,
 *   from `src/Cli.ts`'s declarations, and inlined (`EXTRACT_FAST_PATH`).
 * - Code splitting: every dynamic `import("./X.js")` becomes a chunk in
 *   `dist/chunks/`, loaded only when a command needs it (issue 14: the
 *   extractors, tokenizer, lexicons, renderers and `@effect/ai` stay out of
 *   `--version`, `--help` and `runs list`).
 * - {@link EXTERNAL} packages stay in node_modules: native addons, and
 *   optional modules that a dependency only tries to load.
 * - Type checking is `npm run check` (tsc), not the build.
 */
import * as esbuild from "esbuild"
import { chmodSync, existsSync, renameSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { buildViewer } from "./build-viewer.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))

/** Files of src/ that become files of dist/ of the same name. */
export const ENTRY_POINTS: Record<string, string> = {
  bin: "src/Launcher.ts",
  // the embedded extractor's worker thread (src/Extractor/Nlp.ts pooledLayer)
  "nlp-worker": "src/Extractor/Nlp/Worker.ts",
  // the chunker's worker thread (src/Chunker/Threaded.ts)
  "chunk-worker": "src/Chunker/Worker.ts"
}

/**
 * Packages left to node_modules: native addons (better-sqlite3, through
 * @effect/sql-sqlite-node) and optional native helpers that dependencies
 * load inside try/catch (msgpackr-extract for msgpackr, pg-native for pg,
 * bufferutil and utf-8-validate for ws).
 */
export const EXTERNAL = ["better-sqlite3", "msgpackr-extract", "pg-native", "bufferutil", "utf-8-validate"]

/** The esbuild options of `npm run build` (the bundle-sanity test builds with them too). */
export const buildOptions: esbuild.BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: ENTRY_POINTS,
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  treeShaking: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  // CommonJS dependencies call require() for Node's built-ins; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as __extractCreateRequire } from \"node:module\";\n" +
      "const require = __extractCreateRequire(import.meta.url);"
  },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  // maps beside the files, without a sourceMappingURL comment for Node to look up at every start
  sourcemap: "external",
  sourcesContent: false,
  logLevel: "warning"
}

/**
 * What `extract --version` and `extract --help` print, rendered from the
 * command tree exactly as `src/CommandLine.ts` renders it (see
 * `src/Launcher.ts`).
 */
export const fastPathAnswers = async (): Promise<{ readonly version: string; readonly help: string }> => {
  const { command, HELP_GROUPS, VERSION } = await import("../src/Cli.js")
  const { commandTree, SHORT_HELP_WIDTH, shortHelp } = await import("../src/Help.js")
  const tree = commandTree(command.descriptor as Parameters<typeof commandTree>[0])
  return {
    version: VERSION,
    help: shortHelp(tree, { name: "extract", version: VERSION, groups: HELP_GROUPS, width: SHORT_HELP_WIDTH })
  }
}

/**
 * Bundles into a fresh directory, makes its bin.js executable, then puts it
 * in the place of dist/ with two renames, so that an `extract` started
 * meanwhile (a test run, a benchmark) never finds dist/ half written.
 */
export const build = async (): Promise<esbuild.BuildResult> => {
  const at = (dir: string) => join(ROOT, dir)
  const fresh = `dist.build-${process.pid}`
  const old = `dist.old-${process.pid}`
  rmSync(at(fresh), { recursive: true, force: true })
  const result = await esbuild.build({
    ...buildOptions,
    outdir: fresh,
    define: { EXTRACT_FAST_PATH: JSON.stringify(await fastPathAnswers()) }
  })
  // the viewer's browser bundle, which viewer.html inlines (src/Renderer/Viewer.ts reads dist/assets/)
  await buildViewer(ROOT, at(`${fresh}/assets`))
  // `npx extract` and a global install run dist/bin.js directly
  chmodSync(at(`${fresh}/bin.js`), 0o755)
  if (existsSync(at("dist"))) renameSync(at("dist"), at(old))
  renameSync(at(fresh), at("dist"))
  rmSync(at(old), { recursive: true, force: true })
  return result
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await build()
}

/** Builds dist/ once before the tests, so end-to-end tests run the current source. */
import { execFileSync } from "node:child_process"
import { chmodSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { buildViewer } from "../../scripts/build-viewer.js"

export default async function setup() {
  const root = fileURLToPath(new URL("../..", import.meta.url))
  execFileSync(process.execPath, [
    fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url)),
    "-p",
    "tsconfig.build.json"
  ], {
    cwd: root,
    stdio: "inherit"
  })
  // tsc writes bin.js without the execute bit; `npx extract` needs it (as `npm run build` does).
  chmodSync(fileURLToPath(new URL("../../dist/bin.js", import.meta.url)), 0o755)
  // the viewer's browser bundle, which viewer.html inlines (as `npm run build` does)
  await buildViewer(root)
}

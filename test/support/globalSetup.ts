/** Builds dist/ once before the tests (scripts/build.ts, as `npm run build`: the CLI bundle and the viewer's assets), so end-to-end tests run the current source. */
import { build } from "../../scripts/build.js"

export default async function setup() {
  await build()
}

/** Builds dist/ once before the tests (scripts/build.ts, as `npm run build`), so end-to-end tests run the current source. */
import { build } from "../../scripts/build.js"

export default async function setup() {
  await build()
}

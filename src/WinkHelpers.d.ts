/** Types of wink-nlp's helper modules, which its instances expose as `its` and `as` (WinkNlp.ts imports them directly). */
declare module "wink-nlp/src/its.js" {
  import type { ItsHelpers } from "wink-nlp"
  const its: ItsHelpers
  export default its
}
declare module "wink-nlp/src/as.js" {
  import type { AsHelpers } from "wink-nlp"
  const as: AsHelpers
  export default as
}

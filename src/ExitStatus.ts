/** The process exit code an invocation has earned so far; `bin.ts` exits with it. */
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

export class ExitStatus extends Effect.Service<ExitStatus>()("ExitStatus", {
  effect: Effect.map(Ref.make(0), (ref) => ({
    /** Sets the exit code (see README, "Exit codes"). */
    set: (code: number) => Ref.set(ref, code),
    get: Ref.get(ref)
  }))
}) {}

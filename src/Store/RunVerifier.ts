/**
 * `extract runs verify [runId] [--repair]`: checks a run directory against
 * its `metadata.json` — every recorded output's size and SHA-256, the
 * document text, the per-chunk extraction results — and lists files the
 * run does not know. With `--repair`, rebuilds a damaged `metadata.json`
 * from the journal and re-renders missing or corrupt outputs from the
 * stored extraction results (`extractions/chunk-N.json`), under the run's
 * lock.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { sha256Hex } from "../Digest.js"
import { PipelineError } from "../Domain/Errors.js"
import { ChunkExtraction } from "../Domain/Extraction.js"
import type { RunMetadata } from "../Domain/Run.js"
import { CodePointIndex } from "../Domain/Span.js"
import { harmonizeTypes } from "../Extractor/Nlp/Consistency.js"
import { graphsOf, joinExtractions, renderOptionsOf } from "../Pipeline.js"
import { Renderer } from "../Renderer.js"
import { Resolver } from "../Resolver.js"
import { TEMPORARY_FILE } from "./AtomicFile.js"
import { ExtractionRunService, RUN_FILES } from "./ExtractionRunService.js"

/** What verify found about one file, by path relative to the run directory. */
export interface FileFinding {
  readonly path: string
  /**
   * `missing`/`corrupt`: a file the metadata records is absent or differs
   * (size, SHA-256, or unparsable); `unknown`: a file the run does not
   * record; `temporary`: a temporary file left by a writer that died;
   * `repaired`: re-written by `--repair` with the recorded checksum;
   * `rerendered`: re-written by `--repair`, but the new bytes differ from
   * the recorded checksum (the code changed since the run); `unrepairable`:
   * `--repair` could not rebuild it (reason in `detail`).
   */
  readonly status: "missing" | "corrupt" | "unknown" | "temporary" | "repaired" | "rerendered" | "unrepairable"
  readonly detail: string
}

/** The verdict on one run. */
export interface RunVerification {
  readonly runId: string
  readonly status: RunMetadata["status"]
  /** Files checked against the metadata. */
  readonly checked: number
  /** Why metadata.json was unusable and what it was rebuilt from (null when it was fine). */
  readonly metadataRecovered: string | null
  /** True when metadata.json was rewritten by `--repair`. */
  readonly metadataRepaired: boolean
  readonly findings: ReadonlyArray<FileFinding>
  /** True when nothing recorded is missing or corrupt (unknown and temporary files are only reported). */
  readonly ok: boolean
}

const ExtractionJson = Schema.parseJson(ChunkExtraction)
const short = (hex: string) => hex.slice(0, 12)

export class RunVerifier extends Effect.Service<RunVerifier>()("RunVerifier", {
  effect: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const store = yield* ExtractionRunService
    const resolver = yield* Resolver
    const renderer = yield* Renderer

    const readBytes = (file: string) => fs.readFile(file).pipe(Effect.option)

    /** Checks one run without changing anything. */
    const inspect = (runId: string) =>
      Effect.gen(function*() {
        const view = yield* store.inspectRun(runId)
        const meta = view.metadata
        const dir = store.runDirOf(runId)
        const findings: Array<FileFinding> = []
        const known = new Set<string>([RUN_FILES.metadata, RUN_FILES.journal, RUN_FILES.lock])
        // the chunks' offsets, for the SQL mirror (issue 10)
        known.add("input/chunks.json")
        let checked = 0

        for (const o of meta.outputs) {
          known.add(o.path)
          checked++
          const bytes = yield* readBytes(path.join(dir, ...o.path.split("/")))
          if (Option.isNone(bytes)) {
            findings.push({
              path: o.path,
              status: "missing",
              detail: `recorded with ${o.bytes} bytes, sha256 ${short(o.sha256)}…`
            })
          } else {
            const sha = sha256Hex(bytes.value)
            if (bytes.value.length !== o.bytes || sha !== o.sha256) {
              findings.push({
                path: o.path,
                status: "corrupt",
                detail: `${bytes.value.length} bytes, sha256 ${short(sha)}…; recorded ${o.bytes} bytes, sha256 ${
                  short(o.sha256)
                }…`
              })
            }
          }
        }

        const documentPath = "input/document.txt"
        known.add(documentPath)
        checked++
        const document = yield* readBytes(path.join(dir, "input", "document.txt"))
        if (Option.isNone(document)) {
          findings.push({ path: documentPath, status: "missing", detail: "the decoded input text" })
        } else if (meta.input.textSha256 !== undefined && sha256Hex(document.value) !== meta.input.textSha256) {
          findings.push({
            path: documentPath,
            status: "corrupt",
            detail: `sha256 ${short(sha256Hex(document.value))}…; recorded ${short(meta.input.textSha256)}…`
          })
        }

        const chunkCount = meta.stats.chunkCount
        for (let i = 0; i < chunkCount; i++) {
          known.add(`input/chunks/chunk-${i}.txt`)
          const rel = `extractions/chunk-${i}.json`
          known.add(rel)
          if (meta.status !== "completed") {
            continue
          }
          checked++
          const text = yield* fs.readFileString(path.join(dir, "extractions", `chunk-${i}.json`)).pipe(Effect.option)
          if (Option.isNone(text)) {
            findings.push({ path: rel, status: "missing", detail: `extraction result of chunk ${i}` })
          } else if (Option.isNone(Schema.decodeUnknownOption(ExtractionJson)(text.value))) {
            findings.push({ path: rel, status: "corrupt", detail: `not a valid extraction result of chunk ${i}` })
          }
        }

        const all = yield* fs.readDirectory(dir, { recursive: true }).pipe(
          Effect.orElseSucceed(() => [] as Array<string>)
        )
        for (
          const rel of all.map((p) => p.split(path.sep).join("/")).sort()
        ) {
          const info = yield* fs.stat(path.join(dir, rel)).pipe(Effect.option)
          if (Option.isNone(info) || info.value.type !== "File" || known.has(rel)) continue
          // chunk files of a run that has not finished yet
          if (
            meta.status !== "completed" && /^(input\/chunks\/chunk-\d+\.txt|extractions\/chunk-\d+\.json)$/.test(rel)
          ) continue
          if (TEMPORARY_FILE.test(path.basename(rel)) || path.basename(rel).startsWith(`${RUN_FILES.lock}.break-`)) {
            findings.push({
              path: rel,
              status: "temporary",
              detail: "left by a writer that stopped; removed by the next run or --repair"
            })
          } else findings.push({ path: rel, status: "unknown", detail: "not recorded in metadata.json" })
        }
        return { view, findings, checked }
      })

    /** Re-renders the outputs from the stored extraction results. */
    const rerender = (runId: string, meta: RunMetadata) =>
      Effect.gen(function*() {
        const dir = store.runDirOf(runId)
        if (meta.status !== "completed") {
          return yield* new PipelineError({
            stage: "render",
            message: `the run is ${meta.status}; re-run extract on its input to finish it`
          })
        }
        const text = yield* fs.readFileString(path.join(dir, "input", "document.txt")).pipe(
          Effect.mapError(() =>
            new PipelineError({
              stage: "render",
              message: "input/document.txt is missing; re-run extract on the original file"
            })
          )
        )
        if (meta.input.textSha256 !== undefined && sha256Hex(text) !== meta.input.textSha256) {
          return yield* new PipelineError({
            stage: "render",
            message: "input/document.txt is corrupt; re-run extract on the original file"
          })
        }
        const extractions = yield* Effect.forEach(Array.from({ length: meta.stats.chunkCount }, (_, i) => i), (i) =>
          store.loadExtraction(runId, i).pipe(
            Effect.orElseSucceed(() =>
              Option.none<ChunkExtraction>()
            ),
            Effect.flatMap(Option.match({
              onNone: () =>
                Effect.fail(
                  new PipelineError({
                    stage: "render",
                    message: `extractions/chunk-${i}.json is missing or corrupt; re-run extract --force`
                  })
                ),
              onSome: Effect.succeed
            }))
          ))
        // The same cores the pipeline's stages run, with the run's own extractor pass and render options.
        const merged = joinExtractions(extractions, meta.config.extractor === "nlp" ? harmonizeTypes : undefined)
        const resolution = yield* resolver.resolve(merged.mentions, { text })
        const graphs = graphsOf(
          runId,
          meta.input.sha256,
          new CodePointIndex(text).length,
          merged,
          resolution,
          meta.config
        )
        return yield* renderer.render(graphs.graph, graphs.resolution, renderOptionsOf(meta.config, text))
      })

    /**
     * Verifies one run; with `repair`, fixes what can be fixed under the
     * run's lock (waiting for a writer to finish) and reports what it did.
     * Fails with UsageError for a malformed id, RunNotFound, StoreError.
     */
    const verify = Effect.fn("RunVerifier.verify")(function*(runId: string, repair: boolean) {
      const first = yield* inspect(runId)
      const problems = first.findings.filter((f) =>
        f.status === "missing" || f.status === "corrupt" || f.status === "temporary"
      )
      if (!repair || (problems.length === 0 && first.view.recovered === null)) {
        return summarize(runId, first.view.metadata, first.checked, first.view.recovered, false, first.findings)
      }
      // repair: take the lock (this also rebuilds metadata.json and sweeps temporaries), then re-check under it
      const opened = yield* store.openRun(runId)
      const result = yield* Effect.gen(function*() {
        const again = yield* inspect(runId)
        const broken = again.findings.filter((f) =>
          (f.status === "missing" || f.status === "corrupt") && f.path.startsWith("outputs/")
        )
        const findings = again.findings.filter((f) => !broken.includes(f))
        if (broken.length > 0) {
          const rendered = yield* rerender(runId, again.view.metadata).pipe(Effect.either)
          if (rendered._tag === "Left") {
            for (const f of broken) {
              findings.push({ ...f, status: "unrepairable", detail: `${f.status}: ${rendered.left.message}` })
            }
          } else {
            for (const f of broken) {
              const output = rendered.right.find((o) => o.path === f.path)
              const recorded = again.view.metadata.outputs.find((o) => o.path === f.path)
              if (!output || !recorded) {
                findings.push({
                  ...f,
                  status: "unrepairable",
                  detail: `${f.status}: the renderer no longer produces ${f.path}`
                })
                continue
              }
              const written = yield* store.saveOutput(runId, { ...output, type: recorded.type })
              findings.push(
                written.sha256 === recorded.sha256
                  ? {
                    path: f.path,
                    status: "repaired",
                    detail: `re-rendered from extractions/ (${written.bytes} bytes, sha256 matches the record)`
                  }
                  : {
                    path: f.path,
                    status: "rerendered",
                    detail: `re-rendered from extractions/, but sha256 ${
                      short(written.sha256)
                    }… differs from the recorded ${short(recorded.sha256)}… (the code changed since the run)`
                  }
              )
            }
          }
          yield* store.emitEvent(runId, "run.repaired", {
            files: findings.filter((f) => f.status === "repaired" || f.status === "rerendered").map((f) => f.path),
            unrepairable: findings.filter((f) => f.status === "unrepairable").map((f) => f.path)
          })
        }
        return findings
      }).pipe(Effect.ensuring(store.closeRun(runId).pipe(Effect.ignore)))
      const final = yield* store.getRun(runId)
      return summarize(
        runId,
        final,
        first.checked,
        opened.recovered ?? first.view.recovered,
        opened.recovered !== null || first.view.recovered !== null,
        result
      )
    })

    const summarize = (
      runId: string,
      meta: RunMetadata,
      checked: number,
      recovered: string | null,
      metadataRepaired: boolean,
      findings: ReadonlyArray<FileFinding>
    ): RunVerification => ({
      runId,
      status: meta.status,
      checked,
      metadataRecovered: recovered,
      metadataRepaired,
      findings,
      ok: !findings.some((f) => f.status === "missing" || f.status === "corrupt" || f.status === "unrepairable") &&
        (recovered === null || metadataRepaired)
    })

    /**
     * `runs verify`: verifies `runId`, or every run in the output directory,
     * and prints the verdicts (a line per run and per finding; `json`: a JSON
     * object per run). Returns the exit code: 0 when every run is ok, 1 when
     * something recorded is missing or corrupt (after `--repair`: still).
     */
    const run = Effect.fn("RunVerifier.run")(function*(runId: Option.Option<string>, repair: boolean, json: boolean) {
      const ids = Option.isSome(runId) ? [runId.value] : (yield* store.listRuns()).map((r) => r.runId)
      if (ids.length === 0 && !json) yield* Console.error(`no runs in ${store.outputDir}`)
      let ok = true
      for (const id of ids) {
        const v = yield* verify(id, repair)
        ok &&= v.ok
        if (json) {
          yield* Console.log(JSON.stringify(v))
          continue
        }
        const count = (...statuses: Array<FileFinding["status"]>) =>
          v.findings.filter((f) => statuses.includes(f.status)).length
        const bad = count("missing", "corrupt", "unrepairable")
        const fixed = count("repaired", "rerendered")
        const unknown = count("unknown", "temporary")
        yield* Console.log(
          `${v.runId}  ${v.ok ? "ok" : "FAILED"}  ${v.status}, ${v.checked} files checked` +
            (bad > 0 ? `, ${bad} problem(s)` : "") + (fixed > 0 ? `, ${fixed} repaired` : "") +
            (unknown > 0 ? `, ${unknown} unrecorded file(s)` : "")
        )
        if (v.metadataRecovered) {
          yield* Console.log(
            `${v.runId}  ${v.metadataRepaired ? "repaired" : "damaged"}  metadata.json  ${v.metadataRecovered}${
              v.metadataRepaired ? "" : " (--repair rewrites it)"
            }`
          )
        }
        for (const f of v.findings) yield* Console.log(`${v.runId}  ${f.status}  ${f.path}  ${f.detail}`)
      }
      return ok ? 0 : 1
    })

    return { verify, run } as const
  }),
  dependencies: [Resolver.Default, Renderer.Default]
}) {}

/**
 * The rows one run contributes to the SQL mirror, read from its directory
 * (the run store is the source of truth): `metadata` for the run, its
 * events, errors and outputs; `outputs/knowledge-graph.json` for entities,
 * mentions and relations; `input/chunks.json` (or, for runs made before it
 * existed, the chunk files located in the document) for chunks;
 * `extractions/chunk-N.json` for the llm extractor's per-chunk usage.
 * Offsets are Unicode code points into `input/document.txt`, `end` exclusive.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { sha256Hex } from "../Digest.js"
import { RunMetadata, RunStats } from "../Domain/Run.js"

const encodeMetadata = Schema.encodeSync(RunMetadata)
const encodeStats = Schema.encodeSync(RunStats)

/** File of a run's chunk offsets, written by the store next to the chunk texts. */
export const CHUNK_MANIFEST = "input/chunks.json"

/**
 * The lineage id of a chunk: `ch-` and the first 32 hex digits of
 * SHA-256(`<doc_id>:<start>:<end>:<SHA-256 of the chunk text, hex>`), with
 * `doc_id` the SHA-256 of the decoded document text and `start`/`end` the
 * chunk's code-point offsets. The same chunk of the same document gets the
 * same id in every run and on every machine.
 */
export const chunkId = (docId: string, start: number, end: number, textSha256: string): string =>
  `ch-${sha256Hex(`${docId}:${start}:${end}:${textSha256}`).slice(0, 32)}`

/**
 * A name as `extract search` compares it: Unicode NFKD with combining marks
 * removed (diacritics), lower case, runs of anything but letters and digits
 * made one space, trimmed. "Zoë  O'Brien" → "zoe o brien".
 */
export const normalizeName = (name: string): string =>
  name.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim()

/**
 * The keys `extract search` finds an entity by: every word-suffix of its
 * normalised label and aliases ("abraham lincoln" → "abraham lincoln",
 * "lincoln"), so a search matches a name from the start of any word.
 */
export const nameKeys = (label: string, aliases: ReadonlyArray<string>): Array<string> => {
  const keys = new Set<string>()
  for (const name of [label, ...aliases]) {
    const words = normalizeName(name).split(" ").filter((w) => w !== "")
    for (let i = 0; i < words.length; i++) keys.add(words.slice(i).join(" "))
  }
  return [...keys]
}

/** One row per table, with the column names of docs/database.md. JSON columns hold JSON text. */
export interface RunRows {
  readonly document: {
    doc_id: string
    bytes: number
    length: number | null
    first_path: string
    created_at: string
  }
  readonly run: {
    run_id: string
    doc_id: string
    status: string
    extractor: string
    model: string | null
    config: string
    chunk_count: number
    mention_count: number
    entity_count: number
    relation_count: number
    duration_ms: number
    created_at: string
    updated_at: string
    completed_at: string | null
    revision: number
    schema_version: number
    input_path: string
    input: string
    stats: string
    output_dir: string
  }
  readonly events: ReadonlyArray<Record<string, unknown>>
  readonly errors: ReadonlyArray<Record<string, unknown>>
  readonly outputs: ReadonlyArray<Record<string, unknown>>
  /** Undefined for a light (status-only) write: the graph rows are left as they are. */
  readonly graph?: {
    readonly chunks: ReadonlyArray<Record<string, unknown>>
    readonly entities: ReadonlyArray<Record<string, unknown>>
    readonly entityNames: ReadonlyArray<Record<string, unknown>>
    readonly mentions: ReadonlyArray<Record<string, unknown>>
    readonly relations: ReadonlyArray<Record<string, unknown>>
    readonly llmUsage: ReadonlyArray<Record<string, unknown>>
  }
}

/** The part of `knowledge-graph.json` the mirror reads. */
interface GraphJson {
  readonly document?: { readonly length?: number }
  readonly entities: ReadonlyArray<{
    readonly id: string
    readonly label: string
    readonly type: string
    readonly aliases: ReadonlyArray<string>
    readonly mentions: ReadonlyArray<{
      readonly id: string
      readonly span: { readonly start: number; readonly end: number; readonly text: string }
      readonly chunk: number
    }>
  }>
  readonly relations: ReadonlyArray<{
    readonly id: string
    readonly subject: string
    readonly predicate: string
    readonly object: string
    readonly evidence: ReadonlyArray<{
      readonly span: { readonly start: number; readonly end: number; readonly text: string }
      readonly chunk: number
    }>
  }>
}

interface ChunkRecord {
  readonly index: number
  readonly start: number
  readonly end: number
  readonly tokens: number | null
  readonly sha256: string
}

const intOrNull = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) ? v : null)

/** The code-point offset of UTF-16 index `i` in `text`. */
const codePointOffset = (text: string, i: number): number => {
  let n = 0
  for (let k = 0; k < i; k++) {
    const c = text.charCodeAt(k)
    if (c >= 0xd800 && c <= 0xdbff && k + 1 < i) k++
    n++
  }
  return n
}

/**
 * Reads the rows of a run. `metadata` is the run's current state (the
 * store's view); `runDir` its directory. `full: false` builds only the run,
 * document, event, error and output rows (a status change); `full: true`
 * also chunks, entities, mentions, relations and llm usage from the files.
 * Missing or unreadable graph files give no graph rows (a failed run has
 * none); never fails on them.
 */
export const readRunRows = (
  runDir: string,
  outputDir: string,
  metadata: RunMetadata,
  full: boolean
): Effect.Effect<RunRows, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const read = (rel: string) =>
      fs.readFileString(path.join(runDir, ...rel.split("/"))).pipe(
        Effect.option,
        Effect.map((o) => o._tag === "Some" ? o.value : undefined)
      )
    const m = metadata
    let docId = m.input.textSha256
    // the document is read only when needed: no text hash (older runs), chunks to locate, no length in the graph
    let documentText: string | undefined
    let documentRead = false
    const documentOf = Effect.suspend(() =>
      documentRead ? Effect.succeed(documentText) : Effect.map(read("input/document.txt"), (text) => {
        documentRead = true
        return (documentText = text)
      })
    )
    if (docId === undefined) {
      const text = yield* documentOf
      docId = text === undefined ? m.input.sha256 : sha256Hex(text)
    }
    const encoded = encodeMetadata(m)
    const runId = m.runId
    const runRow: RunRows["run"] = {
      run_id: runId,
      doc_id: docId,
      status: m.status,
      extractor: m.config.extractor,
      model: m.config.model,
      config: JSON.stringify(encoded.config),
      chunk_count: m.stats.chunkCount,
      mention_count: m.stats.mentionCount,
      entity_count: m.stats.entityCount,
      relation_count: m.stats.relationCount,
      duration_ms: m.stats.durationMs,
      created_at: m.createdAt,
      updated_at: m.updatedAt,
      completed_at: m.completedAt,
      revision: m.revision,
      schema_version: m.schemaVersion,
      input_path: m.input.path,
      input: JSON.stringify(encoded.input),
      stats: JSON.stringify(encodeStats(m.stats)),
      output_dir: outputDir
    }
    const events = m.events.map((e, seq) => ({
      run_id: runId,
      seq,
      timestamp: e.timestamp,
      type: e.type,
      data: JSON.stringify(e.data)
    }))
    const errors = m.errors.map((e, seq) => ({
      run_id: runId,
      seq,
      timestamp: e.timestamp,
      type: e.type,
      message: e.message,
      context: JSON.stringify(e.context),
      chunk_index: intOrNull(e.context.chunk)
    }))
    const outputs = m.outputs.map((o, ordinal) => ({
      run_id: runId,
      path: o.path,
      type: o.type,
      sha256: o.sha256,
      bytes: o.bytes,
      ordinal
    }))
    let length: number | null = null
    if (!full) {
      return {
        document: { doc_id: docId, bytes: m.input.bytes, length, first_path: m.input.path, created_at: m.createdAt },
        run: runRow,
        events,
        errors,
        outputs
      }
    }

    // --- chunks: the manifest, or the chunk files located in the document
    const chunks: Array<ChunkRecord> = []
    const manifestText = yield* read(CHUNK_MANIFEST)
    let manifest:
      | ReadonlyArray<{ index: number; start: number; end: number; tokens: number; sha256?: string }>
      | undefined
    try {
      manifest = manifestText === undefined ? undefined : JSON.parse(manifestText)
    } catch {
      manifest = undefined
    }
    const complete = manifest !== undefined && manifest.length === m.stats.chunkCount &&
      manifest.every((c) => typeof c.sha256 === "string")
    // a manifest with the texts' hashes has everything; older ones need the chunk files
    const texts = complete ? [] : yield* Effect.forEach(
      Array.from({ length: m.stats.chunkCount }, (_, i) => i),
      (i) => read(`input/chunks/chunk-${i}.txt`),
      { concurrency: 8 }
    )
    if (complete) {
      for (const c of manifest!) {
        chunks.push({ index: c.index, start: c.start, end: c.end, tokens: c.tokens, sha256: c.sha256! })
      }
    } else if (manifest !== undefined && manifest.length === texts.length) {
      manifest.forEach((c, i) => {
        const text = texts[i]
        if (text !== undefined) {
          chunks.push({ index: c.index, start: c.start, end: c.end, tokens: c.tokens, sha256: sha256Hex(text) })
        }
      })
    } else if ((yield* documentOf) !== undefined) {
      let from16 = 0
      texts.forEach((text, index) => {
        if (text === undefined) return
        const at = documentText!.indexOf(text, from16)
        if (at < 0) return
        const start = codePointOffset(documentText!, at)
        chunks.push({ index, start, end: start + [...text].length, tokens: null, sha256: sha256Hex(text) })
        from16 = at + 1
      })
    }
    const chunkIds = new Map<number, string>()
    const chunkRows = chunks.map((c) => {
      const id = chunkId(docId, c.start, c.end, c.sha256)
      chunkIds.set(c.index, id)
      return {
        chunk_id: id,
        run_id: runId,
        doc_id: docId,
        chunk_index: c.index,
        start: c.start,
        end: c.end,
        tokens: c.tokens,
        sha256: c.sha256
      }
    })

    // --- the graph, from knowledge-graph.json
    const graphOutput = m.outputs.find((o) => o.type === "knowledge-graph")
    let graph: GraphJson | undefined
    if (graphOutput !== undefined) {
      const text = yield* read(graphOutput.path)
      try {
        graph = text === undefined ? undefined : JSON.parse(text)
      } catch {
        graph = undefined
      }
    }
    length = graph?.document?.length ?? null
    if (length === null) {
      const text = yield* documentOf
      length = text === undefined ? null : [...text].length
    }
    const entities: Array<Record<string, unknown>> = []
    const entityNames: Array<Record<string, unknown>> = []
    const mentions: Array<Record<string, unknown>> = []
    const relations: Array<Record<string, unknown>> = []
    for (const e of graph?.entities ?? []) {
      entities.push({
        run_id: runId,
        entity_id: e.id,
        doc_id: docId,
        label: e.label,
        type: e.type,
        aliases: JSON.stringify(e.aliases),
        mention_count: e.mentions.length,
        label_norm: normalizeName(e.label)
      })
      for (const key of nameKeys(e.label, e.aliases)) {
        entityNames.push({
          run_id: runId,
          entity_id: e.id,
          name_norm: key,
          type_norm: e.type.toLowerCase(),
          mention_count: e.mentions.length
        })
      }
      for (const mention of e.mentions) {
        const chunk = chunkIds.get(mention.chunk)
        if (chunk === undefined) continue
        mentions.push({
          run_id: runId,
          mention_id: mention.id,
          entity_id: e.id,
          doc_id: docId,
          chunk_id: chunk,
          start: mention.span.start,
          end: mention.span.end,
          text: mention.span.text
        })
      }
    }
    for (const r of graph?.relations ?? []) {
      const first = r.evidence[0]
      relations.push({
        run_id: runId,
        relation_id: r.id,
        subject: r.subject,
        predicate: r.predicate,
        object: r.object,
        doc_id: docId,
        chunk_id: first === undefined ? null : chunkIds.get(first.chunk) ?? null,
        start: first?.span.start ?? null,
        end: first?.span.end ?? null,
        evidence: first?.span.text ?? null
      })
    }

    // --- llm usage per chunk, from the stored extraction results
    const llmUsage: Array<Record<string, unknown>> = []
    const llm = m.config.llm
    if (m.config.extractor === "llm") {
      const results = yield* Effect.forEach(
        chunkRows,
        (c) => read(`extractions/chunk-${c.chunk_index}.json`),
        { concurrency: 8 }
      )
      results.forEach((text, i) => {
        if (text === undefined) return
        let usage: Record<string, number> | null = null
        try {
          usage = JSON.parse(text).usage ?? null
        } catch {
          usage = null
        }
        if (usage === null) return
        const input = usage.inputTokens ?? 0
        const output = usage.outputTokens ?? 0
        const priced = llm !== null && (llm.priceInput !== null || llm.priceOutput !== null)
        llmUsage.push({
          run_id: runId,
          doc_id: docId,
          chunk_id: chunkRows[i]!.chunk_id,
          model: m.config.model,
          calls: usage.calls ?? 0,
          retries: usage.retries ?? 0,
          reasks: usage.reasks ?? 0,
          input_tokens: input,
          output_tokens: output,
          cache_hits: usage.cacheHits ?? 0,
          cost_usd: priced ? (input * (llm!.priceInput ?? 0) + output * (llm!.priceOutput ?? 0)) / 1e6 : null
        })
      })
    }
    return {
      document: { doc_id: docId, bytes: m.input.bytes, length, first_path: m.input.path, created_at: m.createdAt },
      run: runRow,
      events,
      errors,
      outputs,
      graph: { chunks: chunkRows, entities, entityNames, mentions, relations, llmUsage }
    }
  })

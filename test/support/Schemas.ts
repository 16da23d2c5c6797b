/** The JSON Schemas in docs/schemas/, compiled with ajv (draft 2020-12). */
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const ajv = new Ajv2020({ allErrors: true, strict: true })

const load = (name: string) => {
  const schema = JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../docs/schemas/${name}.schema.json`, import.meta.url)), "utf8")
  )
  return ajv.compile(schema)
}

export const validators = {
  knowledgeGraph: load("knowledge-graph"),
  resolutionGraph: load("entity-resolution-graph"),
  metadata: load("metadata")
} as const

/** Validation errors of `data` as one readable string per error; empty when valid. */
export const schemaErrors = (name: keyof typeof validators, data: unknown): Array<string> => {
  const validate = validators[name]
  return validate(data) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message}`)
}

import { readFileSync } from 'node:fs'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import formatsPlugin from 'ajv-formats'

// ajv-formats is CommonJS with a default export; under NodeNext its callable is `.default`.
const addFormats = formatsPlugin as unknown as typeof formatsPlugin.default

/**
 * The provider's published OpenAPI description of Data API v3 (a public copy, see test/fixtures/contract/README.md),
 * loaded as one JSON Schema 2020-12 document so its `#/components/schemas/...` references resolve as written.
 */
// biome-ignore lint/suspicious/noExplicitAny: the document is plain JSON, walked by key
export type Json = any

export const PUBLISHED_ID = 'https://contract.ledgerite.test/data-api-v3.openapi.json'
export const published: Json = JSON.parse(readFileSync(new URL('../fixtures/contract/data-api-v3.openapi.json', import.meta.url), 'utf8'))

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const

export interface Param { name: string, in: string, required: boolean }
export interface Operation { method: string, path: string, key: string, op: Json }

/** `get /v3/connected-accounts` → the operation object of a document's paths. */
export function operationsOf (doc: Json): Operation[] {
  const out: Operation[] = []
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      if (item[method]) out.push({ method, path, key: `${method.toUpperCase()} ${path}`, op: item[method] })
    }
  }
  return out
}

function deref (doc: Json, value: Json): Json {
  if (value && typeof value.$ref === 'string' && value.$ref.startsWith('#/')) {
    return value.$ref.slice(2).split('/').reduce((o: Json, k: string) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
  }
  return value
}

/** Parameters of an operation (path-item parameters included), `$ref`s resolved; header names lower-cased. */
export function parametersOf (doc: Json, path: string, op: Json): Param[] {
  const list = [...(doc.paths[path]?.parameters ?? []), ...(op.parameters ?? [])].map((p: Json) => deref(doc, p))
  return list.map((p: Json) => ({
    name: p.in === 'header' ? String(p.name).toLowerCase() : String(p.name),
    in: String(p.in),
    required: p.in === 'path' ? true : Boolean(p.required),
  }))
}

/**
 * Validator for the published schemas. Non-standard formats in the file get real definitions:
 * `datetime` is RFC 3339 date-time, `url` an absolute http(s) URL, `phone` `+` and 7–15 digits (ITU E.164).
 * `discriminator` (with `mapping`, which Ajv does not implement) is left out: the `oneOf` it annotates already
 * requires exactly one branch to match, which is the stricter check.
 */
function makeAjv (): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: false, validateFormats: true })
  addFormats(ajv)
  const dateTime = ajv.formats['date-time']
  if (!dateTime) throw new Error('ajv-formats did not register date-time')
  ajv.addFormat('datetime', dateTime as never)
  ajv.addFormat('url', (s: string) => {
    try {
      const u = new URL(s)
      return u.protocol === 'http:' || u.protocol === 'https:'
    } catch {
      return false
    }
  })
  ajv.addFormat('phone', /^\+[1-9][0-9]{6,14}$/)
  ajv.addSchema(published, PUBLISHED_ID)
  return ajv
}

const ajv = makeAjv()
const cache = new Map<string, ValidateFunction>()

/** Rewrites the document-relative `$ref`s of an inline schema so it can be compiled on its own. */
function absolutise (schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(absolutise)
  if (schema && typeof schema === 'object') {
    const out: Json = {}
    for (const [k, v] of Object.entries(schema)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${PUBLISHED_ID}${v}` : absolutise(v)
    return out
  }
  return schema
}

/** Validator for `#/components/schemas/<name>`. */
export function componentValidator (name: string): ValidateFunction {
  const key = `component:${name}`
  let v = cache.get(key)
  if (!v) {
    if (!published.components.schemas[name]) throw new Error(`the published file has no schema ${name}`)
    v = ajv.compile({ $ref: `${PUBLISHED_ID}#/components/schemas/${name}` })
    cache.set(key, v)
  }
  return v
}

/** Validator for an inline schema found inside the published document (a response body). */
export function inlineValidator (key: string, schema: Json): ValidateFunction {
  let v = cache.get(key)
  if (!v) {
    v = ajv.compile(absolutise(schema))
    cache.set(key, v)
  }
  return v
}

export function describeErrors (v: ValidateFunction): string {
  return ajv.errorsText(v.errors, { separator: '\n  ', dataVar: 'body' })
}

/** Fastify-style `/x/:id` or OpenAPI `/x/{id}` → `/x/{}` for matching paths regardless of parameter names. */
export function pathShape (path: string): string {
  return path.replace(/\{[^}]+\}/g, '{}').replace(/:[A-Za-z0-9_]+/g, '{}')
}

/** Media type without parameters, lower case: `application/json; charset=UTF-8` → `application/json`. */
export function mediaType (contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

import { Ajv, type ErrorObject } from 'ajv'
import formatsPlugin from 'ajv-formats'

// ajv-formats is CommonJS with a default export; under NodeNext its callable is `.default`.
const addFormats = formatsPlugin as unknown as typeof formatsPlugin.default
import type { FastifySchemaCompiler } from 'fastify'
import { addFieldError, type FieldErrors } from '../contract/errors.ts'

/**
 * Schema compilers. Bodies are validated strictly (no type coercion, unknown fields refused, every error
 * collected); query strings, params and headers arrive as text, so they are coerced.
 */
function makeAjv (coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    discriminator: true,
    strict: false,
  })
  addFormats(ajv)
  return ajv
}

const bodyAjv = makeAjv(false)
const textAjv = makeAjv(true)

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>
}

/** `/provider_selection/filter/countries/0` → `provider_selection.filter.countries[0]`. */
export function toFieldPath (instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (child !== undefined) parts.push(child)
  let out = ''
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : (out ? `.${p}` : p)
  return out
}

/** A route may add teaching hints: given a field and its error, return a better message or undefined. */
export type HintFn = (field: string, err: ErrorObject, data: unknown) => string | undefined

function messageOf (err: ErrorObject): string {
  const p = err.params as Record<string, unknown>
  switch (err.keyword) {
    case 'required': return 'is required'
    case 'additionalProperties': return 'is not a documented field'
    case 'enum': return `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'const': return `must be ${JSON.stringify(p.allowedValue)}`
    case 'type': return `must be of type ${String(p.type)}`
    case 'format': return `must be a valid ${String(p.format)}`
    case 'pattern': return `must match the pattern ${String(p.pattern)}`
    case 'minItems': return `must have at least ${String(p.limit)} item(s)`
    case 'maxItems': return `must have at most ${String(p.limit)} item(s)`
    case 'minLength': return `must be at least ${String(p.limit)} character(s) long`
    case 'maxLength': return `must be at most ${String(p.limit)} character(s) long`
    case 'maxProperties': return `must have at most ${String(p.limit)} key(s)`
    case 'uniqueItems': return 'must not contain duplicates'
    case 'minimum': return `must be ≥ ${String(p.limit)}`
    case 'maximum': return `must be ≤ ${String(p.limit)}`
    default: return err.message ?? 'is invalid'
  }
}

function fieldOf (err: ErrorObject, prefix: string): string {
  const p = err.params as Record<string, unknown>
  const child = err.keyword === 'required'
    ? String(p.missingProperty)
    : err.keyword === 'additionalProperties' ? String(p.additionalProperty) : undefined
  const path = toFieldPath(err.instancePath, child)
  return prefix ? (path ? `${prefix}.${path}` : prefix) : (path || 'body')
}

/** Turns Ajv's errors into the `errors` map of an Invalid Parameters problem: every field, every problem. */
export function formatValidationErrors (errors: ErrorObject[], context: string, data: unknown, hint?: HintFn): FieldErrors {
  const out: FieldErrors = {}
  const prefix = context === 'body' ? '' : context
  // Discriminated unions report failures of the branch picked by `type`; `if` and `anyOf`/`oneOf` summary
  // errors only repeat what the branch errors already say.
  const useful = errors.filter((e) => !['if', 'anyOf', 'oneOf', 'discriminator'].includes(e.keyword) || errors.length === 1)
  for (const err of useful.length > 0 ? useful : errors) {
    const field = context === 'headers' ? headerName(err) : fieldOf(err, prefix)
    const message = hint?.(field, err, data) ?? messageOf(err)
    addFieldError(out, field, message)
  }
  return out
}

function headerName (err: ErrorObject): string {
  const p = err.params as Record<string, unknown>
  const raw = err.keyword === 'required' ? String(p.missingProperty) : err.instancePath.split('/')[1] ?? 'headers'
  return raw.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-')
}

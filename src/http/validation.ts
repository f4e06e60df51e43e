import { Ajv, type ErrorObject } from 'ajv'
import formatsPlugin from 'ajv-formats'

// ajv-formats is CommonJS with a default export; under NodeNext its callable is `.default`.
const addFormats = formatsPlugin as unknown as typeof formatsPlugin.default
import type { FastifySchemaCompiler } from 'fastify'
import { addFieldError, type FieldErrors } from '../contract/errors.ts'

/**
 * Schema compilers. Bodies are validated strictly (no type coercion, unknown fields refused, every error
 * collected); query strings, params and headers arrive as text, so they are coerced. Body errors are verbose
 * (they carry their schema and data) so that a union whose `type` is missing can still name unknown fields.
 */
function makeAjv (coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: !coerce,
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

/**
 * The key of an `errors` entry: the field path in a body (`provider_selection.filter.countries[0]`), the
 * parameter's own name in a query string or path (`type`, `request_id`), the header's published name for a
 * header (`Connection-Id`) — never the part of the request it came in (`querystring.type`).
 */
function fieldOf (err: ErrorObject, context: string): string {
  const p = err.params as Record<string, unknown>
  const child = err.keyword === 'required'
    ? String(p.missingProperty)
    : err.keyword === 'additionalProperties' ? String(p.additionalProperty) : undefined
  if (context === 'headers') return headerName(child ?? err.instancePath.split('/')[1] ?? '')
  return toFieldPath(err.instancePath, child) || (context === 'body' ? 'body' : 'request')
}

/** The lead of an Invalid Parameters `detail` for the part of the request Ajv refused; the fields follow it. */
export function validationLead (context: string): string {
  if (context === 'headers') return 'The request headers were invalid.'
  if (context === 'body') return 'The request body was invalid.'
  return 'The request parameters were invalid.'
}

/**
 * At most this many fields are listed in one answer (twice a full list of wrong values): a request with thousands of wrong values gets the first ones
 * and a count of the rest, in bounded time and size (a client fixes the first problems first anyway).
 */
export const MAX_REPORTED_FIELDS = 200

/** Turns Ajv's errors into the `errors` map of an Invalid Parameters problem: every field, every problem. */
export function formatValidationErrors (errors: ErrorObject[], context: string, data: unknown, hint?: HintFn): FieldErrors {
  const out: FieldErrors = {}
  // A list over its maximum is one problem: its items' own errors are not reported (thousands of wrong items would
  // otherwise each cost a message, a hint and a line of the answer).
  const tooLong = errors.filter((e) => e.keyword === 'maxItems').map((e) => `${e.instancePath}/`)
  const withinBounds = tooLong.length === 0 ? errors : errors.filter((e) => !tooLong.some((p) => e.instancePath.startsWith(p)))
  // Discriminated unions report failures of the branch picked by `type`; `if` and `anyOf`/`oneOf` summary
  // errors only repeat what the branch errors already say.
  const useful = withinBounds.filter((e) => !['if', 'anyOf', 'oneOf', 'discriminator'].includes(e.keyword) || withinBounds.length === 1)
  let omitted = 0
  const add = (err: ErrorObject): void => {
    const field = fieldOf(err, context)
    if (!Object.hasOwn(out, field) && Object.keys(out).length >= MAX_REPORTED_FIELDS) {
      omitted++
      return
    }
    addFieldError(out, field, hint?.(field, err, data) ?? messageOf(err))
  }
  for (const err of useful.length > 0 ? useful : withinBounds) add(err)
  for (const err of withinBounds.filter((e) => e.keyword === 'discriminator')) {
    for (const extra of unknownFieldsOfUnion(err)) add(extra)
  }
  if (omitted > 0) addFieldError(out, context === 'body' ? 'body' : 'request', `${omitted} more problem(s) not listed; fix the ones above and send again`)
  return out
}

/**
 * A union whose `type` is missing or unknown picks no branch, so Ajv says nothing of the object's other fields.
 * Every problem belongs in the one 400: fields that no branch of the union declares are reported as unknown
 * (`user_consent: {"state": …}` → `user_consent.type` is required, and `user_consent.state` is not a field).
 */
function unknownFieldsOfUnion (err: ErrorObject): ErrorObject[] {
  const schema = err.parentSchema as { oneOf?: Array<{ properties?: Record<string, unknown> }>, properties?: Record<string, unknown> } | undefined
  const value = err.data
  if (!schema?.oneOf || value === null || typeof value !== 'object' || Array.isArray(value)) return []
  const known = new Set(Object.keys(schema.properties ?? {}))
  for (const branch of schema.oneOf) for (const k of Object.keys(branch.properties ?? {})) known.add(k)
  return Object.keys(value)
    .filter((k) => !known.has(k))
    .map((k) => ({ ...err, keyword: 'additionalProperties', params: { additionalProperty: k } }))
}

/** Headers by the names the contract publishes them under; any other in the usual Title-Case. */
const HEADER_NAMES: Record<string, string> = {
  'connection-id': 'Connection-Id',
  'tl-user-ip': 'Tl-User-IP',
  'x-device-user-agent': 'X-Device-User-Agent',
  authorization: 'Authorization',
  'content-type': 'Content-Type',
}

function headerName (raw: string): string {
  const lower = raw.toLowerCase()
  return HEADER_NAMES[lower] ?? lower.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-')
}

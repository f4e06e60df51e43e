import type { ErrorObject } from 'ajv'
import { REQUEST_LIMITS } from '../../http/request-limits.ts'
import type { HintFn } from '../../http/validation.ts'

/**
 * Teaching messages for create-connection's likely mistakes (the page's own full example makes two of them).
 * Each returns the whole message for the field; undefined keeps the validator's plain one.
 */

/** Fields people put in the wrong place: `<where it was sent>` → what to send instead. */
const MISPLACED: Record<string, string> = {
  'hosted_page.redirect': 'put the return URI directly in hosted_page.return_uri (a redirect object belongs only to the root authorization_flow)',
  'hosted_page.redirect_uri': 'the field is hosted_page.return_uri',
  'hosted_page.provider_id': 'the provider goes in provider_selection.provider_id (with provider_selection.type "preselected")',
  'authorization_flow.return_uri': 'the field is authorization_flow.redirect.return_uri',
  'authorization_flow.redirect.redirect_uri': 'the field is authorization_flow.redirect.return_uri',
  'authorization_flow.type': 'authorization_flow has no type; it is {"redirect": {"return_uri": "…"}} (for a hosted flow use hosted_page.type "authorization_flow")',
  'provider_selection.filter.exclude': 'the field is provider_selection.filter.excludes ({"provider_ids": […]})',
  'provider_selection.filter.country': 'the field is provider_selection.filter.countries (an array)',
  'provider_selection.filter.release_channels': 'the field is provider_selection.filter.release_channel (one value)',
  'provider_selection.filter.customer_segment': 'the field is provider_selection.filter.customer_segments (an array)',
  'provider_selection.filter.excludes.countries': 'excludes takes only provider_ids',
  'user.consent': 'consent is the root field user_consent ({"type": "precaptured", "captured_at": "…"})',
  'user_consent.captured': 'the field is user_consent.captured_at',
  'user.user_id': 'the field is user.id',
  'user.full_name': 'the field is user.name',
  'user.phone_number': 'the field is user.phone',
  'user.email_address': 'the field is user.email',
  scope: 'the field is scopes (an array)',
  provider_id: 'the field is provider_selection.provider_id (with provider_selection.type "preselected")',
  providers: 'choose providers with provider_selection ({"type": "user_selected", "filter": {…}})',
  filter: 'the filter goes in provider_selection.filter (with provider_selection.type "user_selected")',
  return_uri: 'a return URI goes in hosted_page.return_uri, or in authorization_flow.redirect.return_uri when you run the journey yourself',
  redirect_uri: 'a return URI goes in hosted_page.return_uri, or in authorization_flow.redirect.return_uri when you run the journey yourself',
  user_id: 'the field is user.id',
  consent: 'the field is user_consent',
  captured_at: 'the field is user_consent.captured_at (with user_consent.type "precaptured")',
  access_type: 'the field is data_access_type',
}

/** Values from the older Data API that Data v3 does not take. */
const V1_SCOPES: Record<string, string> = {
  offline_access: 'a Data v1 scope; in v3 ongoing access is data_access_type "recurring"',
  cards: 'a Data v1 scope; in v3 cards come with "accounts"',
  direct_debits: 'a Data v1 scope; Data v3 does not offer direct debits',
  standing_orders: 'a Data v1 scope; Data v3 does not offer standing orders',
}

/** The closest allowed value to what was sent, when it is close enough to be a slip. */
export function closest (value: unknown, allowed: readonly unknown[]): string | undefined {
  // A slip is short; comparing long strings is quadratic work for no useful answer.
  if (typeof value !== 'string' || value === '' || value.length > REQUEST_LIMITS.suggestionValueLength) return undefined
  const norm = (s: string) => s.toLowerCase().replace(/[\s-]+/g, '_')
  const v = norm(value)
  const options = allowed.filter((a): a is string => typeof a === 'string')
  const exact = options.find((a) => norm(a) === v)
  if (exact) return exact
  const prefixed = options.filter((a) => norm(a).startsWith(v) || v.startsWith(norm(a)))
  if (prefixed.length === 1) return prefixed[0]
  let best: string | undefined
  const threshold = Math.max(2, Math.floor(v.length / 3))
  let bestDistance = Number.POSITIVE_INFINITY
  for (const a of options) {
    const n = norm(a)
    // The distance is at least the difference in length: such a candidate cannot be close enough, skip the work.
    if (Math.abs(n.length - v.length) > threshold) continue
    const d = distance(v, n)
    if (d < bestDistance) { best = a; bestDistance = d }
  }
  return bestDistance <= threshold ? best : undefined
}

function distance (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]!
}

function valueAt (data: unknown, instancePath: string): unknown {
  let v = data
  for (const part of instancePath.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return v
}

/**
 * Suggestions given so far, per request body: past `REQUEST_LIMITS.suggestions` the plain message is given, so a
 * body with thousands of wrong values costs no more suggestion work than one with ten.
 */
const suggestionsGiven = new WeakMap<object, number>()
function mayGuess (data: unknown): boolean {
  if (data === null || typeof data !== 'object') return true
  const n = suggestionsGiven.get(data) ?? 0
  suggestionsGiven.set(data, n + 1)
  return n < REQUEST_LIMITS.suggestions
}

const oneOf = (values: readonly unknown[]) => `must be one of: ${values.map((x) => JSON.stringify(x)).join(', ')}`

export const createConnectionHints: HintFn = (field, err: ErrorObject, data) => {
  const params = err.params as Record<string, unknown>
  const value = valueAt(data, err.instancePath)
  switch (err.keyword) {
    case 'additionalProperties': {
      const fix = Object.hasOwn(MISPLACED, field) ? MISPLACED[field] : undefined
      return fix ? `is not a documented field: ${fix}` : undefined
    }
    case 'enum': {
      const allowed = params.allowedValues as unknown[]
      if (/^scopes\[\d+\]$/.test(field) && typeof value === 'string' && Object.hasOwn(V1_SCOPES, value)) return `${oneOf(allowed)} (${JSON.stringify(value)} is ${V1_SCOPES[value]})`
      if (/^provider_selection\.filter\.countries\[\d+\]$/.test(field) && value === 'UK') return `${oneOf(allowed)} — did you mean "GB"? (ISO 3166-1 alpha-2)`
      const guess = mayGuess(data) ? closest(value, allowed) : undefined
      return guess ? `${oneOf(allowed)} — did you mean ${JSON.stringify(guess)}?` : undefined
    }
    case 'pattern': {
      if (field === 'user.name') return 'must not contain parentheses: give the full first and last name, e.g. "Jane Smith"'
      if (field === 'user.phone') {
        const digits = typeof value === 'string' ? value.replace(/[\s().-]/g, '') : ''
        const example = /^\+[1-9][0-9]{6,14}$/.test(digits) ? `, i.e. ${JSON.stringify(digits)}` : ' (e.g. "+447700900000")'
        return `must be "+", the country calling code and the number, digits only${example}`
      }
      if (field.endsWith('country_code')) {
        const upper = typeof value === 'string' && /^[a-zA-Z]{2}$/.test(value) ? ` — did you mean ${JSON.stringify(value.toUpperCase())}?` : ''
        return `must be an ISO 3166-1 alpha-2 country code in capitals, e.g. "GB"${upper}`
      }
      if (field.endsWith('language_code')) {
        const two = typeof value === 'string' && /^[a-zA-Z]{2}([-_][a-zA-Z]+)?$/.test(value) ? ` — did you mean ${JSON.stringify(value.slice(0, 2).toLowerCase())}?` : ''
        return `must be an ISO 639-1 language code in lower case, e.g. "en"${two}`
      }
      return undefined
    }
    case 'format':
      if (field === 'user.email') return 'must be an email address, e.g. "jane@example.com"'
      return undefined
    default:
      return undefined
  }
}

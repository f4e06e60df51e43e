import fc from 'fast-check'
import { PROVIDERS } from '../../src/modules/providers/provider.catalog.ts'
import { CUSTOMER_SEGMENTS, FILTER_COUNTRIES, RELEASE_CHANNELS } from '../../src/modules/providers/provider.filter.ts'
import { EXAMPLE_RETURN_URIS } from '../helpers/build-app.ts'
import { LANGUAGES } from '../../src/modules/journey/journey.messages.ts'

/**
 * Generated create-connection bodies: every VALID one (any of the supported configurations, any optional field,
 * names and metadata in any script) and ways to break one. "Valid" is what the contract accepts for a client with
 * the example return URIs registered and no AISP licence.
 */
export type Body = Record<string, unknown>
export type Configuration = '1' | '2' | '3' | '4' | '5' | '5b'

export const SCOPES = ['info', 'accounts', 'balance', 'transactions'] as const
const PROVIDER_IDS = PROVIDERS.map((p) => p.provider_id)

/** Text a person could type: any script, emoji, combining marks; no C0/C1 controls. */
export const humanText = (maxLength: number) =>
  fc.string({ unit: 'grapheme', maxLength }).map((s) => s.replace(/\p{Cc}/gu, ''))

/** Length as the contract counts it: characters (code points). */
const codePoints = (s: string) => [...s].length

const nameArb = fc.oneof(
  fc.constantFrom('Jane Smith', 'José Álvarez-Ñúñez', "Siobhán O'Neill", '李小龍', 'Zoë 🦊 Brontë', 'مريم الكبيسي', 'A'),
  humanText(60),
).filter((n) => !/[()]/.test(n) && n.trim() !== '' && codePoints(n) <= 256)

const emailArb = fc.oneof(fc.constant('jane.smith@example.com'), fc.emailAddress()).filter((e) => e.length <= 320)
const phoneArb = fc.stringMatching(/^\+[1-9][0-9]{6,14}$/)

/** `name` and email or phone (or both), and sometimes the caller's own user id. */
const userArb = fc.record({
  name: nameArb,
  contact: fc.oneof(
    emailArb.map((email) => ({ email })),
    phoneArb.map((phone) => ({ phone })),
    fc.tuple(emailArb, phoneArb).map(([email, phone]) => ({ email, phone })),
  ),
  id: fc.option(fc.oneof(fc.uuid(), humanText(40).filter((s) => s.length > 0 && codePoints(s) <= 256)), { nil: undefined }),
}).map(({ name, contact, id }) => ({ ...(id !== undefined ? { id } : {}), name, ...contact }))

const metadataKey = fc.oneof(
  fc.constantFrom('order_id', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'a'.repeat(40), 'ключ', '🔑'),
  humanText(40),
).filter((k) => codePoints(k) <= 40 && k !== '__proto__')
const metadataValue = fc.oneof(humanText(80), fc.constant('x'.repeat(500)), fc.constant('é'.repeat(500)), fc.constant('')).filter((v) => codePoints(v) <= 500)
const metadataArb = fc.dictionary(metadataKey, metadataValue, { maxKeys: 10 })

/** An RFC 3339 UTC instant in the past, written in the forms the contract allows. */
const capturedAtArb = fc.tuple(
  fc.date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date(Date.now() - 10 * 60_000), noInvalidDate: true }),
  fc.constantFrom('ms', 'seconds', 'offset', 'micros'),
).map(([d, form]) => {
  const iso = d.toISOString()
  if (form === 'seconds') return `${iso.slice(0, 19)}Z`
  if (form === 'offset') return `${iso.slice(0, 19)}+00:00`
  if (form === 'micros') return `${iso.slice(0, 23)}456Z`
  return iso
})

const filterArb = fc.record({
  countries: fc.uniqueArray(fc.constantFrom(...FILTER_COUNTRIES), { minLength: 1, maxLength: 4 }),
  release_channel: fc.constantFrom(...RELEASE_CHANNELS),
  customer_segments: fc.uniqueArray(fc.constantFrom(...CUSTOMER_SEGMENTS), { minLength: 1 }),
  provider_ids: fc.uniqueArray(fc.constantFrom(...PROVIDER_IDS), { minLength: 1, maxLength: 3 }),
  excludes: fc.record({ provider_ids: fc.uniqueArray(fc.oneof(fc.constantFrom(...PROVIDER_IDS), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)), { minLength: 1, maxLength: 3 }) }),
}, { requiredKeys: [] })

// Only the languages the hosted pages speak: any other well-formed code is refused (rules/language-code.ts).
const languageArb = fc.constantFrom(...LANGUAGES)
const countryArb = fc.stringMatching(/^[A-Z]{2}$/)
const returnUriArb = fc.constantFrom(...EXAMPLE_RETURN_URIS)

export interface ValidCase {
  configuration: Configuration
  body: Body
  /** The status the 201 must carry. */
  status: 'authorization_required' | 'authorizing'
}

/** A valid create-connection body in one of the supported configurations, with random optional parts. */
export const validCreateArb: fc.Arbitrary<ValidCase> = fc.record({
  configuration: fc.constantFrom<Configuration>('1', '2', '3', '4', '5', '5b'),
  provider: fc.constantFrom(...PROVIDERS),
  scopesPick: fc.array(fc.constantFrom(...SCOPES), { minLength: 1, maxLength: 6 }),
  user: userArb,
  metadata: fc.option(metadataArb, { nil: undefined }),
  capturedAt: capturedAtArb,
  filter: fc.option(filterArb, { nil: undefined }),
  dataAccessType: fc.option(fc.constantFrom('one_time', 'recurring'), { nil: undefined }),
  returnUri: returnUriArb,
  language: fc.option(languageArb, { nil: undefined }),
  country: fc.option(countryArb, { nil: undefined }),
  resultPageFor5b: fc.boolean(),
}).map((g) => {
  const preselected = !['1', '5b'].includes(g.configuration)
  // A preselected provider must support every scope asked for; duplicates are allowed (and removed).
  let scopes: string[] = g.scopesPick
  if (preselected) {
    scopes = g.scopesPick.filter((s) => g.provider.scopes.includes(s))
    if (scopes.length === 0) scopes = [g.provider.scopes.includes('accounts') ? 'accounts' : g.provider.scopes[0]!]
  }
  const body: Body = {
    scopes,
    provider_selection: preselected
      ? { type: 'preselected', provider_id: g.provider.provider_id }
      : { type: 'user_selected', ...(g.filter && Object.keys(g.filter).length > 0 ? { filter: g.filter } : {}) },
    user: g.user,
    user_consent: ['1', '2'].includes(g.configuration) ? { type: 'authorization_flow_captured' } : { type: 'precaptured', captured_at: g.capturedAt },
  }
  if (g.metadata !== undefined) body.metadata = g.metadata
  if (g.dataAccessType !== undefined) body.data_access_type = g.dataAccessType
  const lang = g.language !== undefined ? { language_code: g.language } : {}
  switch (g.configuration) {
    case '1': case '2': case '3':
      body.hosted_page = { type: 'authorization_flow', return_uri: g.returnUri, ...lang, ...(g.country !== undefined ? { country_code: g.country } : {}) }
      break
    case '4':
      body.hosted_page = { type: 'result_page', return_uri: g.returnUri, ...lang }
      break
    case '5b':
      if (g.resultPageFor5b) body.hosted_page = { type: 'result_page', return_uri: g.returnUri, ...lang }
      body.authorization_flow = { redirect: { return_uri: g.returnUri } }
      break
    case '5':
      body.authorization_flow = { redirect: { return_uri: g.returnUri } }
      break
  }
  const status = ['1', '2', '3'].includes(g.configuration) ? 'authorization_required' as const : 'authorizing' as const
  // Plain objects (fc.dictionary makes null-prototype ones), exactly as a client's JSON would arrive.
  return { configuration: g.configuration, body: JSON.parse(JSON.stringify(body)) as Body, status }
})

// ---------- raw JSON text: duplicate keys, __proto__, key order ----------

/** An object written member by member, so the text can hold what a JS object cannot (duplicates, `__proto__`). */
export class RawObject {
  constructor (readonly members: Array<[string, unknown]>) {}
}

/** JSON text of a value that may contain RawObjects. */
export function rawJson (value: unknown): string {
  if (value instanceof RawObject) return `{${value.members.map(([k, v]) => `${JSON.stringify(k)}:${rawJson(v)}`).join(',')}}`
  if (Array.isArray(value)) return `[${value.map(rawJson).join(',')}]`
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${rawJson(v)}`).join(',')}}`
  return JSON.stringify(value) ?? 'null'
}

/** Every path to an object in the body (the root is []). */
export function objectPaths (value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return []
  const out = [path]
  for (const [k, v] of Object.entries(value)) out.push(...objectPaths(v, [...path, k]))
  return out
}

/** Every path to a member (leaf or not) in the body. */
export function memberPaths (value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return []
  const out: string[][] = []
  for (const [k, v] of Object.entries(value)) {
    out.push([...path, k])
    out.push(...memberPaths(v, [...path, k]))
  }
  return out
}

export function getAt (value: unknown, path: string[]): unknown {
  let v = value
  for (const k of path) v = (v as Record<string, unknown>)?.[k]
  return v
}

/** A deep copy with `fn` applied to the value at `path` (fn returns the new value, or undefined to drop the member). */
export function updateAt (value: unknown, path: string[], fn: (old: unknown) => unknown): unknown {
  if (path.length === 0) return fn(value)
  const [head, ...rest] = path
  if (value instanceof RawObject) {
    return new RawObject(value.members.flatMap(([k, v]) => {
      if (k !== head) return [[k, v] as [string, unknown]]
      const next = updateAt(v, rest, fn)
      return next === undefined && rest.length === 0 ? [] : [[k, next] as [string, unknown]]
    }))
  }
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }
  const next = updateAt((copy as Record<string, unknown>)[head!], rest, fn)
  if (next === undefined && rest.length === 0) {
    if (Array.isArray(copy)) copy.splice(Number(head), 1)
    else delete copy[head!]
  } else (copy as Record<string, unknown>)[head!] = next
  return copy
}

/** The object at `path` rewritten as a RawObject with `extra` members spliced in at `position`. */
export function withMembers (body: unknown, path: string[], extra: Array<[string, unknown]>, position: number): unknown {
  return updateAt(body, path, (old) => {
    const members: Array<[string, unknown]> = old instanceof RawObject ? [...old.members] : Object.entries(old as Record<string, unknown>)
    const at = Math.min(position, members.length)
    members.splice(at, 0, ...extra)
    return new RawObject(members)
  })
}

// ---------- hostile values ----------

/** Strings meant to break things: controls, NUL, lone surrogates, bidi overrides, zero-width, huge, injection-ish. */
export const HOSTILE_STRINGS = [
  '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\u202e\u202dreversed', '\u200b\u200c\u200d\ufeff', '\uffff\ufffe',
  '<script>alert(1)</script>', "'; drop table connections; --", '$' + '{7*7}', '{{7*7}}', '%s%s%n', '../../etc/passwd',
  '\r\nSet-Cookie: x=1', 'null', 'true', '[]', '{}', '-0', '1e309', '𝕳𝖊𝖑𝖑𝖔', 'Z̷̢͎͙̓̈́̈́a̵̛͉l̸g̵o̶',
] as const
export const oddStringArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.integer({ min: 1000, max: 70_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 200, max: 25_000 }).map((n) => '€'.repeat(n)),
)

/** Any JSON value of a different kind than `old` (so the member is certainly the wrong type). */
export function wrongTypeArb (old: unknown): fc.Arbitrary<unknown> {
  const kind = old === null ? 'null' : Array.isArray(old) ? 'array' : typeof old
  const options: Array<fc.Arbitrary<unknown>> = []
  if (kind !== 'string') options.push(oddStringArb, fc.constant('accounts'))
  if (kind !== 'number') options.push(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(0)))
  if (kind !== 'boolean') options.push(fc.boolean())
  if (kind !== 'null') options.push(fc.constant(null))
  if (kind !== 'array') options.push(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }))
  if (kind !== 'object') options.push(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }))
  return fc.oneof(...options)
}

/** Deeply nested JSON text of `depth` levels (arrays or objects), at a member of an otherwise valid body. */
export const deepNestingArb = fc.record({
  depth: fc.oneof(fc.integer({ min: 50, max: 2_000 }), fc.integer({ min: 2_000, max: 30_000 })),
  kind: fc.constantFrom('array', 'object'),
  member: fc.constantFrom('scopes', 'metadata', 'user', 'provider_selection', 'unknown_member'),
})

export function nested (depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
}

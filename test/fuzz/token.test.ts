import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { HOSTILE_STRINGS, nested, RawObject, rawJson } from './create-body.arbitrary.ts'
import { assertOAuthError, check } from './fuzz.assertions.ts'

/**
 * Property tests of POST /connect/token: the right credentials with scope `data` get a token, in form or JSON
 * encoding; everything else — any field values and types, extra or duplicate fields, `__proto__`, any text, any
 * content type, any Basic header — gets the auth server's OAuth error `{error, error_description}`, never a 5xx.
 */

interface Env { h: TestApp, c: TestClient }

type Slot = 'correct' | 'absent' | { value: unknown }

/** What the answer must be for these fields (the token endpoint's documented order of checks). */
function expected (env: Env, f: { grant_type: Slot, client_id: Slot, client_secret: Slot, scope: Slot }): { status: number, error?: string } {
  // A body holding text that cannot be stored (an unpaired surrogate, NUL) is refused as unreadable.
  if (Object.values(f).some((s) => s !== 'correct' && s !== 'absent' && hasUnstorableText(s.value))) {
    return { status: 400, error: 'invalid_request' }
  }
  const val = (s: Slot, correct: string) => (s === 'correct' ? correct : s === 'absent' ? undefined : s.value)
  const grant = val(f.grant_type, 'client_credentials')
  const id = val(f.client_id, env.c.id)
  const secret = val(f.client_secret, env.c.secret)
  const scope = val(f.scope, 'data')
  if (typeof grant !== 'string' || grant === '') return { status: 400, error: 'invalid_request' }
  if (grant !== 'client_credentials') return { status: 400, error: 'unsupported_grant_type' }
  if (typeof id !== 'string' || typeof secret !== 'string' || id === '' || secret === '') return { status: 401, error: 'invalid_client' }
  if (id !== env.c.id || secret !== env.c.secret) return { status: 401, error: 'invalid_client' }
  const scopes = typeof scope === 'string' ? scope.split(/\s+/).filter(Boolean) : []
  if (scopes.length === 0 || scopes.some((s) => s !== 'data')) return { status: 400, error: 'invalid_scope' }
  return { status: 200 }
}

const UNPAIRED = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const unstorable = (s: string) => s.includes('\u0000') || UNPAIRED.test(s)
function hasUnstorableText (v: unknown): boolean {
  if (typeof v === 'string') return unstorable(v)
  if (Array.isArray(v)) return v.some(hasUnstorableText)
  if (v !== null && typeof v === 'object') return Object.entries(v).some(([k, x]) => unstorable(k) || hasUnstorableText(x))
  return false
}

const valueArb = fc.oneof(
  fc.string({ maxLength: 30 }), fc.constantFrom(...HOSTILE_STRINGS), fc.constantFrom('client_credentials', 'authorization_code', 'data', 'data data', ' data ', 'data payments', ''),
  fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
)
const slot = (): fc.Arbitrary<Slot> => fc.oneof({ weight: 3, arbitrary: fc.constant<Slot>('correct') }, { weight: 1, arbitrary: fc.constant<Slot>('absent') }, { weight: 2, arbitrary: valueArb.map((value): Slot => ({ value })) })
const fieldsArb = fc.record({ grant_type: slot(), client_id: slot(), client_secret: slot(), scope: slot() })
const extraArb = fc.dictionary(fc.constantFrom('redirect_uri', 'code', 'refresh_token', 'audience', 'x', 'constructor', 'toString'), fc.string({ maxLength: 10 }), { maxKeys: 2 })

function fieldsOf (env: Env, f: Record<string, Slot>): Record<string, unknown> {
  const correct: Record<string, string> = { grant_type: 'client_credentials', client_id: env.c.id, client_secret: env.c.secret, scope: 'data' }
  const out: Record<string, unknown> = {}
  for (const [k, s] of Object.entries(f)) if (s !== 'absent') out[k] = s === 'correct' ? correct[k] : s.value
  return out
}

async function setup (t: Parameters<typeof buildTestApp>[0]): Promise<Env> {
  // Thousands of wrong secrets from one address: the throttle (its own test, test/auth/throttle.test.ts) is lifted here.
  const h = await buildTestApp(t, { AUTH_FAILURE_LIMIT: '1000000' })
  return { h, c: await h.client() }
}

function verifyAnswer (env: Env, res: Awaited<ReturnType<TestApp['inject']>>, want: { status: number, error?: string }, what: string): void {
  if (want.status === 200) {
    assert.equal(res.statusCode, 200, `${what}: ${res.body.slice(0, 300)}`)
    const body = res.json()
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.scope, 'data')
    assert.equal(typeof body.access_token, 'string')
    return
  }
  const err = assertOAuthError(res, what)
  assert.equal(res.statusCode, want.status, `${what}: status (${JSON.stringify(err)})`)
  assert.equal(err.error, want.error, `${what}: error code`)
  void env
}

test('JSON token requests with any field values and types: a token exactly when they are right, else the OAuth error', async (t) => {
  const env = await setup(t)
  await check(fc.asyncProperty(fieldsArb, extraArb, async (f, extra) => {
    const body = { ...extra, ...fieldsOf(env, f) }
    const what = `JSON ${JSON.stringify(body).slice(0, 300)}`
    const res = await env.h.inject({ method: 'POST', url: '/connect/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) })
    verifyAnswer(env, res, expected(env, f), what)
  }))
})

test('form token requests with any field values (repeated fields included): a token exactly when they are right', async (t) => {
  const env = await setup(t)
  // A form carries only text; a repeated field arrives as a list, which is not "the" value of that field.
  const formSlot = (): fc.Arbitrary<Slot> => fc.oneof(
    { weight: 3, arbitrary: fc.constant<Slot>('correct') }, { weight: 1, arbitrary: fc.constant<Slot>('absent') },
    { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...HOSTILE_STRINGS.filter((s) => !/\p{Cs}/u.test(s))), fc.constantFrom('client_credentials', 'data', ' data ', 'data payments', '')).map((value): Slot => ({ value })) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map((pair): Slot => ({ value: pair })) },
  )
  await check(fc.asyncProperty(fc.record({ grant_type: formSlot(), client_id: formSlot(), client_secret: formSlot(), scope: formSlot() }), async (f) => {
    const form = new URLSearchParams()
    for (const [k, v] of Object.entries(fieldsOf(env, f))) for (const one of Array.isArray(v) ? v : [v]) form.append(k, String(one))
    const what = `form ${form.toString().slice(0, 300)}`
    const res = await env.h.inject({ method: 'POST', url: '/connect/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() })
    verifyAnswer(env, res, expected(env, f), what)
  }))
})

test('HTTP Basic credentials of any shape: a token exactly when they are right, else invalid_client', async (t) => {
  const env = await setup(t)
  const basicArb = fc.oneof(
    fc.constant('correct'),
    fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([a, b]) => Buffer.from(`${a}:${b}`).toString('base64')),
    fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[^\x21-\x7e]/g, '')),
    fc.constantFrom('', '%%%', Buffer.from('no-colon').toString('base64'), Buffer.from('%E0%A4%A:x').toString('base64')),
  )
  await check(fc.asyncProperty(basicArb, async (basic) => {
    const value = basic === 'correct' ? Buffer.from(`${encodeURIComponent(env.c.id)}:${encodeURIComponent(env.c.secret)}`).toString('base64') : basic
    const res = await env.h.inject({
      method: 'POST', url: '/connect/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${value}` },
      payload: 'grant_type=client_credentials&scope=data',
    })
    const what = `Basic ${value.slice(0, 100)}`
    if (basic === 'correct') assert.equal(res.statusCode, 200, `${what}: ${res.body}`)
    else assert.equal(assertOAuthError(res, what).error, 'invalid_client', what)
  }))
})

test('any text, any content type, duplicate and __proto__ keys, deep nesting: the OAuth error shape, never a 5xx', async (t) => {
  const env = await setup(t)
  const contentTypes = fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', '', 'application/json; charset=utf-8')
  const payload = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom('', '{', 'null', '[]', '"x"', 'grant_type=client_credentials&&&', '%zz=1', 'a[b][c][d][e]=1', '{"grant_type":"client_credentials",}'),
    fc.nat().map(() => rawJson(new RawObject([['grant_type', 'client_credentials'], ['__proto__', { scope: 'data' }], ['client_id', env.c.id], ['client_secret', env.c.secret]]))),
    fc.constantFrom('client_id', 'client_secret', 'scope', 'grant_type').map((dup) => rawJson(new RawObject([
      ['grant_type', 'client_credentials'], ['client_id', env.c.id], ['client_secret', env.c.secret], ['scope', 'data'], [dup, 'wrong'],
    ]))),
    fc.integer({ min: 100, max: 20_000 }).map((d) => `{"grant_type":${nested(d, 'array')}}`),
    fc.integer({ min: 60 * 1024, max: 80 * 1024 }).map((n) => `grant_type=client_credentials&pad=${'x'.repeat(n)}`),
  )
  await check(fc.asyncProperty(payload, contentTypes, async (text, contentType) => {
    const what = `content-type ${JSON.stringify(contentType)}, body ${JSON.stringify(text.slice(0, 200))} (${text.length} chars)`
    const res = await env.h.inject({ method: 'POST', url: '/connect/token', headers: { 'content-type': contentType }, payload: text })
    // A duplicate that repeats the right value last could in principle be accepted; nothing generated here does.
    assertOAuthError(res, what)
  }))
})

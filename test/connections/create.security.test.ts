import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { generateKeyPair, SignJWT } from 'jose'
import { loadOrCreateKey } from '../../src/modules/auth/signing-keys.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { CONFIG_1, CONFIG_2, create } from './fixtures.ts'

const UNAUTHENTICATED = 'https://docs.truelayer.com/docs/error-types#unauthenticated'

function problem (res: LightMyRequestResponse, status: number, title: string) {
  assert.equal(res.statusCode, status, res.body)
  assert.match(res.headers['content-type'] as string, /^application\/problem\+json/)
  const b = res.json()
  assert.equal(b.title, title)
  assert.equal(b.status, status)
  assert.match(res.headers['tl-trace-id'] as string, /^[0-9a-f]{32}$/)
  assert.equal(b.trace_id, res.headers['tl-trace-id'], 'the problem carries the trace id of the response')
  return b
}

/** A token with the real claims, signed with `key` and dated as asked. */
async function token (h: Awaited<ReturnType<typeof buildTestApp>>, clientId: string, key: CryptoKey, kid: string, opts: { iat?: number, exp?: number | string, scope?: string[] } = {}) {
  return new SignJWT({ client_id: clientId, scope: opts.scope ?? ['data'] })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
    .setIssuer(h.config.publicUrl).setAudience('data_api').setSubject(clientId)
    .setIssuedAt(opts.iat ?? Math.floor(Date.now() / 1000)).setExpirationTime(opts.exp ?? '1h')
    .sign(key)
}

test('no token → 401 Unauthenticated', async (t) => {
  const h = await buildTestApp(t)
  const res = await h.inject({ method: 'POST', url: '/v3/data-connections', payload: CONFIG_1 })
  const b = problem(res, 401, 'Unauthenticated')
  assert.equal(b.type, UNAUTHENTICATED)
})

test('the token is checked first: no token and a bad body → 401, not 400, 413 or 415', async (t) => {
  const h = await buildTestApp(t)
  problem(await h.inject({ method: 'POST', url: '/v3/data-connections', headers: { 'content-type': 'application/json' }, payload: '{"scopes": [,' }), 401, 'Unauthenticated')
  problem(await h.inject({ method: 'POST', url: '/v3/data-connections', headers: { 'content-type': 'text/plain' }, payload: 'x' }), 401, 'Unauthenticated')
  problem(await h.inject({ method: 'POST', url: '/v3/data-connections', payload: { pad: 'x'.repeat(70 * 1024) } }), 401, 'Unauthenticated')
})

test('a malformed Authorization header → 401', async (t) => {
  const h = await buildTestApp(t)
  for (const authorization of ['Basic abc', 'Bearer', 'Bearer not a token', 'bearer@x']) {
    problem(await h.inject({ method: 'POST', url: '/v3/data-connections', headers: { authorization }, payload: CONFIG_1 }), 401, 'Unauthenticated')
  }
  problem(await h.inject({ method: 'POST', url: '/v3/data-connections', headers: { authorization: 'Bearer abc.def.ghi' }, payload: CONFIG_1 }), 401, 'Unauthenticated')
})

test('a forged token (right claims, signed with another key) → 401', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const real = await loadOrCreateKey(h.deps.db, 'token', 'RS256')
  const { privateKey } = await generateKeyPair('RS256')
  const forged = await token(h, c.id, privateKey, real.kid)
  problem(await create(h, { ...c, auth: { authorization: `Bearer ${forged}` } }, CONFIG_1), 401, 'Unauthenticated')
})

test('an expired token → 401; the same key, in date, works', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const real = await loadOrCreateKey(h.deps.db, 'token', 'RS256')
  const twoHoursAgo = Math.floor(Date.now() / 1000) - 7200
  const expired = await token(h, c.id, real.privateKey, real.kid, { iat: twoHoursAgo, exp: twoHoursAgo + 3600 })
  problem(await create(h, { ...c, auth: { authorization: `Bearer ${expired}` } }, CONFIG_1), 401, 'Unauthenticated')
  const fresh = await token(h, c.id, real.privateKey, real.kid)
  assert.equal((await create(h, { ...c, auth: { authorization: `Bearer ${fresh}` } }, CONFIG_1)).statusCode, 201, 'the control: a valid token is accepted')
})

test('a token without the data scope → 403 Forbidden', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const noData = await h.deps.tokens.issue(c.id, ['payments'])
  const b = problem(await create(h, { ...c, auth: { authorization: `Bearer ${noData}` } }, CONFIG_1), 403, 'Forbidden')
  assert.equal(b.type, 'https://docs.truelayer.com/docs/error-types#forbidden')
})

test('tenant isolation: another client\'s connection is 404 and never listed', async (t) => {
  const h = await buildTestApp(t)
  const a = await h.client({ name: 'a' })
  const b = await h.client({ name: 'b' })
  const id = (await create(h, a, CONFIG_2)).json().id
  const asB = await h.inject({ method: 'GET', url: `/v3/data-connections/${id}`, headers: b.auth })
  const p = problem(asB, 404, 'Not Found')
  assert.ok(!JSON.stringify(p).includes('ob-monzo'))
  const unknown = await h.inject({ method: 'GET', url: '/v3/data-connections/0a6273a0-0314-4db6-800a-e66225fbe9f7', headers: b.auth })
  assert.deepEqual({ ...unknown.json<object>(), trace_id: '' }, { ...asB.json<object>(), trace_id: '' }, 'another client\'s id answers exactly like an unknown one')
  const listB = (await h.inject({ method: 'GET', url: '/v3/data-connections', headers: b.auth })).json()
  assert.deepEqual(listB.items, [])
  const listA = (await h.inject({ method: 'GET', url: '/v3/data-connections', headers: a.auth })).json()
  assert.deepEqual(listA.items.map((x: { id: string }) => x.id), [id])
})

test('a return URI registered by another client is not registered for this one', async (t) => {
  const h = await buildTestApp(t)
  await h.client({ name: 'owner', redirectUris: ['https://owner.example/cb'] })
  const other = await h.client({ name: 'other' })
  const res = await create(h, other, { ...CONFIG_1, hosted_page: { type: 'authorization_flow', return_uri: 'https://owner.example/cb' } })
  const b = problem(res, 400, 'Invalid Parameters')
  assert.match(b.errors['hosted_page.return_uri'][0], /not registered for this client/)
})

// 413 and 415 have no published problem type: they carry Invalid Parameters (the closest), keyed by what is wrong.
const INVALID_PARAMETERS = 'https://docs.truelayer.com/docs/error-types#invalid-parameters'

test('another content type → 415, typed Invalid Parameters, naming the Content-Type header', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const form = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: { ...c.auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'scopes=accounts' })
  const b = problem(form, 415, 'Invalid Parameters')
  assert.equal(b.type, INVALID_PARAMETERS)
  assert.deepEqual(b.errors, { 'Content-Type': ['must be application/json'] })
  assert.match(b.detail, /application\/x-www-form-urlencoded.*send it as application\/json/)
  const text = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: { ...c.auth, 'content-type': 'text/plain' }, payload: JSON.stringify(CONFIG_1) })
  assert.deepEqual(problem(text, 415, 'Invalid Parameters').errors, { 'Content-Type': ['must be application/json'] })
})

test('a body over 64 KiB → 413, typed Invalid Parameters, naming the body', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const big = { ...CONFIG_1, metadata: { pad: 'x'.repeat(70 * 1024) } }
  const b = problem(await create(h, c, big), 413, 'Invalid Parameters')
  assert.equal(b.type, INVALID_PARAMETERS)
  assert.deepEqual(b.errors, { body: ['is larger than the 64 KiB allowed'] })
  assert.match(b.detail, /64 KiB/)
})

test('malformed JSON → 400 naming the line, column and position', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const b = problem(await create(h, c, '{"scopes": ["accounts"] "user": {}}'), 400, 'Invalid Parameters')
  assert.match(b.errors.body[0], /expected ',' or '}' at line 1, column 25 \(position 24\)/)
})

test('JSON with __proto__ is refused, not merged', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await create(h, c, `{"__proto__": {"admin": true}, ${JSON.stringify(CONFIG_1).slice(1)}`)
  problem(res, 400, 'Invalid Parameters')
})

test('every response carries Tl-Trace-Id; every problem its trace_id', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const ok = await create(h, c, CONFIG_1)
  assert.match(ok.headers['tl-trace-id'] as string, /^[0-9a-f]{32}$/)
  const other = await create(h, c, CONFIG_1)
  assert.notEqual(other.headers['tl-trace-id'], ok.headers['tl-trace-id'], 'one per request')
  problem(await create(h, c, { ...CONFIG_1, scopes: [] }), 400, 'Invalid Parameters')
  problem(await h.inject({ method: 'GET', url: '/v3/data-connections/nope', headers: c.auth }), 404, 'Not Found')
})

test('hosted page and error messages never echo the bearer token', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await create(h, c, { ...CONFIG_1, scopes: [] })
  assert.ok(!res.body.includes(c.token))
  const ok = await create(h, c, CONFIG_1)
  assert.ok(!ok.body.includes(c.token))
})

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp, type TestApp } from '../helpers/build-app.ts'
import { browser } from '../console/console-helpers.ts'

/**
 * Failed sign-ins are throttled per client id and per source address: once 20 fail within a minute, attempts are
 * refused with 429 and Retry-After (the right secret too) until the window moves on. Successes do not count.
 */

const LIMIT = 20

function clockAt (start: number) {
  let t = start
  return { now: () => new Date(t), advance: (seconds: number) => { t += seconds * 1000 } }
}

const token = (h: TestApp, id: string, secret: string, address = '198.51.100.1') => h.inject({
  method: 'POST', url: '/connect/token', remoteAddress: address,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret, scope: 'data' }).toString(),
})

function assertThrottled (res: LightMyRequestResponse, what: string): number {
  assert.equal(res.statusCode, 429, `${what}: ${res.body}`)
  const wait = Number(res.headers['retry-after'])
  assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `${what}: Retry-After ${res.headers['retry-after']}`)
  return wait
}

test('token endpoint: the 21st attempt after 20 wrong secrets is 429 in the OAuth shape with Retry-After, the right secret too; free again a minute on', async (t) => {
  const clock = clockAt(Date.parse('2026-03-01T10:00:00Z'))
  const h = await buildTestApp(t, {}, { now: clock.now })
  const c = await h.client()
  for (let i = 0; i < LIMIT; i++) {
    const res = await token(h, c.id, `wrong-${i}`)
    assert.equal(res.statusCode, 401, `attempt ${i + 1}`)
    assert.equal(res.json().error, 'invalid_client')
    clock.advance(1)
  }
  const refused = await token(h, c.id, c.secret)
  const wait = assertThrottled(refused, 'right secret while throttled')
  assert.equal(refused.headers['cache-control'], 'no-store')
  assert.deepEqual(Object.keys(refused.json()).sort(), ['error', 'error_description'])
  assert.equal(refused.json().error, 'slow_down')
  assert.match(refused.json().error_description, /Too many failed attempts/)
  // The first failure was 20 s ago: it leaves the minute in 40 s.
  assert.equal(wait, 40)

  clock.advance(wait)
  assert.equal((await token(h, c.id, c.secret)).statusCode, 200, 'once the oldest failure has left the window')
})

test('counted per source address: many client ids from one address are throttled together; another address is not', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  for (let i = 0; i < LIMIT; i++) {
    assert.equal((await token(h, `sandbox-guess-${i}`, 'x', '203.0.113.9')).statusCode, 401)
  }
  assertThrottled(await token(h, c.id, c.secret, '203.0.113.9'), 'a real client from the guessing address')
  assert.equal((await token(h, c.id, c.secret, '203.0.113.10')).statusCode, 200, 'from another address')
})

test('counted per client id: wrong secrets from many addresses throttle that client; other clients go on', async (t) => {
  const h = await buildTestApp(t)
  const victim = await h.client({ name: 'victim' })
  const other = await h.client({ name: 'other' })
  for (let i = 0; i < LIMIT; i++) {
    assert.equal((await token(h, victim.id, 'guess', `192.0.2.${i + 1}`)).statusCode, 401)
  }
  assertThrottled(await token(h, victim.id, victim.secret, '192.0.2.200'), 'the guessed client from a fresh address')
  assert.equal((await token(h, other.id, other.secret, '192.0.2.1')).statusCode, 200, 'another client from a guessing address (under its limit)')
})

test('successful sign-ins are not counted', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  for (let i = 0; i < LIMIT + 10; i++) assert.equal((await token(h, c.id, c.secret)).statusCode, 200, `token ${i + 1}`)
  for (let i = 0; i < LIMIT - 1; i++) assert.equal((await token(h, c.id, 'wrong')).statusCode, 401)
  assert.equal((await token(h, c.id, c.secret)).statusCode, 200, '19 failures are under the limit')
})

test('Console sign-in: throttled the same way, sharing the counts with the token endpoint; the page says when to retry', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  for (let i = 0; i < LIMIT / 2; i++) assert.equal((await token(h, c.id, 'wrong', `192.0.2.${i + 1}`)).statusCode, 401)
  const b = browser(h)
  await b.get('/console/sign-in')
  for (let i = 0; i < LIMIT / 2; i++) {
    const res = await b.post('/console/sign-in', { client_id: c.id, client_secret: 'wrong' })
    assert.equal(res.statusCode, 401, `console attempt ${i + 1}`)
  }
  const refused = await b.post('/console/sign-in', { client_id: c.id, client_secret: c.secret })
  assertThrottled(refused, 'console sign-in with the right secret')
  assert.match(String(refused.headers['content-type']), /^text\/html/)
  assert.match(refused.body, /Too many failed sign-ins for this client or from this address: try again in \d+ s\./)
  assert.doesNotMatch(refused.body, new RegExp(c.secret), 'the secret is never echoed')
  assertThrottled(await token(h, c.id, c.secret, '192.0.2.99'), 'and the token endpoint for that client')
})

test('with REDIS_URL the counts live in Redis, shared by every process', async (t) => {
  const url = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379'
  const { Redis } = await import('ioredis')
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  probe.on('error', () => {})
  try {
    await probe.connect()
    await probe.ping()
  } catch {
    t.skip(`no Redis at ${url}`)
    return
  } finally {
    probe.disconnect()
  }
  const env = { REDIS_URL: url, REDIS_KEY_PREFIX: `ledgerite-test-${randomBytes(4).toString('hex')}:` }
  const one = await buildTestApp(t, env)
  const two = await buildTestApp(t, env)
  assert.equal(one.deps.authThrottle.store, 'redis')
  // The same client id in both processes (each has its own database here; Redis is what they share).
  const c = await one.client()
  for (let i = 0; i < LIMIT / 2; i++) {
    assert.equal((await token(one, c.id, 'wrong', '203.0.113.50')).statusCode, 401)
    assert.equal((await token(two, c.id, 'wrong', '203.0.113.51')).statusCode, 401)
  }
  assertThrottled(await token(one, c.id, c.secret, '203.0.113.52'), 'process one, counted with process two\'s failures')
})

test('behind a proxy: with TRUST_PROXY the address is X-Forwarded-For\'s, so one client\'s failures do not throttle the others', async (t) => {
  const viaProxy = (h: TestApp, id: string, secret: string, forwardedFor: string) => h.inject({
    method: 'POST', url: '/connect/token', remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': forwardedFor },
    payload: { grant_type: 'client_credentials', client_id: id, client_secret: secret, scope: 'data' },
  })
  const trusting = await buildTestApp(t, { TRUST_PROXY: '10.0.0.0/8' })
  const c = await trusting.client()
  for (let i = 0; i < LIMIT; i++) assert.equal((await viaProxy(trusting, `sandbox-guess-${i}`, 'x', '203.0.113.66')).statusCode, 401)
  assertThrottled(await viaProxy(trusting, c.id, c.secret, '203.0.113.66'), 'the guessing client')
  assert.equal((await viaProxy(trusting, c.id, c.secret, '203.0.113.67')).statusCode, 200, 'another client behind the same proxy')

  // Without it, the proxy's address is everyone's.
  const naive = await buildTestApp(t)
  const d = await naive.client()
  for (let i = 0; i < LIMIT; i++) assert.equal((await viaProxy(naive, `sandbox-guess-${i}`, 'x', '203.0.113.66')).statusCode, 401)
  assertThrottled(await viaProxy(naive, d.id, d.secret, '203.0.113.67'), 'everyone behind the proxy')
})

test('TRUST_PROXY accepts false, true, a hop count or addresses/CIDRs; anything else is refused at start', async () => {
  const { loadConfig } = await import('../../src/config.ts')
  assert.equal(loadConfig({}).trustProxy, false)
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true)
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2)
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy, ['10.0.0.0/8', '::1'])
  assert.throws(() => loadConfig({ TRUST_PROXY: 'everyone' }), /TRUST_PROXY="everyone": expected false, true, a number of proxy hops/)
})

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { extractJku, extractKid, type HttpMethod, SignatureError, sign, verify } from 'truelayer-signing'
import { BACKOFF, nextAttemptAt, retryDelayMs } from '../../src/modules/webhooks/webhook.backoff.ts'
import { signedPath, signWebhook, webhookTimestamp } from '../../src/modules/webhooks/webhook.signing.ts'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), 'utf8')
const jwks = fixture('jwks.json')
const privateKeyPem = fixture('ec512-private.pem')
const publicKeyPem = fixture('ec512-public.pem')
interface GoldenDelivery { name: string, uri: string, method: string, path: string, jku: string, kid: string, headers: Record<string, string>, body: string }
const deliveries: GoldenDelivery[] = JSON.parse(fixture('deliveries.json'))

const check = (d: GoldenDelivery, change: Partial<{ method: string, path: string, body: string, headers: Record<string, string> }> = {}) => verify({
  jwks,
  signature: d.headers['Tl-Signature']!,
  method: (change.method ?? d.method) as HttpMethod,
  path: change.path ?? d.path,
  body: change.body ?? d.body,
  headers: change.headers ?? d.headers,
  requiredHeaders: ['X-Tl-Webhook-Timestamp'],
})
const headerOf = (signature: string) => JSON.parse(Buffer.from(signature.split('.')[0]!, 'base64url').toString('utf8'))

test('golden deliveries: truelayer-signing verify accepts each one with the fixture key set, and refuses any change', () => {
  assert.ok(deliveries.length >= 3)
  for (const d of deliveries) {
    check(d)
    verify({ publicKeyPem, signature: d.headers['Tl-Signature']!, method: 'POST' as HttpMethod, path: d.path, body: d.body, headers: d.headers })
    assert.equal(extractJku(d.headers['Tl-Signature']!), d.jku, d.name)
    assert.equal(extractKid(d.headers['Tl-Signature']!), d.kid, d.name)
    // Lower-case header names (how Node's http hands them to a receiver) verify the same.
    check(d, { headers: Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toLowerCase(), v])) })

    assert.throws(() => check(d, { body: d.body.replace('"event_version":1', '"event_version":2') }), SignatureError, `${d.name}: body`)
    assert.throws(() => check(d, { body: `${d.body} ` }), SignatureError, `${d.name}: trailing space`)
    assert.throws(() => check(d, { path: '/somewhere-else' }), SignatureError, `${d.name}: path`)
    assert.throws(() => check(d, { method: 'PUT' }), SignatureError, `${d.name}: method`)
    assert.throws(() => check(d, { headers: { ...d.headers, 'X-Tl-Webhook-Timestamp': '2030-01-01T00:00:00Z' } }), SignatureError, `${d.name}: timestamp`)
  }
})

test('golden deliveries: the signer still makes the same JOSE header and a signature verify accepts', async () => {
  for (const d of deliveries) {
    const again = await signWebhook({ kid: d.kid, privateKeyPem, jku: d.jku }, { path: signedPath(d.uri), timestamp: d.headers['X-Tl-Webhook-Timestamp']!, body: d.body })
    assert.equal(signedPath(d.uri), d.path, `${d.name}: signed path`)
    assert.equal(again.split('.')[0], d.headers['Tl-Signature']!.split('.')[0], `${d.name}: JOSE header`)
    assert.equal(again.split('.')[1], '', 'the payload is detached')
    check({ ...d, headers: { ...d.headers, 'Tl-Signature': again } })
  }
  const header = headerOf(deliveries[0]!.headers['Tl-Signature']!)
  assert.deepEqual(header, { alg: 'ES512', kid: deliveries[0]!.kid, tl_version: '2', tl_headers: 'X-Tl-Webhook-Timestamp', jku: deliveries[0]!.jku })
})

test('without jku, the signer produces exactly the header of truelayer-signing sign(); signatures are interchangeable', async () => {
  const input = { path: '/hooks/x', timestamp: '2026-01-02T03:04:05Z', body: '{"type":"connection_expired"}' }
  const ours = await signWebhook({ kid: 'k-1', privateKeyPem }, input)
  const theirs = sign({ kid: 'k-1', privateKeyPem, method: 'POST' as HttpMethod, path: input.path, headers: { 'X-Tl-Webhook-Timestamp': input.timestamp }, body: input.body })
  assert.equal(ours.split('.')[0], theirs.split('.')[0])
  for (const signature of [ours, theirs]) {
    verify({ publicKeyPem, signature, method: 'POST' as HttpMethod, path: input.path, body: input.body, headers: { 'X-Tl-Webhook-Timestamp': input.timestamp } })
  }
})

test('a signature from another key is refused', async () => {
  const { generateKeyPairSync } = await import('node:crypto')
  const other = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const d = deliveries[0]!
  const forged = await signWebhook({ kid: d.kid, privateKeyPem: other, jku: d.jku }, { path: d.path, timestamp: d.headers['X-Tl-Webhook-Timestamp']!, body: d.body })
  assert.throws(() => check({ ...d, headers: { ...d.headers, 'Tl-Signature': forged } }), SignatureError)
})

test('timestamps are RFC 3339 at second precision; the signed path drops the query', () => {
  assert.equal(webhookTimestamp(new Date('2026-03-11T14:00:33.987Z')), '2026-03-11T14:00:33Z')
  assert.equal(signedPath('https://a.example/hook?x=1'), '/hook')
  assert.equal(signedPath('https://a.example'), '/')
})

test('backoff: 5 s doubling, ±20 % jitter, capped at one hour', () => {
  const low = () => 0
  const mid = () => 0.5
  const high = () => 0.999999
  assert.equal(retryDelayMs(1, mid), 5_000)
  assert.equal(retryDelayMs(2, mid), 10_000)
  assert.equal(retryDelayMs(3, mid), 20_000)
  assert.equal(retryDelayMs(1, low), 4_000)
  assert.ok(retryDelayMs(1, high) > 5_999 && retryDelayMs(1, high) <= 6_000)
  for (let n = 1; n <= 40; n++) {
    const d = retryDelayMs(n)
    assert.ok(d > 0 && d <= BACKOFF.capMs, `attempt ${n}: ${d}`)
  }
  assert.equal(retryDelayMs(30, mid), BACKOFF.capMs)
  assert.equal(retryDelayMs(30, low), BACKOFF.capMs * 0.8, 'jitter still spreads retries at the cap')
})

test('backoff: no attempt is scheduled after the retry horizon', () => {
  const start = new Date('2026-01-01T00:00:00Z')
  const horizon = 72 * 3600
  const early = nextAttemptAt(1, new Date(start.getTime() + 1000), start, horizon, () => 0.5)
  assert.equal(early?.toISOString(), '2026-01-01T00:00:06.000Z')
  const late = nextAttemptAt(20, new Date(start.getTime() + (horizon - 60) * 1000), start, horizon, () => 0.5)
  assert.equal(late, undefined)
})

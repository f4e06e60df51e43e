import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SignatureError } from 'truelayer-signing'
import { updateClient } from '../../src/modules/auth/client.repository.ts'
import { createWebhookDispatcher } from '../../src/modules/webhooks/webhook.dispatcher.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { movableClock, raiseEvent } from './helpers.ts'
import { startReceiver, verifyDelivery } from './receiver.ts'

const CONNECTION_ID = '7d4b7a2e-9f3c-4e8b-a1d5-6c2f8e0b3a7d'

test('each delivery carries the stored body exactly, as JSON, signed; truelayer-signing verify accepts it with /.well-known/jwks', async (t) => {
  const rx = await startReceiver('/hooks/ledgerite')
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  // A query string in the registered URI is sent, but the signed path is the path alone.
  const c = await h.client({ webhookUri: `${rx.url}?tenant=acme` })
  const authorized = await raiseEvent(h.deps, c.id, 'connection_authorized', {
    connection_id: CONNECTION_ID, authorized_at: '2026-07-15T12:34:56.789Z', metadata: { order: '42', note: 'Zoë — 東京' },
  })
  const completed = await raiseEvent(h.deps, c.id, 'transactions_request_completed', {
    connection_id: CONNECTION_ID, account_id: '56c7b029e0f8ec5a2334fb0ffc2fface', request_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6', completed_at: '2026-07-15T12:35:00.000Z',
  })
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 2)

  const jwksRes = await h.inject({ method: 'GET', url: '/.well-known/jwks' })
  assert.equal(jwksRes.statusCode, 200)
  const jwks = jwksRes.json()
  assert.equal(jwks.keys.length, 1)
  assert.equal(jwks.keys[0].kid, h.deps.webhookKey.kid)
  assert.equal(jwks.keys[0].crv, 'P-521')
  assert.equal(jwks.keys[0].d, undefined, 'the private part is never published')

  const stored = new Map((await h.deps.db.selectFrom('webhook_events').select(['id', 'payload']).execute()).map((r) => [r.id, r.payload]))
  for (const r of rx.received) {
    verifyDelivery(r, jwksRes.body)
    assert.equal(r.path, '/hooks/ledgerite')
    assert.equal(r.headers['content-type'], 'application/json')
    assert.match(String(r.headers['x-tl-webhook-timestamp']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    const header = JSON.parse(Buffer.from(String(r.headers['tl-signature']).split('.')[0]!, 'base64url').toString('utf8'))
    assert.equal(header.alg, 'ES512')
    assert.equal(header.tl_version, '2')
    assert.equal(header.kid, h.deps.webhookKey.kid)
    assert.equal(header.jku, 'http://ledgerite.test/.well-known/jwks')
    assert.match(header.tl_headers, /x-tl-webhook-timestamp/i)
    assert.equal(r.body, stored.get(String(r.event.event_id)), 'the body is the stored payload, byte for byte')
    assert.equal(r.event.event_version, 1)
    // A receiver that checks finds any change.
    assert.throws(() => verifyDelivery({ ...r, body: r.body.replace(CONNECTION_ID, CONNECTION_ID.replace('7', '8')) }, jwksRes.body), SignatureError)
  }
  const byType = Object.fromEntries(rx.received.map((r) => [r.event.type, r.event]))
  assert.equal(byType.connection_authorized?.event_id, authorized)
  assert.deepEqual(byType.connection_authorized?.metadata, { order: '42', note: 'Zoë — 東京' })
  assert.equal(byType.transactions_request_completed?.event_id, completed)

  const log = await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })
  assert.equal(log.statusCode, 200)
  for (const item of log.json().items) {
    assert.equal(item.status, 'delivered')
    assert.ok(item.delivered_at)
    assert.equal(item.attempts.length, 1)
    assert.equal(item.attempts[0].status_code, 200)
    assert.equal(item.attempts[0].error, null)
    assert.equal(item.attempts[0].url, `${rx.url}?tenant=acme`)
  }
})

test('a receiver that fails twice then succeeds gets the same event three times, then it is delivered', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  rx.respond = (_r, n) => (n <= 2 ? 500 : 200)
  const clock = movableClock()
  const h = await buildTestApp(t, {}, { now: clock.now })
  const c = await h.client({ webhookUri: rx.url })
  const eventId = await raiseEvent(h.deps, c.id, 'connection_failed', {
    connection_id: CONNECTION_ID, failed_at: '2026-07-15T12:00:00.000Z', failure_stage: 'authorizing', failure_reason: 'provider_rejected',
  })

  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 1)
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 1, 'the retry waits for its backoff (about 5 s)')
  let item = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })).json().items[0]
  assert.equal(item.status, 'pending')
  assert.ok(Date.parse(item.next_attempt_at) > clock.now().getTime())

  clock.advance(6_001) // the first retry: 5 s ± 20 %
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 2)
  clock.advance(12_001) // the second: 10 s ± 20 %
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 3)
  clock.advance(3_600_000)
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 3, 'nothing more once delivered')

  const jwks = (await h.inject({ method: 'GET', url: '/.well-known/jwks' })).body
  for (const r of rx.received) {
    verifyDelivery(r, jwks)
    assert.equal(r.event.event_id, eventId)
    assert.equal(r.body, rx.received[0]!.body, 'the same body every time')
  }
  item = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })).json().items[0]
  assert.equal(item.event_id, eventId)
  assert.equal(item.status, 'delivered')
  assert.equal(item.next_attempt_at, null)
  assert.deepEqual(item.attempts.map((a: { status_code: number }) => a.status_code), [500, 500, 200])
  assert.deepEqual(item.attempts.map((a: { attempt: number }) => a.attempt), [1, 2, 3])
})

test('time-outs and refused connections are retried until the horizon, then the event is failed', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  rx.respond = () => 'hang'
  const closed = await startReceiver()
  await closed.close()
  const clock = movableClock()
  const h = await buildTestApp(t, { WEBHOOK_RETRY_HORIZON_SECONDS: '60' }, { now: clock.now })
  const hanging = await h.client({ name: 'hanging', webhookUri: rx.url, webhookExtensionEvents: ['connection_revoked'] })
  const refused = await h.client({ name: 'refused', webhookUri: closed.url, webhookExtensionEvents: ['connection_revoked'] })
  await raiseEvent(h.deps, hanging.id, 'connection_revoked', { connection_id: CONNECTION_ID, revoked_at: '2026-07-15T12:00:00.000Z' })
  await raiseEvent(h.deps, refused.id, 'connection_revoked', { connection_id: CONNECTION_ID, revoked_at: '2026-07-15T12:00:00.000Z' })
  const dispatcher = createWebhookDispatcher(h.deps, { now: clock.now, timeoutMs: 300 })

  assert.equal(await dispatcher.runOnce(), 2)
  clock.advance(61_000)
  assert.equal(await dispatcher.runOnce(), 2)
  clock.advance(3_600_000)
  assert.equal(await dispatcher.runOnce(), 0, 'given up: nothing is due any more')

  const hangingLog = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: hanging.auth })).json().items
  assert.equal(hangingLog.length, 1)
  assert.equal(hangingLog[0].status, 'failed')
  assert.equal(hangingLog[0].attempts.length, 2)
  for (const a of hangingLog[0].attempts) {
    assert.equal(a.status_code, null)
    assert.equal(a.error, 'timed out after 300 ms')
  }
  const refusedLog = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: refused.auth })).json().items
  assert.equal(refusedLog[0].status, 'failed')
  assert.match(refusedLog[0].attempts[0].error, /ECONNREFUSED/)
  assert.equal(rx.received.length, 2, 'the hanging receiver did get both requests')
})

test('a redirect is not a delivery', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  rx.respond = () => 302
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: rx.url, webhookExtensionEvents: ['connection_revoked'] })
  await raiseEvent(h.deps, c.id, 'connection_revoked', { connection_id: CONNECTION_ID, revoked_at: '2026-07-15T12:00:00.000Z' })
  await h.deps.workers.runAll()
  const item = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })).json().items[0]
  assert.equal(item.status, 'pending')
  assert.equal(item.attempts[0].status_code, 302)
})

test('without a webhook URI events are logged, not sent; redelivery after registering one delivers them', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: null, webhookExtensionEvents: ['connection_expired'] })
  const eventId = await raiseEvent(h.deps, c.id, 'connection_expired', { connection_id: CONNECTION_ID, expired_at: '2026-10-13T12:00:00.000Z' })
  await h.deps.workers.runAll()
  let item = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })).json().items[0]
  assert.equal(item.status, 'no_endpoint')
  assert.equal(item.attempts.length, 0)

  const refused = await h.inject({ method: 'POST', url: `/v3/webhook-deliveries/${eventId}/redeliver`, headers: c.auth })
  assert.equal(refused.statusCode, 400)
  assert.equal(refused.json().title, 'Invalid State')
  assert.match(refused.json().detail, /webhook URI/)

  await updateClient(h.deps.db, c.id, { webhookUri: rx.url })
  const queued = await h.inject({ method: 'POST', url: `/v3/webhook-deliveries/${eventId}/redeliver`, headers: c.auth })
  assert.equal(queued.statusCode, 202)
  assert.equal(queued.json().status, 'pending')
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 1)
  assert.equal(rx.received[0]!.event.event_id, eventId)
  item = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })).json().items[0]
  assert.equal(item.status, 'delivered')
})

test('redelivering a delivered event sends it again with the same event_id', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: rx.url, webhookExtensionEvents: ['connection_revoked'] })
  const eventId = await raiseEvent(h.deps, c.id, 'connection_revoked', { connection_id: CONNECTION_ID, revoked_at: '2026-07-15T12:00:00.000Z' })
  await h.deps.workers.runAll()
  const res = await h.inject({ method: 'POST', url: `/v3/webhook-deliveries/${eventId}/redeliver`, headers: c.auth })
  assert.equal(res.statusCode, 202)
  await h.deps.workers.runAll()
  assert.deepEqual(rx.received.map((r) => r.event.event_id), [eventId, eventId])
  const item = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })).json().items[0]
  assert.equal(item.status, 'delivered')
  assert.equal(item.attempts.length, 2)
})

test('the delivery log: newest first, paged by cursor, filtered, scoped to the calling client', async (t) => {
  const clock = movableClock()
  const h = await buildTestApp(t, {}, { now: clock.now })
  const a = await h.client({ name: 'a' })
  const b = await h.client({ name: 'b' })
  const raised: string[] = []
  for (let i = 0; i < 5; i++) {
    clock.advance(1_000)
    raised.push(await raiseEvent(h.deps, a.id, i % 2 ? 'connection_revoked' : 'connection_authorized', { connection_id: CONNECTION_ID, n: i }))
  }
  const bEvent = await raiseEvent(h.deps, b.id, 'connection_authorized', { connection_id: CONNECTION_ID })

  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const url: string = `/v3/webhook-deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`
    const res = await h.inject({ method: 'GET', url, headers: a.auth })
    assert.equal(res.statusCode, 200)
    const body = res.json()
    assert.ok(body.items.length <= 2)
    seen.push(...body.items.map((i: { event_id: string }) => i.event_id))
    cursor = body.pagination.next_cursor
    pages++
  } while (cursor && pages < 10)
  assert.deepEqual(seen, [...raised].reverse(), 'every event once, newest first')
  assert.equal(pages, 3)

  const revoked = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries?type=connection_revoked', headers: a.auth })).json().items
  assert.deepEqual(revoked.map((i: { event_id: string }) => i.event_id), [raised[3], raised[1]])

  const bLog = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: b.auth })).json().items
  assert.deepEqual(bLog.map((i: { event_id: string }) => i.event_id), [bEvent])
  const foreign = await h.inject({ method: 'POST', url: `/v3/webhook-deliveries/${raised[0]}/redeliver`, headers: b.auth })
  assert.equal(foreign.statusCode, 404)
  assert.equal(foreign.json().title, 'Not Found')
  const unknown = await h.inject({ method: 'POST', url: '/v3/webhook-deliveries/not-an-event/redeliver', headers: a.auth })
  assert.equal(unknown.statusCode, 404)

  const badCursor = await h.inject({ method: 'GET', url: '/v3/webhook-deliveries?cursor=nonsense', headers: a.auth })
  assert.equal(badCursor.statusCode, 400)
  assert.ok(badCursor.json().errors.cursor)
  const badLimit = await h.inject({ method: 'GET', url: '/v3/webhook-deliveries?limit=500', headers: a.auth })
  assert.equal(badLimit.statusCode, 400)
  assert.deepEqual(badLimit.json().errors, { limit: ['must be ≤ 100'] })
  const badType = await h.inject({ method: 'GET', url: '/v3/webhook-deliveries?type=connection_created', headers: a.auth })
  assert.equal(badType.statusCode, 400)
  assert.match(badType.json().errors.type[0], /connection_authorized/)
  const anonymous = await h.inject({ method: 'GET', url: '/v3/webhook-deliveries' })
  assert.equal(anonymous.statusCode, 401)
})

test('an event raised after the client advanced its virtual clock is due at once, on real time', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: rx.url, webhookExtensionEvents: ['connection_expired'] })
  await h.deps.clock.advance(c.id, 90 * 86_400)
  const virtualNow = await h.deps.clock.now(c.id)
  await raiseEvent(h.deps, c.id, 'connection_expired', { connection_id: CONNECTION_ID, expired_at: virtualNow.toISOString() })
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 1)
  assert.equal(rx.received[0]!.event.expired_at, virtualNow.toISOString(), 'the payload keeps the client\'s time')
  const item = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })).json().items[0]
  assert.ok(Math.abs(Date.parse(item.created_at) - Date.now()) < 60_000, 'the log is on real time')
})

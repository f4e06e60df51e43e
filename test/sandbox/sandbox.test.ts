import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildTestApp } from '../helpers/build-app.ts'
import { BankBrowser, pathOf } from '../model-bank/bank-kit.ts'
import { startReceiver, verifyDelivery } from '../webhooks/receiver.ts'
import { config1, config5, createConnection, getConnection, PRESENT, sandboxAuthorize, webhookTypes } from './sandbox-kit.ts'

const DAY = 86_400

test('with SANDBOX_CONTROL=off every sandbox route is 404, as if it did not exist', async (t) => {
  const h = await buildTestApp(t, { SANDBOX_CONTROL: 'off' })
  const c = await h.client()
  const routes: Array<['GET' | 'POST', string, object | undefined]> = [
    ['GET', '/sandbox/clock', undefined],
    ['POST', '/sandbox/clock/advance', { by: 'P90D' }],
    ['POST', '/sandbox/clock/reset', undefined],
    ['POST', '/sandbox/reset', undefined],
    ['POST', '/sandbox/v3/data-connections/7d4b7a2e-9f3c-4e8b-a1d5-6c2f8e0b3a7d/authorize', { outcome: 'authorized' }],
  ]
  for (const [method, url, payload] of routes) {
    const res = await h.inject({ method, url, headers: c.auth, ...(payload ? { payload } : {}) })
    assert.equal(res.statusCode, 404, `${method} ${url}`)
    assert.equal(res.json().title, 'Not Found')
  }
  assert.equal(await h.deps.clock.offsetSeconds(c.id), 0, 'nothing moved')
})

test('the virtual clock: read, advance by ISO-8601 durations, reset — for the calling client alone', async (t) => {
  const h = await buildTestApp(t)
  const a = await h.client({ name: 'a' })
  const b = await h.client({ name: 'b' })
  const read = async (c = a) => (await h.inject({ method: 'GET', url: '/sandbox/clock', headers: c.auth })).json()

  const start = await read()
  assert.equal(start.offset_seconds, 0)
  assert.ok(Math.abs(Date.parse(start.now) - Date.now()) < 60_000)

  for (const [by, seconds] of [['P90D', 90 * DAY], ['PT36H', 36 * 3600], ['P1DT12H30M15S', DAY + 12 * 3600 + 30 * 60 + 15], ['P2W', 14 * DAY]] as const) {
    const before = (await read()).offset_seconds
    const res = await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: a.auth, payload: { by } })
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.json().offset_seconds, before + seconds, by)
    assert.ok(Math.abs(Date.parse(res.json().now) - (Date.now() + (before + seconds) * 1000)) < 60_000, by)
  }
  assert.equal((await read(b)).offset_seconds, 0, 'another client\'s clock did not move')
  assert.ok(Date.parse((await read()).now) - Date.parse((await read(b)).now) > 100 * DAY * 1000)

  const reset = await h.inject({ method: 'POST', url: '/sandbox/clock/reset', headers: a.auth })
  assert.equal(reset.statusCode, 200)
  assert.equal(reset.json().offset_seconds, 0)
  assert.equal((await read()).offset_seconds, 0)
  assert.equal((await h.inject({ method: 'GET', url: '/sandbox/clock' })).statusCode, 401, 'a data token is required')
})

test('advance refuses what is not a positive ISO-8601 duration in days to seconds, naming `by`', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const advance = (payload: unknown) => h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: c.auth, payload: payload as object })
  for (const [by, hint] of [['P1M', /months/], ['P1Y', /years/], ['90', /P90D/], ['P0D', /positive/], ['PT', /ISO-8601/], ['p90d', /P90D/], ['PT1.5H', /whole/], ['P99999D', /50 years/], ['-P1D', /ISO-8601/]] as const) {
    const res = await advance({ by })
    assert.equal(res.statusCode, 400, by)
    assert.equal(res.json().title, 'Invalid Parameters')
    assert.match(res.json().errors.by[0], hint, by)
  }
  const missing = await advance({})
  assert.equal(missing.statusCode, 400)
  assert.ok(missing.json().errors.by)
  const wrongType = await advance({ by: 90 })
  assert.ok(wrongType.json().errors.by)
  const extra = await advance({ by: 'P1D', days: 1 })
  assert.ok(extra.json().errors.days)
  const form = await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: { ...c.auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'by=P1D' })
  assert.equal(form.statusCode, 415)
  assert.equal(await h.deps.clock.offsetSeconds(c.id), 0, 'nothing moved')
})

test('advancing 90 days expires a recurring consent at once: connection_expired is sent and data calls are 403', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: rx.url, webhookExtensionEvents: ['connection_expired'] })
  const { id } = await createConnection(h, c, config5({ metadata: { order: '42' } }))
  const authorized = await sandboxAuthorize(h, c, id, { outcome: 'authorized' })
  assert.equal(authorized.statusCode, 200, authorized.body)
  const accounts = await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, 'connection-id': id, ...PRESENT } })
  assert.equal(accounts.statusCode, 200, accounts.body)

  const almost = await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: c.auth, payload: { by: 'P89DT23H' } })
  assert.equal(almost.statusCode, 200)
  assert.equal((await getConnection(h, c, id)).status, 'authorized', 'still within 90 days')

  const res = await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: c.auth, payload: { by: 'PT1H' } })
  assert.equal(res.statusCode, 200)
  assert.deepEqual(await webhookTypes(h, c.id), ['connection_authorized', 'connection_expired'], 'expired by the advance itself, before any read')
  const view = await getConnection(h, c, id)
  assert.equal(view.status, 'expired')
  assert.ok(view.expired_at)

  const refused = await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, 'connection-id': id, ...PRESENT } })
  assert.equal(refused.statusCode, 403)
  assert.equal(refused.json().title, 'Forbidden')

  await h.deps.workers.runAll()
  const jwks = (await h.inject({ method: 'GET', url: '/.well-known/jwks' })).body
  const expired = rx.received.find((r) => r.event.type === 'connection_expired')
  assert.ok(expired, 'connection_expired delivered')
  verifyDelivery(expired, jwks)
  assert.equal(expired.event.connection_id, id)
  assert.deepEqual(expired.event.metadata, { order: '42' })
})

test('a one-time connection expires when its access window closes', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const { id } = await createConnection(h, c, config5({ data_access_type: 'one_time' }))
  assert.equal((await sandboxAuthorize(h, c, id, { outcome: 'authorized' })).statusCode, 200)
  await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: c.auth, payload: { by: 'PT61M' } })
  assert.equal((await getConnection(h, c, id)).status, 'expired')
})

test('sandbox authorise: authorized or failed, answered like GET /v3/data-connections/{id}; scoped; refused once finished', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const other = await h.client({ name: 'other' })

  const ok = await createConnection(h, c, config1({ metadata: { ref: 'abc' } }))
  assert.equal(ok.status, 'authorization_required')
  assert.equal((await sandboxAuthorize(h, other, ok.id, { outcome: 'authorized' })).statusCode, 404, 'another client\'s connection does not exist for it')
  const res = await sandboxAuthorize(h, c, ok.id, { outcome: 'authorized' })
  assert.equal(res.statusCode, 200, res.body)
  assert.deepEqual(res.json(), await getConnection(h, c, ok.id), 'the same view as GET')
  assert.equal(res.json().status, 'authorized')
  assert.ok(res.json().authorized_at)
  assert.ok(res.json().provider?.provider_id)
  const again = await sandboxAuthorize(h, c, ok.id, { outcome: 'failed' })
  assert.equal(again.statusCode, 400)
  assert.equal(again.json().title, 'Invalid State')

  const ko = await createConnection(h, c, config5())
  const failed = await sandboxAuthorize(h, c, ko.id, { outcome: 'failed', failure_reason: 'provider_rejected' })
  assert.equal(failed.statusCode, 200, failed.body)
  assert.equal(failed.json().status, 'failed')
  assert.equal(failed.json().failure_reason, 'provider_rejected')
  assert.equal(failed.json().failure_stage, 'authorizing')
  assert.deepEqual(await webhookTypes(h, c.id), ['connection_authorized', 'connection_failed'])

  const third = await createConnection(h, c, config5())
  const mixed = await sandboxAuthorize(h, c, third.id, { outcome: 'authorized', failure_reason: 'provider_rejected' })
  assert.equal(mixed.statusCode, 400)
  assert.ok(mixed.json().errors.failure_reason)
  const badOutcome = await sandboxAuthorize(h, c, third.id, { outcome: 'approved' })
  assert.equal(badOutcome.statusCode, 400)
  assert.match(badOutcome.json().errors.outcome[0], /authorized/)
  const unknownUser = await sandboxAuthorize(h, c, third.id, { outcome: 'authorized', username: 'nobody' })
  assert.equal(unknownUser.statusCode, 400)
  assert.ok(unknownUser.json().errors.username)
  const extra = await sandboxAuthorize(h, c, third.id, { outcome: 'authorized', password: 'doe' })
  assert.ok(extra.json().errors.password)
  assert.equal((await getConnection(h, c, third.id)).status, 'authorizing', 'refused calls changed nothing')
})

test('the sandbox path and the browser path leave the same state and send the same webhooks', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const browserPath = async (decision: 'allow' | 'deny') => {
    const created = await createConnection(h, c, config5({ metadata: { path: 'browser' } }))
    const browser = new BankBrowser(h)
    const page = await browser.signIn(created.authorization_flow!.actions.next.uri, 'john', 'doe')
    const back = await browser.decide(page, decision, page.accounts.map((a) => a.id))
    const res = await h.inject({ method: 'GET', url: pathOf(back) })
    assert.equal(res.statusCode, 303, res.body)
    return created.id
  }
  const sandboxPath = async (outcome: 'authorized' | 'failed') => {
    const created = await createConnection(h, c, config5({ metadata: { path: 'sandbox' } }))
    assert.equal((await sandboxAuthorize(h, c, created.id, { outcome })).statusCode, 200)
    return created.id
  }
  const shape = async (id: string) => {
    const view = await getConnection(h, c, id)
    const events = (await h.deps.db.selectFrom('webhook_events').select(['type', 'payload']).where('client_id', '=', c.id).execute())
      .map((e) => JSON.parse(e.payload)).filter((p) => p.connection_id === id)
    const accounts = view.status === 'authorized'
      ? (await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, 'connection-id': id, ...PRESENT } })).json().items
      : null
    const timeline = (await h.deps.db.selectFrom('connection_events').select('kind').where('connection_id', '=', id).orderBy('at').orderBy('id').execute()).map((e) => e.kind)
    return {
      status: view.status,
      provider: view.provider,
      fields: Object.keys(view).filter((k) => k !== 'metadata').sort(),
      failure: [view.failure_stage, view.failure_reason],
      webhooks: events.map((e) => ({ type: e.type, keys: Object.keys(e).sort() })),
      accounts,
      statuses: timeline.filter((k) => k.startsWith('status:')),
    }
  }
  assert.deepEqual(await shape(await sandboxPath('authorized')), await shape(await browserPath('allow')))
  assert.deepEqual(await shape(await sandboxPath('failed')), await shape(await browserPath('deny')))
  const authorized = await shape(await sandboxPath('authorized'))
  assert.equal(authorized.status, 'authorized')
  assert.deepEqual(authorized.webhooks.map((w) => w.type), ['connection_authorized'])
  assert.ok(authorized.accounts.length > 0)
})

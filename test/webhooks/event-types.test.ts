import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { findClient, updateClient } from '../../src/modules/auth/client.repository.ts'
import { createWebhookDispatcher } from '../../src/modules/webhooks/webhook.dispatcher.ts'
import { PUBLISHED_WEBHOOK_TYPES } from '../../src/modules/webhooks/webhook.event-types.ts'
import { createDb } from '../../src/storage/create-db.ts'
import { signIn } from '../console/console-helpers.ts'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { runCli } from '../helpers/cli.ts'
import { config5, createConnection, PRESENT, sandboxAuthorize } from '../sandbox/sandbox-kit.ts'
import { raiseEvent } from './helpers.ts'
import { type Receiver, startReceiver } from './receiver.ts'

const CONNECTION_ID = '7d4b7a2e-4a4b-4a4b-8a4b-7d4b7a2e4a4b'

/** A receiver written for the published contract: 200 for the four types it knows, 400 for anything else. */
async function strictReceiver (t: { after: (fn: () => Promise<void>) => void }): Promise<Receiver> {
  const rx = await startReceiver()
  t.after(() => rx.close())
  rx.respond = (r) => ((PUBLISHED_WEBHOOK_TYPES as readonly string[]).includes(String(r.event.type)) ? 200 : 400)
  return rx
}

/** Every kind of event: authorised, failed, a transactions request completed, one revoked, one expired (clock). */
async function everyEvent (h: TestApp, c: TestClient): Promise<{ expiring: string }> {
  const headers = (id: string) => ({ ...c.auth, 'connection-id': id, ...PRESENT })
  const today = (await h.deps.clock.now(c.id)).toISOString().slice(0, 10)
  const requestTransactions = async (id: string) => {
    const account = (await h.inject({ method: 'GET', url: '/v3/connected-accounts?type=account', headers: headers(id) })).json().items[0].id
    const req = await h.inject({ method: 'POST', url: `/v3/connected-accounts/${account}/transactions/requests`, headers: headers(id), payload: { from: today, to: today } })
    assert.equal(req.statusCode, 202, req.body)
  }
  const ok = await createConnection(h, c, config5())
  assert.equal((await sandboxAuthorize(h, c, ok.id, { outcome: 'authorized' })).statusCode, 200)
  await requestTransactions(ok.id)
  const ko = await createConnection(h, c, config5())
  await sandboxAuthorize(h, c, ko.id, { outcome: 'failed' })
  // Revoked before the worker reads the bank: transactions_request_failed, and connection_revoked.
  const gone = await createConnection(h, c, config5())
  await sandboxAuthorize(h, c, gone.id, { outcome: 'authorized' })
  await requestTransactions(gone.id)
  assert.equal((await h.inject({ method: 'DELETE', url: `/v3/data-connections/${gone.id}`, headers: c.auth })).statusCode, 204)
  await h.deps.workers.runAll()
  assert.equal((await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: c.auth, payload: { by: 'P91D' } })).statusCode, 200)
  await h.deps.workers.runAll()
  return { expiring: ok.id }
}

async function log (h: TestApp, c: TestClient): Promise<Array<{ event_id: string, type: string, status: string, attempts: unknown[], payload: Record<string, unknown> }>> {
  const res = await h.inject({ method: 'GET', url: '/v3/webhook-deliveries?limit=100', headers: c.auth })
  assert.equal(res.statusCode, 200, res.body)
  return res.json().items
}

test('by default a strict receiver gets only the four published types, every one answered 2xx; extensions are logged as skipped, never sent', async (t) => {
  const rx = await strictReceiver(t)
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: rx.url })
  await everyEvent(h, c)

  const sent = rx.received.map((r) => String(r.event.type))
  assert.deepEqual([...new Set(sent)].sort(), [...PUBLISHED_WEBHOOK_TYPES].sort())
  assert.equal(sent.length, 5, 'each event once: two authorised, one failed, one request completed, one failed')
  const entries = await log(h, c)
  const skipped = entries.filter((e) => e.status === 'skipped').map((e) => e.type).sort()
  assert.deepEqual(skipped, ['connection_expired', 'connection_revoked'])
  assert.ok(entries.filter((e) => e.status === 'skipped').every((e) => e.attempts.length === 0), 'no attempt was made')
  assert.deepEqual(entries.filter((e) => e.status !== 'skipped').map((e) => e.status), Array(5).fill('delivered'), 'nothing left to retry')
  const onlySkipped = await h.inject({ method: 'GET', url: '/v3/webhook-deliveries?status=skipped', headers: c.auth })
  assert.equal(onlySkipped.json().items.length, 2)
})

test('extension types a client opted into are delivered; the others stay skipped', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: rx.url, webhookExtensionEvents: ['connection_expired'] })
  await everyEvent(h, c)
  const sent = new Set(rx.received.map((r) => String(r.event.type)))
  assert.ok(sent.has('connection_expired'))
  assert.ok(!sent.has('connection_revoked'))
  assert.equal((await log(h, c)).find((e) => e.type === 'connection_revoked')?.status, 'skipped')

  const both = await h.client({ name: 'both', webhookUri: rx.url, webhookExtensionEvents: ['connection_revoked', 'connection_expired'] })
  const before = rx.received.length
  await everyEvent(h, both)
  const types = rx.received.slice(before).map((r) => String(r.event.type))
  assert.ok(types.includes('connection_revoked') && types.includes('connection_expired'))
})

test('connection_expired.expired_at is the time access ended (access_expires_at), not the time the expiry was noticed', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: rx.url, webhookExtensionEvents: ['connection_expired'] })
  const { expiring } = await everyEvent(h, c)
  const view = (await h.inject({ method: 'GET', url: `/v3/data-connections/${expiring}`, headers: c.auth })).json()
  assert.equal(view.status, 'expired')
  const event = rx.received.find((r) => r.event.type === 'connection_expired' && r.event.connection_id === expiring)
  assert.ok(event, 'connection_expired delivered')
  assert.equal(event.event.expired_at, view.access_expires_at)
  assert.equal(view.expired_at, view.access_expires_at, 'the connection reports the same time')
  const noticed = await h.deps.clock.now(c.id)
  assert.ok(Date.parse(view.access_expires_at) < noticed.getTime() - 86_400_000, 'the clock went one day past the end; the event does not say so')
})

test('redelivering a skipped event is refused until the client asks for its type; pending retries of a type the client drops stop', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: rx.url })
  const skipped = await raiseEvent(h.deps, c.id, 'connection_revoked', { connection_id: CONNECTION_ID, revoked_at: '2026-07-15T12:00:00.000Z' })
  const refused = await h.inject({ method: 'POST', url: `/v3/webhook-deliveries/${skipped}/redeliver`, headers: c.auth })
  assert.equal(refused.statusCode, 400)
  assert.equal(refused.json().type, 'https://docs.truelayer.com/docs/error-types#invalid_state')
  assert.match(refused.json().detail, /does not receive connection_revoked webhooks .*--extension-events connection_revoked/)

  await updateClient(h.deps.db, c.id, { webhookExtensionEvents: ['connection_revoked'] })
  assert.equal((await h.inject({ method: 'POST', url: `/v3/webhook-deliveries/${skipped}/redeliver`, headers: c.auth })).statusCode, 202)
  await h.deps.workers.runAll()
  assert.deepEqual(rx.received.map((r) => r.event.event_id), [skipped])

  // Raised while wanted, answered 500, then the client stops asking for the type: no further attempt.
  rx.respond = () => 500
  const retried = await raiseEvent(h.deps, c.id, 'connection_revoked', { connection_id: CONNECTION_ID, revoked_at: '2026-07-15T12:00:00.000Z' })
  await createWebhookDispatcher(h.deps).runOnce()
  assert.equal(rx.received.length, 2)
  await updateClient(h.deps.db, c.id, { webhookExtensionEvents: [] })
  const later = new Date(Date.now() + 3_600_000)
  await createWebhookDispatcher(h.deps, { now: () => later }).runOnce()
  assert.equal(rx.received.length, 2, 'not sent again')
  assert.equal((await log(h, c)).find((e) => e.event_id === retried)?.status, 'skipped')
})

test('Console settings: a checkbox per extension type, saved for the client, unknown values refused', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const b = await signIn(h, c)
  const page = await b.get('/console/settings')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<input type="checkbox" name="extension_events" value="connection_revoked">/)
  assert.match(page.body, /<input type="checkbox" name="extension_events" value="connection_expired">/)

  const saved = await h.inject({
    method: 'POST',
    url: '/console/settings/webhook-events',
    headers: { cookie: Object.entries(b.jar).map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded', origin: 'http://ledgerite.test' },
    payload: `csrf_token=${encodeURIComponent(b.lastCsrf!)}&extension_events=connection_revoked&extension_events=connection_expired`,
  })
  assert.equal(saved.statusCode, 303, saved.body)
  assert.equal(saved.headers.location, '/console/settings?notice=webhook_events_saved')
  assert.deepEqual((await findClient(h.deps.db, c.id))!.webhookExtensionEvents, ['connection_revoked', 'connection_expired'])
  assert.match((await b.get('/console/settings')).body, /value="connection_expired" checked>/)

  const none = await b.post('/console/settings/webhook-events', {})
  assert.equal(none.statusCode, 303)
  assert.deepEqual((await findClient(h.deps.db, c.id))!.webhookExtensionEvents, [])

  await raiseEvent(h.deps, c.id, 'connection_revoked', { connection_id: CONNECTION_ID, revoked_at: '2026-07-15T12:00:00.000Z' })
  assert.match((await b.get('/console/webhooks')).body, /No delivery attempts: an extension type this client does not receive/)

  await b.get('/console/settings')
  const bad = await b.post('/console/settings/webhook-events', { extension_events: 'connection_authorised' })
  assert.equal(bad.statusCode, 400)
  assert.match(bad.body, /extension_events: connection_authorised is not an extension webhook type/)
})

test('CLI: --extension-events on clients create and update, documented in help, bad values refused with the allowed ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerite-cli-'))
  try {
    const cli = (args: string[]) => runCli(args, { DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` })
    assert.match(cli(['help']).stdout, /--extension-events TYPE,…/)
    const base = ['clients', 'create', '--name', 'Acme', '--redirect-uri', 'https://acme.example/cb']
    const bad = cli([...base, '--extension-events', 'connection_revoked,connection_authorized'])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /--extension-events connection_revoked,connection_authorized: connection_authorized is a published type and is always sent/)
    const created = cli([...base, '--extension-events', 'connection_expired'])
    assert.equal(created.status, 0, created.stderr)
    const id = JSON.parse(created.stdout).client_id as string
    const db = createDb(`sqlite:${join(dir, 'cli.db')}`)
    assert.deepEqual((await findClient(db.kysely, id))?.webhookExtensionEvents, ['connection_expired'])
    await db.close()
    const both = cli(['clients', 'update', id, '--extension-events', 'connection_expired,connection_revoked'])
    assert.equal(both.status, 0, both.stderr)
    assert.deepEqual(JSON.parse(both.stdout).webhookExtensionEvents, ['connection_revoked', 'connection_expired'])
    const none = cli(['clients', 'update', id, '--extension-events', 'none'])
    assert.deepEqual(JSON.parse(none.stdout).webhookExtensionEvents, [])
    const typo = cli(['clients', 'update', id, '--extension-events', 'connection_revokd'])
    assert.equal(typo.status, 2)
    assert.match(typo.stderr, /connection_revokd is not an extension webhook type; use connection_revoked, connection_expired or none/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

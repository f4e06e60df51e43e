import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { CreateConnectionRequest } from '../../src/client/index.ts'
import { connect, type Ledgerite, startLedgerite } from '../../src/testing/index.ts'

/** ledgerite/testing as a user's suite runs it: one in-process server for the file, a client per test. */
let lg: Ledgerite
before(async () => { lg = await startLedgerite({ database: 'memory' }) })
after(async () => { await lg.close() })

const RETURN = 'https://app.test/callback'
const connectionBody = (provider = 'ob-monzo'): CreateConnectionRequest => ({
  scopes: ['info', 'accounts', 'balance', 'transactions'],
  provider_selection: { type: 'preselected', provider_id: provider },
  user: { name: 'Jane Smith', email: 'jane@example.com' },
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: RETURN },
})

test('startLedgerite serves on a free port; a created client gets a token at authBaseUrl', async () => {
  assert.match(lg.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal((await fetch(`${lg.baseUrl}/healthz`)).status, 200)
  const app = await lg.createClient({ redirectUris: [RETURN] })
  assert.match(app.clientId, /^sandbox-test-app-/)
  const res = await fetch(`${lg.authBaseUrl}/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'data' }),
  })
  assert.equal(res.status, 200)
  assert.equal(typeof (await app.token()), 'string')
})

test('authorize completes a journey and the data endpoints answer; the receiver gets the verified webhook', async () => {
  const hooks = await lg.webhooks()
  const app = await lg.createClient({ redirectUris: [RETURN], webhookUri: hooks.url })
  const created = await app.api.connections.create(connectionBody())
  const connection = await lg.authorize(created.id, { user: 'john' })
  assert.equal(connection.status, 'authorized')
  const event = await hooks.next('connection_authorized', { connectionId: created.id })
  assert.equal(event.connection_id, created.id)
  assert.deepEqual(hooks.rejected, [])
  const accounts = await app.api.data.accounts(created.id)
  assert.ok(accounts.items.length > 0, 'john has accounts')
})

test('authorize as an error user, and a failed outcome with its reason', async () => {
  const hooks = await lg.webhooks()
  const app = await lg.createClient({ redirectUris: [RETURN], webhookUri: hooks.url })
  const broken = await app.api.connections.create(connectionBody())
  // As in the real sandbox: the error user authorises, then every data call fails with its reason.
  const outcome = await lg.authorize(broken.id, { user: 'error.provider_error' })
  assert.deepEqual([outcome.status, outcome.failure_reason], ['authorized', undefined])
  assert.equal((await hooks.next('connection_authorized')).connection_id, broken.id)
  await assert.rejects(app.api.data.accounts(broken.id), (err: { status?: number, detail?: string }) =>
    err.status === 502 && /provider_error/.test(err.detail ?? ''))

  const failed = await app.api.connections.create(connectionBody())
  assert.equal((await lg.authorize(failed.id, { outcome: 'failed', failureReason: 'user_declined_consent' })).status, 'failed')
  const event = await hooks.next('connection_failed')
  assert.equal(event.connection_id, failed.id)
  assert.equal(event.failure_reason, 'user_declined_consent')
})

test('advanceClock past the consent expires the connection; reset removes the client\'s connections', async () => {
  const app = await lg.createClient({ redirectUris: [RETURN] })
  const created = await app.api.connections.create(connectionBody())
  await lg.authorize(created.id)
  const clock = await lg.advanceClock(app.clientId, 'P91D')
  assert.ok(clock.offset_seconds >= 91 * 86400)
  assert.equal((await app.api.connections.get(created.id)).status, 'expired')

  await lg.reset(app.clientId)
  assert.deepEqual((await app.api.connections.list()).items, [])
  assert.equal((await app.api.sandbox.clock()).offset_seconds, 0)
})

test('the receiver refuses a delivery that is not signed by this Ledgerite, and next() names what arrived', async () => {
  const hooks = await lg.webhooks()
  const res = await fetch(hooks.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'tl-signature': 'forged', 'x-tl-webhook-timestamp': new Date().toISOString() },
    body: JSON.stringify({ type: 'connection_authorized', event_id: 'x', connection_id: 'y', event_version: 1 }),
  })
  assert.equal(res.status, 401)
  assert.equal(hooks.events.length, 0)
  assert.equal(hooks.rejected.length, 1)
  await assert.rejects(hooks.next('connection_authorized', { timeoutMs: 50 }), /No connection_authorized webhook .*1 refused/)
})

test('authorize finds the connection\'s owner among several clients; another client\'s id is refused', async () => {
  const a = await lg.createClient({ redirectUris: [RETURN] })
  const b = await lg.createClient({ redirectUris: [RETURN] })
  const created = await b.api.connections.create(connectionBody())
  assert.equal((await lg.authorize(created.id)).status, 'authorized')
  await assert.rejects(lg.authorize(created.id, { clientId: a.clientId }), /404|not found/i)
})

test('connect(url) drives a running server with existing credentials; without a database it cannot register', async () => {
  const app = await lg.createClient({ redirectUris: [RETURN] })
  const remote = connect(`${lg.baseUrl}/`)
  await assert.rejects(remote.createClient({ redirectUris: [RETURN] }), /databaseUrl/)
  const same = remote.useClient({ clientId: app.clientId, clientSecret: app.clientSecret })
  const created = await same.api.connections.create(connectionBody())
  assert.equal((await remote.authorize(created.id)).status, 'authorized')
  await remote.close()
  assert.equal((await fetch(`${lg.baseUrl}/healthz`)).status, 200, 'closing a connect() kit leaves the server running')
})

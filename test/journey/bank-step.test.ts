import assert from 'node:assert/strict'
import { test } from 'node:test'
import { beginBankAuthorization } from '../../src/modules/connections/connection.authorization.ts'
import { toConnection } from '../../src/modules/connections/connection.model.ts'
import { findConnection } from '../../src/modules/connections/connection.repository.ts'
import { verifyLink } from '../../src/modules/journey/journey-links.ts'
import { authorizeWithoutBrowser } from '../../src/modules/sandbox/sandbox.authorize.ts'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { BankBrowser, type Configuration, insertTestConnection, manualClock, PUBLIC_URL, pathOf, RETURN_URI, throughTheBank, tokenFor } from '../model-bank/bank-kit.ts'

/** The bank step end to end without a browser: begin → the model bank's forms → /data/callback → lifecycle. */

async function connectionOf (app: TestApp, client: TestClient, id: string) {
  const row = await findConnection(app.deps.db, client.id, id)
  assert.ok(row)
  return toConnection(row)
}

async function begin (app: TestApp, client: TestClient, configuration: Configuration, providerId = 'mock', extra: Parameters<typeof insertTestConnection>[3] = {}) {
  const id = await insertTestConnection(app, client, configuration, extra)
  const connection = await connectionOf(app, client, id)
  const { uri } = await beginBankAuthorization(app.deps, { connection, providerId, now: await app.deps.clock.now(client.id) })
  return { id, uri }
}

async function webhooks (app: TestApp, clientId: string) {
  const rows = await app.deps.db.selectFrom('webhook_events').selectAll().where('client_id', '=', clientId).orderBy('created_at').execute()
  return rows.map((r) => ({ type: r.type, payload: JSON.parse(r.payload) as Record<string, unknown> }))
}

const callback = (app: TestApp, location: string) => app.inject({ method: 'GET', url: pathOf(location) })

test('configuration 1: sign in, allow, callback → authorized with the chosen accounts, a connection_authorized event, the result page', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const { id, uri } = await begin(app, client, 1, 'ob-monzo', { metadata: { order: '42' } })
  assert.ok(uri.startsWith(`${PUBLIC_URL}/model-bank/ob-monzo/authorize?consent_id=`), uri)
  const moved = await connectionOf(app, client, id)
  assert.equal(moved.status, 'authorizing')
  assert.equal(moved.providerId, 'ob-monzo')

  const browser = new BankBrowser(app)
  const page = await browser.signIn(uri, 'john', 'doe')
  const chosen = page.accounts.length > 1 ? page.accounts.slice(1).map((a) => a.id) : page.accounts.map((a) => a.id)
  const back = await browser.decide(page, 'allow', chosen)
  assert.ok(back.startsWith(`${PUBLIC_URL}/data/callback?`), back)

  const res = await callback(app, back)
  assert.equal(res.statusCode, 303, res.body)
  const next = new URL(String(res.headers.location))
  assert.equal(next.pathname, `/data/${id}/result`)
  const now = await app.deps.clock.now(client.id)
  assert.ok(verifyLink(app.deps.secret, 'result', id, next.searchParams.get('l')!, now), 'a signed result-page link')

  const done = await connectionOf(app, client, id)
  assert.equal(done.status, 'authorized')
  assert.ok(done.authorizedAt)
  assert.deepEqual([...done.accountIds].sort(), [...chosen].sort())
  assert.ok(done.accessExpiresAt)
  const events = await webhooks(app, client.id)
  const authorized = events.filter((e) => e.type === 'connection_authorized')
  assert.equal(authorized.length, 1)
  assert.equal(authorized[0]!.payload.connection_id, id)
  assert.deepEqual(authorized[0]!.payload.metadata, { order: '42' })

  // The grant works at the bank for the chosen accounts only (Ledgerite's own reads go through it).
  const accounts = await app.deps.adapter.getAccounts(done.providerState as never, 'ob-monzo', now)
  assert.deepEqual(accounts.map((a) => a.id).sort(), [...chosen].sort())

  // The same redirect again: the state is spent; nothing changes.
  const replay = await callback(app, back)
  assert.equal(replay.statusCode, 400)
  assert.match(String(replay.headers['content-type']), /text\/html/)
  assert.match(replay.body, /already been used/)
  assert.equal((await connectionOf(app, client, id)).status, 'authorized')
})

test('a replayed bank code is refused at the bank, whoever presents it', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const { id, uri } = await begin(app, client, 5)
  const back = await throughTheBank(app, uri)
  assert.equal((await callback(app, back)).statusCode, 303)
  assert.equal((await connectionOf(app, client, id)).status, 'authorized')
  const trip = await app.deps.db.selectFrom('journey_states').selectAll().where('connection_id', '=', id).executeTakeFirstOrThrow()
  const code = new URL(back).searchParams.get('code')!
  const again = await tokenFor(app, { verifier: trip.code_verifier, redirectUri: trip.redirect_uri }, code)
  assert.equal(again.statusCode, 400)
  assert.equal(again.json().error, 'invalid_grant')
})

test('two racing callbacks with the same state: exactly one completes the connection', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const { id, uri } = await begin(app, client, 5)
  const back = await throughTheBank(app, uri)
  const answers = await Promise.all([callback(app, back), callback(app, back)])
  assert.deepEqual(answers.map((r) => r.statusCode).sort(), [303, 400])
  assert.equal((await connectionOf(app, client, id)).status, 'authorized')
  assert.equal((await webhooks(app, client.id)).filter((e) => e.type === 'connection_authorized').length, 1)
})

test('configuration 5: straight back to the return URI with connection_id; deny → failed/provider_rejected with &error and a connection_failed event', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const ok = await begin(app, client, 5, 'mock', { returnUri: 'https://your-app.com/callback?from=bank' })
  const res = await callback(app, await throughTheBank(app, ok.uri))
  const okBack = new URL(String(res.headers.location))
  assert.equal(okBack.origin + okBack.pathname, RETURN_URI)
  assert.equal(okBack.searchParams.get('from'), 'bank', 'the return URI keeps its own query')
  assert.equal(okBack.searchParams.get('connection_id'), ok.id)
  assert.equal(okBack.searchParams.get('error'), null)

  const denied = await begin(app, client, 5)
  const res2 = await callback(app, await throughTheBank(app, denied.uri, 'john', 'doe', 'deny'))
  assert.equal(res2.statusCode, 303)
  const back = new URL(String(res2.headers.location))
  assert.equal(back.searchParams.get('connection_id'), denied.id)
  assert.equal(back.searchParams.get('error'), 'provider_rejected')
  const failed = await connectionOf(app, client, denied.id)
  assert.equal(failed.status, 'failed')
  assert.equal(failed.failureReason, 'provider_rejected')
  assert.equal(failed.failureStage, 'authorizing')
  const event = (await webhooks(app, client.id)).find((e) => e.type === 'connection_failed')
  assert.ok(event)
  assert.equal(event.payload.connection_id, denied.id)
  assert.equal(event.payload.failure_reason, 'provider_rejected')
  assert.equal(event.payload.failure_stage, 'authorizing')
})

test('error.<reason> users authorise (configuration 4, result page); every data call then fails with that reason', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  // The published problem each reason is answered with: the user must act at the bank → Forbidden; the provider's
  // internal error → Unknown Error; the provider failing → Provider Error.
  const problems: Record<string, [number, string]> = {
    account_permanently_locked: [403, 'forbidden'],
    account_temporarily_locked: [403, 'forbidden'],
    user_input_required: [403, 'forbidden'],
    wrong_credentials: [403, 'forbidden'],
    internal_error: [500, 'unknown-error'],
    provider_error: [502, 'provider-error'],
  }
  for (const [reason, [status, anchor]] of Object.entries(problems)) {
    const { id, uri } = await begin(app, client, 4)
    const res = await callback(app, await throughTheBank(app, uri, `error.${reason}`, 'error'))
    assert.equal(res.statusCode, 303)
    assert.equal(new URL(String(res.headers.location)).pathname, `/data/${id}/result`)
    const c = await connectionOf(app, client, id)
    assert.equal(c.status, 'authorized', reason)
    assert.equal(c.failureReason, null)
    const headers = { ...client.auth, 'tl-user-ip': '203.0.113.7', 'connection-id': id }
    for (const url of [`/v3/data-connections/${id}/user-info`, '/v3/connected-accounts', `/v3/connected-accounts/${c.accountIds[0]}/balance`]) {
      const read = await app.inject({ method: 'GET', url, headers })
      assert.equal(read.statusCode, status, `${reason} ${url}: ${read.body}`)
      const body = read.json()
      assert.equal(body.type, `https://docs.truelayer.com/docs/error-types#${anchor}`)
      assert.match(body.detail, new RegExp(`\\(${reason}\\)`), 'the detail names the reason')
    }
  }
  const events = (await webhooks(app, client.id)).map((e) => e.type)
  assert.equal(events.filter((e) => e === 'connection_authorized').length, 6)
  assert.ok(!events.includes('connection_failed'))
})

test('login.<reason> users (an extension): the bank refuses the sign-in and the journey fails with that reason', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const { id, uri } = await begin(app, client, 5)
  const browser = new BankBrowser(app)
  const signIn = await browser.submit(await browser.open(uri), { username: 'login.account_temporarily_locked', password: 'anything' })
  assert.equal(signIn.statusCode, 303, signIn.body)
  const back = String(signIn.headers.location)
  assert.equal(new URL(back).searchParams.get('error'), 'account_temporarily_locked')
  const res = await callback(app, back)
  assert.equal(new URL(String(res.headers.location)).searchParams.get('error'), 'account_temporarily_locked')
  const c = await connectionOf(app, client, id)
  assert.deepEqual([c.status, c.failureReason, c.failureStage], ['failed', 'account_temporarily_locked', 'authorizing'])
})

test('callback: unknown, incomplete or expired state shows an error page and changes nothing', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, {}, { now: clock.now })
  const client = await app.client()
  const { id, uri } = await begin(app, client, 5)
  const back = await throughTheBank(app, uri)

  const unknown = await app.inject({ url: '/data/callback?state=not-ours&code=abc' })
  assert.equal(unknown.statusCode, 400)
  assert.match(unknown.body, /not valid/)
  const incomplete = await app.inject({ url: '/data/callback?code=abc' })
  assert.equal(incomplete.statusCode, 400)
  assert.match(String(incomplete.headers['content-type']), /text\/html/)
  assert.doesNotMatch(incomplete.body, /at .*\.ts:\d+/, 'no stack trace')

  clock.advanceMinutes(24 * 60 + 1)
  const expired = await callback(app, back)
  assert.equal(expired.statusCode, 400)
  assert.match(expired.body, /expired/)
  assert.equal((await connectionOf(app, client, id)).status, 'authorizing')
})

test('a code used more than 10 minutes after it was issued fails the connection with invalid_authorization_code', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, {}, { now: clock.now })
  const client = await app.client()
  const { id, uri } = await begin(app, client, 5)
  const back = await throughTheBank(app, uri)
  clock.advanceMinutes(11)
  const res = await callback(app, back)
  assert.equal(new URL(String(res.headers.location)).searchParams.get('error'), 'invalid_authorization_code')
  const c = await connectionOf(app, client, id)
  assert.equal(c.status, 'failed')
  assert.equal(c.failureReason, 'invalid_authorization_code')
})

test('begin refuses a connection that is already finished', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const { id, uri } = await begin(app, client, 5)
  await callback(app, await throughTheBank(app, uri))
  const done = await connectionOf(app, client, id)
  await assert.rejects(beginBankAuthorization(app.deps, { connection: done, providerId: 'mock', now: new Date() }), /does not allow/)
})

test('5b: provider-selection answers a redirect to the chosen bank; refuses unlisted providers, other configurations and a second choice', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const other = await app.client({ name: 'other' })
  const id = await insertTestConnection(app, client, '5b')
  const url = `/v3/data-connections/${id}/authorization-flow/actions/provider-selection`
  const post = (payload: unknown, c: TestClient = client) => app.inject({ method: 'POST', url, headers: c.auth, payload: payload as object })

  assert.equal((await post({ provider_id: 'ob-monzo' }, other)).statusCode, 404, 'another client\'s connection does not exist for it')
  const unknown = await post({ provider_id: 'no-such-bank' })
  assert.equal(unknown.statusCode, 400)
  assert.ok(unknown.json().errors.provider_id)
  const unlisted = await post({ provider_id: 'xs2a-deutsche-bank' }) // the filter says GB only
  assert.equal(unlisted.statusCode, 400)
  assert.ok(unlisted.json().errors.provider_id)
  const extra = await post({ provider_id: 'ob-monzo', colour: 'red' })
  assert.equal(extra.statusCode, 400)
  assert.ok(extra.json().errors.colour)
  assert.equal((await app.inject({ method: 'POST', url, payload: { provider_id: 'ob-monzo' } })).statusCode, 401)

  const ok = await post({ provider_id: 'ob-monzo' })
  assert.equal(ok.statusCode, 200, ok.body)
  const body = ok.json()
  assert.equal(body.status, 'authorizing')
  assert.equal(body.authorization_flow.actions.next.type, 'redirect')
  assert.ok(body.authorization_flow.actions.next.uri.startsWith(`${PUBLIC_URL}/model-bank/ob-monzo/authorize?`))
  assert.equal((await connectionOf(app, client, id)).providerId, 'ob-monzo')

  const second = await post({ provider_id: 'ob-barclays' })
  assert.equal(second.statusCode, 400)
  assert.match(second.json().type, /invalid_state/)

  const res = await callback(app, await throughTheBank(app, body.authorization_flow.actions.next.uri))
  const back = new URL(String(res.headers.location))
  assert.equal(back.origin + back.pathname, RETURN_URI, '5b without a result page returns straight to the client')
  assert.equal((await connectionOf(app, client, id)).status, 'authorized')

  const config5 = await insertTestConnection(app, client, 5)
  const wrongConfig = await app.inject({ method: 'POST', url: `/v3/data-connections/${config5}/authorization-flow/actions/provider-selection`, headers: client.auth, payload: { provider_id: 'mock' } })
  assert.equal(wrongConfig.statusCode, 400)
  assert.match(wrongConfig.json().type, /invalid_state/)

  // 5b with a result page: back to Ledgerite's result page.
  const withResult = await insertTestConnection(app, client, '5b-result')
  const sel = await app.inject({ method: 'POST', url: `/v3/data-connections/${withResult}/authorization-flow/actions/provider-selection`, headers: client.auth, payload: { provider_id: 'mock' } })
  const res2 = await callback(app, await throughTheBank(app, sel.json().authorization_flow.actions.next.uri))
  assert.equal(new URL(String(res2.headers.location)).pathname, `/data/${withResult}/result`)
})

test('authorizeWithoutBrowser: the same state and webhooks as the browser path', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()

  const browserId = await insertTestConnection(app, client, 1)
  const c = await connectionOf(app, client, browserId)
  const { uri } = await beginBankAuthorization(app.deps, { connection: c, providerId: 'mock', now: await app.deps.clock.now(client.id) })
  await callback(app, await throughTheBank(app, uri))

  const sandboxId = await insertTestConnection(app, client, 1)
  const viaSandbox = await authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: sandboxId, outcome: 'authorized' })
  const viaBrowser = await connectionOf(app, client, browserId)
  for (const k of ['status', 'providerId', 'accountIds', 'dataAccessType'] as const) assert.deepEqual(viaSandbox[k], viaBrowser[k], k)
  assert.ok(viaSandbox.authorizedAt)
  assert.equal((await connectionOf(app, client, sandboxId)).status, 'authorized')

  // Entries made in the same instant have no order between them: compare the timelines as sets of kinds.
  const timeline = async (id: string) => (await app.deps.db.selectFrom('connection_events').select('kind').where('connection_id', '=', id).execute()).map((e) => e.kind).sort()
  assert.deepEqual(await timeline(sandboxId), await timeline(browserId))
  const types = (await webhooks(app, client.id)).map((e) => `${e.type}:${e.payload.connection_id}`)
  assert.ok(types.includes(`connection_authorized:${browserId}`))
  assert.ok(types.includes(`connection_authorized:${sandboxId}`))

  // Failures: a denial, a mock error user, and a failure before the bank.
  const denied = await authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: await insertTestConnection(app, client, 5), outcome: 'failed' })
  assert.equal(denied.failureReason, 'provider_rejected')
  assert.equal(denied.failureStage, 'authorizing')
  const locked = await authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: await insertTestConnection(app, client, 5), outcome: 'failed', failureReason: 'account_temporarily_locked' })
  assert.equal(locked.failureReason, 'account_temporarily_locked')
  const byUser = await authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: await insertTestConnection(app, client, 5), outcome: 'failed', username: 'error.user_input_required' })
  assert.equal(byUser.failureReason, 'user_input_required')
  const authorizedButFailing = await authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: await insertTestConnection(app, client, 5), outcome: 'authorized', username: 'error.internal_error' })
  assert.equal(authorizedButFailing.status, 'authorized', 'an error.* user authorises as in a browser; its data calls fail')
  const refusedAtSignIn = await authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: await insertTestConnection(app, client, 5), outcome: 'authorized', username: 'login.wrong_credentials' })
  assert.deepEqual([refusedAtSignIn.status, refusedAtSignIn.failureReason], ['failed', 'wrong_credentials'])
  const badCode = await authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: await insertTestConnection(app, client, 5), outcome: 'failed', failureReason: 'invalid_authorization_code' })
  assert.equal(badCode.failureReason, 'invalid_authorization_code')
  const declined = await authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: await insertTestConnection(app, client, 1), outcome: 'failed', failureReason: 'user_declined_consent' })
  assert.equal(declined.failureStage, 'authorization_required')
  await assert.rejects(authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: await insertTestConnection(app, client, 5), outcome: 'failed', failureReason: 'bored' }), /failure_reason/)
  await assert.rejects(authorizeWithoutBrowser(app.deps, { clientId: client.id, connectionId: await insertTestConnection(app, client, 5), outcome: 'authorized', username: 'nobody' }), /username/)

  // Another client's connection does not exist for this one.
  const other = await app.client({ name: 'other' })
  await assert.rejects(authorizeWithoutBrowser(app.deps, { clientId: other.id, connectionId: sandboxId, outcome: 'authorized' }), /could not be found/)
})

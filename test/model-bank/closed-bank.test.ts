import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { beginBankAuthorization } from '../../src/modules/connections/connection.authorization.ts'
import { toConnection } from '../../src/modules/connections/connection.model.ts'
import { findConnection } from '../../src/modules/connections/connection.repository.ts'
import { FRESH_SECONDS } from '../../src/modules/data/bank-snapshot.ts'
import { sweepExpired } from '../../src/modules/model-bank/model-bank.repository.ts'
import { createTpp, inProcessTppCredentials } from '../../src/modules/model-bank/model-bank.tpps.ts'
import { basicCredentials } from '../../src/modules/providers/model-bank.adapter.ts'
import { buildTestApp, type TestApp } from '../helpers/build-app.ts'
import { BANK_CALLBACK, bankAuth, createBankConsent, insertTestConnection, manualClock, PUBLIC_URL, pathOf, pkce, throughTheBank, tokenFor } from './bank-kit.ts'

/**
 * The model bank answers registered third parties only: its server-to-server API needs the client credentials it
 * issued (Ledgerite's, registered at start), a consent may only send the browser to a redirect URI registered for
 * its caller, a token works only for the caller it was issued to, sandbox approval only for the consent's own
 * client, a replayed code revokes its token, and what can never be used again is swept.
 */

const consentBody = (overrides: Record<string, unknown> = {}) => ({
  scopes: ['accounts'], data_access_type: 'recurring', redirect_uri: BANK_CALLBACK, state: 's'.repeat(20),
  code_challenge: pkce().challenge, code_challenge_method: 'S256', client_name: 'Anyone', ...overrides,
})

const codeOf = (location: string): string => new URL(location).searchParams.get('code') ?? assert.fail(`no code in ${location}`)

function assertUnauthenticated (res: LightMyRequestResponse, what: string): void {
  assert.equal(res.statusCode, 401, `${what}: ${res.body}`)
  assert.match(String(res.headers['content-type']), /application\/problem\+json/, what)
  assert.equal(res.json().status, 401, what)
  assert.match(String(res.headers['www-authenticate']), /^Basic realm="model-bank"/, what)
}

/** A consent granted by john through the pages, exchanged with Ledgerite's credentials. */
async function grant (app: TestApp) {
  const consent = await createBankConsent(app)
  const code = codeOf(await throughTheBank(app, consent.authorizationUri))
  const res = await tokenFor(app, consent, code)
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json() as { access_token: string, account_ids: string[] }
  return { consent, code, token: body.access_token, accountId: body.account_ids[0]! }
}

/** Every server-to-server call of the bank, with whatever client credentials `tpp` gives (none when undefined). */
function everyBankCall (app: TestApp, g: { token: string, accountId: string, consent: { consentId: string } }, tpp: string | undefined) {
  const basic = tpp ? { authorization: tpp } : {}
  const withBearer = { authorization: `Bearer ${g.token}`, ...(tpp ? { 'x-client-authorization': tpp } : {}) }
  return {
    consent: () => app.inject({ method: 'POST', url: '/model-bank/mock/account-access-consents', headers: basic, payload: consentBody() }),
    token: () => app.inject({ method: 'POST', url: '/model-bank/mock/token', headers: basic, payload: { grant_type: 'authorization_code', code: 'x', code_verifier: pkce().verifier, redirect_uri: BANK_CALLBACK } }),
    accounts: () => app.inject({ url: '/model-bank/mock/accounts', headers: withBearer }),
    balance: () => app.inject({ url: `/model-bank/mock/accounts/${g.accountId}/balance`, headers: withBearer }),
    transactions: () => app.inject({ url: `/model-bank/mock/accounts/${g.accountId}/transactions?from=2026-01-01&to=2026-02-01`, headers: withBearer }),
    userinfo: () => app.inject({ url: '/model-bank/mock/userinfo', headers: withBearer }),
    revoke: () => app.inject({ method: 'DELETE', url: `/model-bank/mock/account-access-consents/${g.consent.consentId}`, headers: withBearer }),
  }
}

test('every server-to-server call without client credentials is 401 problem+json, even with a valid bearer token', async (t) => {
  const app = await buildTestApp(t, { SANDBOX_CONTROL: 'off' })
  const g = await grant(app)
  for (const [name, call] of Object.entries(everyBankCall(app, g, undefined))) assertUnauthenticated(await call(), name)
  // A body the bank would refuse is not even looked at: the caller is checked first.
  assertUnauthenticated(await app.inject({ method: 'POST', url: '/model-bank/mock/account-access-consents', payload: { nonsense: true } }), 'bad body')
  // Nothing was created, and the token still works for Ledgerite.
  assert.equal((await app.deps.db.selectFrom('bank_consents').select('id').execute()).length, 1)
  assert.equal((await everyBankCall(app, g, bankAuth(app)).accounts()).statusCode, 200)
})

test('wrong credentials are 401: a wrong secret, an unknown client id, a malformed header', async (t) => {
  const app = await buildTestApp(t)
  const g = await grant(app)
  const { clientId, clientSecret } = inProcessTppCredentials(app.deps.secret)
  const wrong = {
    'wrong secret': basicCredentials({ clientId, clientSecret: `${clientSecret}x` }),
    'unknown client': basicCredentials({ clientId: 'someone', clientSecret }),
    'not base64': 'Basic %%%',
    'no colon': `Basic ${Buffer.from(clientId).toString('base64')}`,
    'empty secret': `Basic ${Buffer.from(`${clientId}:`).toString('base64')}`,
  }
  for (const [label, header] of Object.entries(wrong)) {
    for (const [name, call] of Object.entries(everyBankCall(app, g, header))) assertUnauthenticated(await call(), `${label}: ${name}`)
  }
  // A bearer token is not a client credential.
  assertUnauthenticated(await app.inject({ method: 'POST', url: '/model-bank/mock/account-access-consents', headers: { authorization: `Bearer ${g.token}` }, payload: consentBody() }), 'bearer as client')
})

test('redirect_uri must be one registered for the caller: anything else is 400 naming redirect_uri', async (t) => {
  const app = await buildTestApp(t)
  const auth = { authorization: bankAuth(app) }
  for (const uri of ['https://evil.test/callback', `${BANK_CALLBACK}?x=1`, `${PUBLIC_URL}/data/callback/`, `${PUBLIC_URL}/elsewhere`]) {
    const res = await app.inject({ method: 'POST', url: '/model-bank/mock/account-access-consents', headers: auth, payload: consentBody({ redirect_uri: uri }) })
    assert.equal(res.statusCode, 400, `${uri}: ${res.body}`)
    assert.match(String(res.headers['content-type']), /application\/problem\+json/)
    assert.ok(res.json().errors.redirect_uri, res.body)
  }
  const ok = await app.inject({ method: 'POST', url: '/model-bank/mock/account-access-consents', headers: auth, payload: consentBody() })
  assert.equal(ok.statusCode, 201, ok.body)
})

test('the name on the bank page: the authenticated caller\'s, else its registered name', async (t) => {
  const app = await buildTestApp(t)
  const named = await createBankConsent(app, { client_name: 'Acme Budgeting' })
  const page = await app.inject({ url: pathOf(named.authorizationUri) })
  assert.match(page.body, /Acme Budgeting/)
  const unnamed = await createBankConsent(app, { client_name: undefined })
  const row = await app.deps.db.selectFrom('bank_consents').select('client_name').where('id', '=', unnamed.consentId).executeTakeFirstOrThrow()
  assert.equal(row.client_name, 'Ledgerite')
})

test('another registered caller cannot exchange Ledgerite\'s code nor use its token, and only gets its own redirect URIs', async (t) => {
  const app = await buildTestApp(t)
  const other = basicCredentials(await createTpp(app.deps.db, { name: 'Other App', redirectUris: ['https://other.test/cb'] }, new Date()))
  const consent = await createBankConsent(app)
  const code = codeOf(await throughTheBank(app, consent.authorizationUri))
  const stolen = await app.inject({
    method: 'POST', url: '/model-bank/mock/token', headers: { authorization: other },
    payload: { grant_type: 'authorization_code', code, code_verifier: consent.verifier, redirect_uri: consent.redirectUri },
  })
  assert.equal(stolen.statusCode, 400)
  assert.equal(stolen.json().error, 'invalid_grant')
  // The code is still Ledgerite's to exchange; its token is refused in the other caller's hands.
  const mine = await tokenFor(app, consent, code)
  assert.equal(mine.statusCode, 200, mine.body)
  const token = mine.json().access_token as string
  const read = await app.inject({ url: '/model-bank/mock/accounts', headers: { authorization: `Bearer ${token}`, 'x-client-authorization': other } })
  assert.equal(read.statusCode, 401)
  assert.equal(read.json().error, 'invalid_token')
  // Its consent may only go back to its own URIs, not Ledgerite's callback.
  const foreign = await app.inject({ method: 'POST', url: '/model-bank/mock/account-access-consents', headers: { authorization: other }, payload: consentBody() })
  assert.equal(foreign.statusCode, 400)
  const own = await app.inject({ method: 'POST', url: '/model-bank/mock/account-access-consents', headers: { authorization: other }, payload: consentBody({ redirect_uri: 'https://other.test/cb' }) })
  assert.equal(own.statusCode, 201, own.body)
})

test('a replayed code is refused and revokes the token issued for it: its reads then answer 401', async (t) => {
  const app = await buildTestApp(t)
  const g = await grant(app)
  const calls = everyBankCall(app, g, bankAuth(app))
  assert.equal((await calls.accounts()).statusCode, 200)
  const replay = await tokenFor(app, g.consent, g.code)
  assert.equal(replay.statusCode, 400)
  assert.equal(replay.json().error, 'invalid_grant')
  for (const read of [calls.accounts, calls.balance, calls.transactions, calls.userinfo]) {
    const res = await read()
    assert.equal(res.statusCode, 401, res.body)
    assert.equal(res.json().error, 'invalid_token')
  }
  // Another consent's token is untouched.
  const other = await grant(app)
  await tokenFor(app, g.consent, g.code)
  assert.equal((await everyBankCall(app, other, bankAuth(app)).accounts()).statusCode, 200)
})

test('a replayed code through Ledgerite: the connection\'s bank grant stops working', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const id = await insertTestConnection(app, client, 5)
  const connection = toConnection((await findConnection(app.deps.db, client.id, id))!)
  const { uri } = await beginBankAuthorization(app.deps, { connection, providerId: 'mock', now: await app.deps.clock.now(client.id) })
  const back = await throughTheBank(app, uri)
  assert.equal((await app.inject({ url: pathOf(back) })).statusCode, 303)
  const accounts = () => app.inject({ url: '/v3/connected-accounts', headers: { ...client.auth, 'connection-id': id, 'tl-user-ip': '203.0.113.9' } })
  assert.equal((await accounts()).statusCode, 200)
  const trip = await app.deps.db.selectFrom('journey_states').selectAll().where('connection_id', '=', id).executeTakeFirstOrThrow()
  assert.equal((await tokenFor(app, { verifier: trip.code_verifier, redirectUri: trip.redirect_uri }, codeOf(back))).statusCode, 400)
  assert.equal((await accounts()).statusCode, 200, 'answered from what the bank last said while it is fresh')
  // Once it is no longer fresh (behaviour notes, "Reads served from the bank's last answer"), the bank is asked again.
  await app.deps.clock.advance(client.id, FRESH_SECONDS)
  const after = await accounts()
  assert.ok(after.statusCode >= 400, `the grant is revoked at the bank: ${after.statusCode} ${after.body}`)
})

test('sandbox approval: only with the token of the client the consent was made for', async (t) => {
  const app = await buildTestApp(t)
  const owner = await app.client()
  const stranger = await app.client()
  const consent = await createBankConsent(app, { owner_client_id: owner.id })
  const approve = (headers: Record<string, string>, consentId = consent.consentId) =>
    app.inject({ method: 'POST', url: '/model-bank/mock/sandbox/authorize', headers, payload: { consent_id: consentId, username: 'john', decision: 'allow' } })

  const anonymous = await approve({})
  assert.equal(anonymous.statusCode, 401)
  assert.match(String(anonymous.headers['content-type']), /application\/problem\+json/)
  assert.equal((await approve({ authorization: 'Bearer not-a-token' })).statusCode, 401)
  // The bank's own client credentials are not a client's token either.
  assert.equal((await approve({ authorization: bankAuth(app) })).statusCode, 401)
  const foreign = await approve(stranger.auth)
  assert.equal(foreign.statusCode, 404)
  assert.match(String(foreign.headers['content-type']), /application\/problem\+json/)
  // A consent made without an owner cannot be approved by anyone this way.
  const ownerless = await createBankConsent(app)
  assert.equal((await approve(owner.auth, ownerless.consentId)).statusCode, 404)
  // Nothing changed: the owner approves.
  const ok = await approve(owner.auth)
  assert.equal(ok.statusCode, 200, ok.body)
  assert.equal((await tokenFor(app, consent, codeOf(ok.json().redirect_uri))).statusCode, 200)
})

test('the sweeper deletes expired, unused consents and codes in bounded batches, and leaves live ones', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, {}, { now: clock.now })
  const db = app.deps.db
  const stale = [await createBankConsent(app), await createBankConsent(app), await createBankConsent(app)]
  const denied = await createBankConsent(app)
  await throughTheBank(app, denied.authorizationUri, 'john', 'doe', 'deny')
  const used = await grant(app)
  const unusedCode = await createBankConsent(app)
  codeOf(await throughTheBank(app, unusedCode.authorizationUri))

  // Past the codes' 10 minutes and the consents' time to authorise; then new ones, still live.
  clock.advanceMinutes(25 * 60)
  const live = await createBankConsent(app)
  const liveGrant = await grant(app)

  // One batch of 2 at most per table.
  assert.ok(await sweepExpired(db, clock.now(), 2) <= 4)
  await app.deps.workers.runAll()

  const consents = new Set((await db.selectFrom('bank_consents').select('id').execute()).map((r) => r.id))
  for (const c of [...stale, denied]) assert.ok(!consents.has(c.consentId), `expired, unused ${c.consentId} swept`)
  for (const c of [used.consent, unusedCode, live, liveGrant.consent]) assert.ok(consents.has(c.consentId), `authorised or live ${c.consentId} kept`)
  const codes = await db.selectFrom('bank_codes').select(['consent_id', 'expires_at']).execute()
  assert.deepEqual(codes.map((c) => c.consent_id), [liveGrant.consent.consentId], 'only the live code is left')
  // The authorised consents still read.
  assert.equal((await everyBankCall(app, used, bankAuth(app)).accounts()).statusCode, 200)
  assert.equal((await everyBankCall(app, liveGrant, bankAuth(app)).accounts()).statusCode, 200)
  assert.equal(await sweepExpired(db, clock.now()), 0)
})

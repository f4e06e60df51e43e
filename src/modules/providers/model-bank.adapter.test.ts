import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { buildTestApp, type TestApp } from '../../../test/helpers/build-app.ts'
import { createModelBankAdapter } from './model-bank.adapter.ts'
import { MOCK_ERROR_REASONS, type MockErrorReason } from '../model-bank/mock-users.ts'
import { BankError } from './provider-adapter.ts'

/** The adapter against the real model bank, over HTTP (in-process inject), as Ledgerite uses it. */

const REDIRECT = 'http://ledgerite.test/data/callback'

async function consentAndCode (app: TestApp, username: string, providerId = 'ob-monzo') {
  const adapter = app.deps.adapter
  // The user's approval goes through the sandbox port the model bank implements (no browser in these tests).
  const sandboxBank = app.deps.sandboxBank
  assert.ok(sandboxBank)
  const client = await app.client()
  const verifier = randomBytes(32).toString('base64url')
  const state = randomBytes(24).toString('base64url')
  const consent = await adapter.createConsent({
    providerId,
    connectionId: 'c-1',
    clientId: client.id,
    scopes: ['info', 'accounts', 'balance', 'transactions'],
    dataAccessType: 'recurring',
    redirectUri: REDIRECT,
    state,
    codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
    clientName: 'Adapter Test',
  })
  assert.match(consent.authorizationUri, new RegExp(`/model-bank/${providerId}/authorize\\?consent_id=${consent.consentId}$`))
  const { redirectUri } = await sandboxBank.approveAsUser({ providerId, consentId: consent.consentId, clientToken: client.token, username, decision: 'allow' })
  const back = new URL(redirectUri)
  assert.equal(back.origin + back.pathname, REDIRECT)
  assert.equal(back.searchParams.get('state'), state)
  return { consent, verifier, code: back.searchParams.get('code')! }
}

test('round trip: consent → approve → exchange → accounts, balance, transactions, user info → revoke', async (t) => {
  const app = await buildTestApp(t)
  const adapter = app.deps.adapter
  const { consent, verifier, code } = await consentAndCode(app, 'john')

  const grant = await adapter.exchangeCode({ providerId: 'ob-monzo', code, codeVerifier: verifier, redirectUri: REDIRECT })
  assert.equal(grant.consentId, consent.consentId)
  assert.ok(grant.accessToken.length > 20)
  assert.ok(grant.accountIds.length > 0)
  assert.ok(Date.parse(grant.expiresAt) > Date.now())

  const asOf = new Date('2026-03-01T12:00:00.000Z')
  const accounts = await adapter.getAccounts(grant, 'ob-monzo', asOf)
  assert.deepEqual(accounts.map((a) => a.id).sort(), [...grant.accountIds].sort())
  const balance = await adapter.getBalance(grant, 'ob-monzo', accounts[0]!.id, asOf)
  assert.equal(typeof balance.available, 'number')
  const page = await adapter.getTransactions(grant, 'ob-monzo', accounts[0]!.id, { from: '2026-01-01', to: '2026-03-01', pageSize: 5, asOf })
  assert.ok(page.items.length <= 5)
  assert.ok(page.nextCursor === null || typeof page.nextCursor === 'string')
  const info = await adapter.getUserInfo(grant, 'ob-monzo', asOf)
  assert.ok(info.name.length > 0)

  await adapter.revoke(grant, 'ob-monzo')
  await assert.rejects(adapter.getAccounts(grant, 'ob-monzo', asOf),
    (err: unknown) => err instanceof BankError && err.reason === 'access_denied' && err.status === 403)

  // A replayed code is refused by the bank (BankError invalid_grant), and the token issued for it no longer exists.
  await assert.rejects(adapter.exchangeCode({ providerId: 'ob-monzo', code, codeVerifier: verifier, redirectUri: REDIRECT }),
    (err: unknown) => err instanceof BankError && err.reason === 'invalid_grant')
  await assert.rejects(adapter.getAccounts(grant, 'ob-monzo', asOf),
    (err: unknown) => err instanceof BankError && err.reason === 'invalid_token' && err.status === 403)
})

test('an error.<reason> user: exchange works, every read is a BankError with that reason and its status', async (t) => {
  const app = await buildTestApp(t)
  const adapter = app.deps.adapter
  // The status is what Ledgerite answers its caller: the user must act at the bank → 403, the provider's own
  // internal error → 500, the provider failing → 502.
  const expected: Record<MockErrorReason, number> = {
    account_permanently_locked: 403, account_temporarily_locked: 403, user_input_required: 403, wrong_credentials: 403, internal_error: 500, provider_error: 502,
  }
  for (const reason of MOCK_ERROR_REASONS) {
    const { verifier, code } = await consentAndCode(app, `error.${reason}`)
    const grant = await adapter.exchangeCode({ providerId: 'ob-monzo', code, codeVerifier: verifier, redirectUri: REDIRECT })
    assert.equal(grant.extensionAction, 'authentication_needed')
    const asOf = new Date()
    for (const read of [
      () => adapter.getAccounts(grant, 'ob-monzo', asOf),
      () => adapter.getUserInfo(grant, 'ob-monzo', asOf),
      () => adapter.getBalance(grant, 'ob-monzo', grant.accountIds[0]!, asOf),
      () => adapter.getTransactions(grant, 'ob-monzo', grant.accountIds[0]!, { from: '2026-01-01', to: '2026-01-31', pageSize: 10, asOf }),
    ]) {
      await assert.rejects(read(), (err: unknown) => err instanceof BankError && err.reason === reason && err.status === expected[reason])
    }
  }
})

test('john/eternal: the grant says extending needs no action; john/doe: authentication_needed', async (t) => {
  const app = await buildTestApp(t)
  const adapter = app.deps.adapter
  for (const [username, action] of [['john#eternal', 'no_action_needed'], ['john', 'authentication_needed']] as const) {
    const { verifier, code } = await consentAndCode(app, username)
    const grant = await adapter.exchangeCode({ providerId: 'ob-monzo', code, codeVerifier: verifier, redirectUri: REDIRECT })
    assert.equal(grant.extensionAction, action, username)
    assert.ok((await adapter.getAccounts(grant, 'ob-monzo', new Date())).length > 0, `${username} reads example data`)
  }
})

test('a wrong verifier or an unknown provider becomes a BankError; an unreachable bank is provider_error', async (t) => {
  const app = await buildTestApp(t)
  const adapter = app.deps.adapter
  const { code } = await consentAndCode(app, 'john')
  await assert.rejects(adapter.exchangeCode({ providerId: 'ob-monzo', code, codeVerifier: randomBytes(32).toString('base64url'), redirectUri: REDIRECT }),
    (err: unknown) => err instanceof BankError && err.reason === 'invalid_grant')
  await assert.rejects(adapter.createConsent({
    providerId: 'no-such-bank', connectionId: 'c', clientId: 'client', scopes: ['accounts'], dataAccessType: 'recurring', redirectUri: REDIRECT,
    state: 's'.repeat(20), codeChallenge: 'a'.repeat(43), clientName: 'x',
  }), (err: unknown) => err instanceof BankError && err.status === 502)

  // Without the credentials the bank issued, or with wrong ones, the bank answers nothing: a provider error.
  for (const credentials of [undefined, { clientId: 'ledgerite', clientSecret: 'guessed' }]) {
    const anonymous = createModelBankAdapter(() => app.deps.bankFetch, app.deps.bankBaseUrl, credentials)
    await assert.rejects(anonymous.createConsent({
      providerId: 'mock', connectionId: 'c', clientId: 'client', scopes: ['accounts'], dataAccessType: 'recurring', redirectUri: REDIRECT,
      state: 's'.repeat(20), codeChallenge: 'a'.repeat(43), clientName: 'x',
    }), (err: unknown) => err instanceof BankError && err.status === 502 && /registered third parties|not valid/.test(err.message))
  }

  const down = createModelBankAdapter(() => async () => { throw new Error('connect ECONNREFUSED') }, 'http://127.0.0.1:9/model-bank')
  await assert.rejects(down.getAccounts({ accessToken: 't', consentId: 'c', accountIds: [], expiresAt: '' }, 'mock', new Date()),
    (err: unknown) => err instanceof BankError && err.reason === 'provider_error')
})

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { createTpp } from '../../src/modules/model-bank/model-bank.tpps.ts'
import { BankError } from '../../src/modules/providers/provider-adapter.ts'
import { buildTestApp, type TestApp } from '../helpers/build-app.ts'
import { BANK_CALLBACK, pkce, throughTheBank } from './bank-kit.ts'

/**
 * A model bank in another process (MODEL_BANK_URL), reached over the network: it knows this Ledgerite only by the
 * credentials its operator issued (`ledgerite model-bank register`), given as MODEL_BANK_CLIENT_ID / _SECRET.
 */

async function listeningBank (t: Parameters<typeof buildTestApp>[0]): Promise<{ bank: TestApp, url: string }> {
  const bank = await buildTestApp(t)
  await bank.app.listen({ port: 0, host: '127.0.0.1' })
  return { bank, url: `http://127.0.0.1:${(bank.app.server.address() as AddressInfo).port}/model-bank` }
}

const consentRequest = (clientId: string) => ({
  providerId: 'mock', connectionId: 'c-1', clientId, scopes: ['accounts'], dataAccessType: 'recurring' as const,
  redirectUri: BANK_CALLBACK, state: randomBytes(24).toString('base64url'), codeChallenge: pkce().challenge, clientName: 'Acme',
})

test('with the credentials the external bank issued: consent, browser, exchange and reads work over the network', async (t) => {
  const { bank, url } = await listeningBank(t)
  const creds = await createTpp(bank.deps.db, { name: 'Other Ledgerite', redirectUris: [BANK_CALLBACK] }, new Date())
  const app = await buildTestApp(t, { MODEL_BANK_URL: url, MODEL_BANK_CLIENT_ID: creds.clientId, MODEL_BANK_CLIENT_SECRET: creds.clientSecret })
  const { verifier, challenge } = pkce()
  const consent = await app.deps.adapter.createConsent({ ...consentRequest('client-1'), codeChallenge: challenge })
  const row = await bank.deps.db.selectFrom('bank_consents').selectAll().where('id', '=', consent.consentId).executeTakeFirstOrThrow()
  assert.equal(row.tpp_client_id, creds.clientId)
  assert.equal(row.owner_client_id, 'client-1')
  assert.equal(row.client_name, 'Acme')

  const back = new URL(await throughTheBank(bank, consent.authorizationUri))
  const grant = await app.deps.adapter.exchangeCode({ providerId: 'mock', code: back.searchParams.get('code')!, codeVerifier: verifier, redirectUri: BANK_CALLBACK })
  const accounts = await app.deps.adapter.getAccounts(grant, 'mock', new Date())
  assert.deepEqual(accounts.map((a) => a.id).sort(), [...grant.accountIds].sort())
})

test('without credentials, or with another bank\'s, the external bank refuses: a provider error, nothing created', async (t) => {
  const { bank, url } = await listeningBank(t)
  const anonymous = await buildTestApp(t, { MODEL_BANK_URL: url })
  await assert.rejects(anonymous.deps.adapter.createConsent(consentRequest('client-1')),
    (err: unknown) => err instanceof BankError && err.status === 502 && /registered third parties/.test(err.message))
  const guessed = await buildTestApp(t, { MODEL_BANK_URL: url, MODEL_BANK_CLIENT_ID: 'ledgerite', MODEL_BANK_CLIENT_SECRET: 'guessed' })
  await assert.rejects(guessed.deps.adapter.createConsent(consentRequest('client-1')),
    (err: unknown) => err instanceof BankError && err.status === 502 && /not valid/.test(err.message))
  assert.equal((await bank.deps.db.selectFrom('bank_consents').select('id').execute()).length, 0)
})

test('MODEL_BANK_CLIENT_ID and MODEL_BANK_CLIENT_SECRET go together', () => {
  for (const env of [{ MODEL_BANK_CLIENT_ID: 'x' }, { MODEL_BANK_CLIENT_SECRET: 'y' }]) {
    assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && /MODEL_BANK_CLIENT_ID and MODEL_BANK_CLIENT_SECRET/.test(err.message))
  }
  assert.deepEqual(loadConfig({ MODEL_BANK_CLIENT_ID: 'x', MODEL_BANK_CLIENT_SECRET: 'y' }).modelBankClient, { clientId: 'x', clientSecret: 'y' })
})

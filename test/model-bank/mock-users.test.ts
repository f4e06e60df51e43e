import assert from 'node:assert/strict'
import { test } from 'node:test'
import { beginBankAuthorization } from '../../src/modules/connections/connection.authorization.ts'
import { toConnection } from '../../src/modules/connections/connection.model.ts'
import { findConnection } from '../../src/modules/connections/connection.repository.ts'
import { MOCK_ERROR_REASONS, mockUserOfKey, signIn } from '../../src/modules/model-bank/mock-users.ts'
import { accountsOf } from '../../src/modules/model-bank/model-bank.service.ts'
import type { BankGrant } from '../../src/modules/providers/provider-adapter.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { insertTestConnection, pathOf, throughTheBank } from './bank-kit.ts'

/** The mock users as the real sandbox's "Mock users" page lists them, and Ledgerite's own rows. */

/** ISO 13616 mod-97, written here independently of the bank's own code. */
function mod97Valid (iban: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return false
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  return BigInt(digits) % 97n === 1n
}

const numbered = ['', ...Array.from({ length: 100 }, (_, i) => String(i + 1))]

test('the page\'s rows sign in: john…john100 with doe…doe100 or iban…iban100, john/eternal, error.<reason>/error', () => {
  for (const n of numbered) {
    assert.equal(signIn(`john${n}`, `doe${n}`)?.behaviour.kind, 'example_data', `john${n}/doe${n}`)
    assert.equal(signIn(`john${n}`, `iban${n}`)?.behaviour.kind, 'example_data_with_iban', `john${n}/iban${n}`)
    assert.equal(signIn(`john${n}`, `doe${n}`)?.extension, false)
  }
  assert.equal(signIn('john', 'eternal')?.behaviour.kind, 'eternal')
  for (const reason of MOCK_ERROR_REASONS) {
    assert.deepEqual(signIn(`error.${reason}`, 'error')?.behaviour, { kind: 'data_calls_fail', reason })
    assert.deepEqual(signIn(`login.${reason}`, 'x')?.behaviour, { kind: 'refused_at_sign_in', reason })
    assert.equal(signIn(`login.${reason}`, 'x')?.extension, true, 'login.<reason> is Ledgerite\'s own row')
  }
  // Numbers must match, and nothing beyond the table signs in.
  for (const [u, p] of [['john7', 'doe'], ['john7', 'iban'], ['john', 'doe7'], ['john101', 'doe101'], ['john01', 'doe01'], ['john7', 'eternal'], ['error.bored', 'error'], ['jane', 'doe'], ['john', '']]) {
    assert.equal(signIn(u!, p!), undefined, `${u}/${p} is refused`)
  }
})

test('the key kept on the consent names the same user again, password variant included', () => {
  for (const [u, p] of [['john', 'doe'], ['john42', 'iban42'], ['john', 'eternal'], ['error.internal_error', 'error'], ['login.provider_error', 'x'], ['john.million', 'doe']]) {
    const user = signIn(u!, p!)
    assert.ok(user, `${u}/${p}`)
    assert.deepEqual(mockUserOfKey(user.key), user, `${u}/${p} → ${user.key}`)
  }
  assert.equal(mockUserOfKey('john#nonsense'), undefined)
  assert.equal(mockUserOfKey('john#iban#x'), undefined)
})

test('john…john100 / iban…iban100: the same example data, and every account has a different, mod-97 valid IBAN', () => {
  const seen = new Map<string, string>()
  for (const providerId of ['mock', 'ob-monzo']) {
    for (const n of numbered) {
      const plain = accountsOf(providerId, signIn(`john${n}`, `doe${n}`)!)
      const withIban = accountsOf(providerId, signIn(`john${n}`, `iban${n}`)!)
      assert.deepEqual(withIban.map((a) => a.id), plain.map((a) => a.id), 'same accounts as with doe')
      assert.ok(plain.filter((a) => a.type === 'account').some((a) => !a.account_identifiers?.some((i) => i.type === 'iban')), 'doe users have sterling accounts without an IBAN')
      for (const account of withIban.filter((a) => a.type === 'account')) {
        const ibans = (account.account_identifiers ?? []).flatMap((i) => (i.type === 'iban' ? [i.iban] : []))
        assert.equal(ibans.length, 1, `john${n} ${account.id} has one IBAN`)
        const iban = ibans[0]!
        assert.ok(mod97Valid(iban), `${iban} is a valid IBAN`)
        const where = `${providerId} john${n} ${account.id}`
        assert.ok(!seen.has(iban), `${iban} of ${where} is also ${seen.get(iban)}`)
        seen.set(iban, where)
      }
    }
  }
  assert.ok(seen.size >= 2 * 101)
})

test('through the journey: john/iban\'s connected accounts carry IBANs; john/eternal\'s grant records no_action_needed for extension', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const journey = async (password: string) => {
    const id = await insertTestConnection(app, client, 5)
    const row = await findConnection(app.deps.db, client.id, id)
    const { uri } = await beginBankAuthorization(app.deps, { connection: toConnection(row!), providerId: 'mock', now: await app.deps.clock.now(client.id) })
    const res = await app.inject({ method: 'GET', url: pathOf(await throughTheBank(app, uri, 'john', password)) })
    assert.equal(res.statusCode, 303)
    const done = toConnection((await findConnection(app.deps.db, client.id, id))!)
    assert.equal(done.status, 'authorized')
    return done
  }
  const iban = await journey('iban')
  const res = await app.inject({ method: 'GET', url: '/v3/connected-accounts?type=account', headers: { ...client.auth, 'tl-user-ip': '203.0.113.7', 'connection-id': iban.id } })
  assert.equal(res.statusCode, 200, res.body)
  const items = res.json().items as Array<{ account_identifiers: Array<{ type: string, iban?: string }> }>
  assert.ok(items.length > 0)
  for (const item of items) {
    const found = item.account_identifiers.find((i) => i.type === 'iban')
    assert.ok(found?.iban && mod97Valid(found.iban), JSON.stringify(item))
  }
  assert.equal((iban.providerState as BankGrant).extensionAction, 'authentication_needed')
  const eternal = await journey('eternal')
  assert.equal((eternal.providerState as BankGrant).extensionAction, 'no_action_needed')
})

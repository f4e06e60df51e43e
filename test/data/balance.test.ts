import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BankError } from '../../src/modules/providers/provider-adapter.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { assertProblem, dataCalls, ERROR_TYPES, PRESENT, SAVINGS, seedConnection, useFakeBank } from './data-kit.ts'

test('balance (extension): {currency, current, available, overdraft, update_timestamp}, amounts as integers in minor units', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  const res = await dataCalls(h, c, id).balance(SAVINGS, PRESENT)
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.deepEqual(Object.keys(body).sort(), ['available', 'currency', 'current', 'overdraft', 'update_timestamp'])
  assert.equal(body.currency, 'GBP')
  assert.equal(body.current, 123_456)
  assert.equal(body.available, 173_456)
  assert.equal(body.overdraft, 50_000)
  assert.ok(!Number.isNaN(Date.parse(body.update_timestamp)))
  assert.deepEqual(bank.calls.at(-1)?.query, { accountId: SAVINGS })
})

test('balance: marked as an extension in /openapi.json', async (t) => {
  const h = await buildTestApp(t)
  const doc = (await h.inject({ method: 'GET', url: '/openapi.json' })).json()
  assert.equal(doc.paths['/v3/connected-accounts/{account_id}/balance'].get['x-ledgerite-extension'], true)
  assert.equal(doc.paths['/v3/data-connections/{connection_id}'].delete['x-ledgerite-extension'], true)
  assert.match(doc.paths['/v3/connected-accounts/{account_id}/balance'].get.description, /Extension/)
})

test('balance: without the balance scope → 403 naming it; the bank failing → 502', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const noBalance = await seedConnection(h, c, { scopes: ['accounts', 'transactions'] })
  const body = assertProblem(await dataCalls(h, c, noBalance).balance(SAVINGS, PRESENT), 403, ERROR_TYPES.forbidden, 'Forbidden')
  assert.match(body.detail, /"balance" scope/)
  const id = await seedConnection(h, c)
  bank.failWith = new BankError('provider_error')
  assertProblem(await dataCalls(h, c, id).balance(SAVINGS, PRESENT), 502, ERROR_TYPES.providerError, 'Provider Error')
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildTestApp } from '../helpers/build-app.ts'
import { ACCOUNTS, assertProblem, CHOSEN, dataCalls, ERROR_TYPES, HIDDEN_ACCOUNT, PRESENT, seedConnection, useFakeBank } from './data-kit.ts'

test('connected-accounts: the accounts the user chose, in the published shapes, ordered by type then id', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  const res = await dataCalls(h, c, id).accounts('', PRESENT)
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.deepEqual(Object.keys(body).sort(), ['items', 'pagination'])
  assert.deepEqual(body.pagination, {})
  assert.deepEqual(body.items.map((a: { type: string, id: string }) => `${a.type}:${a.id}`), [
    'account:0b7e5a0000000000000000000000beef',
    'account:9c2d000000000000000000000000e0e0',
    'account:f3a1c0de00000000000000000000cafe',
    'card:5d11000000000000000000000000card',
  ])
  assert.ok(!body.items.some((a: { id: string }) => a.id === HIDDEN_ACCOUNT), 'an account the user did not choose is not listed')
  const current = body.items.find((a: { id: string }) => a.id === CHOSEN[0])
  assert.deepEqual(current, {
    id: 'f3a1c0de00000000000000000000cafe', type: 'account', currency: 'GBP', account_type: 'current', customer_segment: 'retail',
    account_identifiers: [{ type: 'sort_code_account_number', sort_code: '560029', account_number: '26207729' }],
    bic: 'MONZGB2LXXX', account_holder_names: ['Jane Smith'],
  }, 'wire fields only: no display_name')
  assert.deepEqual(body.items.at(-1), { id: '5d11000000000000000000000000card', type: 'card' })
  const euro = body.items.find((a: { currency: string }) => a.currency === 'EUR')
  assert.deepEqual(euro.account_identifiers, [{ type: 'iban', iban: 'GB32CLRB04066800012315' }])
  assert.deepEqual(euro.account_holder_names, [])
})

test('connected-accounts: type=card and type=account filter; cursor is accepted and changes nothing', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  const calls = dataCalls(h, c, id)
  const cards = (await calls.accounts('?type=card', PRESENT)).json()
  assert.deepEqual(cards.items.map((a: { type: string }) => a.type), ['card'])
  const accounts = (await calls.accounts('?type=account', PRESENT)).json()
  assert.equal(accounts.items.length, 3)
  assert.ok(accounts.items.every((a: { type: string }) => a.type === 'account'))
  const all = (await calls.accounts('', PRESENT)).json()
  const withCursor = (await calls.accounts('?cursor=bWFuZGF0ZXM6MmUwNDk0MTMK', PRESENT))
  assert.equal(withCursor.statusCode, 200)
  assert.deepEqual(withCursor.json(), all)
})

test('connected-accounts: an unknown type → 400 Invalid Parameters naming it', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  const body = assertProblem(await dataCalls(h, c, id).accounts('?type=cards', PRESENT), 400, ERROR_TYPES.invalidParameters, 'Invalid Parameters')
  const [field, messages] = Object.entries(body.errors)[0] as [string, string[]]
  assert.match(field, /type$/)
  assert.match(messages[0]!, /account.*card/)
})

test('connected-accounts: no Connection-Id header → 400 {"Connection-Id": ["Must be provided"]}', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  await seedConnection(h, c)
  const res = await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, ...PRESENT } })
  const body = assertProblem(res, 400, ERROR_TYPES.invalidParameters, 'Invalid Parameters')
  assert.deepEqual(body.errors, { 'Connection-Id': ['Must be provided'] })
  const empty = await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, ...PRESENT, 'connection-id': '' } })
  assert.deepEqual(assertProblem(empty, 400, ERROR_TYPES.invalidParameters, 'Invalid Parameters').errors, { 'Connection-Id': ['Must be provided'] })
})

test('connected-accounts: at most 50 items, even when the user shared more', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const many = Array.from({ length: 60 }, (_, i) => ({ ...ACCOUNTS[0]!, id: `acc-${String(i).padStart(3, '0')}` }))
  bank.accounts = many
  const id = await seedConnection(h, c, { accountIds: many.map((a) => a.id) })
  const body = (await dataCalls(h, c, id).accounts('', PRESENT)).json()
  assert.equal(body.items.length, 50)
  assert.equal(body.items[0].id, 'acc-000')
  assert.equal(body.items[49].id, 'acc-049')
})

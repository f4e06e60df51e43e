import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FRESH_SECONDS } from '../../src/modules/data/bank-snapshot.ts'
import { BankError } from '../../src/modules/providers/provider-adapter.ts'
import { createConnection, config5, sandboxAuthorize } from '../sandbox/sandbox-kit.ts'
import { buildTestApp, type TestApp } from '../helpers/build-app.ts'
import { assertProblem, CURRENT, dataCalls, ERROR_TYPES, PRESENT, SAVINGS, seedConnection, useFakeBank } from './data-kit.ts'

/** User info, the accounts and balances: read from the bank once, then served from what it answered while fresh. */

const bankCalls = (bank: { calls: Array<{ method: string }> }, method: string) => bank.calls.filter((c) => c.method === method).length
const snapshotsOf = (h: TestApp, clientId: string) =>
  h.deps.db.selectFrom('bank_snapshots').select(['connection_id', 'what']).where('client_id', '=', clientId).execute()

test('the bank is read once per read and connection; the same answers come back without asking it again', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  const first = await calls.accounts('', PRESENT)
  assert.equal(first.statusCode, 200, first.body)
  for (let i = 0; i < 3; i++) assert.deepEqual((await calls.accounts('', PRESENT)).json(), first.json())
  assert.equal((await calls.accounts('?type=card', PRESENT)).json().items.length, 1, 'the filter applies to what was kept')
  assert.equal(bankCalls(bank, 'getAccounts'), 1)

  const info = await calls.userInfo(PRESENT)
  assert.deepEqual((await calls.userInfo(PRESENT)).json(), info.json())
  assert.equal(bankCalls(bank, 'getUserInfo'), 1)

  const savings = (await calls.balance(SAVINGS, PRESENT)).json()
  assert.deepEqual((await calls.balance(SAVINGS, PRESENT)).json(), savings)
  assert.equal((await calls.balance(CURRENT, PRESENT)).statusCode, 200)
  assert.equal(bankCalls(bank, 'getBalance'), 2, 'one read per account')
})

test('freshness follows the client\'s virtual clock: advanced by the window, or put back, the bank is asked again as of the new now', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  const before = (await calls.balance(SAVINGS, PRESENT)).json()
  await h.deps.clock.advance(c.id, FRESH_SECONDS - 5)
  assert.deepEqual((await calls.balance(SAVINGS, PRESENT)).json(), before, 'still fresh')
  assert.equal(bankCalls(bank, 'getBalance'), 1)

  await h.deps.clock.advance(c.id, 86_400)
  const after = (await calls.balance(SAVINGS, PRESENT)).json()
  assert.equal(bankCalls(bank, 'getBalance'), 2)
  assert.equal(after.update_timestamp, bank.calls.at(-1)!.asOf!.toISOString())
  assert.ok(Date.parse(after.update_timestamp) - Date.parse(before.update_timestamp) >= 86_400_000, 'read as of the advanced clock')

  const reset = await h.inject({ method: 'POST', url: '/sandbox/clock/reset', headers: c.auth })
  assert.equal(reset.statusCode, 200)
  const back = (await calls.balance(SAVINGS, PRESENT)).json()
  assert.equal(bankCalls(bank, 'getBalance'), 3, 'a snapshot from the clock\'s future does not answer')
  assert.ok(Date.parse(back.update_timestamp) < Date.parse(after.update_timestamp))
})

test('a bank refusal is never kept: every call asks the bank and gets its reason', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  bank.failWith = new BankError('account_temporarily_locked', 'locked', 403)
  for (let i = 0; i < 2; i++) {
    assert.match(assertProblem(await calls.accounts('', PRESENT), 403, ERROR_TYPES.forbidden, 'Forbidden').detail, /account_temporarily_locked/)
  }
  assert.equal(bankCalls(bank, 'getAccounts'), 2)
  bank.failWith = undefined
  assert.equal((await calls.accounts('', PRESENT)).statusCode, 200)
})

test('a kept answer is served to nobody the access guard refuses: revoked, or another client', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const owner = await h.client()
  const other = await h.client({ name: 'other' })
  const id = await seedConnection(h, owner)
  assert.equal((await dataCalls(h, owner, id).accounts('', PRESENT)).statusCode, 200)
  assertProblem(await dataCalls(h, other, id).accounts('', PRESENT), 404, ERROR_TYPES.notFound, 'Not Found')
  assert.equal((await dataCalls(h, owner, id).revoke()).statusCode, 204)
  assert.match(assertProblem(await dataCalls(h, owner, id).accounts('', PRESENT), 403, ERROR_TYPES.forbidden, 'Forbidden').detail, /revoked/)
})

test('the unattended-access limit counts calls answered from a snapshot', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  for (let i = 0; i < 4; i++) assert.equal((await calls.accounts()).statusCode, 200)
  assertProblem(await calls.accounts(), 429, 'https://docs.truelayer.com/docs/error-types#rate-limit-exceeded', 'Rate Limit Exceeded')
  assert.equal(bankCalls(bank, 'getAccounts'), 1)
})

test('a connection authorised under another bank consent does not see the old consent\'s answers', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  await dataCalls(h, c, id).userInfo(PRESENT)
  const row = await h.deps.db.selectFrom('connections').select('provider_state').where('id', '=', id).executeTakeFirstOrThrow()
  const grant = { ...JSON.parse(row.provider_state!), consentId: 'another-consent' }
  await h.deps.db.updateTable('connections').set({ provider_state: JSON.stringify(grant) }).where('id', '=', id).execute()
  await dataCalls(h, c, id).userInfo(PRESENT)
  assert.equal(bankCalls(bank, 'getUserInfo'), 2)
  assert.equal(bank.calls.at(-1)!.grant!.consentId, 'another-consent')
})

test('a sandbox reset deletes the client\'s snapshots and no other client\'s; deleting a connection deletes its own', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const a = await h.client()
  const b = await h.client({ name: 'b' })
  const aId = await seedConnection(h, a)
  const bIds = [await seedConnection(h, b), await seedConnection(h, b)]
  await dataCalls(h, a, aId).accounts('', PRESENT)
  for (const id of bIds) {
    await dataCalls(h, b, id).accounts('', PRESENT)
    await dataCalls(h, b, id).userInfo(PRESENT)
  }
  assert.equal((await snapshotsOf(h, a.id)).length, 1)
  assert.equal((await h.inject({ method: 'POST', url: '/sandbox/reset', headers: a.auth })).statusCode, 204)
  assert.deepEqual(await snapshotsOf(h, a.id), [])
  assert.equal((await snapshotsOf(h, b.id)).length, 4)

  await h.deps.db.deleteFrom('transactions_requests').where('connection_id', '=', bIds[0]!).execute()
  await h.deps.db.deleteFrom('connection_events').where('connection_id', '=', bIds[0]!).execute()
  await h.deps.db.deleteFrom('connections').where('id', '=', bIds[0]!).execute()
  assert.deepEqual((await snapshotsOf(h, b.id)).map((s) => s.connection_id), [bIds[1], bIds[1]])
})

test('model bank: an error.<reason> user fails every data call with its reason; a balance moves with the virtual clock', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const failing = await createConnection(h, c, config5())
  assert.equal((await sandboxAuthorize(h, c, failing.id, { outcome: 'authorized', username: 'error.provider_error' })).statusCode, 200)
  for (let i = 0; i < 2; i++) {
    const res = await dataCalls(h, c, failing.id).accounts('', PRESENT)
    assert.match(assertProblem(res, 502, ERROR_TYPES.providerError, 'Provider Error').detail, /provider_error/)
  }

  const john = await createConnection(h, c, config5())
  assert.equal((await sandboxAuthorize(h, c, john.id, { outcome: 'authorized', username: 'john' })).statusCode, 200)
  const calls = dataCalls(h, c, john.id)
  const account = (await calls.accounts('?type=account', PRESENT)).json().items[0].id as string
  const first = (await calls.balance(account, PRESENT)).json()
  assert.deepEqual((await calls.balance(account, PRESENT)).json(), first, 'the same answer inside the window')
  await h.deps.clock.advance(c.id, 40 * 86_400)
  const later = (await calls.balance(account, PRESENT)).json()
  assert.notEqual(later.update_timestamp, first.update_timestamp)
  assert.notDeepEqual({ ...later, update_timestamp: '' }, { ...first, update_timestamp: '' }, 'forty days of transactions later, the amounts moved')
})

test('one read of the client\'s row per data call: the token check\'s read gives the access guard its clock', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  const clock = h.deps.clock
  let extraReads = 0
  h.deps.clock = { ...clock, now: (id, known) => { if (known === undefined) extraReads++; return clock.now(id, known) } }
  assert.equal((await calls.accounts('', PRESENT)).statusCode, 200)
  assert.equal((await calls.userInfo(PRESENT)).statusCode, 200)
  assert.equal(extraReads, 0)
  h.deps.clock = clock
  // An advance is seen by the very next request.
  await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: c.auth, payload: { by: 'P91D' } })
  assert.match(assertProblem(await calls.accounts('', PRESENT), 403, ERROR_TYPES.forbidden, 'Forbidden').detail, /consent expired/)
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { KyselyPlugin } from 'kysely'
import { type BankError, BankUnavailableError } from '../../src/modules/providers/provider-adapter.ts'
import { createTransactionsRequestWorker } from '../../src/modules/data/transactions-request.worker.ts'
import { storageFault } from '../../src/storage/health.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { CURRENT, dataCalls, day, PRESENT, seedConnection, useFakeBank, webhookRows } from './data-kit.ts'

/**
 * The database failing the worker's read of the connection `times` times, as a dropped PostgreSQL connection does
 * (57P01, what pg_terminate_backend and a restart answer), then answering again.
 */
function droppingConnectionReads (times: number): { plugin: KyselyPlugin, left: () => number } {
  let left = times
  return {
    left: () => left,
    plugin: {
      transformQuery ({ node }) {
        if (left > 0 && node.kind === 'SelectQueryNode' && JSON.stringify(node.from).includes('"connections"')) {
          left--
          throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
        }
        return node
      },
      async transformResult ({ result }) { return result },
    },
  }
}

test('the database dropping the worker\'s connection more times than a request has attempts → the request completes once it answers, no attempt used', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client({ webhookUri: 'https://hooks.your-app.com/ledgerite' })
  const id = await seedConnection(h, c)
  const calls = dataCalls(h, c, id)
  const today = day(await h.deps.clock.now(c.id))
  const created = (await calls.createRequest(CURRENT, { from: today, to: today }, PRESENT)).json()

  const fault = droppingConnectionReads(4)
  const worker = createTransactionsRequestWorker({ ...h.deps, db: h.deps.db.withPlugin(fault.plugin) }, { workerId: 'w' })
  const row = () => h.deps.db.selectFrom('transactions_requests').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow()
  for (let round = 1; round <= 4; round++) {
    const err = await worker.runOnce().then(() => undefined, (e: unknown) => e)
    assert.ok(storageFault(err), `round ${round} reports the storage fault so the poller backs off: ${String(err)}`)
    const during = await row()
    assert.equal(during.status, 'pending', `round ${round}: still pending, not failed`)
    assert.equal(during.attempts, 0, `round ${round}: the attempt is refunded`)
    assert.ok(during.locked_until !== null && Date.parse(during.locked_until) > Date.now(), 'given back for a retry a little later')
    // The retry delay passes.
    await h.deps.db.updateTable('transactions_requests').set({ locked_until: null }).where('id', '=', created.id).execute()
  }
  assert.equal(fault.left(), 0)

  assert.equal(await worker.runOnce(), 1)
  const done = await row()
  assert.equal(done.status, 'completed')
  assert.equal(done.attempts, 1, 'only the round that read the bank counted')
  const read = (await calls.getRequest(CURRENT, created.id, PRESENT)).json()
  assert.equal(read.status, 'completed')
  assert.equal(bank.calls.filter((x) => x.method === 'getTransactions').length, 1)
  assert.equal((await webhookRows(h, c.id, 'transactions_request_failed')).length, 0)
  assert.equal((await webhookRows(h, c.id, 'transactions_request_completed')).length, 1)
})

test('an unexpected error that is not a storage fault still uses up the attempts and fails the request with provider_error', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client({})
  const id = await seedConnection(h, c)
  const calls = dataCalls(h, c, id)
  const today = day(await h.deps.clock.now(c.id))
  const created = (await calls.createRequest(CURRENT, { from: today, to: today }, PRESENT)).json()
  // Not a BankError: what a bug in an adapter throws.
  bank.failWith = new TypeError('a bug in the adapter') as unknown as BankError
  const worker = createTransactionsRequestWorker(h.deps, { workerId: 'w' })
  for (let round = 1; round <= 3; round++) {
    await assert.rejects(worker.runOnce(), TypeError)
    await h.deps.db.updateTable('transactions_requests').set({ locked_until: null }).where('id', '=', created.id).where('status', '=', 'pending').execute()
  }
  const read = (await calls.getRequest(CURRENT, created.id, PRESENT)).json()
  assert.deepEqual(read, { id: created.id, status: 'failed', failure_reason: 'provider_error' })
})

test('the bank answering "not now" (503) → the request stays pending with no attempt used, and completes once the bank answers', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client({})
  const id = await seedConnection(h, c)
  const calls = dataCalls(h, c, id)
  const today = day(await h.deps.clock.now(c.id))
  const created = (await calls.createRequest(CURRENT, { from: today, to: today }, PRESENT)).json()
  bank.failWith = new BankUnavailableError('the bank\'s database is restarting', 3)
  const worker = createTransactionsRequestWorker(h.deps, { workerId: 'w' })
  await assert.rejects(worker.runOnce(), BankUnavailableError)
  const during = await h.deps.db.selectFrom('transactions_requests').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow()
  assert.equal(during.status, 'pending')
  assert.equal(during.attempts, 0)
  bank.failWith = undefined
  await h.deps.db.updateTable('transactions_requests').set({ locked_until: null }).where('id', '=', created.id).execute()
  assert.equal(await worker.runOnce(), 1)
  assert.equal((await calls.getRequest(CURRENT, created.id, PRESENT)).json().status, 'completed')
})

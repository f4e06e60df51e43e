import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BankError } from '../../src/modules/providers/provider-adapter.ts'
import { createTransactionsRequestWorker } from '../../src/modules/data/transactions-request.worker.ts'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import {
  assertProblem, CHOSEN, CURRENT, dataCalls, day, ERROR_TYPES, expectedRange, HIDDEN_ACCOUNT, PRESENT, SAVINGS,
  seedConnection, useFakeBank, webhookRows,
} from './data-kit.ts'

const ENRICH = { transaction_category: true, merchant_name: true }

async function setup (t: Parameters<typeof buildTestApp>[0], opts: { webhookUri?: string } = {}) {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client({ webhookUri: opts.webhookUri ?? 'https://hooks.your-app.com/ledgerite' })
  const id = await seedConnection(h, c)
  const now = await h.deps.clock.now(c.id)
  return { h, bank, c, id, calls: dataCalls(h, c, id), today: day(now), daysAgo: (n: number) => day(new Date(now.getTime() - n * 86_400_000)) }
}

async function complete (h: TestApp, c: TestClient, connectionId: string, accountId: string, payload: Record<string, unknown>) {
  const calls = dataCalls(h, c, connectionId)
  const created = await calls.createRequest(accountId, payload, PRESENT)
  assert.equal(created.statusCode, 202, created.body)
  await h.deps.workers.runAll()
  const res = await calls.getRequest(accountId, created.json().id, PRESENT)
  assert.equal(res.statusCode, 200, res.body)
  return res.json()
}

test('POST → 202 {id, status: "pending"}; pending until the worker runs; then completed with the page in the Transaction shape', async (t) => {
  const { h, calls, daysAgo, today } = await setup(t)
  const res = await calls.createRequest(CURRENT, { from: daysAgo(30), to: today }, PRESENT)
  assert.equal(res.statusCode, 202, res.body)
  const created = res.json()
  assert.deepEqual(Object.keys(created).sort(), ['id', 'status'])
  assert.equal(created.status, 'pending')
  assert.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

  assert.deepEqual((await calls.getRequest(CURRENT, created.id, PRESENT)).json(), { id: created.id, status: 'pending' })
  await h.deps.workers.runAll()
  const read = await calls.getRequest(CURRENT, created.id, PRESENT)
  assert.match(String(read.headers['content-type']), /^application\/json/)
  const done = read.json()
  assert.deepEqual(Object.keys(done), ['id', 'status', 'result'])
  assert.equal(done.status, 'completed')
  assert.equal(done.id, created.id)
  assert.equal(done.result.items.length, 50, 'page_size defaults to 50')
  assert.equal(typeof done.result.pagination.next_cursor, 'string')
  const tx = done.result.items[0]
  assert.deepEqual(Object.keys(tx).sort(), ['amount_in_minor', 'currency', 'description', 'id', 'status', 'timestamp'], 'no enrichment unless requested')
  assert.ok(done.result.items.every((x: { status: string }) => x.status === 'pending' || x.status === 'settled'))
  assert.ok(Number.isInteger(tx.amount_in_minor))
})

test('enrichment requested → each item carries what the bank could determine (merchant name, category)', async (t) => {
  const { h, c, id, daysAgo, today } = await setup(t)
  const done = await complete(h, c, id, CURRENT, { from: daysAgo(10), to: today, enrichment: ENRICH, page_size: 20 })
  const items = done.result.items as Array<{ description: string, enrichment: { merchant_name?: string, transaction_category?: unknown } }>
  assert.ok(items.every((x) => typeof x.enrichment === 'object'))
  const grocery = items.find((x) => x.description.startsWith('TESCO'))!
  assert.deepEqual(grocery.enrichment, { merchant_name: 'Tesco', transaction_category: { category_code: 'C_SH_01', category_name: 'Shopping - Groceries' } })
  const salary = items.find((x) => x.description.startsWith('SALARY'))!
  assert.deepEqual(salary.enrichment, { transaction_category: { category_code: 'C_IN_00', category_name: 'Income - Salary' } })
})

test('reading a request again returns the same stored page, even after the bank and the clock move on', async (t) => {
  const { h, c, id, bank, calls, daysAgo, today } = await setup(t)
  const first = await complete(h, c, id, CURRENT, { from: daysAgo(20), to: today, page_size: 15 })
  const bankReads = bank.calls.filter((x) => x.method === 'getTransactions').length
  await h.deps.clock.advance(c.id, 5 * 86400)
  bank.failWith = new BankError('provider_error')
  const again = (await calls.getRequest(CURRENT, first.id, PRESENT)).json()
  assert.deepEqual(again, first)
  assert.equal(bank.calls.filter((x) => x.method === 'getTransactions').length, bankReads, 'a read never goes back to the bank')
})

test('paging through a whole range with next_cursor: every transaction once, newest first, no gaps, an empty page without a cursor at the end', async (t) => {
  const { h, c, id, calls, bank, daysAgo, today } = await setup(t)
  const from = daysAgo(40)
  const seen: Array<{ id: string, timestamp: string }> = []
  let cursor: string | undefined
  let lastPage: unknown
  let pages = 0
  do {
    const created = await calls.createRequest(CURRENT, { from, to: today, page_size: 7, ...(cursor ? { cursor } : {}) }, PRESENT)
    assert.equal(created.statusCode, 202, created.body)
    await h.deps.workers.runAll()
    const page = (await calls.getRequest(CURRENT, created.json().id, PRESENT)).json()
    assert.equal(page.status, 'completed')
    assert.ok(page.result.items.length <= 7)
    seen.push(...page.result.items)
    cursor = page.result.pagination.next_cursor
    lastPage = page.result
    if (page.result.items.length > 0) assert.equal(typeof cursor, 'string', `non-empty page ${pages} carries a string next_cursor`)
    // Moving the clock between pages must not shift the walk: it reads the first page's snapshot.
    if (pages === 2) await h.deps.clock.advance(c.id, 2 * 86400)
    pages++
    assert.ok(pages < 100, 'the walk ends')
  } while (cursor)
  assert.equal(cursor, undefined, 'the walk ends on a page without next_cursor')
  assert.deepEqual(lastPage, { items: [], pagination: {} }, 'the page after the last item is empty and carries no cursor')
  const firstAsOf = bank.calls.find((x) => x.method === 'getTransactions')!.asOf!
  const expected = expectedRange(CURRENT, firstAsOf, from, today).map((x) => x.id)
  const ids = seen.map((x) => x.id)
  assert.equal(new Set(ids).size, ids.length, 'no duplicates')
  assert.deepEqual(ids, expected, 'no gaps, in the published order (timestamp desc, then id desc)')
  assert.ok(pages >= 10)
  for (let i = 1; i < seen.length; i++) {
    const a = seen[i - 1]!
    const b = seen[i]!
    assert.ok(a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.id > b.id), `order at ${i}`)
  }
  void id
})

test('end of paging: a loop that stops on a missing cursor and one that stops on an empty page read the same transactions and both end', async (t) => {
  const { h, c, id, bank, daysAgo, today } = await setup(t)
  const from = daysAgo(12)
  const walk = async (stop: (page: { items: unknown[], pagination: { next_cursor?: string } }) => boolean) => {
    const ids: string[] = []
    let cursor: string | undefined
    for (let pages = 0; pages < 50; pages++) {
      const page = (await complete(h, c, id, CURRENT, { from, to: today, page_size: 6, ...(cursor !== undefined ? { cursor } : {}) })).result
      ids.push(...page.items.map((x: { id: string }) => x.id))
      if (stop(page)) return ids
      cursor = page.pagination.next_cursor
    }
    throw new Error('the walk did not end in 50 pages')
  }
  const byCursor = await walk((p) => p.pagination.next_cursor === undefined)
  const byEmptyPage = await walk((p) => p.items.length === 0)
  assert.ok(byCursor.length > 6, 'more than one page')
  assert.deepEqual(byEmptyPage, byCursor)
  // The page after the last item is answered without asking the bank again.
  const readsBefore = bank.calls.filter((x) => x.method === 'getTransactions').length
  await walk((p) => p.items.length === 0)
  assert.equal(bank.calls.filter((x) => x.method === 'getTransactions').length, readsBefore + Math.ceil(byCursor.length / 6))
})

test('page_size: 1–500; 0 and 501 → 400 naming page_size', async (t) => {
  const { h, c, id, calls, daysAgo, today } = await setup(t)
  const big = await complete(h, c, id, CURRENT, { from: daysAgo(300), to: today, page_size: 500 })
  assert.equal(big.result.items.length, 362, 'everything in range fits in one page of 500')
  assert.equal(typeof big.result.pagination.next_cursor, 'string', 'a non-empty page always carries a cursor')
  const after = await complete(h, c, id, CURRENT, { from: daysAgo(300), to: today, page_size: 500, cursor: big.result.pagination.next_cursor })
  assert.deepEqual(after.result, { items: [], pagination: {} }, 'the request after the last item completes empty, without a cursor')
  for (const page_size of [0, 501, 2.5]) {
    const body = assertProblem(await calls.createRequest(CURRENT, { from: daysAgo(3), to: today, page_size }, PRESENT), 400, ERROR_TYPES.invalidParameters, 'Invalid Parameters')
    assert.ok(body.errors.page_size, JSON.stringify(body.errors))
  }
})

test('dates: real YYYY-MM-DD dates, to ≥ from, from ≥ 2000-01-01, to ≤ the day after the client\'s today', async (t) => {
  const { h, c, calls, today, daysAgo } = await setup(t)
  const refuse = async (payload: Record<string, unknown>, field: string, pattern: RegExp) => {
    const body = assertProblem(await calls.createRequest(CURRENT, payload, PRESENT), 400, ERROR_TYPES.invalidParameters, 'Invalid Parameters')
    assert.ok(body.errors[field], `${JSON.stringify(payload)} → ${JSON.stringify(body.errors)}`)
    assert.match(body.errors[field].join(' '), pattern)
  }
  await refuse({ from: today, to: '2001-02-30' }, 'to', /YYYY-MM-DD/)
  await refuse({ from: '01/02/2025', to: today }, 'from', /YYYY-MM-DD/)
  await refuse({ from: today, to: daysAgo(1) }, 'to', /on or after from/)
  await refuse({ from: '1999-12-31', to: today }, 'from', /2000-01-01/)
  await refuse({ from: today, to: day(new Date(Date.now() + 3 * 86_400_000)) }, 'to', /must not be after/)
  await refuse({ to: today }, 'from', /required/)
  await refuse({ from: daysAgo(2), to: today, limit: 5 }, 'limit', /not a documented field/)
  // "Today" is the client's: after a 10-day advance, a `to` ten days ahead of real time is accepted.
  await h.deps.clock.advance(c.id, 10 * 86400)
  const ahead = day(new Date(Date.now() + 10 * 86_400_000))
  assert.equal((await calls.createRequest(CURRENT, { from: daysAgo(1), to: ahead }, PRESENT)).statusCode, 202)
  // Tomorrow is allowed (a user a time zone ahead).
  assert.equal((await calls.createRequest(CURRENT, { from: today, to: day(new Date(Date.now() + 11 * 86_400_000)) }, PRESENT)).statusCode, 202)
})

test('enrichment: both flags must be true when present', async (t) => {
  const { calls, today } = await setup(t)
  for (const enrichment of [{ transaction_category: true }, { transaction_category: true, merchant_name: false }, {}]) {
    const body = assertProblem(await calls.createRequest(CURRENT, { from: today, to: today, enrichment }, PRESENT), 400, ERROR_TYPES.invalidParameters, 'Invalid Parameters')
    const fields = Object.keys(body.errors)
    assert.ok(fields.some((f) => f.startsWith('enrichment')), JSON.stringify(body.errors))
    assert.match(Object.values<string[]>(body.errors).flat().join(' '), /both transaction_category and merchant_name must be true/)
  }
})

test('a body that is not JSON → 415', async (t) => {
  const { h, c, id, today } = await setup(t)
  const res = await h.inject({
    method: 'POST', url: `/v3/connected-accounts/${CURRENT}/transactions/requests`,
    headers: { ...c.auth, ...PRESENT, 'connection-id': id, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `from=${today}&to=${today}`,
  })
  assert.equal(res.statusCode, 415)
})

test('cursor: altered, from another account, or for another range → 400 naming cursor', async (t) => {
  const { h, c, id, calls, daysAgo, today } = await setup(t)
  const from = daysAgo(30)
  const page = await complete(h, c, id, CURRENT, { from, to: today, page_size: 5 })
  const cursor: string = page.result.pagination.next_cursor
  const refuse = async (accountId: string, payload: Record<string, unknown>, pattern: RegExp) => {
    const body = assertProblem(await calls.createRequest(accountId, payload, PRESENT), 400, ERROR_TYPES.invalidParameters, 'Invalid Parameters')
    assert.match(body.errors.cursor?.[0] ?? '', pattern, JSON.stringify(body.errors))
  }
  // Change the third character from the end (the last one may carry only padding bits) to something else.
  const tampered = `${cursor.slice(0, -3)}${cursor.at(-3) === 'A' ? 'B' : 'A'}${cursor.slice(-2)}`
  assert.notEqual(tampered, cursor)
  await refuse(CURRENT, { from, to: today, cursor: tampered }, /not a cursor this server issued/)
  await refuse(CURRENT, { from, to: today, cursor: 'bWFuZGF0ZXM6MmUwNDk0MTMK' }, /not a cursor this server issued/)
  await refuse(SAVINGS, { from, to: today, cursor }, /another account/)
  await refuse(CURRENT, { from: daysAgo(29), to: today, cursor }, /same from and to/)
  // And the untouched cursor works.
  assert.equal((await calls.createRequest(CURRENT, { from, to: today, cursor }, PRESENT)).statusCode, 202)
})

test('completion enqueues transactions_request_completed with the published fields, in the same transaction', async (t) => {
  const { h, c, id, daysAgo, today } = await setup(t)
  const done = await complete(h, c, id, CURRENT, { from: daysAgo(3), to: today })
  const [event, ...more] = await webhookRows(h, c.id, 'transactions_request_completed')
  assert.equal(more.length, 0)
  assert.deepEqual(Object.keys(event).sort(), ['account_id', 'completed_at', 'connection_id', 'event_id', 'event_version', 'request_id', 'type'])
  assert.equal(event.type, 'transactions_request_completed')
  assert.equal(event.event_version, 1)
  assert.equal(event.connection_id, id)
  assert.equal(event.account_id, CURRENT)
  assert.equal(event.request_id, done.id)
  assert.ok(!Number.isNaN(Date.parse(event.completed_at)))
})

test('the bank failing → the request is failed with the bank\'s reason, and transactions_request_failed is enqueued', async (t) => {
  const { h, c, id, bank, calls, today } = await setup(t)
  bank.failWith = new BankError('account_temporarily_locked', 'locked')
  const created = (await calls.createRequest(SAVINGS, { from: today, to: today }, PRESENT)).json()
  await h.deps.workers.runAll()
  const res = await calls.getRequest(SAVINGS, created.id, PRESENT)
  assert.equal(res.statusCode, 200)
  assert.deepEqual(res.json(), { id: created.id, status: 'failed', failure_reason: 'account_temporarily_locked' })
  const [event] = await webhookRows(h, c.id, 'transactions_request_failed')
  assert.deepEqual(
    { ...event, event_id: 'x', failed_at: 'x' },
    { type: 'transactions_request_failed', event_version: 1, event_id: 'x', connection_id: id, account_id: SAVINGS, request_id: created.id, failure_reason: 'account_temporarily_locked', failed_at: 'x' },
  )
  assert.equal((await webhookRows(h, c.id, 'transactions_request_completed')).length, 0)
})

test('the bank is read at the virtual today of the POST, for the account and range asked', async (t) => {
  const { h, c, bank, calls } = await setup(t)
  await h.deps.clock.advance(c.id, 7 * 86400)
  const virtualToday = day(await h.deps.clock.now(c.id))
  const created = await calls.createRequest(SAVINGS, { from: '2024-01-01', to: virtualToday, page_size: 9 }, PRESENT)
  assert.equal(created.statusCode, 202)
  await h.deps.workers.runAll()
  const call = bank.calls.find((x) => x.method === 'getTransactions')!
  assert.equal(day(call.asOf!), virtualToday)
  assert.deepEqual(call.query, { from: '2024-01-01', to: virtualToday, pageSize: 9, asOf: call.asOf })
})

test('a connection revoked before the worker reads the bank → failed with connection_revoked', async (t) => {
  const { h, c, id, bank, calls, today } = await setup(t)
  const created = (await calls.createRequest(CURRENT, { from: today, to: today }, PRESENT)).json()
  assert.equal((await calls.revoke()).statusCode, 204)
  await h.deps.workers.runAll()
  const row = await h.deps.db.selectFrom('transactions_requests').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow()
  assert.equal(row.status, 'failed')
  assert.equal(row.failure_reason, 'connection_revoked')
  assert.equal(bank.calls.filter((x) => x.method === 'getTransactions').length, 0)
  const [event] = await webhookRows(h, c.id, 'transactions_request_failed')
  assert.equal(event.failure_reason, 'connection_revoked')
  void id
})

test('two workers racing over the same requests complete each exactly once', async (t) => {
  const { h, c, id, bank, calls, today } = await setup(t)
  const ids: string[] = []
  for (let i = 0; i < 6; i++) ids.push((await calls.createRequest(CHOSEN[i % 3]!, { from: today, to: today }, PRESENT)).json().id)
  const a = createTransactionsRequestWorker(h.deps, { workerId: 'a' })
  const b = createTransactionsRequestWorker(h.deps, { workerId: 'b' })
  const [na, nb] = await Promise.all([a.runOnce(), b.runOnce()])
  assert.equal(na + nb, 6, 'every request claimed once')
  assert.equal(bank.calls.filter((x) => x.method === 'getTransactions').length, 6, 'the bank read once per request')
  const events = await webhookRows(h, c.id, 'transactions_request_completed')
  assert.deepEqual(events.map((e) => e.request_id).sort(), [...ids].sort())
  assert.equal(await a.runOnce() + await b.runOnce(), 0, 'nothing left')
  void id
})

test('request ids: unknown → 404; not a uuid → 400 naming request_id; another account\'s request → 404', async (t) => {
  const { h, c, id, calls, today } = await setup(t)
  assertProblem(await calls.getRequest(CURRENT, '3fa85f64-5717-4562-b3fc-2c963f66afa6', PRESENT), 404, ERROR_TYPES.notFound, 'Not Found')
  const bad = assertProblem(await calls.getRequest(CURRENT, 'not-a-uuid', PRESENT), 400, ERROR_TYPES.invalidParameters, 'Invalid Parameters')
  assert.ok(Object.keys(bad.errors).some((f) => f.endsWith('request_id')), JSON.stringify(bad.errors))
  const done = await complete(h, c, id, CURRENT, { from: today, to: today })
  assertProblem(await calls.getRequest(SAVINGS, done.id, PRESENT), 404, ERROR_TYPES.notFound, 'Not Found')
  assertProblem(await calls.getRequest(HIDDEN_ACCOUNT, done.id, PRESENT), 404, ERROR_TYPES.notFound, 'Not Found')
})

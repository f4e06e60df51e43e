import assert from 'node:assert/strict'
import { test } from 'node:test'
import { authorizeWithoutBrowser } from '../../src/modules/sandbox/sandbox.authorize.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { assertProblem, dataCalls, day, ERROR_TYPES, PRESENT, webhookRows } from './data-kit.ts'

/**
 * The data endpoints against the real model bank, end to end: create a connection, authorise it along the
 * journey's own path (consent at the bank, approval as a mock user, code exchange), then read everything a
 * newcomer would — and revoke.
 */
test('model bank end to end: accounts, user info, balance, a quarter of transactions paged without gaps, revoke', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: 'https://hooks.your-app.com/ledgerite' })
  const created = await h.inject({
    method: 'POST', url: '/v3/data-connections', headers: c.auth,
    payload: {
      scopes: ['info', 'accounts', 'balance', 'transactions'],
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
      user: { name: 'Jane Smith', email: 'jane.smith@example.com' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: 'https://your-app.com/callback' },
    },
  })
  assert.equal(created.statusCode, 201, created.body)
  const id: string = created.json().id
  const authorised = await authorizeWithoutBrowser(h.deps, { clientId: c.id, connectionId: id, outcome: 'authorized', username: 'john' })
  assert.equal(authorised.status, 'authorized')
  const calls = dataCalls(h, c, id)

  const info = await calls.userInfo(PRESENT)
  assert.equal(info.statusCode, 200, info.body)
  assert.match(info.json().name, /\S+ \S+/)

  const accounts = await calls.accounts('', PRESENT)
  assert.equal(accounts.statusCode, 200, accounts.body)
  const items = accounts.json().items as Array<{ id: string, type: string, account_type?: string }>
  assert.ok(items.length >= 1 && items.length <= 50)
  assert.deepEqual(items.map((a) => a.id).sort(), [...authorised.accountIds].sort(), 'exactly the accounts chosen at the bank')
  const sorted = [...items].sort((a, b) => (a.type === b.type ? (a.id < b.id ? -1 : 1) : a.type < b.type ? -1 : 1))
  assert.deepEqual(items, sorted, 'ordered by type then id')
  const account = items.find((a) => a.type === 'account' && a.account_type === 'current') ?? items.find((a) => a.type === 'account')!

  const balance = await calls.balance(account.id, PRESENT)
  assert.equal(balance.statusCode, 200, balance.body)
  for (const k of ['current', 'available', 'overdraft']) assert.ok(Number.isInteger(balance.json()[k]), k)

  // A quarter of history, 100 at a time, through next_cursor.
  const now = await h.deps.clock.now(c.id)
  const from = day(new Date(now.getTime() - 90 * 86_400_000))
  const to = day(now)
  const seen: Array<{ id: string, timestamp: string, status: string }> = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res = await calls.createRequest(account.id, { from, to, page_size: 100, enrichment: { transaction_category: true, merchant_name: true }, ...(cursor ? { cursor } : {}) }, PRESENT)
    assert.equal(res.statusCode, 202, res.body)
    await h.deps.workers.runAll()
    const page = (await calls.getRequest(account.id, res.json().id, PRESENT)).json()
    assert.equal(page.status, 'completed', JSON.stringify(page).slice(0, 300))
    seen.push(...page.result.items)
    cursor = page.result.pagination.next_cursor
    pages++
    assert.ok(pages < 50, 'the walk ends')
  } while (cursor)
  assert.ok(seen.length > 20, `a current account has a quarter's worth of transactions (saw ${seen.length})`)
  assert.equal(new Set(seen.map((x) => x.id)).size, seen.length, 'no duplicates across pages')
  for (let i = 1; i < seen.length; i++) {
    const a = seen[i - 1]!
    const b = seen[i]!
    assert.ok(a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.id > b.id), `published order at ${i}: ${a.timestamp}/${a.id} then ${b.timestamp}/${b.id}`)
  }
  for (const tx of seen.filter((x) => x.status === 'settled')) {
    assert.ok(tx.timestamp.slice(0, 10) >= from && tx.timestamp.slice(0, 10) <= to, `settled ${tx.id} inside the range`)
  }
  // The same range in one page of 500s matches the walk: nothing was skipped between pages.
  const whole: string[] = []
  cursor = null
  do {
    const res = await calls.createRequest(account.id, { from, to, page_size: 500, ...(cursor ? { cursor } : {}) }, PRESENT)
    await h.deps.workers.runAll()
    const page = (await calls.getRequest(account.id, res.json().id, PRESENT)).json()
    whole.push(...page.result.items.map((x: { id: string }) => x.id))
    cursor = page.result.pagination.next_cursor
  } while (cursor)
  assert.deepEqual(seen.map((x) => x.id), whole)
  assert.ok((await webhookRows(h, c.id, 'transactions_request_completed')).length >= pages)

  // Revoke: 204, the bank's consent ends too, later calls 403.
  assert.equal((await calls.revoke()).statusCode, 204)
  assert.match(assertProblem(await calls.accounts('', PRESENT), 403, ERROR_TYPES.forbidden, 'Forbidden').detail, /revoked/)
  const grant = authorised.providerState as { accessToken: string }
  const atBank = await h.inject({ method: 'GET', url: '/model-bank/ob-monzo/accounts', headers: { authorization: `Bearer ${grant.accessToken}` } })
  assert.ok(atBank.statusCode >= 400, `the bank refuses the revoked grant (${atBank.statusCode})`)
  assert.equal((await webhookRows(h, c.id, 'connection_revoked')).length, 1)
})

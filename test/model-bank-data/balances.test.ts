import assert from 'node:assert/strict'
import { test } from 'node:test'
import { balanceOf, customerOf, historyStartOf, openingBalanceOf, transactionsOf } from '../../src/modules/model-bank/data/index.ts'
import { DAY, allItems, isoDate, sumSettled } from './helpers.ts'

const PROVIDERS = ['ob-monzo', 'xs2a-n26-de', 'ob-hsbc-business']
const MOMENTS = [new Date('2026-11-26T09:15:00Z'), new Date('2025-03-01T00:00:00Z'), new Date('2027-02-28T23:59:59.500Z')]

/** Everything the bank serves at `asOf`: its whole history window, all pages. */
function history (provider: string, user: string, accountId: string, asOf: Date) {
  return allItems(provider, user, accountId, { from: isoDate(historyStartOf(asOf).getTime()), to: isoDate(asOf.getTime()), pageSize: 500, asOf })
}

test('balance = opening balance + the settled transactions since, for every kind of account', () => {
  let checked = 0
  const kinds = new Set<string>()
  for (const provider of PROVIDERS) {
    for (const user of ['john', 'john3', 'john5', 'john8', 'john13', 'john21']) {
      const accounts = customerOf(provider, user).accounts
      for (const account of accounts) {
        for (const asOf of MOMENTS) {
          const start = historyStartOf(asOf)
          const opening = openingBalanceOf(provider, user, account.id, start)
          const items = history(provider, user, account.id, asOf)
          const balance = balanceOf(provider, user, account.id, asOf)
          assert.equal(balance.current, opening + sumSettled(items), `${provider}/${user}/${account.account_type ?? account.type} at ${asOf.toISOString()}`)
          // Available: current, less what is still pending out, plus the overdraft (or credit) limit.
          const pendingOut = items.filter((t) => t.status === 'pending' && t.amount_in_minor < 0).reduce((s, t) => s + t.amount_in_minor, 0)
          assert.equal(balance.available, balance.current + pendingOut + balance.overdraft)
          assert.equal(balance.currency, account.currency)
          assert.equal(balance.update_timestamp, asOf.toISOString())
          // The main current account has an arranged overdraft; a euro account beside it does not.
          if (account === accounts[0]) assert.ok(balance.overdraft > 0)
          if (account.account_type === 'savings') {
            assert.equal(balance.overdraft, 0)
            assert.ok(balance.current > 0)
          }
          kinds.add(account.currency === 'EUR' && provider === 'ob-monzo' ? 'fx' : account.account_type ?? account.type)
          checked++
        }
      }
    }
  }
  assert.deepEqual([...kinds].sort(), ['card', 'current', 'fx', 'savings'])
  assert.ok(checked > 60)
})

test('balances move with the history: two moments differ by exactly what settled in between', () => {
  const provider = 'ob-monzo'
  const account = customerOf(provider, 'john').accounts[0]!
  const d1 = new Date('2026-05-10T12:00:00Z')
  const d2 = new Date('2026-06-20T08:00:00Z')
  const b1 = balanceOf(provider, 'john', account.id, d1)
  const b2 = balanceOf(provider, 'john', account.id, d2)
  // What settled by d2 among transactions dated after the ledger cut at d1 − 3 days (nothing older is still pending at d1).
  const cut = new Date(d1.getTime() - 3 * DAY)
  const settledSinceCut = (asOf: Date) => sumSettled(allItems(provider, 'john', account.id, { from: isoDate(cut.getTime()), to: isoDate(asOf.getTime()), pageSize: 500, asOf }).filter((t) => Date.parse(t.timestamp) >= cut.getTime()))
  const opening = openingBalanceOf(provider, 'john', account.id, cut)
  assert.equal(b1.current, opening + settledSinceCut(d1))
  assert.equal(b2.current, opening + settledSinceCut(d2))
  assert.notEqual(b1.current, b2.current)
})

test('pending transactions settle under the same id as asOf moves forward; the past is never rewritten', () => {
  const asOf = new Date('2026-08-14T18:00:00Z')
  let found = 0
  for (const user of ['john', 'john1', 'john2', 'john3', 'john4', 'john5']) {
    const account = customerOf('ob-monzo', user).accounts[0]!
    const range = { from: '2026-07-01', to: '2026-08-14', pageSize: 500 }
    const before = allItems('ob-monzo', user, account.id, { ...range, asOf })
    const pending = before.filter((t) => t.status === 'pending')
    for (const t of pending) assert.ok(Date.parse(t.timestamp) > asOf.getTime() - 3 * DAY && Date.parse(t.timestamp) <= asOf.getTime())
    found += pending.length
    const later = new Date(asOf.getTime() + 3 * DAY)
    const after = allItems('ob-monzo', user, account.id, { ...range, asOf: later })
    const byId = new Map(after.map((t) => [t.id, t]))
    for (const t of before) {
      const same = byId.get(t.id)
      assert.ok(same, `${t.id} disappeared`)
      assert.deepEqual({ ...same, status: 'x' }, { ...t, status: 'x' })
      assert.equal(same.status, 'settled')
    }
    // Moving forward only adds: the range now also holds nothing new before asOf, and new transactions appear after it.
    assert.equal(after.filter((t) => Date.parse(t.timestamp) <= asOf.getTime()).length, before.length)
    const newer = transactionsOf('ob-monzo', user, account.id, { from: '2026-08-15', to: '2026-08-17', pageSize: 500, asOf: later }).items
    assert.ok(newer.length > 0)
    assert.ok(newer.every((t) => Date.parse(t.timestamp) > asOf.getTime()))
  }
  assert.ok(found >= 3, `only ${found} pending transactions among six customers`)
})

test('pending transactions are returned on the first page even for a range in the past', () => {
  const asOf = new Date('2026-08-14T18:00:00Z')
  const user = ['john', 'john1', 'john2', 'john3'].find((u) => transactionsOf('ob-monzo', u, customerOf('ob-monzo', u).accounts[0]!.id, { from: '2026-08-11', to: '2026-08-14', pageSize: 500, asOf }).items.some((t) => t.status === 'pending'))!
  const account = customerOf('ob-monzo', user).accounts[0]!
  const page = transactionsOf('ob-monzo', user, account.id, { from: '2025-01-01', to: '2025-01-31', pageSize: 50, asOf })
  const pending = page.items.filter((t) => t.status === 'pending')
  assert.ok(pending.length > 0)
  assert.deepEqual(page.items.slice(0, pending.length), pending)
  assert.ok(page.items.slice(pending.length).every((t) => t.timestamp.startsWith('2025-01')))
})

test('the history window: 24 months before asOf are served, older ones are not', () => {
  const asOf = new Date('2026-11-26T09:15:00Z')
  const account = customerOf('ob-monzo', 'john').accounts[0]!
  assert.equal(historyStartOf(asOf).toISOString(), '2024-11-26T00:00:00.000Z')
  const old = transactionsOf('ob-monzo', 'john', account.id, { from: '2023-01-01', to: '2024-11-25', pageSize: 500, asOf }).items
  assert.ok(old.every((t) => t.status === 'pending'))
  const first = transactionsOf('ob-monzo', 'john', account.id, { from: '2024-11-26', to: '2024-12-10', pageSize: 500, asOf }).items
  assert.ok(first.some((t) => t.timestamp.startsWith('2024-11-2')))
})

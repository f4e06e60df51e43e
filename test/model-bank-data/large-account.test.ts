import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { planOf } from '../../src/modules/model-bank/data/accounts.ts'
import { LARGE_USERNAME, balanceOf, customerOf, historyStartOf, openingBalanceOf, transactionsOf } from '../../src/modules/model-bank/data/index.ts'
import { largeFeed } from '../../src/modules/model-bank/data/large-account.ts'
import { profileOf } from '../../src/modules/model-bank/data/profile.ts'
import { DAY, allItems, allPages, isoDate, strictlyBefore, sumSettled } from './helpers.ts'

const PROVIDER = 'ob-monzo'
const USER = LARGE_USERNAME
const ASOF = new Date('2026-11-26T09:15:30Z')
const account = customerOf(PROVIDER, USER).accounts[0]!
const minute = (timestamp: string): number => Math.floor(Date.parse(timestamp) / 60_000)

test('the large user\'s current account holds over a million transactions in the served window', () => {
  const start = historyStartOf(ASOF).getTime()
  const days = Math.floor((ASOF.getTime() - start) / DAY)
  assert.ok(days >= 730)
  // Sampled days across the window, read through the public function: every minute has its transaction.
  for (let i = 0; i < 8; i++) {
    const day = start + Math.floor((i * (days - 1)) / 7) * DAY
    const date = isoDate(day)
    const items = allItems(PROVIDER, USER, account.id, { from: date, to: date, pageSize: 500, asOf: ASOF })
    const ofDay = items.filter((t) => t.timestamp.startsWith(date))
    const minutes = new Set(ofDay.map((t) => minute(t.timestamp)))
    assert.equal(ofDay.length, 1440, date)
    assert.equal(minutes.size, 1440, date)
    assert.equal(Math.min(...minutes), day / 60_000)
    assert.ok(ofDay.some((t) => t.timestamp === `${date}T23:59:59Z` && t.description.startsWith('DAILY SWEEP')))
  }
  const plan = planOf(PROVIDER, USER)
  const count = largeFeed(plan, profileOf(plan)).countBetween(start, ASOF.getTime())
  assert.ok(count >= 1_000_000, `${count}`)
  // Whole days, then today's minutes before asOf's, then asOf's own minute if its transaction's second has come.
  const today = transactionsOf(PROVIDER, USER, account.id, { from: isoDate(ASOF.getTime()), to: isoDate(ASOF.getTime()), pageSize: 500, asOf: ASOF }).items
  const thisMinute = today.some((t) => minute(t.timestamp) === Math.floor(ASOF.getTime() / 60_000)) ? 1 : 0
  assert.equal(count, days * 1440 + Math.floor((ASOF.getTime() - start - days * DAY) / 60_000) + thisMinute)
})

test('a page deep in the history: 500 consecutive transactions, newest first, through the cursor', () => {
  const to = isoDate(ASOF.getTime() - 365 * DAY)
  const q = { from: isoDate(historyStartOf(ASOF).getTime()), to, pageSize: 500, asOf: ASOF }
  const first = transactionsOf(PROVIDER, USER, account.id, q)
  const pending = first.items.filter((t) => t.status === 'pending')
  assert.ok(pending.length > 0 && pending.length < 200, `${pending.length} pending`)
  const ranged = first.items.slice(pending.length)
  assert.equal(ranged[0]!.timestamp.slice(0, 16), `${to}T23:59`)
  const second = transactionsOf(PROVIDER, USER, account.id, { ...q, cursor: first.nextCursor! })
  assert.equal(second.items.length, 500)
  const run = [...ranged, ...second.items]
  for (let i = 1; i < run.length; i++) {
    assert.ok(strictlyBefore(run[i - 1]!, run[i]!))
    assert.equal(minute(run[i - 1]!.timestamp) - minute(run[i]!.timestamp), 1, `gap at ${run[i]!.timestamp}`)
    assert.equal(run[i]!.status, 'settled')
  }
  assert.ok(new Set(run.map((t) => t.id)).size === run.length)
  assert.ok(second.nextCursor)
})

test('large account: balance = opening + settled since, and pending settle under the same id', () => {
  for (const asOf of [ASOF, new Date('2025-07-01T00:00:30Z'), new Date('2026-02-28T23:59:59Z')]) {
    const cut = new Date(asOf.getTime() - 4 * DAY)
    const items = allItems(PROVIDER, USER, account.id, { from: isoDate(cut.getTime()), to: isoDate(asOf.getTime()), pageSize: 500, asOf })
      .filter((t) => Date.parse(t.timestamp) >= cut.getTime())
    const balance = balanceOf(PROVIDER, USER, account.id, asOf)
    assert.equal(balance.current, openingBalanceOf(PROVIDER, USER, account.id, cut) + sumSettled(items))
    const pendingOut = items.filter((t) => t.status === 'pending' && t.amount_in_minor < 0).reduce((s, t) => s + t.amount_in_minor, 0)
    assert.equal(balance.available, balance.current + pendingOut + balance.overdraft)
  }
  const today = isoDate(ASOF.getTime())
  const pages = allPages(PROVIDER, USER, account.id, { from: today, to: today, pageSize: 500, asOf: ASOF }).flat()
  const pending = pages.filter((t) => t.status === 'pending')
  assert.ok(pending.length > 0)
  const later = new Date(ASOF.getTime() + 3 * DAY)
  for (const p of pending.slice(0, 20)) {
    const date = p.timestamp.slice(0, 10)
    const again = allItems(PROVIDER, USER, account.id, { from: date, to: date, pageSize: 500, asOf: later }).find((t) => t.id === p.id)
    assert.deepEqual(again, { ...p, status: 'settled' })
  }
})

test('large account: paging any short range yields each minute\'s transaction exactly once (property)', () => {
  const query = fc.record({
    asOf: fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 0, 1) }),
    daysBack: fc.integer({ min: 0, max: 725 }),
    span: fc.integer({ min: 0, max: 1 }),
    pageSize: fc.integer({ min: 90, max: 500 }),
  })
  fc.assert(fc.property(query, (q) => {
    const asOf = new Date(q.asOf)
    const last = Math.floor(q.asOf / DAY) * DAY - q.daysBack * DAY - DAY
    const first = last - q.span * DAY
    fc.pre(first >= historyStartOf(asOf).getTime())
    const pages = allPages(PROVIDER, USER, account.id, { from: isoDate(first), to: isoDate(last), pageSize: q.pageSize, asOf })
    const items = pages.flat()
    for (const page of pages.slice(0, -1)) assert.equal(page.length, q.pageSize)
    for (let i = 1; i < items.length; i++) assert.ok(strictlyBefore(items[i - 1]!, items[i]!))
    assert.equal(new Set(items.map((t) => t.id)).size, items.length)
    const inRange = items.filter((t) => Date.parse(t.timestamp) >= first && Date.parse(t.timestamp) < last + DAY)
    const minutes = inRange.map((t) => minute(t.timestamp))
    assert.equal(inRange.length, (q.span + 1) * 1440)
    assert.equal(new Set(minutes).size, inRange.length)
    assert.equal(Math.min(...minutes), first / 60_000)
    assert.equal(Math.max(...minutes), (last + DAY) / 60_000 - 1)
    // Outside the range only what is pending today appears.
    for (const t of items) if (!inRange.includes(t)) assert.equal(t.status, 'pending')
  }), { numRuns: 15, seed: 777 })
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { planOf } from '../../src/modules/model-bank/data/accounts.ts'
import { monthOf } from '../../src/modules/model-bank/data/calendar.ts'
import { generateMonth } from '../../src/modules/model-bank/data/history.ts'
import {
  InvalidCursorError, InvalidQueryError, UnknownAccountError, balanceOf, customerOf, historyStartOf, openingBalanceOf, transactionsOf,
} from '../../src/modules/model-bank/data/index.ts'
import { profileOf } from '../../src/modules/model-bank/data/profile.ts'
import { DAY, allPages, isoDate, strictlyBefore } from './helpers.ts'

const PROVIDERS = ['ob-monzo', 'mock', 'xs2a-n26-de', 'ob-tide', 'ob-lloyds']
const FROM = Date.UTC(2025, 0, 1)
const TO = Date.UTC(2027, 5, 30)

/**
 * What the bank should return, worked out straight from the generated months (not through the pager or its
 * month-by-month reader): settled transactions dated in [from, to] within the served window, plus whatever is
 * pending at asOf, newest first.
 */
function expected (provider: string, user: string, accountId: string, from: string, to: string, asOf: number): Array<{ id: string, status: string }> {
  const plan = planOf(provider, user)
  const kind = plan.accounts.find((a) => a.account.id === accountId)!.kind
  const windowStart = historyStartOf(new Date(asOf)).getTime()
  const lo = Math.max(Date.parse(`${from}T00:00:00Z`), windowStart)
  const hi = Math.min(Date.parse(`${to}T00:00:00Z`) + DAY - 1, asOf)
  const all = []
  for (let m = monthOf(windowStart); m <= monthOf(asOf); m++) all.push(...generateMonth(plan, profileOf(plan), m)[kind])
  return all
    .filter((t) => t.ts <= asOf && ((asOf < t.ts + t.lag) || (t.ts >= lo && t.ts <= hi)))
    .sort((a, b) => (a.ts !== b.ts ? b.ts - a.ts : a.id < b.id ? 1 : -1))
    .map((t) => ({ id: t.id, status: asOf < t.ts + t.lag ? 'pending' : 'settled' }))
}

test('paging through any range yields every transaction exactly once, in order (property)', () => {
  const query = fc.record({
    provider: fc.constantFrom(...PROVIDERS),
    user: fc.oneof(fc.integer({ min: 1, max: 100 }).map((i) => `john${i}`), fc.constantFrom('john', 'error.internal_error')),
    accountIndex: fc.nat(3),
    asOf: fc.integer({ min: FROM, max: TO }),
    a: fc.integer({ min: -760, max: 5 }),
    b: fc.integer({ min: -760, max: 5 }),
    pageSize: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 500 })),
  })
  fc.assert(fc.property(query, (q) => {
    const accounts = customerOf(q.provider, q.user).accounts
    const account = accounts[q.accountIndex % accounts.length]!
    const from = isoDate(q.asOf + Math.min(q.a, q.b) * DAY)
    const to = isoDate(q.asOf + Math.max(q.a, q.b) * DAY)
    const want = expected(q.provider, q.user, account.id, from, to, q.asOf)
    fc.pre(want.length / q.pageSize <= 300)
    const pages = allPages(q.provider, q.user, account.id, { from, to, pageSize: q.pageSize, asOf: new Date(q.asOf) })
    const got = pages.flat()
    // Full pages except the last; no empty page unless there is nothing at all.
    for (const page of pages.slice(0, -1)) assert.equal(page.length, q.pageSize)
    assert.ok(pages.at(-1)!.length > 0 || got.length === 0)
    for (let i = 1; i < got.length; i++) assert.ok(strictlyBefore(got[i - 1]!, got[i]!), `out of order at ${i}`)
    assert.deepEqual(got.map((t) => ({ id: t.id, status: t.status })), want)
  }), { numRuns: 40, seed: 4242 })
})

test('a page size above 500 is served as 500; the same query gives the same pages', () => {
  const account = customerOf('ob-monzo', 'john').accounts[0]!
  const q = { from: '2024-12-01', to: '2026-11-01', pageSize: 2000, asOf: new Date('2026-11-26T12:00:00Z') }
  const page = transactionsOf('ob-monzo', 'john', account.id, q)
  assert.equal(page.items.length, 500)
  assert.match(page.nextCursor!, /^[A-Za-z0-9_-]+$/)
  assert.deepEqual(transactionsOf('ob-monzo', 'john', account.id, q), page)
  assert.deepEqual(transactionsOf('ob-monzo', 'john', account.id, { ...q, cursor: page.nextCursor! }), transactionsOf('ob-monzo', 'john', account.id, { ...q, cursor: page.nextCursor! }))
})

test('the last page says so with a null cursor; an empty range gives one empty page', () => {
  const account = customerOf('ob-monzo', 'john').accounts[0]!
  const asOf = new Date('2026-11-26T12:00:00Z')
  const all = transactionsOf('ob-monzo', 'john', account.id, { from: '2026-10-01', to: '2026-10-31', pageSize: 500, asOf })
  assert.equal(all.nextCursor, null)
  assert.ok(all.items.length > 10)
  // In the future relative to asOf there is nothing settled yet (only what is pending today).
  const future = transactionsOf('ob-monzo', 'john', account.id, { from: '2027-01-01', to: '2027-01-31', pageSize: 500, asOf })
  assert.equal(future.nextCursor, null)
  assert.ok(future.items.every((t) => t.status === 'pending'))
})

test('unknown accounts, bad dates, bad page sizes and foreign cursors are refused with exported errors', () => {
  const asOf = new Date('2026-11-26T12:00:00Z')
  const q = { from: '2026-10-01', to: '2026-10-31', pageSize: 10, asOf }
  const mine = customerOf('ob-monzo', 'john').accounts[0]!
  const theirs = customerOf('ob-monzo', 'john2').accounts[0]!
  assert.throws(() => transactionsOf('ob-monzo', 'john', theirs.id, q), UnknownAccountError)
  assert.throws(() => transactionsOf('ob-monzo', 'john', '00000000000000000000000000000000', q), UnknownAccountError)
  assert.throws(() => balanceOf('ob-monzo', 'john', theirs.id, asOf), UnknownAccountError)
  assert.throws(() => openingBalanceOf('ob-barclays', 'john', mine.id, asOf), UnknownAccountError)
  assert.throws(() => transactionsOf('ob-monzo', 'john', mine.id, { ...q, from: '2026-02-30' }), (e: unknown) => e instanceof InvalidQueryError && e.field === 'from')
  assert.throws(() => transactionsOf('ob-monzo', 'john', mine.id, { ...q, to: '26-10-31' }), (e: unknown) => e instanceof InvalidQueryError && e.field === 'to')
  assert.throws(() => transactionsOf('ob-monzo', 'john', mine.id, { ...q, from: '2026-11-01' }), (e: unknown) => e instanceof InvalidQueryError && e.field === 'to')
  assert.throws(() => transactionsOf('ob-monzo', 'john', mine.id, { ...q, pageSize: 0 }), (e: unknown) => e instanceof InvalidQueryError && e.field === 'pageSize')
  assert.throws(() => transactionsOf('ob-monzo', 'john', mine.id, { ...q, pageSize: 2.5 }), InvalidQueryError)
  assert.throws(() => balanceOf('ob-monzo', 'john', mine.id, new Date('nope')), (e: unknown) => e instanceof InvalidQueryError && e.field === 'asOf')
  assert.throws(() => transactionsOf('ob-monzo', 'john', mine.id, { ...q, cursor: 'not a cursor!' }), InvalidCursorError)
  assert.throws(() => transactionsOf('ob-monzo', 'john', mine.id, { ...q, cursor: Buffer.from('c1.x.1.2').toString('base64url') }), InvalidCursorError)
  const cursor = transactionsOf('ob-monzo', 'john', mine.id, q).nextCursor!
  assert.ok(cursor)
  // A cursor belongs to its account and its date range.
  assert.throws(() => transactionsOf('ob-monzo', 'john', mine.id, { ...q, to: '2026-10-30', cursor }), InvalidCursorError)
  const sibling = customerOf('ob-monzo', 'john').accounts[1]
  if (sibling) assert.throws(() => transactionsOf('ob-monzo', 'john', sibling.id, { ...q, cursor }), InvalidCursorError)
  assert.ok(new InvalidCursorError() instanceof InvalidQueryError)
})

test('a cursor keeps its place when asOf moves between pages: nothing repeated, nothing older skipped', () => {
  const account = customerOf('ob-monzo', 'john4').accounts[0]!
  const q = { from: '2026-06-01', to: '2026-08-14', pageSize: 7 }
  const d = new Date('2026-08-14T18:00:00Z')
  const first = transactionsOf('ob-monzo', 'john4', account.id, { ...q, asOf: d })
  const later = new Date(d.getTime() + 5 * DAY)
  const rest = allPages('ob-monzo', 'john4', account.id, { ...q, asOf: later }).flat()
  const resumed: typeof rest = []
  let cursor: string | null = first.nextCursor
  while (cursor) {
    const page = transactionsOf('ob-monzo', 'john4', account.id, { ...q, asOf: later, cursor })
    resumed.push(...page.items)
    cursor = page.nextCursor
  }
  const ids = [...first.items, ...resumed].map((t) => t.id)
  assert.equal(new Set(ids).size, ids.length)
  // Everything older than the first page's last item is there, as a reader at the later moment would see it.
  const last = first.items.at(-1)!
  const older = rest.filter((t) => strictlyBefore(last, t))
  assert.deepEqual(resumed, older)
})

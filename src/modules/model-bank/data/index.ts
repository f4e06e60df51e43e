import type { BankAccount, BankBalance, BankTransaction, BankTransactionPage } from '../../providers/provider-adapter.ts'
import { type AccountPlan, type CustomerPlan, findAccount, planOf } from './accounts.ts'
import { DAY, dayStart, isoSeconds, minusMonths, parseDate } from './calendar.ts'
import { decodeCursor, encodeCursor, scopeOf } from './cursor.ts'
import { InvalidQueryError, UnknownAccountError } from './errors.ts'
import { type Feed, type Tx, compareDesc } from './feed.ts'
import { largeFeed } from './large-account.ts'
import { Lru } from './lru.ts'
import { monthFeed } from './month-feed.ts'
import { type Profile, profileOf } from './profile.ts'

export { InvalidCursorError, InvalidQueryError, UnknownAccountError } from './errors.ts'
export { LARGE_USERNAME } from './accounts.ts'

/**
 * The model bank's synthetic customers: deterministic per (provider, username), anchored to `asOf`.
 *
 * - History is fixed in time (generated per calendar month, or per minute for the large user), never relative to
 *   `asOf`: moving `asOf` forward reveals newer transactions and settles pending ones under the same ids.
 * - The bank serves the last HISTORY_MONTHS months before `asOf` (from 00:00 UTC of that day).
 * - Card payments stay pending for one to three days; a transaction pending at D is settled at D + 3 days.
 * - Balances: current = opening balance + Σ settled transactions; available = current − pending debits +
 *   overdraft limit. For a credit card, `overdraft` carries the credit limit (BankBalance has no credit-limit field).
 */
export interface BankCustomer {
  providerId: string
  username: string
  fullName: string
  accounts: BankAccount[]
}

export const HISTORY_MONTHS = 24
export const MAX_PAGE_SIZE = 500

export function customerOf (providerId: string, username: string): BankCustomer {
  const plan = planOf(providerId, username)
  // A copy: callers may not change the cached customer.
  return { providerId, username, fullName: plan.fullName, accounts: plan.accounts.map((a) => structuredClone(a.account)) }
}

interface Resolved {
  plan: CustomerPlan
  profile: Profile
  account: AccountPlan
  feed: Feed
}

const feeds = new Lru<string, Feed>(256)

function resolve (providerId: string, username: string, accountId: string): Resolved {
  const plan = planOf(providerId, username)
  const account = findAccount(plan, accountId)
  if (!account) throw new UnknownAccountError(accountId)
  const profile = profileOf(plan)
  const feed = feeds.getOrCreate(`${providerId}\u0000${username}\u0000${accountId}`, () =>
    plan.large && account.kind === 'current' ? largeFeed(plan, profile) : monthFeed(plan, profile, account.kind))
  return { plan, profile, account, feed }
}

function instant (asOf: Date): number {
  const t = asOf instanceof Date ? asOf.getTime() : Number.NaN
  if (!Number.isFinite(t)) throw new InvalidQueryError('asOf', 'asOf must be a valid date')
  return t
}

/** 00:00 UTC of the day HISTORY_MONTHS months before `asOf`: the oldest moment the bank still serves. */
export function historyStartOf (asOf: Date): Date {
  return new Date(dayStart(minusMonths(instant(asOf), HISTORY_MONTHS)))
}

/** The ledger balance just before `at`: what the account held, counting everything dated earlier as settled. */
export function openingBalanceOf (providerId: string, username: string, accountId: string, at: Date): number {
  return resolve(providerId, username, accountId).feed.ledgerBefore(instant(at))
}

export function balanceOf (providerId: string, username: string, accountId: string, asOf: Date): BankBalance {
  const { account, profile, feed } = resolve(providerId, username, accountId)
  const t = instant(asOf)
  const pending = feed.pendingAt(t)
  let current = feed.ledgerBefore(t + 1)
  let pendingDebits = 0
  for (const tx of pending) {
    current -= tx.amount
    if (tx.amount < 0) pendingDebits += tx.amount
  }
  const overdraft = account.kind === 'current' ? profile.overdraft : account.kind === 'card' ? profile.card?.limit ?? 0 : 0
  return { currency: account.currency, current, available: current + pendingDebits + overdraft, overdraft, update_timestamp: asOf.toISOString() }
}

function toWire (tx: Tx, asOf: number): BankTransaction {
  const out: BankTransaction = {
    id: tx.id,
    timestamp: isoSeconds(tx.ts),
    description: tx.description,
    currency: tx.currency,
    amount_in_minor: tx.amount,
    status: asOf < tx.ts + tx.lag ? 'pending' : 'settled',
  }
  if (tx.merchant !== undefined) out.merchant_name = tx.merchant
  if (tx.category) {
    out.category_code = tx.category.category_code
    out.category_name = tx.category.category_name
  }
  return out
}

function dateOf (field: 'from' | 'to', text: string): number {
  const ms = typeof text === 'string' ? parseDate(text) : null
  if (ms === null) throw new InvalidQueryError(field, `${field} must be a date in YYYY-MM-DD format`)
  return ms
}

/**
 * Settled transactions dated from ≤ date ≤ to (UTC, inclusive) within the served history, plus every transaction
 * still pending at `asOf` whatever its date (they are the newest, so they lead the first page). Newest first
 * (timestamp desc, then id desc); `pageSize` is capped at 500.
 */
export function transactionsOf (
  providerId: string,
  username: string,
  accountId: string,
  query: { from: string, to: string, pageSize: number, cursor?: string, asOf: Date },
): BankTransactionPage {
  const { feed } = resolve(providerId, username, accountId)
  const t = instant(query.asOf)
  const from = dateOf('from', query.from)
  const to = dateOf('to', query.to)
  if (to < from) throw new InvalidQueryError('to', 'to must not be before from')
  if (!Number.isInteger(query.pageSize) || query.pageSize < 1) throw new InvalidQueryError('pageSize', 'pageSize must be a positive integer')
  const pageSize = Math.min(MAX_PAGE_SIZE, query.pageSize)
  const scope = scopeOf(accountId, query.from, query.to)
  const after = query.cursor === undefined || query.cursor === '' ? undefined : decodeCursor(query.cursor, scope)

  const lo = Math.max(from, dayStart(minusMonths(t, HISTORY_MONTHS)))
  const hi = Math.min(to + DAY - 1, t)
  const pending = feed.pendingAt(t).filter((tx) => !after || compareDesc(tx, after) > 0)
  const settled = feed.between(lo, hi, after, t)[Symbol.iterator]()

  // Merge the two newest-first streams; one item beyond the page tells whether there is a next page.
  const items: Tx[] = []
  let p = 0
  let s = settled.next()
  while (items.length <= pageSize) {
    const fromPending = p < pending.length ? pending[p]! : undefined
    const fromSettled = s.done ? undefined : s.value
    if (!fromPending && !fromSettled) break
    if (fromPending && (!fromSettled || compareDesc(fromPending, fromSettled) < 0)) {
      items.push(fromPending)
      p++
    } else {
      items.push(fromSettled!)
      s = settled.next()
    }
  }
  const more = items.length > pageSize
  const page = items.slice(0, pageSize)
  const last = page[page.length - 1]
  return { items: page.map((tx) => toWire(tx, t)), nextCursor: more && last ? encodeCursor(scope, last) : null }
}

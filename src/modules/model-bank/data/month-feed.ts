import type { AccountKind, CustomerPlan } from './accounts.ts'
import { monthOf } from './calendar.ts'
import { type Feed, type Key, MAX_SETTLE_LAG, type Tx, isAfter, isPendingAt } from './feed.ts'
import { type MonthTxs, generateMonth, monthOpening } from './history.ts'
import { Lru } from './lru.ts'
import type { Profile } from './profile.ts'

/**
 * An ordinary account's history, read month by month. A month (all the customer's accounts, ~150 transactions)
 * is generated on first use and kept in a bounded cache: a two-year window is 25 months, so the cache holds the
 * recent history of a few dozen customers (a few MB) and never grows past that.
 */
const months = new Lru<string, MonthTxs>(600)

function monthTxs (plan: CustomerPlan, profile: Profile, m: number): MonthTxs {
  return months.getOrCreate(`${plan.providerId}\u0000${plan.username}\u0000${m}`, () => generateMonth(plan, profile, m))
}

/** First index of a newest-first list whose timestamp is ≤ ts. */
function firstAtOrBefore (list: readonly Tx[], ts: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid]!.ts > ts) lo = mid + 1
    else hi = mid
  }
  return lo
}

export function monthFeed (plan: CustomerPlan, profile: Profile, kind: AccountKind): Feed {
  const list = (m: number): Tx[] => monthTxs(plan, profile, m)[kind]

  function * between (lo: number, hi: number, after?: Key, settledAt?: number): Generator<Tx> {
    const top = after && after.ts < hi ? after.ts : hi
    if (lo > top) return
    for (let m = monthOf(top); m >= monthOf(lo); m--) {
      const txs = list(m)
      for (let i = firstAtOrBefore(txs, top); i < txs.length; i++) {
        const tx = txs[i]!
        if (tx.ts < lo) return
        if (after && !isAfter(tx, after)) continue
        if (settledAt !== undefined && tx.ts + tx.lag > settledAt) continue
        yield tx
      }
    }
  }

  return {
    ledgerBefore (t) {
      const m = monthOf(t)
      let balance = monthOpening(plan, profile, kind, m)
      for (const tx of list(m)) if (tx.ts < t) balance += tx.amount
      return balance
    },
    between,
    pendingAt (asOf) {
      return [...between(asOf - MAX_SETTLE_LAG, asOf)].filter((tx) => isPendingAt(tx, asOf))
    },
  }
}

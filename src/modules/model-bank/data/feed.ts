import type { Category } from './categories.ts'
import { DAY } from './calendar.ts'

/** One transaction as the bank keeps it; `ts` in epoch milliseconds (whole seconds). */
export interface Tx {
  id: string
  ts: number
  amount: number
  currency: 'GBP' | 'EUR'
  description: string
  merchant?: string
  category?: Category
  /** Milliseconds after `ts` at which it settles; 0 = settled at once. Pending while ts ≤ asOf < ts + lag. */
  lag: number
}

/** No transaction stays pending longer than this, so one pending at D is settled at D + 3 days. */
export const MAX_SETTLE_LAG = 3 * DAY

/** Position in the bank's order (timestamp desc, then id desc). */
export interface Key {
  ts: number
  id: string
}

/** True when `a` comes strictly after `b` in the bank's order (older, or same second with a smaller id). */
export function isAfter (a: Key, b: Key): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id)
}

export function compareDesc (a: Key, b: Key): number {
  if (a.ts !== b.ts) return b.ts - a.ts
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

export function isPendingAt (tx: Tx, asOf: number): boolean {
  return tx.ts <= asOf && asOf < tx.ts + tx.lag
}

/**
 * One account's history, however it is produced (materialised months, or index arithmetic for the large account).
 * Every method is a pure function of its arguments: the history is fixed in time and `asOf` only decides what is
 * visible and what is still pending.
 */
export interface Feed {
  /** The ledger balance just before `t`: the opening balance plus every transaction dated before `t`. */
  ledgerBefore (t: number): number
  /**
   * Transactions with lo ≤ ts ≤ hi, in the bank's order, strictly after `after` when given, and only those
   * settled by `settledAt` when given (checked before a record is built, which matters for the large account).
   */
  between (lo: number, hi: number, after?: Key, settledAt?: number): Iterable<Tx>
  /** Transactions pending at `asOf`, in the bank's order. */
  pendingAt (asOf: number): Tx[]
}

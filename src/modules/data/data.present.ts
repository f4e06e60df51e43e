import type { BankAccount, BankBalance, BankTransaction } from '../providers/provider-adapter.ts'
import type { TransactionsRequestForWire } from './transactions-request.repository.ts'

/** The bank's objects in the wire shapes of the published description, and nothing more. */

export type WireAccount =
  | {
    id: string
    type: 'account'
    currency: 'GBP' | 'EUR'
    account_type: 'current' | 'savings'
    customer_segment: 'retail' | 'business'
    account_identifiers: NonNullable<BankAccount['account_identifiers']>
    bic?: string
    account_holder_names: string[]
  }
  | { id: string, type: 'card' }

export function presentAccount (a: BankAccount): WireAccount {
  // Card fields (network, type, partial number) are announced for a future release: only id and type for now.
  if (a.type === 'card') return { id: a.id, type: 'card' }
  return {
    id: a.id,
    type: 'account',
    currency: a.currency,
    account_type: a.account_type ?? 'current',
    customer_segment: a.customer_segment ?? 'retail',
    account_identifiers: a.account_identifiers ?? [],
    ...(a.bic ? { bic: a.bic } : {}),
    account_holder_names: a.account_holder_names ?? [],
  }
}

/** Ordered by `type` ascending, then `id` ascending, as the published description says (code-unit order). */
export function compareAccounts (a: { type: string, id: string }, b: { type: string, id: string }): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export interface WireTransaction {
  id: string
  timestamp: string
  description: string
  currency: 'GBP' | 'EUR'
  amount_in_minor: number
  status: 'pending' | 'settled'
  enrichment?: { merchant_name?: string, transaction_category?: { category_code: string, category_name: string } }
}

/** `enrichment` only when it was requested; inside it, only what the bank could determine. */
export function presentTransaction (t: BankTransaction, enrichment: boolean): WireTransaction {
  const out: WireTransaction = {
    id: t.id,
    timestamp: t.timestamp,
    description: t.description,
    currency: t.currency,
    amount_in_minor: t.amount_in_minor,
    status: t.status,
  }
  if (enrichment) {
    out.enrichment = {
      ...(t.merchant_name ? { merchant_name: t.merchant_name } : {}),
      ...(t.category_code && t.category_name ? { transaction_category: { category_code: t.category_code, category_name: t.category_name } } : {}),
    }
  }
  return out
}

export type WireTransactionsRequest =
  | { id: string, status: 'pending' }
  | { id: string, status: 'completed', result: { items: WireTransaction[], pagination: { next_cursor?: string } } }
  | { id: string, status: 'failed', failure_reason: string }

// Pages stored before the end of a walk was an empty page said `"next_cursor":null`; the published type is a
// string, so such a page is sent without the member.
const NULL_CURSOR_END = Buffer.from('"pagination":{"next_cursor":null}}')
const EMPTY_PAGINATION_END = Buffer.from('"pagination":{}}')
const CLOSE = Buffer.from('}')

/**
 * A transactions request as the wire has it. A completed one comes back as the bytes of the JSON built around the
 * stored `result` (already in wire shape, see StoredPage, and read as bytes): the route sends them as they are, with
 * no decoding, parsing or serialising of up to 500 transactions.
 */
export function presentTransactionsRequest (row: TransactionsRequestForWire): WireTransactionsRequest | Buffer {
  if (row.status === 'completed' && row.result_bytes) {
    const stored = row.result_bytes
    const result = stored.length >= NULL_CURSOR_END.length && stored.subarray(stored.length - NULL_CURSOR_END.length).equals(NULL_CURSOR_END)
      ? [stored.subarray(0, stored.length - NULL_CURSOR_END.length), EMPTY_PAGINATION_END]
      : [stored]
    return Buffer.concat([Buffer.from(`{"id":${JSON.stringify(row.id)},"status":"completed","result":`), ...result, CLOSE])
  }
  if (row.status === 'failed') return { id: row.id, status: 'failed', failure_reason: row.failure_reason ?? 'provider_error' }
  return { id: row.id, status: 'pending' }
}

/** Extension: balances in minor units (integers), like the contract's `amount_in_minor`. */
export function presentBalance (b: BankBalance): BankBalance {
  return { currency: b.currency, current: b.current, available: b.available, overdraft: b.overdraft, update_timestamp: b.update_timestamp }
}

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
const NULL_CURSOR_END = '"pagination":{"next_cursor":null}}'
const NULL_CURSOR_END_BYTES = Buffer.from(NULL_CURSOR_END)
const EMPTY_PAGINATION_END = '"pagination":{}}'

/**
 * A transactions request as the wire has it. A completed one comes back as the JSON built around the stored
 * `result` (already in wire shape, see StoredPage): the route sends it as it is, with no parsing or serialising of
 * up to 500 transactions. The stored page arrives as bytes (SQLite) or text (PostgreSQL), and goes out the same way.
 */
export function presentTransactionsRequest (row: TransactionsRequestForWire): WireTransactionsRequest | Buffer | string {
  const stored = row.result_body
  if (row.status === 'completed' && stored !== null) {
    const head = `{"id":${JSON.stringify(row.id)},"status":"completed","result":`
    if (typeof stored === 'string') {
      const result = stored.endsWith(NULL_CURSOR_END) ? `${stored.slice(0, -NULL_CURSOR_END.length)}${EMPTY_PAGINATION_END}` : stored
      return `${head}${result}}`
    }
    const nullEnd = stored.length >= NULL_CURSOR_END_BYTES.length && stored.subarray(stored.length - NULL_CURSOR_END_BYTES.length).equals(NULL_CURSOR_END_BYTES)
    const result = nullEnd ? [stored.subarray(0, stored.length - NULL_CURSOR_END_BYTES.length), Buffer.from(EMPTY_PAGINATION_END)] : [stored]
    return Buffer.concat([Buffer.from(head), ...result, Buffer.from('}')])
  }
  if (row.status === 'failed') return { id: row.id, status: 'failed', failure_reason: row.failure_reason ?? 'provider_error' }
  return { id: row.id, status: 'pending' }
}

/** Extension: balances in minor units (integers), like the contract's `amount_in_minor`. */
export function presentBalance (b: BankBalance): BankBalance {
  return { currency: b.currency, current: b.current, available: b.available, overdraft: b.overdraft, update_timestamp: b.update_timestamp }
}

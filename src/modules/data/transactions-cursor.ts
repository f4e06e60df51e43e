import { createHmac, timingSafeEqual } from 'node:crypto'
import { openCursor, sealCursor } from '../../storage/keyset.ts'

/**
 * `next_cursor` of a transactions page: the bank's own cursor, wrapped so that it is opaque to the client, cannot be
 * altered, and works only for the connection, account and date range it was issued for. It also carries the
 * virtual "today" the first page was read at, so every page of one walk reads the same snapshot of the bank
 * (a transaction that settles between two pages can then neither appear twice nor be skipped).
 */
export interface CursorState {
  connectionId: string
  accountId: string
  from: string
  to: string
  /** ISO time the bank is read at, for every page of the walk. */
  asOf: string
  bankCursor: string
}

/** The list these cursors belong to (storage/keyset.ts: one cursor format, bound to its list). */
const CURSOR_PURPOSE = 'transactions'

/**
 * The bank cursor of a `next_cursor` issued with the last non-empty page: the walk has nothing after it, and the
 * request made with it completes with `items: []` and no `next_cursor` (behaviour notes, "Transactions paging").
 * No bank cursor is empty, so the empty string cannot be confused with one.
 */
export const AFTER_LAST = ''

export function wrapCursor (secret: Buffer, state: CursorState): string {
  return sealCursor(secret, CURSOR_PURPOSE, [state.connectionId, state.accountId, state.from, state.to, state.asOf, state.bankCursor])
}

/** The problem with a cursor, as an Invalid Parameters message for `cursor`; or the state it carries. */
export function unwrapCursor (
  secret: Buffer,
  cursor: string,
  expect: { connectionId: string, accountId: string, from: string, to: string },
): { state: CursorState } | { problem: string } {
  const parts = openCursor(secret, CURSOR_PURPOSE, cursor, 6) ?? openLegacyCursor(secret, cursor)
  if (!parts) return { problem: 'is not a cursor this server issued: pass the next_cursor of a previous page unchanged' }
  const [connectionId, accountId, from, to, asOf, bankCursor] = parts as [string, string, string, string, string, string]
  if (connectionId !== expect.connectionId || accountId !== expect.accountId) {
    return { problem: 'was issued for another account: a cursor continues the walk through the account it came from' }
  }
  if (from !== expect.from || to !== expect.to) {
    return { problem: `was issued for from=${from} and to=${to}: send the same from and to with every page of one walk` }
  }
  return { state: { connectionId, accountId, from, to, asOf, bankCursor } }
}

/**
 * The format before the shared one (`c1.<payload>.<tag>`): completed pages are stored as sent, so a page read again
 * after an upgrade still carries such a cursor, and it must keep working.
 */
function openLegacyCursor (secret: Buffer, cursor: string): string[] | undefined {
  const [version, payload, given, ...rest] = cursor.split('.')
  if (version !== 'c1' || !payload || !given || rest.length > 0) return undefined
  const expected = createHmac('sha256', secret).update(`transactions-cursor\n${payload}`).digest('base64url').slice(0, 22)
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return undefined
  try {
    const values: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    return Array.isArray(values) && values.length === 6 && values.every((v) => typeof v === 'string') ? values : undefined
  } catch {
    return undefined
  }
}

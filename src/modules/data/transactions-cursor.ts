import { createHmac, timingSafeEqual } from 'node:crypto'

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

const VERSION = 'c1'

/**
 * The bank cursor of a `next_cursor` issued with the last non-empty page: the walk has nothing after it, and the
 * request made with it completes with `items: []` and no `next_cursor` (behaviour notes, "Transactions paging").
 * No bank cursor is empty, so the empty string cannot be confused with one.
 */
export const AFTER_LAST = ''

function mac (secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(`transactions-cursor\n${payload}`).digest('base64url').slice(0, 22)
}

export function wrapCursor (secret: Buffer, state: CursorState): string {
  const payload = Buffer.from(JSON.stringify([state.connectionId, state.accountId, state.from, state.to, state.asOf, state.bankCursor])).toString('base64url')
  return `${VERSION}.${payload}.${mac(secret, payload)}`
}

/** The problem with a cursor, as an Invalid Parameters message for `cursor`; or the state it carries. */
export function unwrapCursor (
  secret: Buffer,
  cursor: string,
  expect: { connectionId: string, accountId: string, from: string, to: string },
): { state: CursorState } | { problem: string } {
  const notOurs = { problem: 'is not a cursor this server issued: pass the next_cursor of a previous page unchanged' }
  const [version, payload, tag] = cursor.split('.')
  if (version !== VERSION || !payload || !tag || cursor.split('.').length !== 3) return notOurs
  const a = Buffer.from(tag)
  const b = Buffer.from(mac(secret, payload))
  if (a.length !== b.length || !timingSafeEqual(a, b)) return notOurs
  let parts: unknown
  try {
    parts = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return notOurs
  }
  if (!Array.isArray(parts) || parts.length !== 6 || !parts.every((p) => typeof p === 'string')) return notOurs
  const [connectionId, accountId, from, to, asOf, bankCursor] = parts as string[]
  if (connectionId !== expect.connectionId || accountId !== expect.accountId) {
    return { problem: 'was issued for another account: a cursor continues the walk through the account it came from' }
  }
  if (from !== expect.from || to !== expect.to) {
    return { problem: `was issued for from=${from} and to=${to}: send the same from and to with every page of one walk` }
  }
  return { state: { connectionId: connectionId!, accountId: accountId!, from: from!, to: to!, asOf: asOf!, bankCursor: bankCursor! } }
}

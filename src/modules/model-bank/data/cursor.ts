import { InvalidCursorError } from './errors.ts'
import type { Key } from './feed.ts'
import { shortDigest } from './prng.ts'

/**
 * Paging cursors: the position of the last item returned (timestamp, id) — a keyset, so a page never repeats or
 * skips an item even when `asOf` moves between pages — bound to the account and date range by a short digest so
 * that a cursor is only good for the query that produced it. Opaque to callers: base64url text.
 */
const VERSION = 'c1'

export function scopeOf (accountId: string, from: string, to: string): string {
  return shortDigest(`${accountId}|${from}|${to}`)
}

export function encodeCursor (scope: string, key: Key): string {
  return Buffer.from(`${VERSION}.${scope}.${key.ts}.${key.id}`, 'utf8').toString('base64url')
}

export function decodeCursor (cursor: string, scope: string): Key {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new InvalidCursorError()
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('.')
  const [version, digest, ts, id] = parts
  if (parts.length !== 4 || version !== VERSION || !/^\d{1,15}$/.test(ts ?? '') || !/^[0-9a-f]{32}$/.test(id ?? '')) throw new InvalidCursorError()
  if (digest !== scope) throw new InvalidCursorError('The cursor belongs to another account or date range.')
  return { ts: Number(ts), id: id! }
}

import { createHmac, timingSafeEqual } from 'node:crypto'
import { type SelectQueryBuilder, type SqlBool, sql } from 'kysely'
import { invalidParameters } from '../contract/errors.ts'

/**
 * Paging, one way everywhere: keyset pages on (created_at, id), newest first, and one cursor format for every list
 * that hands out a cursor (the connections list, the webhook delivery log, the Console's pages, transactions pages).
 *
 * A cursor is `<payload>.<tag>`: the payload is base64url of a JSON array of strings, the tag an HMAC of it with the
 * server secret and the list it belongs to (`purpose`). So it is opaque to clients, an altered one is refused rather
 * than read as some other position, and a cursor of one list is not accepted by another.
 */

/** Where a newest-first page ended: its last item's sort key and id (the tie-break for equal keys). */
export interface KeysetPosition { createdAt: string, id: string }

const TAG_LENGTH = 22

function tag (secret: Buffer, purpose: string, payload: string): string {
  return createHmac('sha256', secret).update(`cursor\n${purpose}\n${payload}`).digest('base64url').slice(0, TAG_LENGTH)
}

/** A cursor carrying `values`, good only for `purpose`. */
export function sealCursor (secret: Buffer, purpose: string, values: readonly string[]): string {
  const payload = Buffer.from(JSON.stringify(values)).toString('base64url')
  return `${payload}.${tag(secret, purpose, payload)}`
}

/** The values a cursor of `purpose` carries (exactly `arity` strings), or undefined when this server did not issue it. */
export function openCursor (secret: Buffer, purpose: string, cursor: string, arity: number): string[] | undefined {
  const parts = cursor.split('.')
  if (parts.length !== 2) return undefined
  const [payload, given] = parts as [string, string]
  const expected = tag(secret, purpose, payload)
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return undefined
  try {
    const values: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    return Array.isArray(values) && values.length === arity && values.every((v) => typeof v === 'string') ? values : undefined
  } catch {
    return undefined
  }
}

/** What a client is told about a cursor this server did not issue (Invalid Parameters, under `cursor`). */
export const FOREIGN_CURSOR = 'is not a cursor this server issued: pass pagination.next_cursor from the previous page unchanged'

export const encodePosition = (secret: Buffer, purpose: string, p: KeysetPosition): string => sealCursor(secret, purpose, [p.createdAt, p.id])

/** The position in a cursor of `purpose`, or undefined when it is not one this server issued for that list. */
export function decodePosition (secret: Buffer, purpose: string, cursor: string): KeysetPosition | undefined {
  const values = openCursor(secret, purpose, cursor, 2)
  return values ? { createdAt: values[0]!, id: values[1]! } : undefined
}

/** The position in a query parameter `cursor`; one this server did not issue → 400 Invalid Parameters naming `cursor`. */
export function readPositionParameter (secret: Buffer, purpose: string, cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined || cursor === '') return undefined
  const position = decodePosition(secret, purpose, cursor)
  if (!position) throw invalidParameters({ cursor: [FOREIGN_CURSOR] }, 'The request parameters were invalid.')
  return position
}

/**
 * Newest first on (created_at, id), after `position` when given: the keyset WHERE and ORDER BY of every paged list.
 * Ask for one row more than the page holds; `keysetPage` then tells whether there is a next page.
 */
export function newestFirstAfter<DB, TB extends keyof DB, O> (
  q: SelectQueryBuilder<DB, TB, O>,
  position: KeysetPosition | undefined,
): SelectQueryBuilder<DB, TB, O> {
  const createdAt = sql.ref('created_at')
  const id = sql.ref('id')
  const after = position
    ? q.where(sql<SqlBool>`(${createdAt} < ${position.createdAt} or (${createdAt} = ${position.createdAt} and ${id} < ${position.id}))`)
    : q
  return after.orderBy(createdAt, 'desc').orderBy(id, 'desc')
}

/** The page of `limit` rows out of `limit + 1` read, and the position to continue from when there are more. */
export function keysetPage<R> (rows: R[], limit: number, positionOf: (row: R) => KeysetPosition): { items: R[], next?: KeysetPosition } {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, ...(rows.length > limit && last !== undefined ? { next: positionOf(last) } : {}) }
}

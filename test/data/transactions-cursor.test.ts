import assert from 'node:assert/strict'
import { createHmac, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { unwrapCursor, wrapCursor } from '../../src/modules/data/transactions-cursor.ts'

const secret = randomBytes(32)
const state = { connectionId: 'c', accountId: 'a', from: '2026-01-01', to: '2026-01-31', asOf: '2026-02-01T00:00:00.000Z', bankCursor: 'b' }
const expect = { connectionId: 'c', accountId: 'a', from: '2026-01-01', to: '2026-01-31' }

test('a transactions cursor reads back with its state, in the shared format', () => {
  const cursor = wrapCursor(secret, state)
  assert.match(cursor, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/)
  assert.deepEqual(unwrapCursor(secret, cursor, expect), { state })
})

test('a cursor in the earlier format (c1.<payload>.<tag>), as stored pages carry it, still works; altered, it does not', () => {
  const payload = Buffer.from(JSON.stringify(['c', 'a', '2026-01-01', '2026-01-31', state.asOf, 'b'])).toString('base64url')
  const tag = createHmac('sha256', secret).update(`transactions-cursor\n${payload}`).digest('base64url').slice(0, 22)
  assert.deepEqual(unwrapCursor(secret, `c1.${payload}.${tag}`, expect), { state })
  const altered = `c1.${payload}.${tag.startsWith('A') ? 'B' : 'A'}${tag.slice(1)}`
  assert.match((unwrapCursor(secret, altered, expect) as { problem: string }).problem, /not a cursor this server issued/)
})

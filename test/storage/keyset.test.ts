import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { ApiError } from '../../src/contract/errors.ts'
import { decodePosition, encodePosition, keysetPage, openCursor, readPositionParameter, sealCursor } from '../../src/storage/keyset.ts'

const secret = randomBytes(32)
const position = { createdAt: '2026-07-15T12:00:00.000Z', id: '7d4b7a2e-9f3c-4e8b-a1d5-6c2f8e0b3a7d' }

test('a cursor reads back only for the list it was made for, unaltered, with the same secret', () => {
  const cursor = encodePosition(secret, 'data-connections', position)
  assert.match(cursor, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/, 'opaque: base64url payload and tag')
  assert.ok(!cursor.includes(position.id), 'the id is not readable as is')
  assert.deepEqual(decodePosition(secret, 'data-connections', cursor), position)
  assert.equal(decodePosition(secret, 'webhook-deliveries', cursor), undefined, 'another list refuses it')
  assert.equal(decodePosition(randomBytes(32), 'data-connections', cursor), undefined, 'another server refuses it')
  const [payload, tag] = cursor.split('.') as [string, string]
  const forged = Buffer.from(JSON.stringify(['2099-01-01T00:00:00.000Z', position.id])).toString('base64url')
  assert.equal(decodePosition(secret, 'data-connections', `${forged}.${tag}`), undefined, 'a changed payload')
  const changedTag = `${tag.slice(0, 5)}${tag[5] === 'A' ? 'B' : 'A'}${tag.slice(6)}`
  assert.equal(decodePosition(secret, 'data-connections', `${payload}.${changedTag}`), undefined, 'a changed tag')
  for (const junk of ['', 'nonsense', '.', 'a.b.c', `${payload}.`, `.${tag}`]) assert.equal(decodePosition(secret, 'data-connections', junk), undefined, junk)
  assert.equal(openCursor(secret, 'x', sealCursor(secret, 'x', ['a', 'b', 'c']), 2), undefined, 'the wrong number of values')
})

test('a query cursor this server did not issue is a 400 Invalid Parameters naming cursor; none is the first page', () => {
  assert.equal(readPositionParameter(secret, 'data-connections', undefined), undefined)
  assert.equal(readPositionParameter(secret, 'data-connections', ''), undefined)
  assert.throws(() => readPositionParameter(secret, 'data-connections', 'garbage'), (err: unknown) => {
    assert.ok(err instanceof ApiError)
    assert.equal(err.code, 'INVALID_PARAMETERS')
    assert.match(String(err.errors?.cursor?.[0]), /next_cursor/)
    return true
  })
})

test('keysetPage: a next position only when a row beyond the page was read', () => {
  const rows = [1, 2, 3].map((n) => ({ created_at: `t${n}`, id: `i${n}` }))
  const at = (r: { created_at: string, id: string }) => ({ createdAt: r.created_at, id: r.id })
  assert.deepEqual(keysetPage(rows, 2, at), { items: rows.slice(0, 2), next: { createdAt: 't2', id: 'i2' } })
  assert.deepEqual(keysetPage(rows, 3, at), { items: rows })
  assert.deepEqual(keysetPage([], 3, at), { items: [] })
})

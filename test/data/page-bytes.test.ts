import assert from 'node:assert/strict'
import { test } from 'node:test'
import { presentTransactionsRequest } from '../../src/modules/data/data.present.ts'

const completed = (result: string) => ({ id: 'r1', status: 'completed', failure_reason: null, result_bytes: Buffer.from(result, 'utf8') })

test('a completed page goes out as the stored bytes inside its envelope, non-ASCII text intact', () => {
  const page = '{"items":[{"id":"t1","description":"Café Crème £3.20 — 東京"}],"pagination":{"next_cursor":"abc"}}'
  const out = presentTransactionsRequest(completed(page))
  assert.ok(Buffer.isBuffer(out))
  assert.deepEqual(JSON.parse(out.toString('utf8')), { id: 'r1', status: 'completed', result: JSON.parse(page) })
})

test('a page stored by an older version with "next_cursor": null is sent without the member (the published type is a string)', () => {
  const out = presentTransactionsRequest(completed('{"items":[],"pagination":{"next_cursor":null}}'))
  assert.ok(Buffer.isBuffer(out))
  assert.deepEqual(JSON.parse(out.toString('utf8')), { id: 'r1', status: 'completed', result: { items: [], pagination: {} } })
})

test('pending and failed requests are plain objects for the route\'s serializer', () => {
  assert.deepEqual(presentTransactionsRequest({ id: 'r2', status: 'pending', failure_reason: null, result_bytes: null }), { id: 'r2', status: 'pending' })
  assert.deepEqual(presentTransactionsRequest({ id: 'r3', status: 'failed', failure_reason: 'provider_error', result_bytes: null }),
    { id: 'r3', status: 'failed', failure_reason: 'provider_error' })
})

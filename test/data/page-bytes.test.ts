import assert from 'node:assert/strict'
import { test } from 'node:test'
import { presentTransactionsRequest } from '../../src/modules/data/data.present.ts'

// SQLite hands the stored page over as bytes, PostgreSQL as text: both must go out the same.
const asBytes = (result: string) => ({ id: 'r1', status: 'completed', failure_reason: null, result_body: Buffer.from(result, 'utf8') })
const asText = (result: string) => ({ id: 'r1', status: 'completed', failure_reason: null, result_body: result })
const wire = (out: unknown) => JSON.parse(Buffer.isBuffer(out) ? out.toString('utf8') : String(out))

test('a completed page goes out as the stored bytes inside its envelope, non-ASCII text intact', () => {
  const page = '{"items":[{"id":"t1","description":"Café Crème £3.20 — 東京"}],"pagination":{"next_cursor":"abc"}}'
  for (const stored of [asBytes(page), asText(page)]) {
    assert.deepEqual(wire(presentTransactionsRequest(stored)), { id: 'r1', status: 'completed', result: JSON.parse(page) })
  }
  assert.ok(Buffer.isBuffer(presentTransactionsRequest(asBytes(page))), 'bytes stay bytes: nothing decoded on the way')
})

test('a page stored by an older version with "next_cursor": null is sent without the member (the published type is a string)', () => {
  for (const stored of [asBytes, asText]) {
    const out = presentTransactionsRequest(stored('{"items":[],"pagination":{"next_cursor":null}}'))
    assert.deepEqual(wire(out), { id: 'r1', status: 'completed', result: { items: [], pagination: {} } })
  }
})

test('pending and failed requests are plain objects for the route\'s serializer', () => {
  assert.deepEqual(presentTransactionsRequest({ id: 'r2', status: 'pending', failure_reason: null, result_body: null }), { id: 'r2', status: 'pending' })
  assert.deepEqual(presentTransactionsRequest({ id: 'r3', status: 'failed', failure_reason: 'provider_error', result_body: null }),
    { id: 'r3', status: 'failed', failure_reason: 'provider_error' })
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { componentValidator, describeErrors } from '../conformance/published-contract.validator.ts'
import type { PUBLISHED_WEBHOOK_TYPES } from '../../src/client/webhook-events.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { config5, createConnection, PRESENT, sandboxAuthorize } from '../sandbox/sandbox-kit.ts'
import { startReceiver, verifyDelivery } from './receiver.ts'

/**
 * The published schema of each contract event; the two extensions are checked by hand below. Typed by the
 * catalogue's published types, so a new published type does not compile until it is mapped to its schema here.
 */
const PUBLISHED: Record<(typeof PUBLISHED_WEBHOOK_TYPES)[number], string> = {
  connection_authorized: 'ConnectionAuthorized',
  connection_failed: 'ConnectionFailed',
  transactions_request_completed: 'TransactionsRequestWebhookCompleted',
  transactions_request_failed: 'TransactionsRequestWebhookFailed',
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

test('every webhook type, as delivered, validates against the published schema (extensions: the same common shape)', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  // Opted into the extension types: this test checks their shape too.
  const c = await h.client({ webhookUri: rx.url, webhookExtensionEvents: ['connection_revoked', 'connection_expired'] })
  const headers = (id: string) => ({ ...c.auth, 'connection-id': id, ...PRESENT })
  const firstAccount = async (id: string): Promise<string> =>
    (await h.inject({ method: 'GET', url: '/v3/connected-accounts?type=account', headers: headers(id) })).json().items[0].id
  const today = (await h.deps.clock.now(c.id)).toISOString().slice(0, 10)
  const requestTransactions = async (id: string, accountId: string) => {
    const res = await h.inject({ method: 'POST', url: `/v3/connected-accounts/${accountId}/transactions/requests`, headers: headers(id), payload: { from: today, to: today } })
    assert.equal(res.statusCode, 202, res.body)
  }

  // connection_authorized, then transactions_request_completed on it.
  const ok = await createConnection(h, c, config5({ metadata: { order: '42' } }))
  await sandboxAuthorize(h, c, ok.id, { outcome: 'authorized' })
  await requestTransactions(ok.id, await firstAccount(ok.id))
  await h.deps.workers.runAll()
  // connection_failed.
  const ko = await createConnection(h, c, config5())
  await sandboxAuthorize(h, c, ko.id, { outcome: 'failed' })
  // transactions_request_failed: the connection is revoked before the worker reads the bank (connection_revoked too).
  const gone = await createConnection(h, c, config5())
  await sandboxAuthorize(h, c, gone.id, { outcome: 'authorized' })
  await requestTransactions(gone.id, await firstAccount(gone.id))
  assert.equal((await h.inject({ method: 'DELETE', url: `/v3/data-connections/${gone.id}`, headers: c.auth })).statusCode, 204)
  await h.deps.workers.runAll()
  // connection_expired.
  await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: c.auth, payload: { by: 'P91D' } })
  await h.deps.workers.runAll()

  const jwks = (await h.inject({ method: 'GET', url: '/.well-known/jwks' })).body
  const seen = new Set<string>()
  for (const r of rx.received) {
    verifyDelivery(r, jwks)
    const type = String(r.event.type)
    seen.add(type)
    const schema = (PUBLISHED as Record<string, string | undefined>)[type]
    if (schema) {
      const validate = componentValidator(schema)
      assert.ok(validate(r.event), `${type}: ${describeErrors(validate)}\n${r.body}`)
    } else {
      assert.equal(r.event.event_version, 1, type)
      assert.match(String(r.event.event_id), UUID, type)
      assert.match(String(r.event.connection_id), UUID, type)
      const at = type === 'connection_revoked' ? r.event.revoked_at : r.event.expired_at
      assert.ok(typeof at === 'string' && !Number.isNaN(Date.parse(at)), `${type}: its time`)
    }
  }
  assert.deepEqual([...seen].sort(), [
    'connection_authorized', 'connection_expired', 'connection_failed', 'connection_revoked', 'transactions_request_completed', 'transactions_request_failed',
  ])
  const authorized = rx.received.find((r) => r.event.type === 'connection_authorized' && r.event.connection_id === ok.id)
  assert.deepEqual(authorized?.event.metadata, { order: '42' }, 'metadata echoed')
})

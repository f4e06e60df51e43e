import assert from 'node:assert/strict'
import { test } from 'node:test'
import { listConnectionDeliveries } from '../../src/modules/webhooks/webhook.repository.ts'
import * as m0015 from '../../src/storage/migrations/0015_webhook_event_connection.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { raiseEvent } from '../webhooks/helpers.ts'

const A = '7d4b7a2e-9f3c-4e8b-a1d5-6c2f8e0b3a7d'
const B = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f'

test('0015 fills webhook_events.connection_id from each stored body, and a connection\'s events are read by it', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const other = await h.client()
  const onA = await raiseEvent(h.deps, c.id, 'connection_authorized', { connection_id: A, authorized_at: '2026-07-15T12:00:00.000Z' })
  // Mentions A in its metadata, but reports on B: the old text scan matched it, the column does not.
  const onB = await raiseEvent(h.deps, c.id, 'connection_revoked', { connection_id: B, revoked_at: '2026-07-15T12:01:00.000Z', metadata: { previous: A } })
  const otherClients = await raiseEvent(h.deps, other.id, 'connection_authorized', { connection_id: A, authorized_at: '2026-07-15T12:02:00.000Z' })
  const db = h.deps.db

  // As a database migrated before 0015 holds them: no column, then the migration adds and fills it.
  await m0015.down(db)
  await db.updateTable('webhook_events').set({ payload: 'not json' } as never).where('id', '=', otherClients).execute()
  await m0015.up(db)

  const rows = await db.selectFrom('webhook_events').select(['id', 'connection_id']).orderBy('id').execute()
  const byId = Object.fromEntries(rows.map((r) => [r.id, r.connection_id]))
  assert.equal(byId[onA], A)
  assert.equal(byId[onB], B)
  assert.equal(byId[otherClients], null, 'an unreadable body leaves the column empty, and the migration does not fail')

  assert.deepEqual((await listConnectionDeliveries(db, c.id, A)).map((d) => d.event_id), [onA])
  assert.deepEqual((await listConnectionDeliveries(db, c.id, B)).map((d) => d.event_id), [onB])
  assert.deepEqual(await listConnectionDeliveries(db, other.id, B), [], 'scoped by client')

  // New events are written with it.
  const fresh = await raiseEvent(h.deps, c.id, 'connection_expired', { connection_id: A, expired_at: '2026-10-13T12:00:00.000Z' })
  assert.deepEqual((await listConnectionDeliveries(db, c.id, A)).map((d) => d.event_id), [onA, fresh])
})

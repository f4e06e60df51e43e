import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ids } from '../../src/contract/ids.ts'
import { insertTogether } from '../../src/storage/insert-together.ts'
import { migrateToLatest } from '../../src/storage/migrate.ts'
import { openTestDb } from '../helpers/build-app.ts'
import { connectionRow } from '../helpers/connection-row.ts'

// On the suite's database: PostgreSQL writes the two rows in one statement, SQLite in one grouped transaction.
const at = '2026-01-01T00:00:00.000Z'
const connection = (id: string) => connectionRow({
  id,
  client_id: 'c',
  status: 'authorization_required',
  user_id: ids.uuid(),
  user_name: 'Jane Smith',
  user_email: 'jane@example.com',
  scopes: '["info"]',
  provider_selection: '{"type":"user_selected"}',
  user_consent: '{"type":"authorization_flow_captured"}',
  hosted_page: null,
  data_access_type: 'recurring',
  created_at: at,
  updated_at: at,
})
const event = (id: string, connectionId: string) => ({ id, connection_id: connectionId, client_id: 'c', at, kind: 'created', detail: null })

test('a connection and its timeline entry are written together, or neither is', async (t) => {
  const { db, drop } = await openTestDb()
  t.after(async () => { await db.close(); await drop() })
  await migrateToLatest(db.kysely, db.schema)
  await db.kysely.insertInto('clients').values({ id: 'c', name: 'c', secret_hash: 'x', redirect_uris: '[]', webhook_uri: null, aisp_licence: 0, created_at: at }).execute()

  await insertTogether(db.kysely, { table: 'connections', row: connection('one') }, { table: 'connection_events', row: event('e1', 'one') })
  assert.equal((await db.kysely.selectFrom('connections').select('id').where('id', '=', 'one').execute()).length, 1)
  assert.deepEqual((await db.kysely.selectFrom('connection_events').select('connection_id').where('id', '=', 'e1').execute()), [{ connection_id: 'one' }])

  // The timeline entry cannot be written (its id is taken): the connection must not be left behind without it.
  await assert.rejects(insertTogether(db.kysely, { table: 'connections', row: connection('two') }, { table: 'connection_events', row: event('e1', 'two') }))
  assert.equal((await db.kysely.selectFrom('connections').select('id').where('id', '=', 'two').execute()).length, 0, 'no half-written connection')
  // And the database goes on working after the refusal.
  await insertTogether(db.kysely, { table: 'connections', row: connection('three') }, { table: 'connection_events', row: event('e3', 'three') })
  assert.equal((await db.kysely.selectFrom('connection_events').select('id').where('connection_id', '=', 'three').execute()).length, 1)
})

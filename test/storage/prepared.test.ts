import assert from 'node:assert/strict'
import { test } from 'node:test'
import { migrateToLatest } from '../../src/storage/migrate.ts'
import { prepared } from '../../src/storage/prepared.ts'
import { writeTransaction } from '../../src/storage/write-queue.ts'
import { openTestDb } from '../helpers/build-app.ts'

// Runs on the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL): the compiled SQL is the dialect's.
const newClient = (id: string, name: string) => ({ id, name, secret_hash: 'x', redirect_uris: '[]', webhook_uri: null, aisp_licence: 0, created_at: '2026-01-01T00:00:00.000Z' })

test('a prepared query answers each call with its own arguments, keeps the constants the builder wrote, and runs inside a transaction', async (t) => {
  const { db, drop } = await openTestDb()
  t.after(async () => { await db.close(); await drop() })
  await migrateToLatest(db.kysely, db.schema)
  await db.kysely.insertInto('clients').values([newClient('a', 'Alpha'), newClient('b', 'Beta'), newClient('c', 'Gamma')]).execute()

  const named = prepared(2, (q, id: string, name: string) =>
    q.selectFrom('clients').select(['id', 'name']).where('id', '=', id).where('name', '=', name).where('aisp_licence', '=', 0))
  assert.deepEqual(await named.first(db.kysely, 'a', 'Alpha'), { id: 'a', name: 'Alpha' })
  assert.deepEqual(await named.first(db.kysely, 'b', 'Beta'), { id: 'b', name: 'Beta' }, 'the second call is not answered with the first call\'s arguments')
  assert.equal(await named.first(db.kysely, 'a', 'Beta'), undefined)

  const either = prepared(2, (q, one: string, other: string) => q.selectFrom('clients').select('id').where('id', 'in', [one, other]).orderBy('id'))
  assert.deepEqual((await either.all(db.kysely, 'c', 'a')).map((r) => r.id), ['a', 'c'])

  const inserted = await writeTransaction(db.kysely, async (trx) => {
    await trx.insertInto('clients').values(newClient('d', 'Delta')).execute()
    return named.first(trx, 'd', 'Delta')
  })
  assert.deepEqual(inserted, { id: 'd', name: 'Delta' }, 'the transaction sees its own write through the prepared query')
})

test('a builder that does not pass an argument to the SQL is refused on first use, not silently run without it', async (t) => {
  const { db, drop } = await openTestDb()
  t.after(async () => { await db.close(); await drop() })
  await migrateToLatest(db.kysely, db.schema)
  const shapeFromArgument = prepared(1, (q, _unused: string) => q.selectFrom('clients').select('id').where('id', '=', 'fixed'))
  await assert.rejects(shapeFromArgument.all(db.kysely, 'a'), /argument 0 does not reach the SQL/)
})

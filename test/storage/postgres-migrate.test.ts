import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { createDb } from '../../src/storage/create-db.ts'
import { migrateToLatest } from '../../src/storage/migrate.ts'
import { DIALECT, TEST_DATABASE_URL } from '../helpers/build-app.ts'

/**
 * Several Ledgerites on one PostgreSQL database, each in its own schema (how the suite runs, and how teams share a
 * server): one migrating must not be disturbed by others migrating or dropping their schemas at the same moment.
 * Kysely's stock introspection listed every schema's columns and failed with "column … does not exist" when it met
 * a table mid-drop; the migrator now looks only at its own search path.
 */
test('migrations into several schemas at once, while other schemas are dropped, all succeed', { skip: DIALECT !== 'postgres' && 'PostgreSQL only' }, async () => {
  const admin = createDb(TEST_DATABASE_URL)
  const names = Array.from({ length: 12 }, () => `t_mig_${randomBytes(5).toString('hex')}`)
  try {
    for (const n of names) await sql`create schema ${sql.id(n)}`.execute(admin.kysely)
    // The first half are migrated, then dropped while the second half migrate: both at once, three rounds.
    const [early, late] = [names.slice(0, 6), names.slice(6)]
    await Promise.all(early.map(async (schema) => {
      const db = createDb(TEST_DATABASE_URL, { schema })
      try { await migrateToLatest(db.kysely, schema) } finally { await db.close() }
    }))
    const migrated = await Promise.all([
      ...late.map(async (schema) => {
        const db = createDb(TEST_DATABASE_URL, { schema })
        try { return await migrateToLatest(db.kysely, schema) } finally { await db.close() }
      }),
      ...early.map(async (schema) => { await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.kysely); return [] }),
    ])
    for (const applied of migrated.slice(0, late.length)) assert.ok(applied.length >= 13, `every migration applied, got ${applied.join(', ')}`)
    // A second run in a migrated schema finds its own bookkeeping and applies nothing.
    const again = createDb(TEST_DATABASE_URL, { schema: late[0] })
    try { assert.deepEqual(await migrateToLatest(again.kysely, late[0]), []) } finally { await again.close() }
  } finally {
    for (const n of names) await sql`drop schema if exists ${sql.id(n)} cascade`.execute(admin.kysely)
    await admin.close()
  }
})

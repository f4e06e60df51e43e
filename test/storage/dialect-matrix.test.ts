import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, test } from 'node:test'
import { type Kysely, sql } from 'kysely'
import { ids } from '../../src/contract/ids.ts'
import { createClient } from '../../src/modules/auth/client.repository.ts'
import { cancelBeforeBank, failConnection } from '../../src/modules/connections/connection.lifecycle.ts'
import { findConnection, insertConnection, listConnectionsPage } from '../../src/modules/connections/connection.repository.ts'
import { createDb, type Db } from '../../src/storage/create-db.ts'
import type { Database } from '../../src/storage/database.ts'
import { isUniqueViolation } from '../../src/storage/dialect.ts'
import { keysetPage } from '../../src/storage/keyset.ts'
import { migrateToLatest } from '../../src/storage/migrate.ts'
import { writeTransaction } from '../../src/storage/write-queue.ts'
import { connectionRow } from '../helpers/connection-row.ts'
import { postgresUnreachable } from '../helpers/postgres-reachable.ts'

/**
 * The repositories where the two dialects could differ — unique violations, keyset order on equal timestamps,
 * compare-and-set moves under concurrency, a failed transaction leaving nothing, text outside the BMP — run against
 * SQLite and PostgreSQL in the same `npm test` run (kysely's own test habit), rather than only by running the whole
 * suite a second time on PostgreSQL. PostgreSQL joins whenever it answers (PG_URL, TEST_DATABASE_URL or the local
 * default); CI always provides it.
 */
const PG_URL = [process.env.PG_URL, process.env.TEST_DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/test']
  .find((u) => u?.startsWith('postgres')) as string

interface Dialect { name: string, open: () => Promise<{ db: Db, drop: () => Promise<void> }> }

const DIALECTS: Dialect[] = [
  { name: 'SQLite', open: async () => ({ db: createDb('sqlite::memory:'), drop: async () => {} }) },
]
const pgSkip = await postgresUnreachable(PG_URL, 1500)
if (!pgSkip) {
  DIALECTS.push({
    name: 'PostgreSQL',
    open: async () => {
      const schema = `t_matrix_${randomBytes(5).toString('hex')}`
      const admin = createDb(PG_URL)
      await sql`create schema ${sql.id(schema)}`.execute(admin.kysely)
      return {
        db: createDb(PG_URL, { schema }),
        drop: async () => {
          await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.kysely)
          await admin.close()
        },
      }
    },
  })
} else {
  test('PostgreSQL is not reachable: the dialect matrix runs on SQLite only', { skip: pgSkip }, () => {})
}

async function seedConnection (db: Kysely<Database>, clientId: string, at: string, extra: { id?: string, user_name?: string, status?: string } = {}) {
  const id = extra.id ?? ids.uuid()
  await insertConnection(db, connectionRow({
    id,
    client_id: clientId,
    status: extra.status ?? 'authorization_required',
    user_id: ids.uuid(),
    user_name: extra.user_name ?? 'Jane Smith',
    user_email: 'jane@example.com',
    scopes: JSON.stringify(['info', 'accounts']),
    provider_selection: JSON.stringify({ type: 'user_selected', filter: { countries: ['GB'] } }),
    user_consent: JSON.stringify({ type: 'authorization_flow_captured' }),
    hosted_page: null,
    data_access_type: 'recurring',
    created_at: at,
    updated_at: at,
  }))
  return id
}

for (const dialect of DIALECTS) {
  describe(`repositories on ${dialect.name}`, () => {
    let db: Db
    let drop: () => Promise<void>
    let clientId: string

    test.before(async () => {
      ({ db, drop } = await dialect.open())
      await migrateToLatest(db.kysely, db.schema)
      const { client } = await createClient(db.kysely, { name: 'matrix', redirectUris: ['https://your-app.com/callback'], webhookUri: null, aispLicence: false, webhookExtensionEvents: [] })
      clientId = client.id
    })
    test.after(async () => {
      await db.close()
      await drop()
    })

    test('a second row with the same key is a unique violation, recognised as one', async () => {
      const id = await seedConnection(db.kysely, clientId, new Date().toISOString())
      const err = await seedConnection(db.kysely, clientId, new Date().toISOString(), { id }).then(() => undefined, (e: unknown) => e)
      assert.ok(err, 'the duplicate insert is refused')
      assert.equal(isUniqueViolation(err), true, `recognised as a unique violation: ${String(err)}`)
      assert.equal(isUniqueViolation(new Error('something else')), false)
    })

    test('keyset pages over rows sharing one timestamp: every row once, newest first, ties by id descending', async () => {
      const { client } = await createClient(db.kysely, { name: 'pages', redirectUris: ['https://your-app.com/callback'], webhookUri: null, aispLicence: false, webhookExtensionEvents: [] })
      const same = '2026-01-02T03:04:05.000Z'
      const seeded = [
        ...await Promise.all(Array.from({ length: 23 }, () => seedConnection(db.kysely, client.id, same))),
        await seedConnection(db.kysely, client.id, '2026-01-01T00:00:00.000Z'),
        await seedConnection(db.kysely, client.id, '2026-01-03T00:00:00.000Z'),
      ]
      const seen: string[] = []
      let after: { createdAt: string, id: string } | undefined
      for (let pages = 0; pages < 10; pages++) {
        const rows = await listConnectionsPage(db.kysely, client.id, { limit: 8, after })
        const page = keysetPage(rows, 7, (r) => ({ createdAt: r.created_at, id: r.id }))
        seen.push(...page.items.map((r) => r.id))
        if (!page.next) break
        after = page.next
      }
      assert.equal(seen.length, seeded.length, 'no row skipped or repeated')
      assert.equal(new Set(seen).size, seeded.length)
      const tied = seeded.slice(0, 23).sort().reverse()
      assert.deepEqual(seen, [seeded[24], ...tied, seeded[23]], 'newest first; equal timestamps by id, descending (byte order on both)')
    })

    test('two status changes racing on one connection: exactly one wins, the other is Invalid State, one timeline entry', async () => {
      for (let round = 0; round < 5; round++) {
        const id = await seedConnection(db.kysely, clientId, new Date().toISOString())
        const now = new Date()
        const results = await Promise.allSettled([
          failConnection(db.kysely, clientId, id, now, 'provider_error'),
          cancelBeforeBank(db.kysely, clientId, id, now),
        ])
        const won = results.filter((r) => r.status === 'fulfilled')
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        assert.equal(won.length, 1, `exactly one move wins (round ${round})`)
        assert.equal((lost[0]?.reason as { code?: string } | undefined)?.code, 'INVALID_STATE')
        const events = await db.kysely.selectFrom('connection_events').select('kind').where('connection_id', '=', id).execute()
        assert.deepEqual(events.map((e) => e.kind), ['status:failed'])
        const webhooks = await db.kysely.selectFrom('webhook_events').select('type').where('connection_id', '=', id).execute()
        assert.deepEqual(webhooks.map((w) => w.type), ['connection_failed'], 'one webhook for the one move')
      }
    })

    test('a transaction that fails leaves nothing, while one committed beside it stays', async () => {
      const kept = ids.uuid()
      const lost = ids.uuid()
      const at = new Date().toISOString()
      const results = await Promise.allSettled([
        writeTransaction(db.kysely, async (trx) => { await seedConnection(trx, clientId, at, { id: kept }) }),
        writeTransaction(db.kysely, async (trx) => {
          await seedConnection(trx, clientId, at, { id: lost })
          throw new Error('refused after the insert')
        }),
      ])
      assert.equal(results[0].status, 'fulfilled')
      assert.equal(results[1].status, 'rejected')
      assert.ok(await findConnection(db.kysely, clientId, kept), 'the committed row is there')
      assert.equal(await findConnection(db.kysely, clientId, lost), undefined, 'the failed transaction left nothing')
    })

    test('text outside the Basic Multilingual Plane and combining marks come back byte for byte', async () => {
      const name = 'Zoë Ångström 😀 名前 \u0065\u0301'
      const id = await seedConnection(db.kysely, clientId, new Date().toISOString(), { user_name: name })
      assert.equal((await findConnection(db.kysely, clientId, id))?.user_name, name)
    })
  })
}

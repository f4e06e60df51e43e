import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import SQLite from 'better-sqlite3'
import { createDb } from '../../src/storage/create-db.ts'
import { migrateToLatest } from '../../src/storage/migrate.ts'
import { groupCommitStats, writeTransaction } from '../../src/storage/write-queue.ts'
import { DIALECT, openTestDb } from '../helpers/build-app.ts'

/**
 * Write transactions go through one entry point. On SQLite those that arrive together are committed together;
 * on both databases each caller gets its own result or its own error, and a failing one takes nothing of the
 * others with it.
 */

/** A row of a table with a primary key and no foreign key: enough to see what was written and to break a key. */
const row = (id: string) => ({ id, name: id, secret_hash: 'x', redirect_uris: '[]', aisp_licence: 0, created_at: '2026-01-01T00:00:00.000Z' })

test('concurrent writes: each answers with its own result, a failing one fails alone and leaves nothing behind', async (t) => {
  const { db, drop } = await openTestDb()
  t.after(async () => { await db.close(); await drop() })
  await migrateToLatest(db.kysely, db.schema)
  await db.kysely.insertInto('clients').values(row('taken')).execute()

  const before = groupCommitStats(db.kysely)
  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => writeTransaction(db.kysely, async (trx) => {
    // Two statements per write; the 8th write's second one breaks the primary key, after its first succeeded.
    await trx.insertInto('clients').values(row(`c-${i}`)).execute()
    await trx.insertInto('clients').values(row(i === 7 ? 'taken' : `d-${i}`)).execute()
    return i
  })))

  for (const [i, r] of results.entries()) {
    if (i === 7) assert.equal(r.status, 'rejected', 'the write that broke a constraint fails')
    else assert.deepEqual(r, { status: 'fulfilled', value: i })
  }
  const ids = (await db.kysely.selectFrom('clients').select('id').execute()).map((r) => r.id).sort()
  const expected = ['taken', ...Array.from({ length: 20 }, (_, i) => i === 7 ? [] : [`c-${i}`, `d-${i}`]).flat()].sort()
  assert.deepEqual(ids, expected, 'the failing write left none of its rows (c-7 rolled back with it); every other write is stored')

  if (DIALECT === 'sqlite') {
    const after = groupCommitStats(db.kysely)!
    assert.equal(after.writes - before!.writes, 19, 'the successful writes were counted')
    assert.ok(after.batches - before!.batches < 19, `writes arriving together share transactions (${after.batches - before!.batches} commits for 19 writes)`)
  } else {
    assert.equal(groupCommitStats(db.kysely), undefined, 'PostgreSQL runs each write as its own transaction')
  }
})

test('SQLite: a write reads what the writes before it in the same batch wrote, as if they ran one by one', { skip: DIALECT === 'postgres' ? 'SQLite only: PostgreSQL runs them side by side' : false }, async (t) => {
  const { db, drop } = await openTestDb()
  t.after(async () => { await db.close(); await drop() })
  await migrateToLatest(db.kysely, db.schema)
  const seen = await Promise.all(Array.from({ length: 5 }, (_, i) => writeTransaction(db.kysely, async (trx) => {
    const n = await trx.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    await trx.insertInto('clients').values(row(`s-${i}`)).execute()
    return Number(n.n)
  })))
  assert.deepEqual(seen, [0, 1, 2, 3, 4])
})

test('SQLite: a write is answered only once it is committed (another connection to the file sees it)', { skip: DIALECT === 'postgres' ? 'SQLite only' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerite-write-queue-'))
  const path = join(dir, 'ledgerite.db')
  const db = createDb(`sqlite:${path}`)
  t.after(async () => { await db.close(); rmSync(dir, { recursive: true, force: true }) })
  await migrateToLatest(db.kysely)
  const other = new SQLite(path, { readonly: true })
  t.after(() => other.close())
  const visible = (id: string) => other.prepare('select count(*) as n from clients where id = ?').get(id) as { n: number }

  const seenOnAnswer = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
    await writeTransaction(db.kysely, async (trx) => { await trx.insertInto('clients').values(row(`w-${i}`)).execute() })
    return visible(`w-${i}`).n
  }))
  assert.deepEqual(seenOnAnswer, Array(10).fill(1), 'every write was visible to another connection when its caller was answered')
})

test('a write already inside a transaction joins it rather than waiting behind it', async (t) => {
  const { db, drop } = await openTestDb()
  t.after(async () => { await db.close(); await drop() })
  await migrateToLatest(db.kysely, db.schema)
  await writeTransaction(db.kysely, async (trx) => {
    await writeTransaction(trx, async (inner) => { await inner.insertInto('clients').values(row('nested')).execute() })
  })
  assert.equal((await db.kysely.selectFrom('clients').select('id').execute()).length, 1)
})

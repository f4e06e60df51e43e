import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { createDb, SQLITE_BUSY_TIMEOUT_MS } from '../../src/storage/create-db.ts'
import { StorageDamagedError } from '../../src/storage/health.ts'
import { migrateToLatest } from '../../src/storage/migrate.ts'
import { DIALECT } from '../helpers/build-app.ts'
import { appOnDb, assertUnavailable } from '../ops/fault-kit.ts'

/**
 * A SQLite file is shared with whatever else can open it: another process holding its write lock, a disk that
 * returns garbage. Ledgerite refuses to start on a damaged file, answers 503 + Retry-After (not a frozen event loop,
 * not a 500) while another process holds the lock, and reports a damage met at run time through /readyz.
 */
// These faults belong to SQLite files alone: the SQLite pass of the suite runs them, the PostgreSQL pass need not again.
const skip = DIALECT === 'postgres' ? 'SQLite file faults: run in the SQLite pass' : false

function tempFile (t: { after: (fn: () => void) => void }): { path: string, url: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerite-sqlite-faults-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'ledgerite.db')
  return { path, url: `sqlite:${path}` }
}

/** Overwrites whole pages of the file with garbage, as a failing disk or a stray write would. */
function garblePages (path: string, pages: number[], pageSize = 4096): void {
  const fd = openSync(path, 'r+')
  try {
    for (const p of pages) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (p - 1) * pageSize)
  } finally {
    closeSync(fd)
  }
}

/** The pages (1-based) holding the connections table and its indexes. */
function connectionPages (path: string): number[] {
  const raw = new SQLite(path, { readonly: true })
  try {
    const rows = raw.prepare("select pageno from dbstat where name = 'connections' or name in (select name from sqlite_master where tbl_name = 'connections')").all() as Array<{ pageno: number }>
    return rows.map((r) => r.pageno)
  } finally {
    raw.close()
  }
}

/** A migrated file holding a client and a few connections, closed (checkpointed) so every page is in the main file. */
async function populatedFile (t: { after: (fn: () => void) => void }) {
  const file = tempFile(t)
  const h = await appOnDb(createDb(file.url), file.url)
  const ids: string[] = []
  for (let i = 0; i < 30; i++) {
    const res = await h.create(i)
    assert.equal(res.statusCode, 201, res.body)
    ids.push(res.json().id)
  }
  const clientId = h.clientId
  await h.close()
  return { ...file, ids, clientId }
}

test('a damaged SQLite file is refused at start, with a message naming the file and what to do', { skip }, async (t) => {
  const { path, url } = await populatedFile(t)
  garblePages(path, connectionPages(path))
  assert.throws(() => createDb(url), (err: unknown) => {
    assert.ok(err instanceof StorageDamagedError)
    assert.match(err.message, /The SQLite database .*ledgerite\.db is damaged \(quick_check: /)
    assert.match(err.message, /will not start on it: restore the file from a backup/)
    return true
  })

  // What an operator sees: `ledgerite start` exits at once with that sentence, no stack trace, nothing listening.
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  assert.notEqual(run.status, 0)
  assert.match(run.stderr, /ledgerite: The SQLite database .* is damaged/)
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace')
})

test('a file that is not a database at all is refused the same way', { skip }, async (t) => {
  const { path, url } = tempFile(t)
  const fd = openSync(path, 'w')
  writeSync(fd, Buffer.alloc(8192, 0x5a))
  closeSync(fd)
  assert.throws(() => createDb(url), (err: unknown) => err instanceof StorageDamagedError && /SQLITE_NOTADB|not a database/.test(err.message))
})

test('an in-memory database and a fresh file start without complaint', { skip }, async (t) => {
  const { url } = tempFile(t)
  for (const u of ['sqlite::memory:', url]) {
    const db = createDb(u)
    await migrateToLatest(db.kysely)
    await db.check()
    await db.close()
  }
})

test('the file locked by another process: writes answer 503 with Retry-After, reads go on, and writes resume once it is released', { skip }, async (t) => {
  const { url, path } = tempFile(t)
  const h = await appOnDb(createDb(url), url)
  t.after(() => h.close())
  const before = await h.create(1)
  assert.equal(before.statusCode, 201, before.body)

  // A short wait for the lock: the driver is synchronous, so the wait holds every request, not just this one.
  const [{ timeout }] = (await sql<{ timeout: number }>`pragma busy_timeout`.execute(h.deps.db)).rows as [{ timeout: number }]
  assert.ok(timeout > 0 && timeout <= 250, `busy_timeout ${timeout}`)
  assert.equal(timeout, SQLITE_BUSY_TIMEOUT_MS)

  const other = new SQLite(path)
  t.after(() => other.close())
  other.exec('BEGIN EXCLUSIVE')
  other.prepare("update clients set name = 'held' where id = ?").run(h.clientId)

  assertUnavailable(await h.create(2))
  assert.match((await h.create(3)).json().detail, /locked by another process/)
  // WAL: readers are not blocked by the other process's write lock.
  assert.equal((await h.get(before.json().id)).statusCode, 200)
  assert.equal((await h.ready()).statusCode, 200)

  other.exec('ROLLBACK')
  const after = await h.create(4)
  assert.equal(after.statusCode, 201, after.body)
  const list = await h.app.inject({ method: 'GET', url: '/v3/data-connections?limit=10', headers: h.auth })
  assert.deepEqual(list.json().items.map((c: { metadata: { seq: string } }) => c.metadata.seq), ['4', '1'], 'nothing refused was stored; nothing acknowledged was lost')
})

test('a damaged page met at run time: the read answers 503 and /readyz reports the database damaged', { skip }, async (t) => {
  const { path, url, ids, clientId } = await populatedFile(t)
  const h = await appOnDb(createDb(url), url, { clientId })
  t.after(() => h.close())
  assert.equal((await h.get(ids[0]!)).statusCode, 200)
  assert.equal((await h.ready()).statusCode, 200)

  garblePages(path, connectionPages(path))
  // The pages read so far are still in the connection's cache; under memory pressure SQLite lets them go and the
  // next read goes to the (now damaged) pages on disk. shrink_memory is that pressure, on demand.
  await sql`pragma shrink_memory`.execute(h.deps.db)

  assertUnavailable(await h.get(ids[5]!))
  const ready = await h.ready()
  assert.equal(ready.statusCode, 503)
  assert.deepEqual(ready.json().checks, { database: 'damaged' })
  // It stays so: damage does not heal by itself.
  assert.equal((await h.ready()).statusCode, 503)
})

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import type { Kysely } from 'kysely'
import { ids } from '../../src/contract/ids.ts'
import { createClient } from '../../src/modules/auth/client.repository.ts'
import { createExpirySweeper } from '../../src/modules/connections/connection.expiry-sweeper.ts'
import { insertConnection } from '../../src/modules/connections/connection.repository.ts'
import type { Database } from '../../src/storage/database.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { connectionRow } from '../helpers/connection-row.ts'
import { config5, createConnection, sandboxAuthorize } from '../sandbox/sandbox-kit.ts'
import { appOn, movableClock, openSharedDatabase } from '../webhooks/helpers.ts'

const DAY = 86_400_000

/** An authorised connection whose access ends at `accessExpiresAt`, as the lifecycle leaves it. */
async function seedAuthorized (db: Kysely<Database>, clientId: string, accessExpiresAt: Date): Promise<string> {
  const id = ids.uuid()
  const at = new Date(accessExpiresAt.getTime() - 90 * DAY).toISOString()
  await insertConnection(db, connectionRow({
    id,
    client_id: clientId,
    status: 'authorized',
    user_id: ids.uuid(),
    user_name: 'Jane Smith',
    user_email: 'jane@example.com',
    scopes: JSON.stringify(['info', 'accounts']),
    provider_selection: JSON.stringify({ type: 'preselected', provider_id: 'ob-monzo' }),
    user_consent: JSON.stringify({ type: 'authorization_flow_captured' }),
    hosted_page: null,
    data_access_type: 'recurring',
    provider_id: 'ob-monzo',
    authorized_at: at,
    access_expires_at: accessExpiresAt.toISOString(),
    created_at: at,
    updated_at: at,
  }))
  return id
}

async function expiredEvents (db: Kysely<Database>, connectionId: string) {
  const rows = await db.selectFrom('webhook_events').select(['type', 'payload']).where('type', '=', 'connection_expired').execute()
  return rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>).filter((p) => p.connection_id === connectionId)
}

const statusOf = async (db: Kysely<Database>, id: string) =>
  (await db.selectFrom('connections').select(['status', 'expired_at', 'access_expires_at']).where('id', '=', id).executeTakeFirstOrThrow())

test('a consent whose 90 days pass on the wall clock is expired by the background worker, with nobody reading it: one connection_expired', async (t) => {
  const clock = movableClock()
  const h = await buildTestApp(t, {}, { now: clock.now })
  const c = await h.client()
  const created = await createConnection(h, c, config5())
  assert.equal((await sandboxAuthorize(h, c, created.id, { outcome: 'authorized' })).statusCode, 200)
  await h.deps.workers.runAll()
  assert.equal((await statusOf(h.deps.db, created.id)).status, 'authorized', 'not due yet')

  clock.advance(90 * DAY + 60_000)
  // No GET, no data call, no clock route: only the workers the app registered.
  await h.deps.workers.runAll()
  const row = await statusOf(h.deps.db, created.id)
  assert.equal(row.status, 'expired')
  const events = await expiredEvents(h.deps.db, created.id)
  assert.equal(events.length, 1)
  assert.equal(events[0]!.expired_at, row.access_expires_at, 'the time access ended')
  assert.equal(row.expired_at, row.access_expires_at)

  await h.deps.workers.runAll()
  assert.equal((await expiredEvents(h.deps.db, created.id)).length, 1, 'expired once')
})

test('each client\'s virtual clock decides: a client whose clock is ahead sees its connections expire first', async (t) => {
  const h = await buildTestApp(t)
  const ahead = await h.client({ name: 'ahead' })
  const onTime = await h.client({ name: 'on-time' })
  const end = new Date(h.deps.clock.realNow().getTime() + 2 * DAY)
  const early = await seedAuthorized(h.deps.db, ahead.id, end)
  const later = await seedAuthorized(h.deps.db, onTime.id, end)
  // Straight to the clock, not through the sandbox route (which expires due connections itself).
  await h.deps.clock.advance(ahead.id, 3 * 86_400)
  const sweeper = createExpirySweeper(h.deps)
  assert.equal(await sweeper.runOnce(), 1)
  assert.equal((await statusOf(h.deps.db, early)).status, 'expired')
  assert.equal((await statusOf(h.deps.db, later)).status, 'authorized', 'real time has not reached its end')
  assert.equal((await expiredEvents(h.deps.db, early)).length, 1)
  assert.equal(await sweeper.runOnce(), 0)
})

test('bounded rounds: at most batchSize connections per round, every client served', async (t) => {
  const h = await buildTestApp(t)
  const a = await h.client({ name: 'a' })
  const b = await h.client({ name: 'b' })
  const past = new Date(h.deps.clock.realNow().getTime() - 60_000)
  const seeded = [
    ...await Promise.all(Array.from({ length: 5 }, () => seedAuthorized(h.deps.db, a.id, past))),
    ...await Promise.all(Array.from({ length: 2 }, () => seedAuthorized(h.deps.db, b.id, past))),
  ]
  const sweeper = createExpirySweeper(h.deps, { batchSize: 3 })
  const rounds: number[] = []
  for (let n = await sweeper.runOnce(); n > 0; n = await sweeper.runOnce()) rounds.push(n)
  assert.deepEqual(rounds, [3, 3, 1])
  for (const id of seeded) {
    assert.equal((await statusOf(h.deps.db, id)).status, 'expired')
    assert.equal((await expiredEvents(h.deps.db, id)).length, 1)
  }
})

test('two processes sweeping one database at once: each due connection expired once, with one event and one timeline entry', async (t) => {
  const shared = await openSharedDatabase()
  t.after(() => shared.drop())
  const app = await appOn(shared.open())
  t.after(() => app.close())
  const db = app.deps.db
  const clients = await Promise.all(['one', 'two', 'three'].map(async (name) => (await createClient(db, { name, redirectUris: ['https://your-app.com/callback'] })).client))
  const past = new Date(Date.now() - 60_000)
  const due: string[] = []
  for (const c of clients) for (let i = 0; i < 12; i++) due.push(await seedAuthorized(db, c.id, past))
  const notDue = await seedAuthorized(db, clients[0]!.id, new Date(Date.now() + DAY))

  const child = () => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./sweeper-child.ts', import.meta.url))], {
      env: { ...process.env, CHILD_DATABASE_URL: shared.url, ...(shared.schema ? { CHILD_SCHEMA: shared.schema } : {}) },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    let out = ''
    p.stdout.on('data', (d: Buffer) => { out += d.toString() })
    const ready = new Promise<void>((resolve) => {
      const check = () => { if (out.includes('ready')) { p.stdout.off('data', check); resolve() } }
      p.stdout.on('data', check)
    })
    return { p, ready, output: () => out }
  }
  const workers = [child(), child()]
  await Promise.all(workers.map((w) => w.ready))
  for (const w of workers) w.p.stdin.end('go\n')
  const codes = await Promise.all(workers.map(async (w) => (await once(w.p, 'exit'))[0]))
  assert.deepEqual(codes, [0, 0], workers.map((w) => w.output()).join('\n'))
  const handled = workers.map((w) => Number(/handled (\d+)/.exec(w.output())?.[1]))
  assert.ok(handled.every((n) => n > 0), `both processes took part: ${handled.join(', ')}`)

  for (const id of due) {
    assert.equal((await statusOf(db, id)).status, 'expired', id)
    assert.equal((await expiredEvents(db, id)).length, 1, `one connection_expired for ${id}`)
    const timeline = await db.selectFrom('connection_events').select('kind').where('connection_id', '=', id).where('kind', '=', 'status:expired').execute()
    assert.equal(timeline.length, 1, `one timeline entry for ${id}`)
  }
  assert.equal((await statusOf(db, notDue)).status, 'authorized')
})

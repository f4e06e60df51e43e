import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createClient } from '../../src/modules/auth/client.repository.ts'
import { createWebhookDispatcher } from '../../src/modules/webhooks/webhook.dispatcher.ts'
import { claimDueEvents } from '../../src/modules/webhooks/webhook.repository.ts'
import { appOn, movableClock, openSharedDatabase, raiseEvent } from './helpers.ts'
import { startReceiver, verifyDelivery } from './receiver.ts'

const CONNECTION_ID = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f'

test('an event survives a restart mid-delivery: the process is killed while posting, the next one delivers it', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const shared = await openSharedDatabase()
  t.after(() => shared.drop())

  // Process 1 raises the event and stops before delivering it (a plain restart: the event is a row).
  const first = await appOn(shared.open())
  const { client } = await createClient(first.deps.db, { name: 'durable', redirectUris: ['https://your-app.com/callback'], webhookUri: rx.url })
  const eventId = await raiseEvent(first.deps, client.id, 'connection_authorized', { connection_id: CONNECTION_ID, authorized_at: new Date().toISOString() })
  await first.close()

  // Process 2 starts delivering; the receiver holds the request open and the process is killed meanwhile.
  rx.respond = () => 'hang'
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./crash-child.ts', import.meta.url))], {
    env: { ...process.env, CHILD_DATABASE_URL: shared.url, ...(shared.schema ? { CHILD_SCHEMA: shared.schema } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let stdout = ''
  child.stdout.on('data', (b: Buffer) => { stdout += b.toString() })
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
  await rx.waitFor(1, 30_000)
  child.kill('SIGKILL')
  assert.equal(await exited, 'SIGKILL')
  assert.doesNotMatch(stdout, /finished/, 'the delivery was still in flight when the process died')

  // Process 3: the dead process's claim holds until its lease lapses, then the event is delivered again.
  rx.respond = () => 200
  const clock = movableClock()
  const third = await appOn(shared.open(), { now: clock.now })
  t.after(() => third.close())
  await third.deps.workers.runAll()
  assert.equal(rx.received.length, 1, 'not while the dead claim holds')
  clock.advance(31_000)
  await third.deps.workers.runAll()
  assert.equal(rx.received.length, 2)
  const jwks = JSON.stringify({ keys: [third.deps.webhookKey.publicJwk] })
  for (const r of rx.received) {
    assert.equal(r.event.event_id, eventId)
    verifyDelivery(r, jwks)
  }
  const row = await third.deps.db.selectFrom('webhook_events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow()
  assert.equal(row.status, 'delivered')
  const attempts = await third.deps.db.selectFrom('webhook_attempts').selectAll().where('event_id', '=', eventId).execute()
  assert.deepEqual(attempts.map((a) => [Number(a.attempt), a.status_code === null ? null : Number(a.status_code)]), [[2, 200]])
})

test('two workers on one database never claim the same event, and never make the same attempt twice', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const shared = await openSharedDatabase()
  t.after(() => shared.drop())
  const a = await appOn(shared.open())
  t.after(() => a.close())
  const b = await appOn(shared.open())
  t.after(() => b.close())
  const { client } = await createClient(a.deps.db, { name: 'pair', redirectUris: ['https://your-app.com/callback'], webhookUri: rx.url, webhookExtensionEvents: ['connection_revoked'] })
  const raised = new Set<string>()
  for (let i = 0; i < 30; i++) raised.add(await raiseEvent(a.deps, client.id, 'connection_revoked', { connection_id: CONNECTION_ID, n: i }))

  // The claim itself, raced directly: disjoint, and together everything due.
  const now = new Date()
  const [ca, cb] = await Promise.all([
    claimDueEvents(a.deps.db, { now, token: 'A:1', leaseMs: 30_000, limit: 30 }),
    claimDueEvents(b.deps.db, { now, token: 'B:1', leaseMs: 30_000, limit: 30 }),
  ])
  const claimedIds = [...ca, ...cb].map((e) => e.id)
  assert.equal(claimedIds.length, 30)
  assert.equal(new Set(claimedIds).size, 30, 'no event claimed by both')
  const again = await claimDueEvents(b.deps.db, { now, token: 'B:2', leaseMs: 30_000, limit: 30 })
  assert.equal(again.length, 0, 'claimed events are not due for anyone else')

  // Delivery by two dispatchers running side by side, once the test claims above have lapsed.
  const later = () => new Date(Date.now() + 31_000)
  const da = createWebhookDispatcher(a.deps, { now: later, batchSize: 4, workerId: 'worker-a' })
  const db = createWebhookDispatcher(b.deps, { now: later, batchSize: 4, workerId: 'worker-b' })
  for (let round = 0; round < 30; round++) {
    const [na, nb] = await Promise.all([da.runOnce(), db.runOnce()])
    if (na + nb === 0) break
  }
  const hits = new Map<string, number>()
  for (const r of rx.received) hits.set(String(r.event.event_id), (hits.get(String(r.event.event_id)) ?? 0) + 1)
  assert.equal(rx.received.length, 30, 'each event delivered once')
  assert.deepEqual([...hits.keys()].sort(), [...raised].sort())
  assert.ok([...hits.values()].every((n) => n === 1))
  const attempts = await a.deps.db.selectFrom('webhook_attempts').select(['event_id', 'attempt', 'worker']).execute()
  assert.equal(attempts.length, 30)
  assert.equal(new Set(attempts.map((x) => x.event_id)).size, 30)
  // Attempt 1 was taken by the raced test claim above; the dispatchers made attempt 2 of each event, once.
  assert.ok(attempts.every((x) => Number(x.attempt) === 2))
  assert.ok(attempts.every((x) => x.worker === 'worker-a' || x.worker === 'worker-b'))
})

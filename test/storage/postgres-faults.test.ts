import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import pg from 'pg'
import { createDb } from '../../src/storage/create-db.ts'
import { postgresUnreachable } from '../helpers/postgres-reachable.ts'
import { appOnDb, assertUnavailable, eventually, sleep } from '../ops/fault-kit.ts'
import { startTcpProxy } from '../ops/tcp-proxy.ts'

/**
 * PostgreSQL going away under a running Ledgerite: its backends terminated (pg_terminate_backend, what a restart or
 * a failover does to every open connection), then the server unreachable for a while. The process must not exit,
 * every answer must be a success or a 503 with Retry-After (never a 500), it must come back by itself, and nothing it
 * acknowledged may be lost. Other test files share this database, so only this test's own connections are touched:
 * they carry an application_name of their own, and the outage is a relay in front of the server.
 */
const URL_ = process.env.TEST_DATABASE_URL ?? ''
const skip = URL_.startsWith('postgres') ? await postgresUnreachable(URL_) : 'runs on PostgreSQL: set TEST_DATABASE_URL=postgres://…'

/** A schema of this test's own, and the URL (with an application_name naming only this test's pool) to reach it. */
async function ownSchema (t: { after: (fn: () => Promise<void>) => void }, via?: { port: number }) {
  const schema = `t_fault_${randomBytes(5).toString('hex')}`
  const appName = `ledgerite-fault-${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: URL_ })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  t.after(async () => {
    await admin.query(`drop schema ${schema} cascade`)
    await admin.end()
  })
  const u = new URL(URL_)
  if (via) {
    u.hostname = '127.0.0.1'
    u.port = String(via.port)
  }
  u.searchParams.set('application_name', appName)
  /** Terminates this test's backends only; answers how many there were. */
  const terminate = async () => {
    const r = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()', [appName])
    return r.rowCount ?? 0
  }
  return { url: u.toString(), schema, terminate }
}

interface Tally { ok: number, unavailable: number, other: LightMyRequestResponse[] }

function record (tally: Tally, res: LightMyRequestResponse, okStatus: number): void {
  if (res.statusCode === okStatus) tally.ok++
  else if (res.statusCode === 503) {
    assertUnavailable(res)
    tally.unavailable++
  } else tally.other.push(res)
}

test('backends terminated mid-load: no exit, successes or 503 + Retry-After only, and every acknowledged connection is there', { skip }, async (t) => {
  const { url, schema, terminate } = await ownSchema(t)
  const reports: string[] = []
  const h = await appOnDb(createDb(url, { schema, report: (line) => reports.push(line) }), url)
  t.after(() => h.close())

  const tally: Tally = { ok: 0, unavailable: 0, other: [] }
  const created = new Map<string, number>()
  let seq = 0
  let stop = false
  const loop = async () => {
    while (!stop) {
      const n = seq++
      const res = await h.create(n)
      record(tally, res, 201)
      if (res.statusCode === 201) {
        created.set(res.json().id, n)
        record(tally, await h.get(res.json().id), 200)
      }
      record(tally, await h.list(), 200)
    }
  }
  const loops = Array.from({ length: 8 }, loop)
  let killed = 0
  for (let round = 0; round < 6; round++) {
    await sleep(150)
    killed += await terminate()
  }
  await sleep(150)
  stop = true
  await Promise.all(loops)

  t.diagnostic(`${killed} backends terminated; ${tally.ok} successes, ${tally.unavailable} answers 503; ${reports.length} connection losses reported`)
  assert.ok(killed > 0, 'the test terminated some of the app\'s backends')
  assert.deepEqual(tally.other.map((r) => `${r.statusCode} ${r.body.slice(0, 300)}`), [], 'no answer but a success or a 503')
  assert.ok(tally.unavailable > 0 || reports.length > 0, 'the terminations were noticed (a 503, or a lost idle connection reported)')
  assert.ok(tally.ok > 0)

  // Recovered without a restart, and nothing acknowledged was lost.
  assert.equal((await h.ready()).statusCode, 200)
  for (const [id, n] of created) {
    const res = await h.get(id)
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.json().metadata.seq, String(n))
  }
})

test('the server unreachable: requests and /readyz answer 503 at once, workers back off, and all resumes by itself', { skip }, async (t) => {
  const target = new URL(URL_)
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432))
  t.after(() => proxy.close())
  const { url, schema } = await ownSchema(t, proxy)
  const workerErrors: Array<{ worker: string, err: unknown }> = []
  const h = await appOnDb(createDb(url, { schema, report: () => {} }), url, { onWorkerError: (worker, err) => workerErrors.push({ worker, err }) })
  t.after(() => h.close())
  // A worker that needs the database every round, to watch the workers through the outage.
  let probeRounds = 0
  h.deps.workers.register({ name: 'probe', intervalMs: 50, runOnce: async () => { await sql`select 1`.execute(h.deps.db); probeRounds++; return 0 } })
  h.deps.workers.start()

  const before = await h.create(1)
  assert.equal(before.statusCode, 201, before.body)
  assert.equal((await h.ready()).statusCode, 200)

  await proxy.down()
  const during = [await h.create(2), await h.get(before.json().id), await h.list(), await h.create(3)]
  for (const res of during) assertUnavailable(res)
  assert.match(during[0]!.json().detail, /The database cannot be reached right now/)
  const ready = await h.ready()
  assert.equal(ready.statusCode, 503)
  assert.deepEqual(ready.json().checks, { database: 'unavailable' })
  const token = await h.app.inject({ method: 'POST', url: '/connect/token', payload: { grant_type: 'client_credentials', client_id: h.clientId, client_secret: 'not-checked-while-the-database-is-away', scope: 'data' } })
  assert.equal(token.statusCode, 503, token.body)
  assert.equal(token.json().error, 'temporarily_unavailable')
  assert.match(String(token.headers['retry-after']), /^\d+$/)
  const metrics = await h.app.inject({ method: 'GET', url: '/metrics' })
  assert.equal(metrics.statusCode, 200, 'metrics still answer, when they matter most')
  // Unknown while the database is away; prom-client spells NaN `Nan`, which Prometheus parses alike.
  assert.match(metrics.body, /^ledgerite_webhook_queue_depth nan$/im)
  await eventually('the probe worker has failed', async () => workerErrors.some((e) => e.worker === 'probe'))

  await proxy.up()
  await eventually('/readyz passes again', async () => (await h.ready()).statusCode === 200)
  const after = await h.create(4)
  assert.equal(after.statusCode, 201, after.body)
  const roundsBack = probeRounds
  await eventually('the probe worker runs again', async () => probeRounds > roundsBack)
  const list = await h.app.inject({ method: 'GET', url: '/v3/data-connections?limit=10', headers: h.auth })
  assert.deepEqual(list.json().items.map((c: { metadata: { seq: string } }) => c.metadata.seq), ['4', '1'])
})

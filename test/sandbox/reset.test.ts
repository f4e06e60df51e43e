import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { KEPT_ON_RESET, RESET_TABLES } from '../../src/modules/sandbox/sandbox.reset.ts'
import { buildTestApp, DIALECT, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { startReceiver } from '../webhooks/receiver.ts'
import { config1, config5, createConnection, sandboxAuthorize } from './sandbox-kit.ts'

/** Every table with a client_id column, read from the database itself. */
async function tablesWithClientId (h: TestApp): Promise<string[]> {
  const rows = DIALECT === 'sqlite'
    ? await sql<{ name: string }>`select m.name as name from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and p.name = 'client_id'`.execute(h.deps.db)
    : await sql<{ name: string }>`select table_name as name from information_schema.columns where column_name = 'client_id' and table_schema = current_schema()`.execute(h.deps.db)
  return rows.rows.map((r) => r.name).sort()
}

async function countsFor (h: TestApp, clientId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of RESET_TABLES) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where client_id = ${clientId}`.execute(h.deps.db)
    out[table] = Number(r.rows[0]?.n ?? 0)
  }
  return out
}

/** Gives the client a little of everything: connections in several states, a finished transactions request, counted unattended calls, delivered webhooks, a moved clock. */
async function populate (h: TestApp, c: TestClient): Promise<void> {
  const { id } = await createConnection(h, c, config5())
  assert.equal((await sandboxAuthorize(h, c, id, { outcome: 'authorized' })).statusCode, 200)
  await createConnection(h, c, config1())
  const failed = await createConnection(h, c, config5())
  await sandboxAuthorize(h, c, failed.id, { outcome: 'failed' })
  // Unattended (no Tl-User-IP): counted against the limit.
  const accounts = await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, 'connection-id': id } })
  assert.equal(accounts.statusCode, 200, accounts.body)
  const accountId = accounts.json().items.find((a: { type: string }) => a.type === 'account').id
  const today = (await h.deps.clock.now(c.id)).toISOString().slice(0, 10)
  const req = await h.inject({ method: 'POST', url: `/v3/connected-accounts/${accountId}/transactions/requests`, headers: { ...c.auth, 'connection-id': id }, payload: { from: today, to: today } })
  assert.equal(req.statusCode, 202, req.body)
  await h.deps.workers.runAll()
  await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: c.auth, payload: { by: 'P1D' } })
}

test('every table holding a client_id is either wiped by a reset or deliberately kept', async (t) => {
  const h = await buildTestApp(t)
  const listed = [...RESET_TABLES, ...KEPT_ON_RESET].sort()
  assert.deepEqual(await tablesWithClientId(h), listed, 'a table with client_id must be added to RESET_TABLES or KEPT_ON_RESET in src/modules/sandbox/sandbox.reset.ts')
})

test('POST /sandbox/reset deletes the calling client\'s sandbox data and resets its clock; another client is untouched', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  const a = await h.client({ name: 'a', webhookUri: rx.url })
  const b = await h.client({ name: 'b', webhookUri: rx.url })
  await populate(h, a)
  await populate(h, b)

  const beforeA = await countsFor(h, a.id)
  const beforeB = await countsFor(h, b.id)
  for (const table of ['connections', 'connection_events', 'webhook_events', 'webhook_attempts', 'transactions_requests', 'rate_limit_keys'] as const) {
    assert.ok(beforeA[table]! > 0, `the test put something in ${table}`)
  }
  const bClock = await h.deps.clock.offsetSeconds(b.id)

  const res = await h.inject({ method: 'POST', url: '/sandbox/reset', headers: a.auth })
  assert.equal(res.statusCode, 204)
  assert.equal(res.body, '')

  const afterA = await countsFor(h, a.id)
  assert.deepEqual(afterA, Object.fromEntries(RESET_TABLES.map((t) => [t, 0])), 'nothing of client a is left')
  assert.deepEqual(await countsFor(h, b.id), beforeB, 'client b is untouched')
  assert.equal(await h.deps.clock.offsetSeconds(a.id), 0)
  assert.equal(await h.deps.clock.offsetSeconds(b.id), bClock)

  const list = await h.inject({ method: 'GET', url: '/v3/data-connections', headers: a.auth })
  assert.deepEqual(list.json().items, [])
  assert.deepEqual((await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: a.auth })).json().items, [])
  assert.ok((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: b.auth })).json().items.length > 0)

  // The client itself stays: its token works and it can start again.
  const again = await createConnection(h, a, config5())
  assert.equal((await sandboxAuthorize(h, a, again.id, { outcome: 'authorized' })).statusCode, 200)
  assert.equal((await h.inject({ method: 'POST', url: '/sandbox/reset' })).statusCode, 401)
})

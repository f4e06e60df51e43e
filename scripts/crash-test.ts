import { parseArgs } from 'node:util'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import {
  type ApiResponse, call, type ConnectionView, createClientCli, dataToken, type LedgeriteProcess, postgresReachable, sleep, startLedgerite, tempPostgres, tempSqlite,
} from '../bench/lib/ledgerite-process.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../bench/lib/webhook-receiver.ts'

/**
 * Crash safety: put load on Ledgerite (concurrent creates and sandbox authorisations, webhooks flowing to a
 * receiver), SIGKILL it part-way, start it again on the same database, and check that
 *   1. every connection that got a 201 is there, intact (GET equals what was created and acknowledged);
 *   2. every transactions request that got a 202 is there and completes after the restart (a request claimed by
 *      the killed worker is taken over once its claim lapses);
 *   3. every acknowledged state change has its webhook event in the outbox, and every authorised or failed
 *      connection has exactly one (the change and its event are one transaction); every completed transactions
 *      request has its transactions_request_completed event;
 *   4. every event in the outbox is delivered after the restart (the receiver sees each event_id).
 * Exits non-zero, saying what was lost, on any failure. Bounded: a few seconds of load, one kill.
 *
 *   node --import tsx scripts/crash-test.ts [--db sqlite|postgres|both] [--load-ms 3000] [--loops 16]
 */
const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    'load-ms': { type: 'string', default: '3000' },
    loops: { type: 'string', default: '16' },
    'delivery-timeout-ms': { type: 'string', default: '60000' },
  },
})
const LOAD_MS = Number(args['load-ms'])
const LOOPS = Number(args.loops)
const DELIVERY_TIMEOUT_MS = Number(args['delivery-timeout-ms'])

interface Created {
  id: string
  userId: string
  body: Record<string, unknown>
  /** The outcome the server acknowledged (2xx to the sandbox authorise call), if any. */
  acknowledged?: 'authorized' | 'failed'
  /** A transactions request the server acknowledged (202) on this connection, with its account. */
  request?: { id: string, accountId: string }
}

const USER_IP = { 'tl-user-ip': '203.0.113.20' }

/** The server answered, but not as it should have: a test failure (unlike a network error from the kill). */
class Refusal extends Error {}

const NAMES = ['Jane Smith', 'José Álvarez', '李小龍', 'Zoë Brontë 🦊', "Siobhán O'Neill", 'مريم الكبيسي']

function body (seq: number): Record<string, unknown> {
  return {
    scopes: ['info', 'accounts', 'balance', 'transactions'],
    provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
    user: { name: NAMES[seq % NAMES.length], email: `user${seq}@example.com`, ...(seq % 3 === 0 ? { phone: `+4477009${String(seq % 100000).padStart(5, '0')}` } : {}) },
    user_consent: { type: 'authorization_flow_captured' },
    hosted_page: { type: 'authorization_flow', return_uri: 'https://your-app.com/callback' },
    metadata: { seq: String(seq), note: `crash-test ✓ ${seq}` },
    ...(seq % 2 === 0 ? { data_access_type: 'one_time' } : {}),
  }
}

/** Creates and authorises until the server dies; records only what the server acknowledged. */
async function loadLoop (server: LedgeriteProcess, token: string, next: () => number, created: Created[], stop: { now: boolean }): Promise<void> {
  while (!stop.now) {
    const seq = next()
    const b = body(seq)
    let res: ApiResponse
    try {
      res = await call(server.url, 'POST', '/v3/data-connections', { token, body: b, timeoutMs: 5000 })
    } catch {
      return // the server is gone (killed): nothing was acknowledged for this request
    }
    if (res.status !== 201) throw new Refusal(`create answered ${res.status}: ${JSON.stringify(res.body)}`)
    const c: Created = { id: res.body.id as string, userId: (res.body.user as { id: string }).id, body: b }
    created.push(c)
    if (seq % 3 === 2) continue // left waiting for authorisation
    const outcome = seq % 3 === 0 ? 'authorized' : 'failed'
    try {
      const auth = await call(server.url, 'POST', `/sandbox/v3/data-connections/${c.id}/authorize`, {
        token, body: outcome === 'authorized' ? { outcome, username: 'john' } : { outcome, failure_reason: 'provider_rejected' }, timeoutMs: 5000,
      })
      if (auth.status >= 300) throw new Refusal(`sandbox authorize answered ${auth.status}: ${JSON.stringify(auth.body)}`)
      c.acknowledged = outcome
      if (outcome !== 'authorized') continue
      // Background work in flight at the kill: a transactions request for the worker.
      const headers = { ...USER_IP, 'connection-id': c.id }
      const accounts = await call<{ items: Array<{ id: string, type: string }> }>(server.url, 'GET', '/v3/connected-accounts', { token, headers, timeoutMs: 5000 })
      const account = accounts.body.items?.find((a) => a.type === 'account')
      if (!account) throw new Refusal(`connected-accounts answered ${accounts.status}: ${JSON.stringify(accounts.body)}`)
      const to = new Date().toISOString().slice(0, 10)
      const req = await call(server.url, 'POST', `/v3/connected-accounts/${account.id}/transactions/requests`, {
        token, headers, body: { from: `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`, to, page_size: 100 }, timeoutMs: 5000,
      })
      if (req.status !== 202) throw new Refusal(`transactions request answered ${req.status}: ${JSON.stringify(req.body)}`)
      c.request = { id: req.body.id as string, accountId: account.id }
    } catch (err) {
      if (err instanceof Refusal) throw err
      return // the server is gone: what was not answered was not acknowledged
    }
  }
}

/** The two tables the check reads, as they are stored (read only, after the restart). */
interface Tables {
  webhook_events: { id: string, client_id: string, type: string, payload: string, status: string }
  connections: { id: string, client_id: string, status: string }
}

function openDb (databaseUrl: string): { db: Kysely<Tables>, close: () => Promise<void> } {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SQLite(databaseUrl.slice('sqlite:'.length), { readonly: true }) }) })
    return { db, close: () => db.destroy() }
  }
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 2 }) }) })
  return { db, close: () => db.destroy() }
}

async function crashTest (kind: 'sqlite' | 'postgres'): Promise<string[]> {
  const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'
  const store = kind === 'sqlite' ? tempSqlite('crash') : await tempPostgres('crash')
  const receiver: WebhookReceiver = await startWebhookReceiver()
  const failures: string[] = []
  let server: LedgeriteProcess | undefined
  try {
    server = await startLedgerite({ databaseUrl: store.databaseUrl })
    const client = createClientCli(store.databaseUrl, { name: 'crash', webhookUri: receiver.url })
    const token = await dataToken(server.url, client)

    // Load, and a SIGKILL at a random moment in the second half of it.
    const created: Created[] = []
    let seq = 0
    const stop = { now: false }
    const killAt = Math.round(LOAD_MS / 2 + Math.random() * LOAD_MS / 2)
    const loops = Array.from({ length: LOOPS }, () => loadLoop(server!, token, () => seq++, created, stop))
    await sleep(killAt)
    const deliveredBeforeKill = receiver.counts.size
    await server.kill()
    stop.now = true
    await Promise.all(loops)
    const acknowledged = created.filter((c) => c.acknowledged).length
    const requests = created.filter((c) => c.request).length
    console.log(`${label}: SIGKILL after ${killAt} ms: ${created.length} creates, ${acknowledged} authorisations and ${requests} transactions requests acknowledged, ${deliveredBeforeKill} webhooks delivered before the kill`)

    // Restart on the same database and port (the token's issuer is the server's URL; it must stay valid).
    const t0 = Date.now()
    server = await startLedgerite({ databaseUrl: store.databaseUrl, port: server.port })
    console.log(`${label}: restarted in ${Date.now() - t0} ms`)

    // 1. Every 201 is there, intact.
    let checked = 0
    for (const c of created) {
      const got = await call<ConnectionView>(server.url, 'GET', `/v3/data-connections/${c.id}`, { token })
      if (got.status !== 200) { failures.push(`${label}: connection ${c.id} (201 acknowledged) is missing: ${got.status}`); continue }
      const v = got.body
      const u = c.body.user as Record<string, string>
      const expectStatus = c.acknowledged ?? undefined
      const problems: string[] = []
      if (v.id !== c.id) problems.push('id')
      if (v.user?.id !== c.userId) problems.push('user.id')
      if (v.user?.name !== u.name || v.user?.email !== u.email || v.user?.phone !== u.phone) problems.push(`user ${JSON.stringify(v.user)}`)
      if (JSON.stringify([...v.scopes].sort()) !== JSON.stringify([...(c.body.scopes as string[])].sort())) problems.push('scopes')
      if (JSON.stringify(v.metadata) !== JSON.stringify(c.body.metadata)) problems.push(`metadata ${JSON.stringify(v.metadata)}`)
      if (v.data_access_type !== (c.body.data_access_type ?? 'recurring')) problems.push('data_access_type')
      if (expectStatus && v.status !== expectStatus) problems.push(`status ${v.status}, acknowledged ${expectStatus}`)
      if (!expectStatus && !['authorization_required', 'authorizing', 'authorized', 'failed'].includes(v.status)) problems.push(`status ${v.status}`)
      if (problems.length) failures.push(`${label}: connection ${c.id} differs from what was created: ${problems.join(', ')}`)
      checked++
    }

    // 2. Every acknowledged transactions request completes (bounded: a claim held by the killed worker lapses first).
    const t2 = Date.now()
    for (const c of created.filter((x) => x.request)) {
      const { id, accountId } = c.request!
      for (;;) {
        const got = await call(server.url, 'GET', `/v3/connected-accounts/${accountId}/transactions/requests/${id}`, { token, headers: { ...USER_IP, 'connection-id': c.id } })
        if (got.status !== 200) { failures.push(`${label}: transactions request ${id} (202 acknowledged) answers ${got.status}: ${JSON.stringify(got.body)}`); break }
        if (got.body.status === 'completed') break
        if (got.body.status !== 'pending') { failures.push(`${label}: transactions request ${id} ended ${got.body.status}: ${JSON.stringify(got.body)}`); break }
        if (Date.now() - t2 > DELIVERY_TIMEOUT_MS) { failures.push(`${label}: transactions request ${id} still pending ${DELIVERY_TIMEOUT_MS} ms after the restart`); break }
        await sleep(200)
      }
    }
    if (requests) console.log(`${label}: all ${requests} acknowledged transactions requests completed (${Date.now() - t2} ms after the restart checks)`)

    // 3. The outbox: one event per acknowledged change, one per authorised or failed connection (atomicity).
    const { db, close } = openDb(store.databaseUrl)
    // Read after step 2, so the events of requests completed since the restart are there too.
    let events: Array<{ id: string, type: string, payload: string, status: string }> = []
    let rows: Array<{ id: string, status: string }> = []
    try {
      events = await db.selectFrom('webhook_events').select(['id', 'type', 'payload', 'status']).where('client_id', '=', client.client_id).execute()
      rows = await db.selectFrom('connections').select(['id', 'status']).where('client_id', '=', client.client_id).execute()
    } finally {
      await close()
    }
    const byConnection = new Map<string, Array<{ id: string, type: string }>>()
    for (const e of events) {
      const connectionId = String(JSON.parse(e.payload).connection_id)
      const list = byConnection.get(connectionId) ?? []
      list.push({ id: e.id, type: e.type })
      byConnection.set(connectionId, list)
    }
    for (const c of created.filter((x) => x.acknowledged)) {
      const want = c.acknowledged === 'authorized' ? 'connection_authorized' : 'connection_failed'
      if (!(byConnection.get(c.id) ?? []).some((e) => e.type === want)) failures.push(`${label}: acknowledged ${c.acknowledged} of ${c.id} has no ${want} event in the outbox`)
    }
    const requestEvents = new Set(events.filter((e) => e.type === 'transactions_request_completed').map((e) => String(JSON.parse(e.payload).request_id)))
    for (const c of created.filter((x) => x.request)) {
      if (!requestEvents.has(c.request!.id)) failures.push(`${label}: completed transactions request ${c.request!.id} has no transactions_request_completed event in the outbox`)
    }
    for (const r of rows) {
      const want = r.status === 'authorized' ? 'connection_authorized' : r.status === 'failed' ? 'connection_failed' : undefined
      const have = (byConnection.get(r.id) ?? []).filter((e) => e.type === 'connection_authorized' || e.type === 'connection_failed')
      if (want && (have.length !== 1 || have[0]!.type !== want)) failures.push(`${label}: connection ${r.id} is ${r.status} with events ${JSON.stringify(have)} (expected exactly one ${want})`)
      if (!want && have.length) failures.push(`${label}: connection ${r.id} is ${r.status} but has events ${JSON.stringify(have)}`)
    }

    // 4. Every event in the outbox reaches the receiver after the restart.
    const t1 = Date.now()
    try {
      await receiver.waitFor(events.map((e) => e.id), DELIVERY_TIMEOUT_MS)
      console.log(`${label}: all ${events.length} outbox events delivered (${Date.now() - t1} ms after the restart checks)`)
    } catch (err) {
      failures.push(`${label}: ${(err as Error).message}`)
    }
    if (receiver.malformed) failures.push(`${label}: ${receiver.malformed} webhook deliveries were not JSON with an event_id`)
    const duplicates = [...receiver.counts.values()].filter((n) => n > 1).length
    console.log(`${label}: ${checked}/${created.length} connections intact; ${events.length} outbox events, ${receiver.counts.size} distinct delivered` +
      (duplicates ? `, ${duplicates} delivered more than once (at-least-once across the crash)` : ''))
  } catch (err) {
    failures.push(`${label}: ${(err as Error).stack ?? err}${server ? `\n--- server output ---\n${server.output().slice(-3000)}` : ''}`)
  } finally {
    await server?.stop(15_000)
    await receiver.close()
    await store.drop()
  }
  return failures
}

async function main (): Promise<void> {
  const failures: string[] = []
  if (args.db !== 'postgres') failures.push(...await crashTest('sqlite'))
  if (args.db !== 'sqlite') {
    if (await postgresReachable()) failures.push(...await crashTest('postgres'))
    else failures.push('PostgreSQL is not reachable at 127.0.0.1:5432 (start it, or run with --db sqlite)')
  }
  if (failures.length) {
    console.error(`\nCRASH TEST FAILED:\n  ${failures.join('\n  ')}`)
    process.exit(1)
  }
  console.log('\ncrash test passed: nothing acknowledged was lost')
}

await main()

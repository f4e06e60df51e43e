import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import pg from 'pg'
import {
  call, type ConnectionView, createClientCli, dataToken, type LedgeriteProcess, postgresReachable, REDIS_URL, sleep, startLedgerite, tempPostgres,
} from '../bench/lib/ledgerite-process.ts'
import { startWebhookReceiver } from '../bench/lib/webhook-receiver.ts'

/**
 * Two Ledgerite processes on one PostgreSQL database and one Redis, requests alternating between them:
 *   1. a connection created on one is read, intact, on the other (both ways);
 *   2. the unattended-access limit holds exactly across both: 4 calls without Tl-User-IP spread over the two
 *      succeed, the 5th is 429 on either; and of 10 simultaneous calls spread over both, exactly 4 succeed;
 *   3. each webhook event is delivered once: with both processes' workers running, a receiver counts deliveries
 *      per event_id and every event of the outbox arrives exactly once.
 * Exits non-zero, saying what went wrong. Bounded in count and time; 127.0.0.1 only.
 *
 *   node --import tsx scripts/two-process.ts [--connections 24] [--delivery-timeout-ms 30000]
 */
const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '24' },
    'delivery-timeout-ms': { type: 'string', default: '30000' },
  },
})
const N = Number(args.connections)
const DELIVERY_TIMEOUT_MS = Number(args['delivery-timeout-ms'])
const LIMIT = 4

const CREATE = {
  scopes: ['info', 'accounts', 'balance', 'transactions'],
  provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: 'https://your-app.com/callback' },
}

async function redisReachable (): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null })
  try {
    await r.connect()
    return (await r.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    r.disconnect()
  }
}

async function main (): Promise<void> {
  if (!await postgresReachable()) fail(['PostgreSQL is not reachable at 127.0.0.1:5432'])
  if (!await redisReachable()) fail([`Redis is not reachable at ${REDIS_URL}`])
  const failures: string[] = []
  const store = await tempPostgres('twoproc')
  const receiver = await startWebhookReceiver()
  const servers: LedgeriteProcess[] = []
  try {
    const env = { REDIS_URL }
    // One after the other: the first applies the migrations, the second finds them applied.
    // Both behind one public address, as behind a load balancer: tokens and links are valid on either.
    servers.push(await startLedgerite({ databaseUrl: store.databaseUrl, env }))
    servers.push(await startLedgerite({ databaseUrl: store.databaseUrl, env: { ...env, PUBLIC_URL: servers[0]!.url } }))
    const [a, b] = servers as [LedgeriteProcess, LedgeriteProcess]
    const other = (s: LedgeriteProcess) => (s === a ? b : a)
    console.log(`two processes: A pid ${a.pid} at ${a.url}, B pid ${b.pid} at ${b.url}, Redis ${REDIS_URL}`)
    const client = createClientCli(store.databaseUrl, { name: 'two-process', webhookUri: receiver.url })
    // One token, issued by B, used on both.
    const shared = await dataToken(b.url, client)
    const token = (_s: LedgeriteProcess) => shared

    // 1. Created on one, read on the other; authorised alternately on either.
    const ids: string[] = []
    for (let i = 0; i < N; i++) {
      const on = i % 2 === 0 ? a : b
      const body = { ...CREATE, user: { name: `User ${i} Ünïcode`, email: `u${i}@example.com` }, metadata: { i: String(i) } }
      const created = await call(on.url, 'POST', '/v3/data-connections', { token: token(on), body })
      if (created.status !== 201) { failures.push(`create on ${name(on, a)}: ${created.status} ${JSON.stringify(created.body)}`); continue }
      const id = created.body.id as string
      ids.push(id)
      const read = await call<ConnectionView>(other(on).url, 'GET', `/v3/data-connections/${id}`, { token: token(other(on)) })
      const v = read.body
      if (read.status !== 200) failures.push(`connection ${id} created on ${name(on, a)} is ${read.status} on ${name(other(on), a)}`)
      else if (v.user?.name !== body.user.name || v.metadata?.i !== String(i) || v.status !== 'authorization_required') {
        failures.push(`connection ${id} read on ${name(other(on), a)} differs: ${JSON.stringify(v)}`)
      }
      // Authorise through the process that did not create it; failures every fourth, for connection_failed events.
      const auth = await call(other(on).url, 'POST', `/sandbox/v3/data-connections/${id}/authorize`, {
        token: token(other(on)), body: i % 4 === 3 ? { outcome: 'failed' } : { outcome: 'authorized', username: 'john' },
      })
      if (auth.status !== 200) failures.push(`authorize ${id} on ${name(other(on), a)}: ${auth.status} ${JSON.stringify(auth.body)}`)
    }
    console.log(`1. ${ids.length} connections created alternately, each read and authorised on the other process`)

    // 2. The unattended-access limit across both processes.
    const authorised = ids.filter((_, i) => i % 4 !== 3)
    const accounts = (s: LedgeriteProcess, id: string) =>
      call(s.url, 'GET', '/v3/connected-accounts', { token: token(s), headers: { 'connection-id': id } })
    for (const [k, id] of authorised.slice(0, 2).entries()) {
      const order = k === 0 ? [a, b, a, b] : [b, b, a, a]
      const statuses: number[] = []
      for (const s of order) statuses.push((await accounts(s, id)).status)
      const fifth = await accounts(k === 0 ? a : b, id)
      const sixth = await accounts(k === 0 ? b : a, id)
      if (statuses.some((st) => st !== 200)) failures.push(`limit: the first ${LIMIT} calls on ${id} (spread over A and B) were ${statuses.join(', ')}`)
      if (fifth.status !== 429 || sixth.status !== 429) failures.push(`limit: calls 5 and 6 on ${id} were ${fifth.status} and ${sixth.status}, expected 429 on either process`)
      else if (!fifth.headers.get('retry-after')) failures.push('limit: the 429 carries no Retry-After')
      // With Tl-User-IP the user is present: no limit.
      const present = await call(a.url, 'GET', '/v3/connected-accounts', { token: token(a), headers: { 'connection-id': id, 'tl-user-ip': '203.0.113.9' } })
      if (present.status !== 200) failures.push(`limit: with Tl-User-IP the call on ${id} was ${present.status}`)
    }
    // Simultaneous calls: 10 at once, alternating processes; exactly 4 may pass.
    const race = authorised[2]!
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => accounts(i % 2 === 0 ? a : b, race)))
    const passed = results.filter((r) => r.status === 200).length
    const refused = results.filter((r) => r.status === 429).length
    if (passed !== LIMIT || refused !== 10 - LIMIT) failures.push(`limit under concurrency: ${passed} passed and ${refused} refused of 10 simultaneous calls (expected ${LIMIT} and ${10 - LIMIT}); statuses ${results.map((r) => r.status).join(',')}`)
    console.log(`2. unattended-access limit: ${LIMIT} calls across both processes pass, the 5th is 429 on either; 10 simultaneous → ${passed} passed, ${refused} refused`)

    // More events, from background work: a transactions request per authorised connection, alternating processes.
    const to = new Date().toISOString().slice(0, 10)
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10)
    for (const [i, id] of authorised.slice(3).entries()) {
      const s = i % 2 === 0 ? a : b
      const list = await call<{ items: Array<{ id: string, type: string }> }>(s.url, 'GET', '/v3/connected-accounts', { token: token(s), headers: { 'connection-id': id, 'tl-user-ip': '203.0.113.9' } })
      const account = list.body.items?.find((x) => x.type === 'account')
      if (!account) { failures.push(`connection ${id} lists no account: ${list.status}`); continue }
      const req = await call(other(s).url, 'POST', `/v3/connected-accounts/${account.id}/transactions/requests`, {
        token: token(other(s)), headers: { 'connection-id': id, 'tl-user-ip': '203.0.113.9' }, body: { from, to },
      })
      if (req.status !== 202) failures.push(`transactions request on ${id}: ${req.status} ${JSON.stringify(req.body)}`)
    }

    // 3. Every outbox event delivered exactly once, with both workers running.
    const outbox = await outboxIds(store.databaseUrl, client.client_id, authorised.length - 3 + ids.length)
    try {
      await receiver.waitFor(outbox, DELIVERY_TIMEOUT_MS)
    } catch (err) {
      failures.push(`webhooks: ${(err as Error).message}`)
    }
    // Let a second (wrong) attempt at anything show up before counting.
    await sleep(2000)
    const twice = [...receiver.counts.entries()].filter(([, n]) => n > 1)
    if (twice.length) failures.push(`webhooks: ${twice.length} event(s) delivered more than once, e.g. ${twice.slice(0, 3).map(([id, n]) => `${id}×${n}`).join(', ')}`)
    const unknown = [...receiver.counts.keys()].filter((id) => !outbox.includes(id))
    if (unknown.length) failures.push(`webhooks: ${unknown.length} delivered event(s) not in the outbox`)
    if (receiver.malformed) failures.push(`webhooks: ${receiver.malformed} deliveries without an event_id`)
    console.log(`3. webhooks: ${outbox.length} events in the outbox, ${receiver.counts.size} delivered, ${twice.length} more than once`)
  } catch (err) {
    failures.push(`${(err as Error).stack ?? err}\n--- A ---\n${servers[0]?.output().slice(-2000) ?? ''}\n--- B ---\n${servers[1]?.output().slice(-2000) ?? ''}`)
  } finally {
    await Promise.all(servers.map((s) => s.stop(15_000)))
    await receiver.close()
    await store.drop()
  }
  if (failures.length) fail(failures)
  console.log('\ntwo-process test passed')
}

function name (s: LedgeriteProcess, a: LedgeriteProcess): string {
  return s === a ? 'A' : 'B'
}

/** The client's outbox event ids, once at least `atLeast` exist (events of background work arrive a little later). */
async function outboxIds (databaseUrl: string, clientId: string, atLeast: number): Promise<string[]> {
  const c = new pg.Client({ connectionString: databaseUrl })
  await c.connect()
  try {
    const deadline = Date.now() + 20_000
    for (;;) {
      const { rows } = await c.query<{ id: string }>('select id from webhook_events where client_id = $1', [clientId])
      if (rows.length >= atLeast || Date.now() > deadline) return rows.map((r) => r.id)
      await sleep(200)
    }
  } finally {
    await c.end()
  }
}

function fail (failures: string[]): never {
  console.error(`\nTWO-PROCESS TEST FAILED:\n  ${failures.join('\n  ')}`)
  process.exit(1)
}

await main()

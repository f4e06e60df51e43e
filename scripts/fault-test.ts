import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import pg from 'pg'
import {
  type ApiResponse, call, createClientCli, dataToken, freePort, type LedgeriteProcess, PG_ADMIN_URL, postgresReachable, sleep, startLedgerite, tempPostgres, tempSqlite,
} from '../bench/lib/ledgerite-process.ts'

/**
 * Storage faults against a real `ledgerite start` process:
 *   postgres: under load (creates and reads), the process's PostgreSQL backends are terminated again and again
 *     (pg_terminate_backend, only those carrying this run's application_name), then once more while it is idle.
 *     The process must stay up, answer only 2xx or 503 with Retry-After (never 500, never a dropped socket), pass
 *     /readyz afterwards, and still hold every connection it acknowledged with a 201.
 *   redis: with REDIS_URL at a throwaway redis-server, an unattended data call is counted; the Redis is killed:
 *     the call answers 503 with Retry-After within a few seconds (no queue) and /readyz answers 503; Redis is started
 *     again: /readyz passes and the call answers 200, with no restart of Ledgerite.
 * Exits non-zero, saying what went wrong. Bounded: a few seconds of load per scenario; 127.0.0.1 only.
 *
 *   node --import tsx scripts/fault-test.ts [--scenario postgres|redis|both] [--load-ms 3000] [--loops 8]
 */
const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'both' },
    'load-ms': { type: 'string', default: '3000' },
    loops: { type: 'string', default: '8' },
  },
})
const LOAD_MS = Number(args['load-ms'])
const LOOPS = Number(args.loops)
/** What "fast" means for a 503 while Redis is away: the command timeout is 1 s; anything near 10 s is a queue. */
const FAST_MS = 3000

const CREATE = (seq: number) => ({
  scopes: ['info', 'accounts', 'balance', 'transactions'],
  provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
  user: { name: 'Jane Smith', email: `fault${seq}@example.com` },
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: 'https://your-app.com/callback' },
  metadata: { seq: String(seq) },
})

/** Counts answers; anything but the expected success or a well-formed 503 is a failure, named. */
class Answers {
  ok = 0
  unavailable = 0
  readonly failures: string[] = []
  check (what: string, res: ApiResponse, success: number): boolean {
    if (res.status === success) { this.ok++; return true }
    if (res.status === 503 && /^\d+$/.test(res.headers.get('retry-after') ?? '') && res.headers.get('content-type')?.startsWith('application/problem+json')) {
      this.unavailable++
      return false
    }
    this.failures.push(`${what} answered ${res.status} ${res.headers.get('retry-after') ? '' : '(no Retry-After) '}${JSON.stringify(res.body).slice(0, 300)}`)
    return false
  }
}

const alive = (server: LedgeriteProcess) => server.child.exitCode === null && server.child.signalCode === null

async function postgresScenario (): Promise<string[]> {
  const store = await tempPostgres('fault')
  const appName = `ledgerite-fault-${randomBytes(4).toString('hex')}`
  const u = new URL(store.databaseUrl)
  u.searchParams.set('application_name', appName)
  const databaseUrl = u.toString()
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  const terminate = async () => (await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [appName])).rowCount ?? 0
  const answers = new Answers()
  let server: LedgeriteProcess | undefined
  try {
    server = await startLedgerite({ databaseUrl })
    const token = await dataToken(server.url, createClientCli(databaseUrl, { name: 'fault' }))
    const created = new Map<string, number>()
    let seq = 0
    let stop = false
    const loop = async () => {
      while (!stop) {
        const n = seq++
        try {
          const res = await call(server!.url, 'POST', '/v3/data-connections', { token, body: CREATE(n), timeoutMs: 10_000 })
          if (answers.check('create', res, 201)) {
            created.set(res.body.id as string, n)
            answers.check('get', await call(server!.url, 'GET', `/v3/data-connections/${res.body.id}`, { token, timeoutMs: 10_000 }), 200)
          }
        } catch (err) {
          answers.failures.push(`a request got no answer: ${(err as Error).message}`)
          return
        }
      }
    }
    const loops = Array.from({ length: LOOPS }, loop)
    let killed = 0
    const t0 = Date.now()
    // Every half second, as a flapping network or repeated failovers would: each time the pool is rebuilt.
    while (Date.now() - t0 < LOAD_MS) {
      await sleep(500)
      killed += await terminate()
    }
    stop = true
    await Promise.all(loops)
    // Idle: the pool's connections are waiting, and every one of them is cut (this exited the process before).
    await sleep(300)
    const idleKilled = await terminate()
    await sleep(1000)
    console.log(`postgres: ${killed} backends terminated under load, ${idleKilled} more while idle; ${answers.ok} successes, ${answers.unavailable} answers 503`)
    if (!alive(server)) return [`postgres: the process exited: ${server.output().slice(-2000)}`]
    if (killed + idleKilled === 0) answers.failures.push('postgres: no backend of the process was found to terminate')
    const ready = await call(server.url, 'GET', '/readyz')
    if (ready.status !== 200) answers.failures.push(`postgres: /readyz answers ${ready.status} after the terminations: ${JSON.stringify(ready.body)}`)
    for (const [id, n] of created) {
      const got = await call(server.url, 'GET', `/v3/data-connections/${id}`, { token })
      if (got.status !== 200 || (got.body.metadata as { seq?: string } | undefined)?.seq !== String(n)) answers.failures.push(`postgres: acknowledged connection ${id} answers ${got.status}`)
    }
    console.log(`postgres: all ${created.size} acknowledged connections are there`)
    return answers.failures.map((f) => `postgres: ${f}`)
  } catch (err) {
    return [`postgres: ${(err as Error).stack}${server ? `\n--- server output ---\n${server.output().slice(-3000)}` : ''}`]
  } finally {
    await server?.stop(15_000)
    await admin.end()
    await store.drop()
  }
}

function startRedis (port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString()
      if (/Ready to accept connections/.test(out)) resolve(child)
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)))
  })
}

async function stopRedis (child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

async function waitFor (what: string, ok: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`)
    await sleep(100)
  }
}

async function redisScenario (): Promise<string[]> {
  const store = tempSqlite('fault-redis')
  const port = await freePort()
  let redis: ChildProcess | undefined
  let server: LedgeriteProcess | undefined
  const failures: string[] = []
  try {
    redis = await startRedis(port)
    server = await startLedgerite({ databaseUrl: store.databaseUrl, env: { REDIS_URL: `redis://127.0.0.1:${port}` } })
    const url = server.url
    const token = await dataToken(url, createClientCli(store.databaseUrl, { name: 'fault-redis' }))
    const created = await call(url, 'POST', '/v3/data-connections', { token, body: CREATE(1) })
    if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`)
    const id = created.body.id as string
    const auth = await call(url, 'POST', `/sandbox/v3/data-connections/${id}/authorize`, { token, body: { outcome: 'authorized', username: 'john' } })
    if (auth.status >= 300) throw new Error(`sandbox authorize answered ${auth.status}: ${JSON.stringify(auth.body)}`)
    // Unattended (no Tl-User-IP): counted in Redis.
    const unattended = () => call(url, 'GET', `/v3/data-connections/${id}/user-info`, { token, timeoutMs: 15_000 })
    const ready = () => call(url, 'GET', '/readyz')

    const first = await unattended()
    if (first.status !== 200) failures.push(`with Redis up, the unattended call answered ${first.status}: ${JSON.stringify(first.body)}`)

    await stopRedis(redis)
    await waitFor('/readyz answering 503 once Redis is gone', async () => (await ready()).status === 503, 10_000)
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now()
      const res = await unattended()
      const ms = Date.now() - t0
      if (res.status !== 503 || !res.headers.get('retry-after')) failures.push(`with Redis down, the unattended call answered ${res.status} (Retry-After ${res.headers.get('retry-after')}): ${JSON.stringify(res.body)}`)
      if (ms > FAST_MS) failures.push(`with Redis down, the unattended call took ${ms} ms to answer`)
    }
    console.log('redis: down: unattended calls answer 503 with Retry-After, /readyz 503')

    redis = await startRedis(port)
    const t1 = Date.now()
    await waitFor('/readyz passing once Redis is back', async () => (await ready()).status === 200, 15_000)
    const back = await unattended()
    if (back.status !== 200) failures.push(`with Redis back, the unattended call answered ${back.status}: ${JSON.stringify(back.body)}`)
    console.log(`redis: back: /readyz 200 after ${Date.now() - t1} ms, unattended call ${back.status}`)
    if (!alive(server)) failures.push(`the process exited: ${server.output().slice(-2000)}`)
    return failures.map((f) => `redis: ${f}`)
  } catch (err) {
    return [`redis: ${(err as Error).stack}${server ? `\n--- server output ---\n${server.output().slice(-3000)}` : ''}`]
  } finally {
    await server?.stop(15_000)
    await stopRedis(redis)
    store.drop()
  }
}

async function main (): Promise<void> {
  const failures: string[] = []
  if (args.scenario !== 'redis') {
    if (await postgresReachable()) failures.push(...await postgresScenario())
    else failures.push(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (start it, or run with --scenario redis)`)
  }
  if (args.scenario !== 'postgres') failures.push(...await redisScenario())
  if (failures.length) {
    console.error(`\nFAULT TEST FAILED:\n  ${failures.join('\n  ')}`)
    process.exit(1)
  }
  console.log('\nfault test passed: the process stayed up, answered 2xx or 503 + Retry-After only, and recovered by itself')
}

await main()

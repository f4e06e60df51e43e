import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { buildTestApp } from '../helpers/build-app.ts'
import { freePort } from '../helpers/free-port.ts'
import { dataCalls, PRESENT, seedConnection, useFakeBank } from '../data/data-kit.ts'
import { assertUnavailable, eventually } from './fault-kit.ts'

/**
 * Redis away while REDIS_URL is set: the unattended calls, which count in Redis, answer 503 with Retry-After at once
 * (no queue of commands waiting for it), /readyz names Redis as the missing part, calls that do not need Redis go on,
 * and when Redis is back everything resumes without a restart. The shared Redis of the other tests is never touched:
 * the "down" half points at a port where nothing listens, the recovery half runs a throwaway redis-server.
 */
const hasRedisServer = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0
const skipRecovery = hasRedisServer ? false : 'needs redis-server on the PATH (apt-get install redis-server)'

async function appWithRedis (t: Parameters<typeof buildTestApp>[0], port: number) {
  const h = await buildTestApp(t, { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: `ledgerite-fault-${port}:` })
  useFakeBank(h)
  const client = await h.client()
  const id = await seedConnection(h, client)
  return { h, calls: dataCalls(h, client, id) }
}

test('REDIS_URL where nothing listens: Ledgerite starts, unattended calls answer 503 + Retry-After, attended calls go on, /readyz names Redis', async (t) => {
  const { h, calls } = await appWithRedis(t, await freePort())
  assert.equal(h.deps.rateLimiter.store, 'redis')
  for (let i = 0; i < 3; i++) {
    const res = await calls.userInfo()
    assertUnavailable(res)
    assert.match(res.json().detail, /Redis\) cannot be reached/)
  }
  assertUnavailable(await calls.accounts())
  // With the user present there is no counting, so no need of Redis.
  assert.equal((await calls.userInfo(PRESENT)).statusCode, 200)
  const ready = await h.inject({ method: 'GET', url: '/readyz' })
  assert.equal(ready.statusCode, 503)
  assert.deepEqual(ready.json().checks, { database: 'ok', redis: 'unavailable' })
  assert.equal((await h.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
})

function startRedis (port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString()
      if (/Ready to accept connections/.test(out)) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)))
  })
}

async function stopRedis (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

test('Redis stopped and started again around unattended calls: 503 while it is away, then counting resumes without a restart', { skip: skipRecovery }, async (t) => {
  const port = await freePort()
  let redis = await startRedis(port)
  t.after(() => stopRedis(redis))
  const { h, calls } = await appWithRedis(t, port)
  const ready = () => h.inject({ method: 'GET', url: '/readyz' })

  const first = await calls.userInfo()
  assert.equal(first.statusCode, 200, first.body)
  assert.equal(first.headers['ratelimit-remaining'], '3')
  assert.equal((await ready()).statusCode, 200)

  await stopRedis(redis)
  await eventually('/readyz sees Redis gone', async () => (await ready()).statusCode === 503)
  assert.deepEqual((await ready()).json().checks, { database: 'ok', redis: 'unavailable' })
  for (let i = 0; i < 3; i++) assertUnavailable(await calls.userInfo())

  redis = await startRedis(port)
  await eventually('/readyz passes again', async () => (await ready()).statusCode === 200)
  // The throwaway Redis kept nothing (--save ''): the count starts again, and keeps counting.
  const again = await calls.userInfo()
  assert.equal(again.statusCode, 200, again.body)
  assert.equal(again.headers['ratelimit-remaining'], '3')
  assert.equal((await calls.userInfo()).headers['ratelimit-remaining'], '2')
})

test('Redis hung (accepting, never answering): the command times out and the call answers 503, then all resumes', { skip: skipRecovery }, async (t) => {
  const port = await freePort()
  const redis = await startRedis(port)
  t.after(async () => {
    redis.kill('SIGCONT')
    await stopRedis(redis)
  })
  const { h, calls } = await appWithRedis(t, port)
  assert.equal((await calls.userInfo()).statusCode, 200)

  redis.kill('SIGSTOP')
  // Each call waits for the command timeout (1 s), not for a queue: the connection is open, the server silent.
  for (let i = 0; i < 2; i++) assertUnavailable(await calls.userInfo())
  const ready = await h.inject({ method: 'GET', url: '/readyz' })
  assert.equal(ready.statusCode, 503)
  assert.deepEqual(ready.json().checks, { database: 'ok', redis: 'unavailable' })

  redis.kill('SIGCONT')
  await eventually('/readyz passes again', async () => (await h.inject({ method: 'GET', url: '/readyz' })).statusCode === 200)
  assert.equal((await calls.userInfo()).statusCode, 200)
})

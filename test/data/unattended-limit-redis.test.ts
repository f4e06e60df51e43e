import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { Redis } from 'ioredis'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { assertProblem, dataCalls, ERROR_TYPES, seedConnection, useFakeBank } from './data-kit.ts'

/**
 * Several Ledgerite processes behind one load balancer share one unattended-access count through Redis. Two app
 * instances stand for two processes: each has its own database holding the same client and connection (as a shared
 * database would), and both count in the same Redis under this run's own key prefix.
 */
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
const PREFIX = `ledgerite-test-${randomBytes(6).toString('hex')}:`

async function redisReachable (): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null })
  probe.on('error', () => {})
  try {
    await probe.connect()
    return (await probe.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    probe.disconnect()
  }
}
const skip = (await redisReachable()) ? false : `Redis is not reachable at ${REDIS_URL}; start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "") to run this test`

async function twoInstances (t: Parameters<typeof buildTestApp>[0]) {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: PREFIX }
  const a = await buildTestApp(t, env)
  const b = await buildTestApp(t, env)
  for (const h of [a, b]) {
    assert.equal(h.deps.rateLimiter.store, 'redis')
    useFakeBank(h)
  }
  const client = await a.client()
  const row = await a.deps.db.selectFrom('clients').selectAll().where('id', '=', client.id).executeTakeFirstOrThrow()
  await b.deps.db.insertInto('clients').values(row).execute()
  const id = await seedConnection(a, client)
  await seedConnection(b, client, { id })
  return { a, b, client, id }
}

test.after(async () => {
  if (skip) return
  const redis = new Redis(REDIS_URL)
  const keys = await redis.keys(`${PREFIX}*`)
  if (keys.length) await redis.del(...keys)
  await redis.quit()
})

test('two instances sharing Redis count each call exactly once: the 5th call on either is refused', { skip }, async (t) => {
  const { a, b, client, id } = await twoInstances(t)
  const order: TestApp[] = [a, b, a, b]
  for (let i = 0; i < 4; i++) {
    const res = await dataCalls(order[i]!, client, id).userInfo()
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.headers['ratelimit-remaining'], String(3 - i), `call ${i + 1} sees the other instance's calls`)
  }
  for (const h of [a, b]) assertProblem(await dataCalls(h, client, id).userInfo(), 429, ERROR_TYPES.rateLimitExceeded, 'Rate Limit Exceeded')
  const res = await dataCalls(b, client, id).userInfo()
  assert.ok(Number(res.headers['retry-after']) > 86_000)
  // The shared key holds exactly the four calls allowed.
  const redis = new Redis(REDIS_URL)
  t.after(() => redis.quit())
  const keys = await redis.keys(`${PREFIX}*${id}:user-info`)
  assert.equal(keys.length, 1)
  assert.equal(await redis.zcard(keys[0]!), 4)
})

test('concurrent calls across two instances: exactly the allowance passes', { skip }, async (t) => {
  const { a, b, client, id } = await twoInstances(t)
  const calls = (h: TestApp, c: TestClient) => dataCalls(h, c, id).accounts('')
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => calls(i % 2 ? a : b, client)))
  assert.equal(answers.filter((r) => r.statusCode === 200).length, 4)
  assert.equal(answers.filter((r) => r.statusCode === 429).length, 8)
  assert.deepEqual(answers.filter((r) => r.statusCode === 200).map((r) => r.headers['ratelimit-remaining']).sort(), ['0', '1', '2', '3'])
})

test('with Redis the window still follows the client\'s virtual clock', { skip }, async (t) => {
  const { a, b, client, id } = await twoInstances(t)
  for (let i = 0; i < 4; i++) assert.equal((await dataCalls(a, client, id).userInfo()).statusCode, 200)
  assert.equal((await dataCalls(a, client, id).userInfo()).statusCode, 429)
  // Both processes read the clock from the shared database in production; here each instance has its own copy.
  await a.deps.clock.advance(client.id, 86400)
  await b.deps.clock.advance(client.id, 86400)
  assert.equal((await dataCalls(b, client, id).userInfo()).statusCode, 200)
})

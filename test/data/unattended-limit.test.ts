import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sql } from 'kysely'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { createDeps } from '../../src/deps.ts'
import { createClient } from '../../src/modules/auth/client.repository.ts'
import { createDb } from '../../src/storage/create-db.ts'
import { buildTestApp, DIALECT, TEST_DATABASE_URL } from '../helpers/build-app.ts'
import { assertProblem, CURRENT, dataCalls, day, ERROR_TYPES, PRESENT, seedConnection, useFakeBank } from './data-kit.ts'

test('without Tl-User-IP: 4 calls per connection and endpoint pass with RateLimit-* headers; the 5th → 429 with Retry-After', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  for (let i = 1; i <= 4; i++) {
    const res = await calls.userInfo()
    assert.equal(res.statusCode, 200, `call ${i}: ${res.body}`)
    assert.equal(res.headers['ratelimit-limit'], '4')
    assert.equal(res.headers['ratelimit-remaining'], String(4 - i))
    const reset = Number(res.headers['ratelimit-reset'])
    assert.ok(reset > 86_000 && reset <= 86_400, `RateLimit-Reset ${reset}`)
  }
  const refused = await calls.userInfo()
  const body = assertProblem(refused, 429, ERROR_TYPES.rateLimitExceeded, 'Rate Limit Exceeded')
  assert.match(body.detail, /Tl-User-IP/)
  const retryAfter = Number(refused.headers['retry-after'])
  assert.ok(retryAfter > 86_000 && retryAfter <= 86_400, `Retry-After ${retryAfter}`)
  assert.equal(refused.headers['ratelimit-limit'], '4')
  assert.equal(refused.headers['ratelimit-remaining'], '0')
  assert.equal(refused.headers['ratelimit-reset'], String(retryAfter))
  // Counted as a refusal, for /metrics.
  assert.match(await h.deps.metrics.render(), /ledgerite_rate_limit_refusals_total\{endpoint="user-info"\} 1/)
})

test('with a valid Tl-User-IP there is no limit, and attended calls do not use up the unattended allowance', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  for (let i = 0; i < 8; i++) {
    const res = await calls.accounts('', PRESENT)
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['ratelimit-remaining'], undefined, 'attended calls carry no RateLimit headers')
  }
  assert.equal((await calls.accounts('')).headers['ratelimit-remaining'], '3')
})

test('the count is per endpoint and per connection', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const first = dataCalls(h, c, await seedConnection(h, c))
  const second = dataCalls(h, c, await seedConnection(h, c))
  for (let i = 0; i < 4; i++) assert.equal((await first.userInfo()).statusCode, 200)
  assert.equal((await first.userInfo()).statusCode, 429)
  assert.equal((await first.accounts('')).statusCode, 200, 'another endpoint of the same connection')
  assert.equal((await first.balance(CURRENT)).statusCode, 200)
  assert.equal((await second.userInfo()).statusCode, 200, 'the same endpoint of another connection')
})

test('reading a transactions request does not count; creating one does', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  const today = day(await h.deps.clock.now(c.id))
  const created = await calls.createRequest(CURRENT, { from: today, to: today })
  assert.equal(created.statusCode, 202)
  assert.equal(created.headers['ratelimit-remaining'], '3')
  await h.deps.workers.runAll()
  for (let i = 0; i < 10; i++) {
    const read = await calls.getRequest(CURRENT, created.json().id)
    assert.equal(read.statusCode, 200)
    assert.equal(read.json().status, 'completed')
  }
  for (let i = 0; i < 3; i++) assert.equal((await calls.createRequest(CURRENT, { from: today, to: today })).statusCode, 202)
  assertProblem(await calls.createRequest(CURRENT, { from: today, to: today }), 429, ERROR_TYPES.rateLimitExceeded, 'Rate Limit Exceeded')
  // A body the schema refuses is not counted either (it never reaches the limit).
  assert.equal((await calls.createRequest(CURRENT, { from: today })).statusCode, 400)
})

test('the window rolls with the client\'s virtual clock: 24 hours later the calls are allowed again', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const other = await h.client({ name: 'other' })
  const calls = dataCalls(h, c, await seedConnection(h, c))
  const otherCalls = dataCalls(h, other, await seedConnection(h, other))
  for (let i = 0; i < 4; i++) {
    assert.equal((await calls.userInfo()).statusCode, 200)
    assert.equal((await otherCalls.userInfo()).statusCode, 200)
  }
  await h.deps.clock.advance(c.id, 3600)
  const refused = await calls.userInfo()
  assert.equal(refused.statusCode, 429)
  const retryAfter = Number(refused.headers['retry-after'])
  assert.ok(retryAfter > 82_700 && retryAfter <= 82_800, `an hour later, Retry-After ${retryAfter} ≈ 23 h`)
  await h.deps.clock.advance(c.id, 86400 - 3600)
  const again = await calls.userInfo()
  assert.equal(again.statusCode, 200, 'the window reopened')
  assert.equal(again.headers['ratelimit-remaining'], '3')
  assert.equal((await otherCalls.userInfo()).statusCode, 429, 'another client\'s clock did not move')
})

test('UNATTENDED_ACCESS_LIMIT changes the allowance', async (t) => {
  const h = await buildTestApp(t, { UNATTENDED_ACCESS_LIMIT: '2' })
  useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  assert.equal((await calls.userInfo()).headers['ratelimit-limit'], '2')
  assert.equal((await calls.userInfo()).statusCode, 200)
  assert.equal((await calls.userInfo()).statusCode, 429)
})

test('concurrent unattended calls: exactly the allowance passes', async (t) => {
  const h = await buildTestApp(t)
  assert.equal(h.deps.rateLimiter.store, 'database')
  useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c))
  const answers = await Promise.all(Array.from({ length: 10 }, () => calls.accounts('')))
  assert.equal(answers.filter((r) => r.statusCode === 200).length, 4)
  assert.equal(answers.filter((r) => r.statusCode === 429).length, 6)
  assert.deepEqual(answers.filter((r) => r.statusCode === 200).map((r) => r.headers['ratelimit-remaining']).sort(), ['0', '1', '2', '3'])
})

test('the counters live in the database: a restarted app still refuses the 5th call', async (t) => {
  // One database kept across two app lifetimes: a file for SQLite, a schema for PostgreSQL.
  let url = TEST_DATABASE_URL
  let schema: string | undefined
  let cleanup: () => Promise<void>
  if (DIALECT === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerite-limit-'))
    url = `sqlite:${join(dir, 'ledgerite.db')}`
    cleanup = async () => rmSync(dir, { recursive: true, force: true })
  } else {
    schema = `t_${randomBytes(6).toString('hex')}`
    const admin = createDb(TEST_DATABASE_URL)
    await sql`create schema ${sql.id(schema)}`.execute(admin.kysely)
    await admin.close()
    cleanup = async () => {
      const a = createDb(TEST_DATABASE_URL)
      await sql`drop schema ${sql.id(schema!)} cascade`.execute(a.kysely)
      await a.close()
    }
  }
  let stopLast: (() => Promise<void>) | undefined
  t.after(async () => {
    await stopLast?.()
    await cleanup()
  })
  const config = loadConfig({ DATABASE_URL: url, PUBLIC_URL: 'http://ledgerite.test', WORKERS: 'off', LOG_LEVEL: 'silent' })
  const start = async () => {
    const deps = await createDeps(config, { db: createDb(url, schema ? { schema } : {}) })
    const app = await buildApp(deps)
    await app.ready()
    const h = { app, deps, config, inject: app.inject.bind(app), client: async () => { throw new Error('unused') } }
    useFakeBank(h)
    return { h, stop: async () => { await app.close(); await deps.close() } }
  }
  const one = await start()
  const { client, secret } = await createClient(one.h.deps.db, { name: 'restart', redirectUris: ['https://your-app.com/callback'] })
  const token = await one.h.deps.tokens.issue(client.id, ['data'])
  const c = { id: client.id, secret, token, auth: { authorization: `Bearer ${token}` } }
  const id = await seedConnection(one.h, c)
  for (let i = 0; i < 4; i++) assert.equal((await dataCalls(one.h, c, id).userInfo()).statusCode, 200)
  await one.stop()

  const two = await start()
  stopLast = two.stop
  assertProblem(await dataCalls(two.h, c, id).userInfo(), 429, ERROR_TYPES.rateLimitExceeded, 'Rate Limit Exceeded')
})

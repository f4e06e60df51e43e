import assert from 'node:assert/strict'
import { test } from 'node:test'
import { authorizeConnection, failConnection, revokeConnection, startBankAuthorization } from '../../src/modules/connections/connection.lifecycle.ts'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { CONFIG_1, CONFIG_2, create, withChanges } from './fixtures.ts'

const NOW = new Date('2026-03-02T10:00:00.000Z')
const get = (h: TestApp, c: TestClient, id: string) => h.inject({ method: 'GET', url: `/v3/data-connections/${id}`, headers: c.auth })
const list = (h: TestApp, c: TestClient, query = '') => h.inject({ method: 'GET', url: `/v3/data-connections${query}`, headers: c.auth })

/** A connection taken through the bank by the one lifecycle, as the journey would. */
async function authorized (h: TestApp, c: TestClient, body: object = CONFIG_2, at = NOW): Promise<string> {
  const id = (await create(h, c, body)).json().id
  await startBankAuthorization(h.deps.db, c.id, id, at, { provider_id: 'ob-monzo' })
  await authorizeConnection(h.deps.db, c.id, id, at, { accountIds: ['acc-1'], providerId: 'ob-monzo', providerState: { token: 'x' } })
  return id
}

test('GET a new connection: id, status, user as given, scopes, data_access_type, metadata, created_at', async (t) => {
  const h = await buildTestApp(t, {}, { now: () => NOW })
  const c = await h.client()
  const created = (await create(h, c, withChanges(CONFIG_1, { metadata: { ref: 'r1' }, 'user.phone': undefined }))).json()
  const res = await get(h, c, created.id)
  assert.equal(res.statusCode, 200)
  assert.deepEqual(res.json(), {
    id: created.id,
    status: 'authorization_required',
    user: { id: created.user.id, name: 'Jane Smith', email: 'jane.smith@example.com' },
    scopes: ['accounts', 'transactions'],
    data_access_type: 'recurring',
    metadata: { ref: 'r1' },
    created_at: NOW.toISOString(),
  })
})

test('GET an authorised connection: provider, authorized_at and access_expires_at', async (t) => {
  const h = await buildTestApp(t, {}, { now: () => NOW })
  const c = await h.client()
  const id = await authorized(h, c)
  const view = (await get(h, c, id)).json()
  assert.equal(view.status, 'authorized')
  assert.deepEqual(view.provider, { provider_id: 'ob-monzo', display_name: 'Monzo' })
  assert.equal(view.authorized_at, NOW.toISOString())
  assert.equal(view.access_expires_at, '2026-05-31T10:00:00.000Z', '90 days of recurring access')
  assert.equal(view.failed_at, undefined)
})

test('GET a failed connection: failed_at, failure_stage and failure_reason', async (t) => {
  const h = await buildTestApp(t, {}, { now: () => NOW })
  const c = await h.client()
  const id = (await create(h, c, CONFIG_1)).json().id
  await failConnection(h.deps.db, c.id, id, NOW, 'user_declined_consent')
  const view = (await get(h, c, id)).json()
  assert.equal(view.status, 'failed')
  assert.equal(view.failed_at, NOW.toISOString())
  assert.equal(view.failure_stage, 'authorization_required')
  assert.equal(view.failure_reason, 'user_declined_consent')
})

test('GET a revoked connection: revoked_at', async (t) => {
  const h = await buildTestApp(t, {}, { now: () => NOW })
  const c = await h.client()
  const id = await authorized(h, c)
  await revokeConnection(h.deps.db, c.id, id, NOW)
  const view = (await get(h, c, id)).json()
  assert.equal(view.status, 'revoked')
  assert.equal(view.revoked_at, NOW.toISOString())
})

test('GET shows a consent that ended as expired (the client\'s clock decides)', async (t) => {
  const h = await buildTestApp(t, {}, { now: () => NOW })
  const c = await h.client()
  const id = await authorized(h, c, withChanges(CONFIG_2, { data_access_type: 'one_time' }))
  assert.equal((await get(h, c, id)).json().status, 'authorized')
  await h.deps.clock.advance(c.id, 61 * 60)
  const view = (await get(h, c, id)).json()
  assert.equal(view.status, 'expired')
  assert.equal(view.expired_at, '2026-03-02T11:00:00.000Z', 'when access ended (access_expires_at), not when it was noticed')
  const other = await h.client({ name: 'other' })
  const otherId = await authorized(h, other, withChanges(CONFIG_2, { data_access_type: 'one_time' }))
  assert.equal((await get(h, other, otherId)).json().status, 'authorized', 'another client\'s clock did not move')
})

test('GET an unknown id → 404 Not Found', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await get(h, c, '0a6273a0-0314-4db6-800a-e66225fbe9f7')
  assert.equal(res.statusCode, 404)
  assert.equal(res.json().type, 'https://docs.truelayer.com/docs/error-types#not-found')
})

test('GET needs a data token', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const id = (await create(h, c, CONFIG_1)).json().id
  assert.equal((await h.inject({ method: 'GET', url: `/v3/data-connections/${id}` })).statusCode, 401)
  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections' })).statusCode, 401)
})

test('list: newest first, limit and cursor walk every connection once', async (t) => {
  let tick = NOW.getTime()
  const h = await buildTestApp(t, {}, { now: () => new Date(tick) })
  const c = await h.client()
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    ids.push((await create(h, c, CONFIG_1)).json().id)
    if (i !== 2) tick += 1000 // two share a millisecond: the cursor must still not skip or repeat
  }
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res = await list(h, c, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    assert.equal(res.statusCode, 200, res.body)
    const b = res.json()
    assert.ok(b.items.length <= 2)
    seen.push(...b.items.map((x: { id: string }) => x.id))
    cursor = b.pagination.next_cursor
    pages++
  } while (cursor && pages < 10)
  assert.equal(pages, 3)
  assert.deepEqual(new Set(seen), new Set(ids))
  assert.equal(seen.length, 5)
  assert.equal(seen[0], ids[4], 'newest first')
  assert.equal(seen[4], ids[0])
})

test('list: default limit 20, status filter, bounds checked', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  for (let i = 0; i < 21; i++) await create(h, c, CONFIG_1)
  const id = (await create(h, c, CONFIG_2)).json().id
  await failConnection(h.deps.db, c.id, id, new Date(), 'journey_expired')
  const all = (await list(h, c)).json()
  assert.equal(all.items.length, 20)
  assert.equal(typeof all.pagination.next_cursor, 'string')
  const failed = (await list(h, c, '?status=failed')).json()
  assert.deepEqual(failed.items.map((x: { id: string }) => x.id), [id])
  assert.equal(failed.pagination.next_cursor, null)
  for (const q of ['?limit=0', '?limit=101', '?limit=abc', '?status=done', '?cursor=garbage', '?colour=red']) {
    const res = await list(h, c, q)
    assert.equal(res.statusCode, 400, q)
    assert.equal(res.json().title, 'Invalid Parameters')
  }
  assert.match((await list(h, c, '?cursor=garbage')).json().errors.cursor[0], /next_cursor/)
})

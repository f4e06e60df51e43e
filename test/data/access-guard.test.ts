import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import {
  assertProblem, CURRENT, dataCalls, day, ERROR_TYPES, HIDDEN_ACCOUNT, PRESENT, seedConnection, useFakeBank, webhookRows,
} from './data-kit.ts'

/** One call to every data route, for a connection (and an account of it). */
async function everyRoute (h: TestApp, c: TestClient, connectionId: string, accountId = CURRENT, extra: Record<string, string> = PRESENT) {
  const calls = dataCalls(h, c, connectionId)
  const today = day(await h.deps.clock.now(c.id))
  return {
    'user-info': await calls.userInfo(extra),
    'connected-accounts': await calls.accounts('', extra),
    'transactions POST': await calls.createRequest(accountId, { from: today, to: today }, extra),
    'transactions GET': await calls.getRequest(accountId, '3fa85f64-5717-4562-b3fc-2c963f66afa6', extra),
    balance: await calls.balance(accountId, extra),
  } satisfies Record<string, LightMyRequestResponse>
}

test('an unknown connection → 404 Not Found on every data route', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  for (const [route, res] of Object.entries(await everyRoute(h, c, '0a6273a0-0314-4db6-800a-e66225fbe9f7'))) {
    const body = assertProblem(res, 404, ERROR_TYPES.notFound, 'Not Found')
    assert.match(body.detail, /Connection 0a6273a0-0314-4db6-800a-e66225fbe9f7 could not be found/, route)
  }
})

test('tenant isolation: another client\'s connection, and its transactions requests, are 404 — and the owner\'s data is untouched', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const owner = await h.client({ name: 'owner' })
  const other = await h.client({ name: 'other' })
  const id = await seedConnection(h, owner)
  const today = day(await h.deps.clock.now(owner.id))
  const created = (await dataCalls(h, owner, id).createRequest(CURRENT, { from: today, to: today }, PRESENT)).json()
  await h.deps.workers.runAll()
  const before = bank.calls.length
  for (const res of Object.values(await everyRoute(h, other, id))) assertProblem(res, 404, ERROR_TYPES.notFound, 'Not Found')
  assertProblem(await dataCalls(h, other, id).getRequest(CURRENT, created.id, PRESENT), 404, ERROR_TYPES.notFound, 'Not Found')
  assertProblem(await dataCalls(h, other, id).revoke(), 404, ERROR_TYPES.notFound, 'Not Found')
  assert.equal(bank.calls.length, before, 'the bank was never asked on behalf of the other client')
  assert.equal((await dataCalls(h, owner, id).getRequest(CURRENT, created.id, PRESENT)).json().status, 'completed')
  assert.equal((await dataCalls(h, owner, id).userInfo(PRESENT)).statusCode, 200, 'still authorised for its owner')
})

test('a connection not authorised (authorization_required, authorizing, failed) → 400 Invalid State', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  for (const status of ['authorization_required', 'authorizing', 'failed'] as const) {
    const id = await seedConnection(h, c, { status })
    for (const [route, res] of Object.entries(await everyRoute(h, c, id))) {
      const body = assertProblem(res, 400, ERROR_TYPES.invalidState, 'Invalid State')
      assert.match(body.detail, new RegExp(status), `${status} ${route}`)
    }
  }
})

test('a scope not consented → 403 Forbidden naming the scope, per endpoint', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const calls = dataCalls(h, c, await seedConnection(h, c, { scopes: ['accounts'] }))
  const today = day(await h.deps.clock.now(c.id))
  const cases: Array<[string, LightMyRequestResponse]> = [
    ['info', await calls.userInfo(PRESENT)],
    ['transactions', await calls.createRequest(CURRENT, { from: today, to: today }, PRESENT)],
    ['transactions', await calls.getRequest(CURRENT, '3fa85f64-5717-4562-b3fc-2c963f66afa6', PRESENT)],
    ['balance', await calls.balance(CURRENT, PRESENT)],
  ]
  for (const [scope, res] of cases) {
    const body = assertProblem(res, 403, ERROR_TYPES.forbidden, 'Forbidden')
    assert.match(body.detail, new RegExp(`"${scope}" scope`))
  }
  assert.equal((await calls.accounts('', PRESENT)).statusCode, 200, 'the consented scope works')
  const onlyInfo = dataCalls(h, c, await seedConnection(h, c, { scopes: ['info'] }))
  assert.match(assertProblem(await onlyInfo.accounts('', PRESENT), 403, ERROR_TYPES.forbidden, 'Forbidden').detail, /"accounts" scope/)
})

test('consent expired → 403 with the reason in detail; the connection becomes expired and connection_expired is sent', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client({ webhookUri: 'https://hooks.your-app.com/ledgerite' })
  const id = await seedConnection(h, c)
  const calls = dataCalls(h, c, id)
  assert.equal((await calls.userInfo(PRESENT)).statusCode, 200)
  await h.deps.clock.advance(c.id, 91 * 86400)
  const body = assertProblem(await calls.userInfo(PRESENT), 403, ERROR_TYPES.forbidden, 'Forbidden')
  assert.match(body.detail, /consent expired at \d{4}-\d\d-\d\dT/)
  const row = await h.deps.db.selectFrom('connections').select('status').where('id', '=', id).executeTakeFirstOrThrow()
  assert.equal(row.status, 'expired')
  const events = await webhookRows(h, c.id, 'connection_expired')
  assert.equal(events.length, 1)
  assert.equal(events[0].connection_id, id)
  for (const res of Object.values(await everyRoute(h, c, id))) assertProblem(res, 403, ERROR_TYPES.forbidden, 'Forbidden')
  assert.equal((await webhookRows(h, c.id, 'connection_expired')).length, 1, 'expired once')
})

test('a one-time connection after its access window → 403 saying the window closed', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c, { dataAccessType: 'one_time' })
  const calls = dataCalls(h, c, id)
  assert.equal((await calls.accounts('', PRESENT)).statusCode, 200, 'readable inside the window')
  await h.deps.clock.advance(c.id, 61 * 60)
  const body = assertProblem(await calls.accounts('', PRESENT), 403, ERROR_TYPES.forbidden, 'Forbidden')
  assert.match(body.detail, /one-time access window closed/)
})

test('a revoked connection → 403 with the reason in detail', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c, { status: 'revoked' })
  for (const res of Object.values(await everyRoute(h, c, id))) {
    assert.match(assertProblem(res, 403, ERROR_TYPES.forbidden, 'Forbidden').detail, /revoked/)
  }
})

test('an account the user did not choose at the bank → 404 on every account route', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  const calls = dataCalls(h, c, id)
  const today = day(await h.deps.clock.now(c.id))
  for (const res of [
    await calls.createRequest(HIDDEN_ACCOUNT, { from: today, to: today }, PRESENT),
    await calls.getRequest(HIDDEN_ACCOUNT, '3fa85f64-5717-4562-b3fc-2c963f66afa6', PRESENT),
    await calls.balance(HIDDEN_ACCOUNT, PRESENT),
    await calls.balance('no-such-account', PRESENT),
  ]) {
    assert.match(assertProblem(res, 404, ERROR_TYPES.notFound, 'Not Found').detail, /Account .* could not be found on this connection/)
  }
})

test('an invalid Tl-User-IP → 400 naming the header, on every data route', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  for (const [route, res] of Object.entries(await everyRoute(h, c, id, CURRENT, { 'tl-user-ip': 'not-an-ip' }))) {
    const body = assertProblem(res, 400, ERROR_TYPES.invalidParameters, 'Invalid Parameters')
    assert.ok(body.errors['Tl-User-IP'], `${route}: ${JSON.stringify(body.errors)}`)
  }
  // The first address of a list is the one used.
  assert.equal((await dataCalls(h, c, id).userInfo({ 'tl-user-ip': '2001:db8::1, 10.0.0.1' })).statusCode, 200)
})

test('a token without the data scope → 403; a forged token → 401', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  const noData = await h.deps.tokens.issue(c.id, ['payments'])
  assertProblem(await h.inject({ method: 'GET', url: `/v3/data-connections/${id}/user-info`, headers: { authorization: `Bearer ${noData}` } }), 403, ERROR_TYPES.forbidden, 'Forbidden')
  assertProblem(await h.inject({ method: 'GET', url: `/v3/data-connections/${id}/user-info`, headers: { authorization: `Bearer ${c.token}x` } }), 401, ERROR_TYPES.unauthenticated, 'Unauthenticated')
})

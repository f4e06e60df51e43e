import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BankError } from '../../src/modules/providers/provider-adapter.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { assertProblem, dataCalls, ERROR_TYPES, PRESENT, seedConnection, useFakeBank } from './data-kit.ts'

test('user-info: {name} from the bank, read at the client\'s virtual today with the connection\'s grant', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  await h.deps.clock.advance(c.id, 3 * 86400)
  const res = await dataCalls(h, c, id).userInfo(PRESENT)
  assert.equal(res.statusCode, 200, res.body)
  assert.match(String(res.headers['content-type']), /^application\/json/)
  assert.deepEqual(res.json(), { name: 'Jane Smith' })
  assert.ok(res.headers['tl-trace-id'], 'every answer carries Tl-Trace-Id')
  const call = bank.calls.find((x) => x.method === 'getUserInfo')!
  assert.equal(call.grant?.consentId, `consent-${id}`)
  const virtualNow = await h.deps.clock.now(c.id)
  assert.ok(Math.abs(call.asOf!.getTime() - virtualNow.getTime()) < 60_000, 'the bank is asked as of the client\'s virtual now')
  assert.ok(call.asOf!.getTime() - Date.now() > 2 * 86_400_000, 'three days ahead of real time')
})

test('user-info: no bearer token → 401 Unauthenticated', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  const res = await h.inject({ method: 'GET', url: `/v3/data-connections/${id}/user-info` })
  assertProblem(res, 401, ERROR_TYPES.unauthenticated, 'Unauthenticated')
})

test('user-info: the bank failing → 502 Provider Error naming the bank\'s reason', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  bank.failWith = new BankError('internal_error', 'boom')
  const body = assertProblem(await dataCalls(h, c, id).userInfo(PRESENT), 502, ERROR_TYPES.providerError, 'Provider Error')
  assert.match(body.detail, /internal_error/)
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BankError } from '../../src/modules/providers/provider-adapter.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { assertProblem, dataCalls, ERROR_TYPES, PRESENT, seedConnection, useFakeBank, webhookRows } from './data-kit.ts'

test('DELETE /v3/data-connections/{id} (extension) → 204; the bank\'s consent is revoked; later data calls → 403; connection_revoked sent', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client({ webhookUri: 'https://hooks.your-app.com/ledgerite' })
  const id = await seedConnection(h, c)
  const calls = dataCalls(h, c, id)
  assert.equal((await calls.accounts('', PRESENT)).statusCode, 200)
  const res = await calls.revoke()
  assert.equal(res.statusCode, 204)
  assert.equal(res.body, '')
  const row = await h.deps.db.selectFrom('connections').select(['status', 'revoked_at']).where('id', '=', id).executeTakeFirstOrThrow()
  assert.equal(row.status, 'revoked')
  assert.ok(row.revoked_at)
  assert.deepEqual(bank.revoked.map((g) => g.consentId), [`consent-${id}`])
  const body = assertProblem(await calls.accounts('', PRESENT), 403, ERROR_TYPES.forbidden, 'Forbidden')
  assert.match(body.detail, /revoked at \d{4}-/)
  const events = await webhookRows(h, c.id, 'connection_revoked')
  assert.equal(events.length, 1)
  assert.equal(events[0].connection_id, id)
  assert.equal(events[0].revoked_at, row.revoked_at)
})

test('revoking again → 204, with no second webhook or bank call', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  assert.equal((await dataCalls(h, c, id).revoke()).statusCode, 204)
  assert.equal((await dataCalls(h, c, id).revoke()).statusCode, 204)
  assert.equal((await webhookRows(h, c.id, 'connection_revoked')).length, 1)
  assert.equal(bank.revoked.length, 1)
})

test('the bank failing to revoke its consent does not undo the revocation', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  bank.failWith = new BankError('provider_error')
  assert.equal((await dataCalls(h, c, id).revoke()).statusCode, 204)
  const row = await h.deps.db.selectFrom('connections').select('status').where('id', '=', id).executeTakeFirstOrThrow()
  assert.equal(row.status, 'revoked')
})

test('revoke: a connection the user has not authorised yet is revoked without asking the bank; an expired one → 400 Invalid State; unknown → 404', async (t) => {
  const h = await buildTestApp(t)
  const bank = useFakeBank(h)
  const c = await h.client()
  const pending = await seedConnection(h, c, { status: 'authorization_required' })
  assert.equal((await dataCalls(h, c, pending).revoke()).statusCode, 204)
  assert.equal(bank.calls.filter((x) => x.method === 'revoke').length, 0)
  const expired = await seedConnection(h, c, { status: 'expired' })
  assertProblem(await dataCalls(h, c, expired).revoke(), 400, ERROR_TYPES.invalidState, 'Invalid State')
  assertProblem(await dataCalls(h, c, '0a6273a0-0314-4db6-800a-e66225fbe9f7').revoke(), 404, ERROR_TYPES.notFound, 'Not Found')
  assertProblem(await h.inject({ method: 'DELETE', url: `/v3/data-connections/${pending}` }), 401, ERROR_TYPES.unauthenticated, 'Unauthenticated')
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sha256 } from '../../src/contract/ids.ts'
import { BankError } from '../../src/modules/providers/provider-adapter.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { CONFIG_1, CONFIG_2, CONFIG_4, CONFIG_5, CONFIG_5B, create, withChanges } from './fixtures.ts'

const NOW = new Date('2026-03-02T10:00:00.000Z')
const get = (h: Awaited<ReturnType<typeof buildTestApp>>, auth: { authorization: string }, id: string) =>
  h.inject({ method: 'GET', url: `/v3/data-connections/${id}`, headers: auth })

test('user.id is kept when given and generated otherwise', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const given = await create(h, c, withChanges(CONFIG_1, { 'user.id': 'customer-42' }))
  assert.equal(given.json().user.id, 'customer-42')
  const again = await create(h, c, withChanges(CONFIG_1, { 'user.id': 'customer-42' }))
  assert.equal(again.json().user.id, 'customer-42', 'a returning user keeps the id')
  assert.notEqual(again.json().id, given.json().id)
  const generated = await create(h, c, CONFIG_1)
  assert.match(generated.json().user.id, /^[0-9a-f-]{36}$/)
})

test('what was asked for is kept: scopes (duplicates dropped), data_access_type (default recurring), metadata, user, provider', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const metadata = { order: 'A-1', [`k${'x'.repeat(39)}`]: 'y'.repeat(500) }
  const res = await create(h, c, withChanges(CONFIG_2, { scopes: ['accounts', 'balance', 'accounts'], metadata, data_access_type: 'one_time' }))
  assert.equal(res.statusCode, 201, res.body)
  const view = (await get(h, c.auth, res.json().id)).json()
  assert.deepEqual(view.scopes, ['accounts', 'balance'])
  assert.equal(view.data_access_type, 'one_time')
  assert.deepEqual(view.metadata, metadata)
  assert.deepEqual(view.user, { id: res.json().user.id, name: 'Jane Smith', email: 'jane.smith@example.com', phone: '+447700900000' })
  assert.deepEqual(view.provider, { provider_id: 'ob-monzo', display_name: 'Monzo' })

  const defaulted = (await get(h, c.auth, (await create(h, c, CONFIG_1)).json().id)).json()
  assert.equal(defaulted.data_access_type, 'recurring')
  assert.equal(defaulted.provider, undefined, 'no provider until the user chooses one')
})

test('configurations 1–3: the hosted page token is stored only as its hash and the link expires in 24 hours', async (t) => {
  const h = await buildTestApp(t, {}, { now: () => NOW })
  const c = await h.client()
  const res = await create(h, c, CONFIG_1)
  const token = new URL(res.json().hosted_page.uri).searchParams.get('token')!
  const row = await h.deps.db.selectFrom('connections').selectAll().where('id', '=', res.json().id).executeTakeFirstOrThrow()
  assert.equal(row.journey_token_hash, sha256(token))
  assert.ok(!JSON.stringify(row).includes(token), 'the token itself is not stored')
  assert.equal(row.created_at, NOW.toISOString())
  assert.equal(row.journey_expires_at, '2026-03-03T10:00:00.000Z')
  assert.equal(row.client_id, c.id)
  assert.equal(row.status, 'authorization_required')
})

test('the connection\'s timeline starts with "created"', async (t) => {
  const h = await buildTestApp(t, {}, { now: () => NOW })
  const c = await h.client()
  const id = (await create(h, c, CONFIG_2)).json().id
  const events = await h.deps.db.selectFrom('connection_events').selectAll().where('connection_id', '=', id).execute()
  assert.equal(events.length, 1)
  assert.equal(events[0]!.kind, 'created')
  assert.equal(events[0]!.at, NOW.toISOString())
  assert.deepEqual(JSON.parse(events[0]!.detail!), { configuration: 2, status: 'authorization_required' })
})

test('created_at follows the client\'s clock', async (t) => {
  const h = await buildTestApp(t, {}, { now: () => NOW })
  const c = await h.client()
  await h.deps.clock.advance(c.id, 3600)
  const view = (await get(h, c.auth, (await create(h, c, CONFIG_1)).json().id)).json()
  assert.equal(view.created_at, '2026-03-02T11:00:00.000Z')
})

test('Tl-User-IP (first of the list) and X-Device-User-Agent are stored when authorization_flow is given', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await create(h, c, CONFIG_5, { 'tl-user-ip': '203.0.113.7, 10.0.0.1', 'x-device-user-agent': 'Mozilla/5.0 (iPhone)', 'user-agent': 'server/1.0' })
  assert.equal(res.statusCode, 201, res.body)
  const row = await h.deps.db.selectFrom('connections').selectAll().where('id', '=', res.json().id).executeTakeFirstOrThrow()
  assert.equal(row.end_user_ip, '203.0.113.7')
  assert.equal(row.device_user_agent, 'Mozilla/5.0 (iPhone)')

  const fallback = await create(h, c, CONFIG_5B, { 'tl-user-ip': '2001:db8::1', 'user-agent': 'Mozilla/5.0 (Android)' })
  const row2 = await h.deps.db.selectFrom('connections').selectAll().where('id', '=', fallback.json().id).executeTakeFirstOrThrow()
  assert.equal(row2.end_user_ip, '2001:db8::1')
  assert.equal(row2.device_user_agent, 'Mozilla/5.0 (Android)', 'User-Agent when X-Device-User-Agent is absent')
})

test('Tl-User-IP and the user agent are not stored without authorization_flow', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await create(h, c, CONFIG_1, { 'tl-user-ip': '203.0.113.7', 'x-device-user-agent': 'Mozilla/5.0' })
  const row = await h.deps.db.selectFrom('connections').selectAll().where('id', '=', res.json().id).executeTakeFirstOrThrow()
  assert.equal(row.end_user_ip, null)
  assert.equal(row.device_user_agent, null)
})

test('a client holding an AISP licence may leave the user fields out', async (t) => {
  const h = await buildTestApp(t)
  const licensed = await h.client({ aispLicence: true })
  const res = await create(h, licensed, withChanges(CONFIG_1, { user: {} }))
  assert.equal(res.statusCode, 201, res.body)
  assert.deepEqual(Object.keys((await get(h, licensed.auth, res.json().id)).json().user), ['id'])
  const unlicensed = await h.client()
  const refused = await create(h, unlicensed, withChanges(CONFIG_1, { user: {} }))
  assert.equal(refused.statusCode, 400)
  assert.deepEqual(Object.keys(refused.json().errors).sort(), ['user.email', 'user.name', 'user.phone'])
})

test('configuration 5b: the providers follow the filter (release channel, segments, provider_ids added, excludes removed)', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await create(h, c, withChanges(CONFIG_5B, {
    'provider_selection.filter': {
      countries: ['DE'], release_channel: 'private_beta', customer_segments: ['retail'],
      provider_ids: ['ob-monzo'], excludes: { provider_ids: ['xs2a-n26-de'] },
    },
  }))
  assert.equal(res.statusCode, 201, res.body)
  const ids = res.json().authorization_flow.actions.next.providers.map((p: { id: string }) => p.id)
  assert.ok(ids.includes('xs2a-deutsche-bank'), 'general availability')
  assert.ok(ids.includes('xs2a-comdirect'), 'private beta')
  assert.ok(!ids.includes('xs2a-ing-germany'), 'public beta is not asked for')
  assert.ok(!ids.includes('xs2a-n26-de'), 'excluded')
  assert.ok(ids.includes('ob-monzo'), 'added by provider_ids')
  assert.ok(!ids.includes('ob-barclays'), 'other countries stay out')
})

test('configurations 4 and 5: when the bank cannot start the authorisation → 502 Provider Error, the connection stays as created', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  h.deps.adapter = { ...h.deps.adapter, createConsent: async () => { throw new BankError('provider_error', 'bank down') } }
  const res = await create(h, c, CONFIG_4)
  assert.equal(res.statusCode, 502, res.body)
  const b = res.json()
  assert.equal(b.title, 'Provider Error')
  assert.equal(b.type, 'https://docs.truelayer.com/docs/error-types#provider-error')
  const id = /connection ([0-9a-f-]{36})/.exec(b.detail)?.[1]
  assert.ok(id, 'the detail names the connection created')
  const view = (await get(h, c.auth, id!)).json()
  assert.equal(view.status, 'authorizing')
})

test('metadata keys of any text (a line break included) are kept and read back, and non-string values refused', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const metadata = { 'line\nbreak': 'v', ' ': 'space', 'é': 'accent' }
  const res = await create(h, c, withChanges(CONFIG_1, { metadata }))
  assert.equal(res.statusCode, 201, res.body)
  assert.deepEqual((await get(h, c.auth, res.json().id)).json().metadata, metadata)
  const refused = await create(h, c, withChanges(CONFIG_1, { metadata: { 'line\nbreak': 5 } }))
  assert.equal(refused.statusCode, 400, refused.body)
  assert.ok(Object.keys(refused.json().errors).some((k) => k.startsWith('metadata')), refused.body)
})

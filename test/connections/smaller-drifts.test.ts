import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LANGUAGES } from '../../src/modules/journey/journey.messages.ts'
import { dataCalls, seedConnection, useFakeBank } from '../data/data-kit.ts'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { CONFIG_1, CONFIG_2, CONFIG_5 } from './fixtures.ts'

/**
 * Smaller drifts from what clients of the real service expect: v1 provider tokens get a did-you-mean, the status
 * extension carries consent_expires_at, an unsupported language_code is refused with the supported ones, and
 * Tl-User-IP may carry a port.
 */

const create = (h: TestApp, c: TestClient, body: unknown, headers: Record<string, string> = {}) =>
  h.inject({ method: 'POST', url: '/v3/data-connections', headers: { ...c.auth, ...headers }, payload: body as object })

test('Data v1 provider tokens (uk-cs-mock, uk-ob-all, uk-oauth-all) → 400 with a did-you-mean to the v3 mock provider', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  for (const id of ['uk-cs-mock', 'uk-ob-all', 'uk-oauth-all']) {
    const res = await create(h, c, { ...CONFIG_2, provider_selection: { type: 'preselected', provider_id: id } })
    assert.equal(res.statusCode, 400, res.body)
    const messages = res.json().errors['provider_selection.provider_id'].join(' ')
    assert.match(messages, /Data v1 provider token/, id)
    assert.match(messages, /did you mean "mock"/, id)
    assert.match(res.json().detail, /did you mean "mock"/, 'and in detail')
  }
  const filtered = await create(h, c, { ...CONFIG_1, provider_selection: { type: 'user_selected', filter: { provider_ids: ['ob-monzo', 'uk-ob-all'] } } })
  assert.match(filtered.json().errors['provider_selection.filter.provider_ids[1]'].join(' '), /did you mean "mock"/)
})

test('GET /v3/data-connections/{id} (extension) carries consent_expires_at, the same instant as access_expires_at', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  const view = (await h.inject({ method: 'GET', url: `/v3/data-connections/${id}`, headers: c.auth })).json()
  assert.equal(typeof view.access_expires_at, 'string', JSON.stringify(view))
  assert.equal(view.consent_expires_at, view.access_expires_at)
  const pending = (await create(h, c, CONFIG_1)).json()
  const before = (await h.inject({ method: 'GET', url: `/v3/data-connections/${pending.id}`, headers: c.auth })).json()
  assert.equal(before.consent_expires_at, undefined, 'not before authorisation')
})

test('an unsupported hosted_page.language_code → 400 listing the supported languages; a supported one is accepted', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await create(h, c, { ...CONFIG_1, hosted_page: { ...CONFIG_1.hosted_page, language_code: 'pt' } })
  assert.equal(res.statusCode, 400, res.body)
  const message = res.json().errors['hosted_page.language_code'][0]
  assert.match(message, /is not a language the hosted pages offer/)
  for (const l of LANGUAGES) assert.ok(message.includes(l), `lists ${l}`)
  assert.equal((await create(h, c, { ...CONFIG_1, hosted_page: { ...CONFIG_1.hosted_page, language_code: 'de' } })).statusCode, 201)
})

test('Tl-User-IP with a port is accepted and the address part used (IPv4 and bracketed IPv6); a bad port form is still refused', async (t) => {
  const h = await buildTestApp(t)
  useFakeBank(h)
  const c = await h.client()
  const id = await seedConnection(h, c)
  const calls = dataCalls(h, c, id)
  for (const ip of ['1.2.3.4:5678', '[2001:db8::1]:443', '203.0.113.9:80, 10.0.0.1']) {
    const res = await calls.userInfo({ 'tl-user-ip': ip })
    assert.equal(res.statusCode, 200, `${ip}: ${res.body}`)
    assert.equal(res.headers['ratelimit-limit'], undefined, `${ip}: an attended call (not counted against the unattended limit)`)
  }
  const bad = await calls.userInfo({ 'tl-user-ip': '1.2.3.4:port' })
  assert.equal(bad.statusCode, 400)
  assert.ok(bad.json().errors['Tl-User-IP'])

  // On create (with the root authorization_flow, the only case the header is considered), with the model bank.
  const h2 = await buildTestApp(t)
  const c2 = await h2.client()
  const created = await create(h2, c2, CONFIG_5, { 'tl-user-ip': '198.51.100.4:61000' })
  assert.equal(created.statusCode, 201, created.body)
  const row = await h2.deps.db.selectFrom('connections').select('end_user_ip').where('id', '=', created.json().id).executeTakeFirstOrThrow()
  assert.equal(row.end_user_ip, '198.51.100.4', 'the address part is stored')
})

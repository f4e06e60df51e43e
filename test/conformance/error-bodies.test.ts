import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { Errors, PUBLISHED_TYPES } from '../../src/contract/errors.ts'
import { CONFIG_2 } from '../connections/fixtures.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { componentValidator, describeErrors } from './published-contract.validator.ts'

/**
 * Problem bodies a client can use: `errors` keyed by the parameter or header name (never `querystring.type`), a
 * `detail` that names every field at fault in one sentence (many clients log only `detail`), every problem of a
 * body in the one 400, and only the problem types the contract publishes.
 */

function invalid (res: LightMyRequestResponse): { detail: string, errors: Record<string, string[]> } {
  assert.equal(res.statusCode, 400, res.body)
  const body = res.json()
  const v = componentValidator('ProblemDetailsInvalidParameters')
  assert.ok(v(body), `not a published Invalid Parameters problem:\n  ${describeErrors(v)}\n${res.body}`)
  return body as { detail: string, errors: Record<string, string[]> }
}

test('query string and path parameters are keyed by their own names, and detail reads "The request parameters were invalid: …"', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const headers = { ...c.auth, 'connection-id': '0a6273a0-0314-4db6-800a-e66225fbe9f7' }
  const query = invalid(await h.inject({ method: 'GET', url: '/v3/connected-accounts?type=cards', headers }))
  assert.deepEqual(Object.keys(query.errors), ['type'])
  assert.equal(query.detail, 'The request parameters were invalid: type must be one of: "account", "card".')
  const path = invalid(await h.inject({ method: 'GET', url: '/v3/connected-accounts/acc-1/transactions/requests/not-a-uuid', headers }))
  assert.deepEqual(Object.keys(path.errors), ['request_id'])
  assert.match(path.detail, /^The request parameters were invalid: request_id must be a valid uuid\.$/)
})

test('headers are keyed by their published names (Connection-Id, Tl-User-IP) and named in detail', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const missing = invalid(await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: c.auth }))
  assert.deepEqual(missing.errors, { 'Connection-Id': ['Must be provided'] })
  assert.equal(missing.detail, 'The request headers were invalid: Connection-Id Must be provided.')
  const ip = invalid(await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, 'connection-id': 'x', 'tl-user-ip': 'not-an-ip' } }))
  assert.deepEqual(Object.keys(ip.errors), ['Tl-User-IP'])
  assert.match(ip.detail, /^The request headers were invalid: Tl-User-IP must be an IPv4 or IPv6 address/)
})

test('a body\'s detail names every field at fault, with the hint, in one sentence; the errors map stays complete', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const body = {
    ...CONFIG_2,
    scopes: ['accounts', 'everything'],
    provider_selection: { type: 'user_selected', filter: { release_channel: 'public' } },
  }
  const res = invalid(await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: body }))
  assert.ok(res.errors['provider_selection.filter.release_channel'], JSON.stringify(res.errors))
  assert.ok(res.errors['scopes[1]'], JSON.stringify(res.errors))
  assert.match(res.detail, /^The request body was invalid: /)
  assert.match(res.detail, /provider_selection\.filter\.release_channel must be one of: .*public_beta/)
  assert.match(res.detail, /scopes\[1\] must be one of/)
  assert.ok(!res.detail.includes('\n'), 'one line')
  for (const field of Object.keys(res.errors)) assert.ok(res.detail.includes(field), `detail names ${field}`)
})

test('every problem in one 400: a union without its type also reports the fields no branch has', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = invalid(await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: { ...CONFIG_2, user_consent: { state: 'captured' } } }))
  assert.deepEqual(res.errors['user_consent.type'], ['is required'])
  assert.deepEqual(res.errors['user_consent.state'], ['is not a documented field'])
  // A field that some branch declares is not reported as unknown: it is the missing type that is at fault.
  const known = invalid(await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: { ...CONFIG_2, user_consent: { captured_at: '2025-01-01T00:00:00Z' } } }))
  assert.deepEqual(Object.keys(known.errors).filter((k) => k.startsWith('user_consent')), ['user_consent.type'])
  // An unknown type value: the same.
  const wrong = invalid(await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: { ...CONFIG_2, provider_selection: { type: 'chosen', provider: 'ob-monzo' } } }))
  assert.ok(wrong.errors['provider_selection.type'], JSON.stringify(wrong.errors))
  assert.ok(wrong.errors['provider_selection.provider'], JSON.stringify(wrong.errors))
})

test('only published problem types: every catalogue entry, and the 405/413/415 answers, use one of the nine', async (t) => {
  assert.equal(PUBLISHED_TYPES.size, 9)
  const unpublished = Object.entries(Errors).filter(([, e]) => !PUBLISHED_TYPES.has(e.type)).map(([code, e]) => `${code} ${e.type}`)
  assert.deepEqual(unpublished, [])
  // A type's title is the one published with it, whatever the status (RFC 9457: the title does not vary by occurrence).
  const titles = new Map<string, Set<string>>()
  for (const e of Object.values(Errors)) titles.set(e.type, (titles.get(e.type) ?? new Set()).add(e.title))
  for (const [type, set] of titles) assert.equal(set.size, 1, `${type}: one title (${[...set].join(', ')})`)

  const h = await buildTestApp(t)
  const c = await h.client()
  const method = await h.inject({ method: 'PUT', url: '/v3/data-connections', headers: c.auth })
  const wrongType = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: { ...c.auth, 'content-type': 'text/plain' }, payload: '{}' })
  const tooBig = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: { ...CONFIG_2, metadata: { pad: 'x'.repeat(70 * 1024) } } })
  for (const [status, res] of [[405, method], [415, wrongType], [413, tooBig]] as const) {
    if (status === 405 && res.statusCode === 404) continue // routers that answer an unknown method with 404
    assert.equal(res.statusCode, status, res.body)
    const body = res.json()
    assert.ok(PUBLISHED_TYPES.has(body.type), `${status}: ${body.type}`)
    assert.equal(body.status, status)
    assert.equal(typeof body.detail, 'string')
    if (body.type.endsWith('#invalid-parameters')) assert.ok(body.errors && Object.keys(body.errors).length > 0, `${status}: errors names the field`)
  }
})

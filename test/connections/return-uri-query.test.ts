import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { pathOf, throughTheBank } from '../model-bank/bank-kit.ts'
import { CONFIG_1, CONFIG_5 } from './fixtures.ts'

/**
 * Return URIs with the client's own query: clients add a `?state=…` nonce per request to the URI they registered.
 * Scheme, host, port and path must match a registered URI exactly; the query may differ, is kept as sent, and
 * `connection_id` (and `error`) are added after it. Any other difference is refused, saying which part differs.
 */

const REGISTERED = 'https://your-app.com/callback'
const WITH_STATE = `${REGISTERED}?state=n%20once-42&flag`

const create = (h: TestApp, c: TestClient, body: unknown) => h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: body as object })

test('a registered return URI with the client\'s own query is accepted, and the user comes back to it with the query as sent', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ redirectUris: [REGISTERED] })
  const res = await create(h, c, { ...CONFIG_5, authorization_flow: { redirect: { return_uri: WITH_STATE } } })
  assert.equal(res.statusCode, 201, res.body)
  const created = res.json()
  const back = await h.inject({ method: 'GET', url: pathOf(await throughTheBank(h, created.authorization_flow.actions.next.uri)) })
  assert.equal(back.statusCode, 303, back.body)
  assert.equal(back.headers.location, `${WITH_STATE}&connection_id=${created.id}`, 'the client\'s query byte for byte, then connection_id')

  const denied = (await create(h, c, { ...CONFIG_5, authorization_flow: { redirect: { return_uri: WITH_STATE } } })).json()
  const refused = await h.inject({ method: 'GET', url: pathOf(await throughTheBank(h, denied.authorization_flow.actions.next.uri, 'john', 'doe', 'deny')) })
  assert.equal(refused.headers.location, `${WITH_STATE}&connection_id=${denied.id}&error=provider_rejected`)
})

test('the hosted page\'s way back keeps the client\'s query too', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ redirectUris: [REGISTERED] })
  const res = await create(h, c, { ...CONFIG_1, hosted_page: { type: 'authorization_flow', return_uri: `${REGISTERED}?state=abc` } })
  assert.equal(res.statusCode, 201, res.body)
  const { id, hosted_page: { uri } } = res.json()
  // An expired link fails the connection and offers the way back to the client.
  await h.deps.clock.advance(c.id, 24 * 3600 + 1)
  const page = await h.inject({ method: 'GET', url: new URL(uri).pathname + new URL(uri).search })
  assert.equal(page.statusCode, 410)
  assert.ok(page.body.includes(`href="${REGISTERED}?state=abc&amp;connection_id=${id}&amp;error=journey_expired"`), page.body.slice(0, 2000))
})

test('any other difference from a registered URI is refused, naming the part that differs', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ redirectUris: [REGISTERED, 'http://localhost:8080/cb'] })
  const cases: Array<[string, RegExp]> = [
    ['https://your-app.com/callbak?state=1', /differs from the registered https:\/\/your-app\.com\/callback in its path/],
    ['https://your-app.com/callback/?state=1', /in its path/],
    ['http://your-app.com/callback', /in its scheme/],
    ['https://your-app.com:8443/callback', /in its port/],
    ['https://your-app.com/callback#done', /in its fragment/],
    ['http://localhost:8081/cb?state=1', /differs from the registered http:\/\/localhost:8080\/cb in its port/],
    ['https://attacker.example/callback?state=1', /registered: https:\/\/your-app\.com\/callback, http:\/\/localhost:8080\/cb/],
  ]
  for (const [uri, message] of cases) {
    const res = await create(h, c, { ...CONFIG_1, hosted_page: { type: 'authorization_flow', return_uri: uri } })
    assert.equal(res.statusCode, 400, `${uri}: ${res.body}`)
    const errors = res.json().errors['hosted_page.return_uri']
    assert.ok(errors, `${uri}: ${res.body}`)
    assert.match(errors[0], /is not registered for this client/)
    assert.match(errors[0], message, uri)
    assert.match(errors[0], /only the query may differ|registered:/)
  }
  // Case in the host and a default port are the same URL once parsed.
  assert.equal((await create(h, c, { ...CONFIG_1, hosted_page: { type: 'authorization_flow', return_uri: 'https://YOUR-APP.com:443/callback?x=1' } })).statusCode, 201)
})

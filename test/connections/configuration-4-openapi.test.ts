import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildTestApp } from '../helpers/build-app.ts'
import { pathOf, throughTheBank } from '../model-bank/bank-kit.ts'
import { componentValidator, describeErrors } from '../conformance/published-contract.validator.ts'
import { CONFIG_4 } from './fixtures.ts'

/**
 * Configuration 4 in the OpenAPI's own shape: `hosted_page: {type: "result_page"}` without a return URI, and the root
 * `authorization_flow.redirect.return_uri`, with a preselected provider. Accepted as configuration 4, like the page's
 * shape: `authorizing` with a redirect to the bank, back to the result page, and Continue to the root return URI.
 */

const OPENAPI_CONFIG_4 = {
  scopes: CONFIG_4.scopes,
  provider_selection: CONFIG_4.provider_selection,
  user: CONFIG_4.user,
  user_consent: { type: 'precaptured', captured_at: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z') },
  hosted_page: { type: 'result_page' },
  authorization_flow: { redirect: { return_uri: 'https://your-app.com/callback?state=s1' } },
}

test('the OpenAPI\'s configuration 4 is a valid published body, and is answered as configuration 4', async (t) => {
  const v = componentValidator('CreateConnection')
  assert.ok(v(OPENAPI_CONFIG_4), describeErrors(v))
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: OPENAPI_CONFIG_4 })
  assert.equal(res.statusCode, 201, res.body)
  const created = res.json()
  assert.equal(created.status, 'authorizing')
  assert.equal(created.authorization_flow.actions.next.type, 'redirect')
  assert.equal(created.hosted_page, undefined)

  // From the bank to the result page (the hosted result page of configuration 4), whose Continue goes to the root
  // return URI with the client's query kept.
  const back = await h.inject({ method: 'GET', url: pathOf(await throughTheBank(h, created.authorization_flow.actions.next.uri)) })
  assert.equal(back.statusCode, 303, back.body)
  const result = new URL(String(back.headers.location))
  assert.equal(result.pathname, `/data/${created.id}/result`)
  const page = await h.inject({ method: 'GET', url: result.pathname + result.search })
  assert.equal(page.statusCode, 200)
  assert.ok(page.body.includes(`href="https://your-app.com/callback?state=s1&amp;connection_id=${created.id}"`), page.body.slice(0, 3000))
})

test('a result page with no return URI anywhere is refused, naming hosted_page.return_uri and the other place it may go', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const { authorization_flow: _, ...without } = OPENAPI_CONFIG_4
  const res = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: without })
  assert.equal(res.statusCode, 400, res.body)
  assert.match(res.json().errors['hosted_page.return_uri'][0], /is required: .*authorization_flow\.redirect\.return_uri/)
})

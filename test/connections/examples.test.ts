import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildTestApp } from '../helpers/build-app.ts'
import { CONFIG_1, CONFIG_2, CONFIG_3, CONFIG_4, CONFIG_5, CONFIG_5B, create, FULL_EXAMPLE_AS_WRITTEN } from './fixtures.ts'

// Every example of the Create-a-connection page, as a test. PUBLIC_URL is http://ledgerite.test (test helper).
const PUBLIC_URL = 'http://ledgerite.test'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

for (const [n, body] of [[1, CONFIG_1], [2, CONFIG_2], [3, CONFIG_3]] as const) {
  test(`configuration ${n} → 201 authorization_required with the hosted page's URI`, async (t) => {
    const h = await buildTestApp(t)
    const c = await h.client()
    const res = await create(h, c, body)
    assert.equal(res.statusCode, 201, res.body)
    assert.match(res.headers['content-type'] as string, /^application\/json/)
    const b = res.json()
    assert.deepEqual(Object.keys(b).sort(), ['hosted_page', 'id', 'status', 'user'])
    assert.match(b.id, UUID)
    assert.match(b.user.id, UUID)
    assert.equal(b.status, 'authorization_required')
    const uri = new URL(b.hosted_page.uri)
    assert.equal(`${uri.origin}${uri.pathname}`, `${PUBLIC_URL}/data/${b.id}`)
    assert.match(uri.searchParams.get('token') ?? '', /^[A-Za-z0-9_-]{43}$/, 'an unguessable token beside the id')
    assert.equal(b.authorization_flow, undefined)
  })
}

for (const [n, body] of [[4, CONFIG_4], [5, CONFIG_5]] as const) {
  test(`configuration ${n} → 201 authorizing with a redirect to the bank's authorisation page`, async (t) => {
    const h = await buildTestApp(t)
    const c = await h.client()
    const res = await create(h, c, body)
    assert.equal(res.statusCode, 201, res.body)
    const b = res.json()
    assert.deepEqual(Object.keys(b).sort(), ['authorization_flow', 'id', 'status', 'user'])
    assert.equal(b.status, 'authorizing')
    assert.equal(b.hosted_page, undefined)
    assert.equal(b.authorization_flow.actions.next.type, 'redirect')
    assert.ok(b.authorization_flow.actions.next.uri.startsWith(`${PUBLIC_URL}/model-bank/ob-monzo/`), b.authorization_flow.actions.next.uri)
  })
}

test('configuration 5b → 201 authorizing with the providers to choose from, as the filter says', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await create(h, c, CONFIG_5B)
  assert.equal(res.statusCode, 201, res.body)
  const b = res.json()
  assert.equal(b.status, 'authorizing')
  const next = b.authorization_flow.actions.next
  assert.equal(next.type, 'provider_selection')
  const ids = next.providers.map((p: { id: string }) => p.id)
  assert.ok(ids.includes('ob-monzo') && ids.includes('mock'))
  assert.ok(!ids.some((id: string) => id.startsWith('xs2a-')), 'only GB providers (filter.countries)')
  assert.ok(!ids.includes('ob-barclays-business'), 'retail only by default')
  for (const p of next.providers) {
    assert.deepEqual(Object.keys(p).sort(), ['bg_color', 'display_name', 'icon_uri', 'id', 'logo_uri'])
    assert.match(p.bg_color, /^#[A-F0-9]{6}$/)
  }
})

test('the full example as written: the trailing comma is invalid JSON → 400 naming the position', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await create(h, c, FULL_EXAMPLE_AS_WRITTEN)
  assert.equal(res.statusCode, 400)
  assert.match(res.headers['content-type'] as string, /^application\/problem\+json/)
  const b = res.json()
  assert.equal(b.title, 'Invalid Parameters')
  assert.match(b.detail, /position \d+/)
  assert.match(b.errors.body[0], /not valid JSON.*position \d+/)
  assert.equal(b.trace_id, res.headers['tl-trace-id'])
})

test('the full example with the comma fixed → one 400 naming both mistakes, each with its hint', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await create(h, c, FULL_EXAMPLE_AS_WRITTEN.replace('"transactions",\n', '"transactions"\n'))
  assert.equal(res.statusCode, 400, res.body)
  const b = res.json()
  assert.equal(b.type, 'https://docs.truelayer.com/docs/error-types#invalid-parameters')
  assert.match(b.errors['provider_selection.filter.release_channel'][0], /did you mean "public_beta"/)
  assert.match(b.errors['hosted_page.redirect'][0], /hosted_page\.return_uri/)
  assert.deepEqual(b.errors['hosted_page.return_uri'], ['is required'])
  // The published page's e-mail address is its e-mail protection placeholder, not an address: named too.
  assert.match(b.errors['user.email'][0], /email address/)
})

test('the full example corrected → 201 authorization_required', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const corrected = FULL_EXAMPLE_AS_WRITTEN
    .replace('"transactions",\n', '"transactions"\n')
    .replace('"release_channel": "public"', '"release_channel": "public_beta"')
    .replace(/"redirect": \{\s*"return_uri": "([^"]+)"\s*\}/, '"return_uri": "$1"')
    .replace('[email protected]', 'jane.smith@example.com')
  const res = await create(h, c, corrected)
  assert.equal(res.statusCode, 201, res.body)
  const b = res.json()
  assert.equal(b.status, 'authorization_required')
  assert.ok(b.hosted_page.uri.startsWith(`${PUBLIC_URL}/data/${b.id}?token=`))
  const view = (await h.inject({ method: 'GET', url: `/v3/data-connections/${b.id}`, headers: c.auth })).json()
  assert.deepEqual(view.user, { id: b.user.id, name: 'Jane Smith', email: 'jane.smith@example.com', phone: '+447700900000' })
  assert.equal(view.data_access_type, 'recurring')
})

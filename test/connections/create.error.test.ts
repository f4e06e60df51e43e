import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp, type TestApp, type TestClient, useFileApp } from '../helpers/build-app.ts'
import { CONFIG_1, CONFIG_2, CONFIG_3, CONFIG_4, CONFIG_5, CONFIG_5B, create, withChanges } from './fixtures.ts'

// One test per rule of create-connection: each sends a body that breaks exactly that rule and checks the 400
// names the field and says what is wrong. One app serves the file (each test uses its own client).
let h: TestApp
let c: TestClient
useFileApp((app, client) => { h = app; c = client })

/** The 400's `errors`, after checking the problem's shape. */
function problems (res: LightMyRequestResponse): Record<string, string[]> {
  assert.equal(res.statusCode, 400, res.body)
  assert.match(res.headers['content-type'] as string, /^application\/problem\+json/)
  const b = res.json()
  assert.equal(b.type, 'https://docs.truelayer.com/docs/error-types#invalid-parameters')
  assert.equal(b.title, 'Invalid Parameters')
  assert.equal(b.status, 400)
  assert.equal(b.trace_id, res.headers['tl-trace-id'])
  assert.equal(typeof b.detail, 'string')
  return b.errors
}

async function refused (body: unknown, field: string, message: RegExp, headers: Record<string, string> = {}) {
  const errors = problems(await create(h, c, body, headers))
  assert.ok(errors[field], `${field} named in ${JSON.stringify(errors)}`)
  assert.ok(errors[field]!.some((m) => message.test(m)), `${field}: ${JSON.stringify(errors[field])} matches ${message}`)
  return errors
}

/** A test that one body is refused naming `field` with a message matching `message`. */
const check = (name: string, body: unknown, field: string, message: RegExp, headers: Record<string, string> = {}) =>
  test(name, async () => { await refused(body, field, message, headers) })

// ---- scopes ----
check('scopes: required', withChanges(CONFIG_1, { scopes: undefined }), 'scopes', /is required/)
check('scopes: not empty', withChanges(CONFIG_1, { scopes: [] }), 'scopes', /at least 1/)
test('scopes: each of info|accounts|balance|transactions, with a hint for a slip', async () => {
  await refused(withChanges(CONFIG_1, { scopes: ['accounts', 'transaction'] }), 'scopes[1]', /one of: "info", "accounts", "balance", "transactions" — did you mean "transactions"/)
  await refused(withChanges(CONFIG_1, { scopes: ['offline_access'] }), 'scopes[0]', /Data v1 scope.*recurring/)
})

// ---- provider_selection ----
check('provider_selection: required', withChanges(CONFIG_1, { provider_selection: undefined }), 'provider_selection', /is required/)
test('provider_selection.type: a wrong value says which values exist', async () => {
  const errors = await refused(withChanges(CONFIG_1, { 'provider_selection.type': 'user' }), 'provider_selection.type', /one of: "preselected", "user_selected"/)
  assert.equal(Object.keys(errors).length, 1, 'the unknown type is the only problem reported for the union')
  await refused(withChanges(CONFIG_1, { 'provider_selection.type': undefined }), 'provider_selection.type', /is required/)
})
check('preselected needs provider_id', withChanges(CONFIG_2, { 'provider_selection.provider_id': undefined }), 'provider_selection.provider_id', /is required/)
check('preselected needs an existing provider_id', withChanges(CONFIG_2, { 'provider_selection.provider_id': 'ob-monzzo' }), 'provider_selection.provider_id', /not a known provider — did you mean "ob-monzo"/)
check('preselected takes no filter', withChanges(CONFIG_2, { 'provider_selection.filter': { countries: ['GB'] } }), 'provider_selection.filter', /not a documented field/)
check('user_selected takes no provider_id', withChanges(CONFIG_1, { 'provider_selection.provider_id': 'ob-monzo' }), 'provider_selection.provider_id', /not a documented field/)
check('a preselected provider must support every scope asked for', withChanges(CONFIG_2, { 'provider_selection.provider_id': 'xs2a-deutsche-bank', scopes: ['info', 'accounts'] }), 'scopes', /"info" is not supported by xs2a-deutsche-bank/)

// ---- provider_selection.filter ----
test('filter.countries from the OpenAPI list, hint for UK', async () => {
  await refused(withChanges(CONFIG_1, { 'provider_selection.filter': { countries: ['UK'] } }), 'provider_selection.filter.countries[0]', /did you mean "GB"/)
  await refused(withChanges(CONFIG_1, { 'provider_selection.filter': { countries: ['US'] } }), 'provider_selection.filter.countries[0]', /must be one of: "AT", "BE"/)
  await refused(withChanges(CONFIG_1, { 'provider_selection.filter': { countries: [] } }), 'provider_selection.filter.countries', /at least 1/)
  await refused(withChanges(CONFIG_1, { 'provider_selection.filter': { countries: ['GB', 'GB'] } }), 'provider_selection.filter.countries', /duplicates/)
})
test('filter.release_channel: general_availability|public_beta|private_beta, "public" → did you mean public_beta', async () => {
  await refused(withChanges(CONFIG_1, { 'provider_selection.filter': { release_channel: 'public' } }), 'provider_selection.filter.release_channel', /did you mean "public_beta"/)
  await refused(withChanges(CONFIG_1, { 'provider_selection.filter': { release_channel: 'private' } }), 'provider_selection.filter.release_channel', /did you mean "private_beta"/)
})
check('filter.customer_segments: retail|business|corporate', withChanges(CONFIG_1, { 'provider_selection.filter': { customer_segments: ['sme'] } }), 'provider_selection.filter.customer_segments[0]', /one of: "retail", "business", "corporate"/)
check('filter.provider_ids must be known providers', withChanges(CONFIG_1, { 'provider_selection.filter': { provider_ids: ['ob-monzo', 'ob-bank-of-nowhere'] } }), 'provider_selection.filter.provider_ids[1]', /not a known provider/)
check('filter.excludes takes provider_ids only', withChanges(CONFIG_1, { 'provider_selection.filter': { excludes: { countries: ['GB'] } } }), 'provider_selection.filter.excludes.countries', /excludes takes only provider_ids/)

// ---- user ----
check('user: required (even for a licensed client it is an object)', withChanges(CONFIG_1, { user: undefined }), 'user', /is required/)
check('user.name: required unless the client holds an AISP licence', withChanges(CONFIG_1, { 'user.name': undefined }), 'user.name', /required.*AISP licence/)
check('user.name: no parentheses', withChanges(CONFIG_1, { 'user.name': 'Jane (Jay) Smith' }), 'user.name', /parentheses/)
check('user.name: not blank', withChanges(CONFIG_1, { 'user.name': '   ' }), 'user.name', /blank/)
test('user: email or phone required', async () => {
  const errors = await refused(withChanges(CONFIG_1, { 'user.email': undefined, 'user.phone': undefined }), 'user.email', /required when user.phone is not given/)
  assert.match(errors['user.phone']![0]!, /required when user.email is not given/)
  assert.equal((await create(h, c, withChanges(CONFIG_1, { 'user.email': undefined }))).statusCode, 201, 'phone alone is enough')
  assert.equal((await create(h, c, withChanges(CONFIG_1, { 'user.phone': undefined }))).statusCode, 201, 'email alone is enough')
})
check('user.email: an address', withChanges(CONFIG_1, { 'user.email': 'jane at example.com' }), 'user.email', /email address/)
test('user.phone: + and digits, with the fix when only spacing is wrong', async () => {
  await refused(withChanges(CONFIG_1, { 'user.phone': '+44 7700 900000' }), 'user.phone', /digits only, i.e. "\+447700900000"/)
  await refused(withChanges(CONFIG_1, { 'user.phone': '07700900000' }), 'user.phone', /"\+", the country calling code/)
})
check('user.id: a non-empty string', withChanges(CONFIG_1, { 'user.id': '' }), 'user.id', /at least 1/)

// ---- metadata ----
check('metadata: at most 10 keys', withChanges(CONFIG_1, { metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) }), 'metadata', /at most 10 keys \(has 11\)/)
check('metadata: keys up to 40 characters', withChanges(CONFIG_1, { metadata: { ['k'.repeat(41)]: 'v' } }), `metadata.${'k'.repeat(41)}`, /key must be at most 40 characters/)
check('metadata: values up to 500 characters', withChanges(CONFIG_1, { metadata: { note: 'x'.repeat(501) } }), 'metadata.note', /at most 500 characters \(is 501\)/)
check('metadata: values are strings', withChanges(CONFIG_1, { metadata: { n: 1 } }), 'metadata.n', /type string/)

// ---- user_consent ----
check('user_consent: required', withChanges(CONFIG_1, { user_consent: undefined }), 'user_consent', /is required/)
check('user_consent.type: a wrong value says which values exist', withChanges(CONFIG_3, { 'user_consent.type': 'pre_captured' }), 'user_consent.type', /one of: "precaptured", "authorization_flow_captured" — did you mean "precaptured"/)
check('precaptured needs captured_at', withChanges(CONFIG_3, { 'user_consent.captured_at': undefined }), 'user_consent.captured_at', /is required/)
test('captured_at: RFC 3339', async () => {
  await refused(withChanges(CONFIG_3, { 'user_consent.captured_at': '01/01/2025 12:00' }), 'user_consent.captured_at', /RFC 3339/)
  await refused(withChanges(CONFIG_3, { 'user_consent.captured_at': '2025-02-30T12:00:00Z' }), 'user_consent.captured_at', /not a real date/)
})
check('captured_at: UTC', withChanges(CONFIG_3, { 'user_consent.captured_at': '2025-01-01T12:00:00+01:00' }), 'user_consent.captured_at', /must be in UTC: end in "Z", e.g. "2025-01-01T12:00:00Z"/)
test('captured_at: not in the future of the client\'s clock', async () => {
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString()
  const errors = await refused(withChanges(CONFIG_3, { 'user_consent.captured_at': inAnHour }), 'user_consent.captured_at', /must not be in the future/)
  assert.ok(errors)
  // A client whose clock was moved a day ahead may send that time: it is in its past.
  const ahead = await h.client({ name: 'ahead' })
  await h.deps.clock.advance(ahead.id, 86_400)
  assert.equal((await create(h, ahead, withChanges(CONFIG_3, { 'user_consent.captured_at': inAnHour }))).statusCode, 201)
})
check('authorization_flow_captured takes no captured_at', withChanges(CONFIG_2, { 'user_consent.captured_at': '2025-01-01T12:00:00Z' }), 'user_consent.captured_at', /not a documented field/)

// ---- hosted_page ----
check('hosted_page.type: a wrong value says which values exist', withChanges(CONFIG_1, { 'hosted_page.type': 'hosted' }), 'hosted_page.type', /one of: "result_page", "authorization_flow"/)
check('hosted_page.return_uri: required for type authorization_flow', withChanges(CONFIG_1, { 'hosted_page.return_uri': undefined }), 'hosted_page.return_uri', /is required/)
check('hosted_page.return_uri: required for type result_page too (the page wins over the OpenAPI)', withChanges(CONFIG_4, { 'hosted_page.return_uri': undefined }), 'hosted_page.return_uri', /is required/)
check('hosted_page.redirect → use hosted_page.return_uri', withChanges(CONFIG_1, { 'hosted_page.redirect': { return_uri: 'https://your-app.com/callback' } }), 'hosted_page.redirect', /hosted_page\.return_uri/)
check('hosted_page.return_uri: registered for this client', withChanges(CONFIG_1, { 'hosted_page.return_uri': 'https://attacker.example/steal' }), 'hosted_page.return_uri', /not registered for this client/)
check('hosted_page.return_uri: an absolute URL', withChanges(CONFIG_1, { 'hosted_page.return_uri': '/callback' }), 'hosted_page.return_uri', /absolute http\(s\) URL/)
check('hosted_page.country_code: ISO 3166-1 alpha-2', withChanges(CONFIG_1, { 'hosted_page.country_code': 'gb' }), 'hosted_page.country_code', /alpha-2.*did you mean "GB"/)
check('hosted_page.language_code: ISO 639-1', withChanges(CONFIG_1, { 'hosted_page.language_code': 'en-GB' }), 'hosted_page.language_code', /639-1.*did you mean "en"/)
check('hosted_page result_page takes no country_code', withChanges(CONFIG_4, { 'hosted_page.country_code': 'GB' }), 'hosted_page.country_code', /not a documented field/)

// ---- authorization_flow ----
check('authorization_flow.redirect.return_uri: required', withChanges(CONFIG_5, { 'authorization_flow.redirect': {} }), 'authorization_flow.redirect.return_uri', /is required/)
check('authorization_flow.redirect.return_uri: registered for this client', withChanges(CONFIG_5, { 'authorization_flow.redirect.return_uri': 'https://elsewhere.example/cb' }), 'authorization_flow.redirect.return_uri', /not registered for this client/)
test('hosted_page.type=authorization_flow and root authorization_flow exclude each other', async () => {
  const errors = await refused(withChanges(CONFIG_1, { authorization_flow: { redirect: { return_uri: 'https://your-app.com/callback' } } }), 'authorization_flow', /cannot be used with hosted_page.type "authorization_flow"/)
  assert.match(errors['hosted_page.type']![0]!, /must not be "authorization_flow"/)
})

// ---- configurations ----
test('only the supported configurations: authorization_flow_captured without the hosted flow', async () => {
  const res = await create(h, c, withChanges(CONFIG_5, { user_consent: { type: 'authorization_flow_captured' } }))
  const errors = problems(res)
  assert.match(errors['user_consent.type']![0]!, /nobody captures the consent/)
  const detail = res.json().detail as string
  for (const n of ['1 (', '2 (', '3 (', '4 (', '5 (', '5b (']) assert.ok(detail.includes(n), `configuration ${n} listed in the detail`)
})
test('only the supported configurations: neither hosted_page nor authorization_flow', async () => {
  const errors = problems(await create(h, c, withChanges(CONFIG_3, { hosted_page: undefined })))
  assert.match(errors.authorization_flow![0]!, /is required when there is no hosted_page/)
})
test('only the supported configurations: user_selected with precaptured consent on the hosted flow names both candidates', async () => {
  const errors = problems(await create(h, c, withChanges(CONFIG_1, { user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' } })))
  assert.match(errors['user_consent.type']!.join(' '), /configuration 1 \(.*\) needs user_consent.type "authorization_flow_captured"/)
  assert.match(errors['provider_selection.type']!.join(' '), /configuration 3 \(.*\) needs provider_selection.type "preselected"/)
})
test('result_page beside a preselected own flow is configuration 4 (the OpenAPI\'s shape), but its two return URIs must agree', async () => {
  const errors = problems(await create(h, c, withChanges(CONFIG_5, { hosted_page: { type: 'result_page', return_uri: 'https://yourapp.com/callback' } })))
  assert.match(errors['authorization_flow.redirect.return_uri']!.join(' '), /must equal hosted_page.return_uri \(https:\/\/yourapp\.com\/callback\)/)
  const same = await create(h, c, withChanges(CONFIG_5, { hosted_page: { type: 'result_page', return_uri: 'https://your-app.com/callback' } }))
  assert.equal(same.statusCode, 201, same.body)
})
test('configuration 5b also takes a result page', async () => {
  const res = await create(h, c, withChanges(CONFIG_5B, { hosted_page: { type: 'result_page', return_uri: 'https://your-app.com/callback' } }))
  assert.equal(res.statusCode, 201, res.body)
  assert.equal(res.json().authorization_flow.actions.next.type, 'provider_selection')
})

// ---- data_access_type, unknown fields, headers ----
check('data_access_type: one_time|recurring', withChanges(CONFIG_1, { data_access_type: 'one-time' }), 'data_access_type', /did you mean "one_time"/)
test('unknown fields are refused, with a hint where one is likely', async () => {
  await refused(withChanges(CONFIG_1, { colour: 'blue' }), 'colour', /not a documented field/)
  await refused(withChanges(CONFIG_1, { provider_id: 'ob-monzo' }), 'provider_id', /provider_selection\.provider_id/)
  await refused(withChanges(CONFIG_1, { 'user.consent': {} }), 'user.consent', /user_consent/)
})
check('types are not coerced', withChanges(CONFIG_1, { scopes: 'accounts' }), 'scopes', /type array/)
check('Tl-User-IP: must be an IP when authorization_flow is given', CONFIG_5, 'Tl-User-IP', /IPv4 or IPv6/, { 'tl-user-ip': 'not-an-ip' })
test('Tl-User-IP: not considered without authorization_flow (as the OpenAPI says)', async () => {
  assert.equal((await create(h, c, CONFIG_1, { 'tl-user-ip': 'not-an-ip' })).statusCode, 201)
})
test('the body is a JSON object', async () => {
  await refused([CONFIG_1], 'body', /type object/)
})

// ---- every problem at once ----
test('one 400 lists every problem of the body: schema, rules and header together', async () => {
  const body = withChanges(CONFIG_5, {
    scopes: ['accounts', 'cards'],
    'provider_selection.provider_id': 'ob-nowhere',
    'user.name': 'J (Smith)',
    'user.email': undefined,
    'user.phone': undefined,
    metadata: { note: 'x'.repeat(600) },
    'user_consent.captured_at': '2999-01-01T00:00:00Z',
    'authorization_flow.redirect.return_uri': 'https://unregistered.example/cb',
    data_access_type: 'forever',
  })
  const errors = problems(await create(h, c, body, { 'tl-user-ip': '999.1.1.1' }))
  assert.deepEqual(Object.keys(errors).sort(), [
    'Tl-User-IP',
    'authorization_flow.redirect.return_uri',
    'data_access_type',
    'metadata.note',
    'provider_selection.provider_id',
    'scopes[1]',
    'user.email',
    'user.name',
    'user.phone',
    'user_consent.captured_at',
  ])
})

test('field names that are also names of Object.prototype members are reported like any other (never a 500)', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  for (const key of ['valueOf', 'toString', 'constructor', 'hasOwnProperty']) {
    const res = await create(h, c, JSON.stringify({ [key]: '' }))
    assert.equal(res.statusCode, 400, `${key}: ${res.body}`)
    assert.deepEqual(res.json().errors[key], ['is not a documented field'], key)
  }
})

test('text that no database can store (NUL, an unpaired surrogate) is refused naming the field, on every dialect', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const body = JSON.stringify(withChanges(CONFIG_1, { 'user.name': 'Jane\u0000Smith' }))
  const nul = await create(h, c, body)
  assert.equal(nul.statusCode, 400, nul.body)
  assert.match(nul.json().errors['user.name'][0], /NUL/)
  const surrogate = await create(h, c, body.replace('\\u0000', '\\ud800'))
  assert.equal(surrogate.statusCode, 400, surrogate.body)
  assert.match(surrogate.json().errors['user.name'][0], /surrogate/)
  const path = await h.inject({ method: 'GET', url: '/v3/data-connections/%00', headers: c.auth })
  assert.equal(path.statusCode, 404, path.body)
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { REQUEST_LIMITS } from '../../src/http/request-limits.ts'
import { MAX_REPORTED_FIELDS } from '../../src/http/validation.ts'
import { type TestApp, type TestClient, useFileApp } from '../helpers/build-app.ts'
import { CONFIG_1, create, withChanges } from './fixtures.ts'

// Every list and string of a request has an upper bound; past it the 400 names the field and the limit, and the
// did-you-mean work stays small however many wrong values a body holds.
let h: TestApp
let c: TestClient
useFileApp((app, client) => { h = app; c = client })

function errorsOf (res: LightMyRequestResponse): Record<string, string[]> {
  assert.equal(res.statusCode, 400, res.body)
  assert.match(res.headers['content-type'] as string, /^application\/problem\+json/)
  return res.json().errors
}

function assertLimit (errors: Record<string, string[]>, field: string, limit: RegExp) {
  assert.ok(errors[field], `${field} named in ${JSON.stringify(errors).slice(0, 500)}`)
  assert.ok(errors[field]!.some((m) => limit.test(m)), `${field}: ${JSON.stringify(errors[field])} names the limit ${limit}`)
}

const filter = (f: Record<string, unknown>) => withChanges(CONFIG_1, { provider_selection: { type: 'user_selected', filter: f } })
const didYouMean = (errors: Record<string, string[]>) => Object.values(errors).flat().filter((m) => m.includes('did you mean')).length

test('the limits are the documented ones', () => {
  assert.equal(REQUEST_LIMITS.listItems, 100)
  assert.equal(REQUEST_LIMITS.idLength, 100)
  assert.equal(REQUEST_LIMITS.scopes, 20)
  assert.equal(REQUEST_LIMITS.suggestions, 10)
})

test('filter.provider_ids: 5,000 unknown ids are one error naming the field and the limit, not 5,000 suggestions', async () => {
  const ids = Array.from({ length: 5000 }, (_, i) => `u${i}`)
  const res = await create(h, c, filter({ provider_ids: ids }))
  const errors = errorsOf(res)
  assertLimit(errors, 'provider_selection.filter.provider_ids', /at most 100 item/)
  assert.equal(Object.keys(errors).filter((k) => k.startsWith('provider_selection.filter.provider_ids[')).length, 0, 'no per-id lookups past the limit')
  assert.ok(res.body.length < 10_000, `a small answer (${res.body.length} bytes)`)
})

test('filter.provider_ids: 101 ids are refused; excludes.provider_ids too', async () => {
  const ids = Array.from({ length: 101 }, (_, i) => `ob-${i}`)
  assertLimit(errorsOf(await create(h, c, filter({ provider_ids: ids }))), 'provider_selection.filter.provider_ids', /at most 100 item/)
  assertLimit(errorsOf(await create(h, c, filter({ excludes: { provider_ids: ids } }))), 'provider_selection.filter.excludes.provider_ids', /at most 100 item/)
})

test('filter.provider_ids at the limit: every unknown id is named, only the first 10 get a did-you-mean', async () => {
  // ob-monzo0 … ob-monzo99: each one a slip away from ob-monzo.
  const ids = Array.from({ length: 100 }, (_, i) => `ob-monzo${i}`)
  const errors = errorsOf(await create(h, c, filter({ provider_ids: ids })))
  const named = Object.keys(errors).filter((k) => /^provider_selection\.filter\.provider_ids\[\d+\]$/.test(k))
  assert.equal(named.length, 100)
  for (const k of named) assert.match(errors[k]!.join(' '), /is not a known provider/)
  assert.equal(didYouMean(errors), 10)
  assert.match(errors['provider_selection.filter.provider_ids[0]']!.join(' '), /did you mean "ob-monzo"/)
})

test('enum values: a hundred wrong countries get at most 10 suggestions between them', async () => {
  const countries = Array.from({ length: 100 }, (_, i) => `GB${i}`)
  const errors = errorsOf(await create(h, c, filter({ countries })))
  assert.ok(Object.keys(errors).filter((k) => k.startsWith('provider_selection.filter.countries[')).length >= 100)
  assert.equal(didYouMean(errors), 10)
})

test('ids and strings: provider_id, captured_at, scopes and headers have a maximum, named in the 400', async () => {
  const long = 'x'.repeat(101)
  assertLimit(errorsOf(await create(h, c, withChanges(CONFIG_1, { provider_selection: { type: 'preselected', provider_id: long } }))),
    'provider_selection.provider_id', /at most 100 character/)
  assertLimit(errorsOf(await create(h, c, withChanges(CONFIG_1, { provider_selection: { type: 'user_selected', filter: { provider_ids: [long] } } }))),
    'provider_selection.filter.provider_ids[0]', /at most 100 character/)
  assertLimit(errorsOf(await create(h, c, withChanges(CONFIG_1, { user_consent: { type: 'precaptured', captured_at: `2026-01-01T00:00:00Z${' '.repeat(60)}` } }))),
    'user_consent.captured_at', /at most 64 character/)
  assertLimit(errorsOf(await create(h, c, withChanges(CONFIG_1, { scopes: Array.from({ length: 21 }, () => 'info') }))), 'scopes', /at most 20 item/)
  const withFlow = withChanges(CONFIG_1, { hosted_page: undefined, authorization_flow: { redirect: { return_uri: 'https://your-app.com/callback' } } })
  const res = await create(h, c, withFlow, { 'tl-user-ip': `198.51.100.7,${'1'.repeat(1100)}` })
  assert.equal(res.statusCode, 400, res.body)
  assert.match(res.body, /Tl-User-IP/i)
  assert.match(res.body, /1024/)
})

test('metadata with thousands of keys is one error for the object, not one per key', async () => {
  const metadata = Object.fromEntries(Array.from({ length: 800 }, (_, i) => [`key-${i}-${'k'.repeat(40)}`, 'v']))
  const errors = errorsOf(await create(h, c, withChanges(CONFIG_1, { metadata })))
  assertLimit(errors, 'metadata', /at most 10 keys \(has 800\)/)
  assert.equal(Object.keys(errors).filter((k) => k.startsWith('metadata.')).length, 0)
})

test('data and provider endpoints: path ids, Connection-Id, cursors and filter lists are bounded', async () => {
  const long = 'a'.repeat(101)
  const auth = { ...c.auth, 'tl-user-ip': '198.51.100.7' }
  const account = await h.inject({ method: 'GET', url: `/v3/connected-accounts/${long}/balance`, headers: { ...auth, 'connection-id': 'x' } })
  // The router refuses a path parameter over 100 characters before the schema sees it (Fastify's maxParamLength).
  assert.equal(account.statusCode, 400, account.body)
  assert.match(account.body, /max param length|account_id.*at most 100 character/)
  const header = await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...auth, 'connection-id': long } })
  assert.equal(header.statusCode, 400, header.body)
  assert.match(header.body, /Connection-Id/i)
  assert.match(header.body, /at most 100 character/)
  const cursor = await h.inject({ method: 'GET', url: `/v3/connected-accounts?cursor=${'c'.repeat(2049)}`, headers: { ...auth, 'connection-id': 'x' } })
  assert.equal(cursor.statusCode, 400, cursor.body)
  assert.match(cursor.body, /cursor/)
  assert.match(cursor.body, /at most 2048 character/)
  const providers = await h.inject({ method: 'GET', url: `/v3/providers?${Array.from({ length: 101 }, (_, i) => `provider_ids=p${i}`).join('&')}`, headers: c.auth })
  assert.equal(providers.statusCode, 400, providers.body)
  assert.match(providers.body, /provider_ids/)
  assert.match(providers.body, /at most 100 item/)
})

test('far past the limits: 2,000 wrong scopes and 3,000 unknown fields get a bounded answer that still names the rule', async () => {
  const scopes = Array.from({ length: 2000 }, (_, i) => `scope${i}`)
  const res = await create(h, c, withChanges(CONFIG_1, { scopes }))
  const errors = errorsOf(res)
  assertLimit(errors, 'scopes', /at most 20 item/)
  assert.equal(Object.keys(errors).filter((k) => k.startsWith('scopes[')).length, 0, 'the items of a list over its limit are not listed one by one')
  assert.ok(res.body.length < 10_000, `a small answer (${res.body.length} bytes)`)

  const unknown: Record<string, unknown> = { ...CONFIG_1 }
  for (let i = 0; i < 3000; i++) unknown[`field_${i}`] = i
  const many = await create(h, c, unknown)
  const manyErrors = errorsOf(many)
  assert.ok(Object.keys(manyErrors).length <= MAX_REPORTED_FIELDS + 1, `at most ${MAX_REPORTED_FIELDS} fields and a count of the rest (${Object.keys(manyErrors).length})`)
  assert.ok(manyErrors.body?.some((m) => /\d+ more problem/.test(m)), 'the answer says how many were left out')
  assert.ok(many.body.length < 40_000, `a small answer (${many.body.length} bytes)`)
})

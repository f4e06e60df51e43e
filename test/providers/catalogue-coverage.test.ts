import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { PROVIDERS } from '../../src/modules/providers/provider.catalog.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { componentValidator, describeErrors } from '../conformance/published-contract.validator.ts'

/**
 * The catalogue covers every provider id of the reference data (shared/data/providers.json, its ids copied into
 * test/fixtures/providers/source-ids.json), UK providers first, each provider outside the UK marked as an extension
 * (Data v3 is UK-only today), and each in the published Provider shape.
 */

const SOURCE_IDS: string[] = JSON.parse(readFileSync(new URL('../fixtures/providers/source-ids.json', import.meta.url), 'utf8')).provider_ids

test('every provider id of the reference data is in the catalogue, once', () => {
  assert.equal(SOURCE_IDS.length, 194)
  const ids = PROVIDERS.map((p) => p.provider_id)
  assert.equal(new Set(ids).size, ids.length, 'no id twice')
  assert.deepEqual(SOURCE_IDS.filter((id) => !ids.includes(id)), [], 'ids missing from the catalogue')
})

test('UK first (mock leading), every other provider after them and marked as an extension', () => {
  const firstAbroad = PROVIDERS.findIndex((p) => p.country !== 'GB')
  assert.ok(firstAbroad > 0)
  assert.equal(PROVIDERS[0]!.provider_id, 'mock')
  assert.ok(PROVIDERS.slice(firstAbroad).every((p) => p.country !== 'GB'), 'no UK provider after the first one abroad')
  for (const p of PROVIDERS) assert.equal(p.extension, p.country !== 'GB', p.provider_id)
})

test('every provider is a valid published Provider, with a release channel, segments and scopes', () => {
  const v = componentValidator('Provider')
  for (const p of PROVIDERS) {
    const wire = { id: p.provider_id, display_name: p.display_name, icon_uri: p.icon_uri, logo_uri: p.logo_uri, bg_color: p.bg_color }
    assert.ok(v(wire), `${p.provider_id}: ${describeErrors(v)}`)
    assert.ok(['general_availability', 'public_beta', 'private_beta'].includes(p.release_channel), p.provider_id)
    assert.ok(p.customer_segments.length > 0 && p.scopes.length > 0, p.provider_id)
  }
})

test('GET /v3/providers says which providers are extensions, UK first; filters still apply', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const all = (await h.inject({ method: 'GET', url: '/v3/providers?release_channel=public_beta&customer_segments=retail,business,corporate', headers: c.auth })).json().items
  assert.equal(all.length, PROVIDERS.length, 'public_beta and every segment: the whole catalogue')
  assert.deepEqual(all.map((p: { id: string }) => p.id), PROVIDERS.map((p) => p.provider_id), 'in catalogue order, UK first')
  assert.ok(all.every((p: { extension: boolean, country: string }) => p.extension === (p.country !== 'GB')))
  const de = (await h.inject({ method: 'GET', url: '/v3/providers?countries=DE&release_channel=public_beta&customer_segments=retail,business,corporate', headers: c.auth })).json().items
  assert.ok(de.length >= 17 && de.every((p: { country: string, extension: boolean }) => p.country === 'DE' && p.extension), JSON.stringify(de.map((p: { id: string }) => p.id)))
  const byId = (await h.inject({ method: 'GET', url: '/v3/providers?countries=GB&provider_ids=xs2a-swedbank-se', headers: c.auth })).json().items
  assert.ok(byId.some((p: { id: string, extension: boolean }) => p.id === 'xs2a-swedbank-se' && p.extension), 'a provider outside the filter\'s countries, added by id')
})

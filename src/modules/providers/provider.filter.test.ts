import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PROVIDERS, type Provider, findProvider } from './provider.catalog.ts'
import { filterProviders, toWireProvider } from './provider.filter.ts'

// A small catalogue where every case is visible at a glance.
const p = (provider_id: string, country: string, release_channel: Provider['release_channel'], customer_segments: Provider['customer_segments']): Provider => ({
  provider_id, display_name: provider_id, country, release_channel, customer_segments, scopes: ['accounts'],
  bg_color: '#000000', icon_uri: `https://x.test/${provider_id}/icon.svg`, logo_uri: `https://x.test/${provider_id}/logo.svg`,
  extension: country !== 'GB',
})
const C: Provider[] = [
  p('gb-ga-retail', 'GB', 'general_availability', ['retail']),
  p('gb-ga-business', 'GB', 'general_availability', ['business']),
  p('gb-ga-corporate', 'GB', 'general_availability', ['corporate']),
  p('gb-private-retail', 'GB', 'private_beta', ['retail']),
  p('gb-public-retail', 'GB', 'public_beta', ['retail']),
  p('de-ga-retail', 'DE', 'general_availability', ['retail', 'business']),
  p('de-public-retail', 'DE', 'public_beta', ['retail']),
  p('fr-private-corporate', 'FR', 'private_beta', ['corporate']),
]
const ids = (list: Provider[]) => list.map((x) => x.provider_id)

test('no filter: general availability, retail, every country', () => {
  assert.deepEqual(ids(filterProviders(undefined, C)), ['gb-ga-retail', 'de-ga-retail'])
  assert.deepEqual(ids(filterProviders({}, C)), ['gb-ga-retail', 'de-ga-retail'])
})

test('countries restrict to providers of those countries', () => {
  assert.deepEqual(ids(filterProviders({ countries: ['DE'] }, C)), ['de-ga-retail'])
  assert.deepEqual(ids(filterProviders({ countries: ['GB', 'DE'] }, C)), ['gb-ga-retail', 'de-ga-retail'])
  assert.deepEqual(ids(filterProviders({ countries: ['IT'] }, C)), [])
})

test('release_channel general_availability (the default) shows general availability only', () => {
  assert.deepEqual(ids(filterProviders({ release_channel: 'general_availability' }, C)), ['gb-ga-retail', 'de-ga-retail'])
})

test('release_channel private_beta shows private beta and general availability, not public beta', () => {
  assert.deepEqual(ids(filterProviders({ release_channel: 'private_beta', countries: ['GB'] }, C)), ['gb-ga-retail', 'gb-private-retail'])
})

test('release_channel public_beta shows public beta, private beta and general availability', () => {
  assert.deepEqual(ids(filterProviders({ release_channel: 'public_beta', countries: ['GB'] }, C)), ['gb-ga-retail', 'gb-private-retail', 'gb-public-retail'])
})

test('customer_segments default to retail and keep providers serving any of the segments given', () => {
  assert.deepEqual(ids(filterProviders({ countries: ['GB'] }, C)), ['gb-ga-retail'])
  assert.deepEqual(ids(filterProviders({ countries: ['GB'], customer_segments: ['business'] }, C)), ['gb-ga-business'])
  assert.deepEqual(ids(filterProviders({ customer_segments: ['business', 'corporate'] }, C)), ['gb-ga-business', 'gb-ga-corporate', 'de-ga-retail'])
})

test('provider_ids are added even when the other filters leave them out', () => {
  const got = ids(filterProviders({ countries: ['GB'], provider_ids: ['fr-private-corporate', 'de-public-retail'] }, C))
  assert.deepEqual(got, ['gb-ga-retail', 'de-public-retail', 'fr-private-corporate'])
})

test('excludes.provider_ids are removed last, even ones provider_ids added', () => {
  const got = ids(filterProviders({ provider_ids: ['fr-private-corporate'], excludes: { provider_ids: ['fr-private-corporate', 'gb-ga-retail'] } }, C))
  assert.deepEqual(got, ['de-ga-retail'])
})

test('ids the catalogue does not know change nothing', () => {
  assert.deepEqual(ids(filterProviders({ provider_ids: ['nope'], excludes: { provider_ids: ['nada'] } }, C)), ['gb-ga-retail', 'de-ga-retail'])
})

test('the real catalogue: defaults list GB retail banks and the sandbox mock, no beta or business-only ones', () => {
  const list = filterProviders({ countries: ['GB'] })
  const got = ids(list)
  for (const id of ['mock', 'ob-monzo', 'ob-barclays', 'ob-lloyds', 'ob-hsbc', 'ob-natwest', 'ob-santander', 'ob-nationwide', 'ob-starling', 'ob-revolut']) {
    assert.ok(got.includes(id), `${id} listed`)
  }
  assert.ok(!got.includes('ob-barclays-business'), 'business-only provider left out')
  assert.ok(list.every((x) => x.country === 'GB' && x.release_channel === 'general_availability' && x.customer_segments.includes('retail')))
  const withBeta = filterProviders({ release_channel: 'public_beta' })
  assert.ok(withBeta.some((x) => x.release_channel === 'public_beta'))
  assert.ok(withBeta.some((x) => x.release_channel === 'private_beta'))
})

test('the real catalogue is complete enough to exercise the contract', () => {
  assert.ok(PROVIDERS.length >= 40)
  assert.equal(new Set(PROVIDERS.map((x) => x.provider_id)).size, PROVIDERS.length, 'ids are unique')
  for (const x of PROVIDERS) {
    assert.match(x.bg_color, /^#[A-F0-9]{6}$/, x.provider_id)
    assert.match(x.provider_id, /^(mock|ob-|oauth-|xs2a-|stet-)/, x.provider_id)
    assert.ok(x.scopes.length > 0 && x.customer_segments.length > 0, x.provider_id)
    assert.ok(new URL(x.icon_uri) && new URL(x.logo_uri))
  }
  const countries = new Set(PROVIDERS.filter((x) => x.provider_id.startsWith('xs2a-')).map((x) => x.country))
  assert.ok(countries.size >= 4, 'XS2A providers across several countries')
  assert.ok(PROVIDERS.some((x) => x.customer_segments.includes('corporate')))
  assert.equal(findProvider('ob-monzo')?.display_name, 'Monzo')
  assert.equal(findProvider('ob-nope'), undefined)
})

test('toWireProvider gives the OpenAPI Provider shape', () => {
  assert.deepEqual(toWireProvider(findProvider('ob-barclays')!), {
    id: 'ob-barclays',
    display_name: 'Barclays',
    icon_uri: 'https://truelayer-provider-assets.s3.amazonaws.com/global/icons/barclays.svg',
    logo_uri: 'https://truelayer-provider-assets.s3.amazonaws.com/global/logos/barclays.svg',
    bg_color: '#007EB6',
  })
})

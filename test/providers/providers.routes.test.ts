import assert from 'node:assert/strict'
import { test } from 'node:test'
import { filterProviders } from '../../src/modules/providers/provider.filter.ts'
import { buildTestApp } from '../helpers/build-app.ts'

test('GET /v3/providers (extension): the catalogue filtered like provider_selection.filter', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const ids = async (query: string) => {
    const res = await h.inject({ method: 'GET', url: `/v3/providers${query}`, headers: c.auth })
    assert.equal(res.statusCode, 200, res.body)
    return res.json().items.map((p: { id: string }) => p.id) as string[]
  }
  const ofFilter = (f: Parameters<typeof filterProviders>[0]) => filterProviders(f).map((p) => p.provider_id)

  assert.deepEqual(await ids(''), ofFilter(undefined))
  assert.deepEqual(await ids('?countries=DE&countries=FR'), ofFilter({ countries: ['DE', 'FR'] }))
  assert.deepEqual(await ids('?countries=DE,FR'), ofFilter({ countries: ['DE', 'FR'] }), 'comma-separated lists too')
  assert.deepEqual(await ids('?countries=GB&release_channel=public_beta&customer_segments=business,corporate'),
    ofFilter({ countries: ['GB'], release_channel: 'public_beta', customer_segments: ['business', 'corporate'] }))
  const added = await ids('?countries=GB&provider_ids=xs2a-rabobank&excludes=ob-monzo')
  assert.ok(added.includes('xs2a-rabobank'))
  assert.ok(!added.includes('ob-monzo'))

  const item = (await h.inject({ method: 'GET', url: '/v3/providers?provider_ids=ob-monzo&countries=IT', headers: c.auth })).json().items[0]
  assert.deepEqual(item, {
    id: 'ob-monzo',
    display_name: 'Monzo',
    icon_uri: 'https://truelayer-provider-assets.s3.amazonaws.com/global/icons/monzo.svg',
    logo_uri: 'https://truelayer-provider-assets.s3.amazonaws.com/global/logos/monzo.svg',
    bg_color: '#15233C',
    country: 'GB',
    release_channel: 'general_availability',
    customer_segments: ['retail', 'business'],
    scopes: ['info', 'accounts', 'balance', 'transactions'],
    extension: false,
  })
})

test('GET /v3/providers: bad values are 400 naming the parameter; a data token is required', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const bad = await h.inject({ method: 'GET', url: '/v3/providers?countries=US&release_channel=public', headers: c.auth })
  assert.equal(bad.statusCode, 400)
  const errors = bad.json().errors
  assert.ok(Object.keys(errors).some((k) => k.startsWith('countries')), JSON.stringify(errors))
  assert.ok(errors.release_channel, JSON.stringify(errors))
  assert.equal((await h.inject({ method: 'GET', url: '/v3/providers' })).statusCode, 401)
})

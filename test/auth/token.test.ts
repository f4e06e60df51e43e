import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { buildTestApp } from '../helpers/build-app.ts'

test('client credentials as form data → a signed data token, verifiable with the published key set', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await h.inject({
    method: 'POST', url: '/connect/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `grant_type=client_credentials&client_id=${c.id}&client_secret=${c.secret}&scope=data`,
  })
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.equal(body.token_type, 'Bearer')
  assert.equal(body.expires_in, 3600)
  assert.equal(body.scope, 'data')
  const claims = decodeJwt(body.access_token)
  assert.equal(claims.client_id, c.id)
  assert.deepEqual(claims.scope, ['data'])
  const jwks = (await h.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json()
  assert.equal(jwks.keys[0].kid, decodeProtectedHeader(body.access_token).kid)
  assert.equal(jwks.keys[0].d, undefined, 'the private part is never published')
})

test('client credentials as JSON are accepted too', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const res = await h.inject({ method: 'POST', url: '/connect/token', payload: { grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret, scope: 'data' } })
  assert.equal(res.statusCode, 200)
})

test('token errors use the OAuth shape: invalid_client, unsupported_grant_type, invalid_scope', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const post = (payload: Record<string, string>) => h.inject({ method: 'POST', url: '/connect/token', payload })
  const wrongSecret = await post({ grant_type: 'client_credentials', client_id: c.id, client_secret: 'nope', scope: 'data' })
  assert.equal(wrongSecret.statusCode, 401)
  assert.equal(wrongSecret.json().error, 'invalid_client')
  const unknownClient = await post({ grant_type: 'client_credentials', client_id: 'sandbox-nobody-000000', client_secret: c.secret, scope: 'data' })
  assert.equal(unknownClient.statusCode, 401)
  assert.equal(unknownClient.json().error, 'invalid_client')
  const grant = await post({ grant_type: 'password', client_id: c.id, client_secret: c.secret, scope: 'data' })
  assert.equal(grant.statusCode, 400)
  assert.equal(grant.json().error, 'unsupported_grant_type')
  const scope = await post({ grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret, scope: 'data payments' })
  assert.equal(scope.statusCode, 400)
  assert.equal(scope.json().error, 'invalid_scope')
  assert.match(scope.json().error_description, /payments/)
})

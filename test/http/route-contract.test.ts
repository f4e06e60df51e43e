import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { deleteClient } from '../../src/modules/auth/client.repository.ts'
import { buildTestApp } from '../helpers/build-app.ts'

/**
 * The route contract, over every operation /openapi.json publishes with Ledgerite's token as its security: the token
 * is checked before anything else about the request. No token, a malformed header, a token of a deleted client →
 * 401, whatever the body, content type, parameters or headers; a valid token without the declared scope → 403;
 * every refusal a problem+json carrying the request's trace id.
 */

interface Operation { method: string, path: string, scopes: string[], hasBody: boolean }

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

function operationsOf (doc: { paths: Record<string, Record<string, { security?: Array<Record<string, string[]>>, requestBody?: unknown }>> }): { secured: Operation[], open: string[] } {
  const secured: Operation[] = []
  const open: string[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      const requirement = op.security?.find((r) => Object.hasOwn(r, 'OAuth2'))
      if (requirement) secured.push({ method: method.toUpperCase(), path, scopes: requirement.OAuth2!, hasBody: op.requestBody !== undefined })
      else open.push(`${method.toUpperCase()} ${path}`)
    }
  }
  return { secured, open }
}

/** A concrete URL for the operation: every path parameter filled, and a query string no schema accepts. */
const urlOf = (op: Operation): string => `${op.path.replace(/\{[^}]+\}/g, 'x')}?limit=abc&cursor=%00&unknown=1`

/** The variants of a request that must all be judged on the token alone. */
function variants (op: Operation): Array<Omit<InjectOptions, 'method' | 'url'>> {
  if (!op.hasBody && op.method === 'GET') return [{}, { headers: { 'connection-id': 'not-a-uuid' } }]
  return [
    {},
    { headers: { 'content-type': 'text/plain' }, payload: 'not json at all' },
    { headers: { 'content-type': 'application/json' }, payload: '{"unclosed": ' },
    { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ unexpected: 'field', by: 'forever' }) },
    { headers: { 'content-type': 'application/xml' }, payload: '<x/>'.repeat(20_000) },
  ]
}

function assertProblem (res: LightMyRequestResponse, status: number, what: string): void {
  assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 300)}`)
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what)
  const body = res.json()
  assert.equal(body.status, status, what)
  assert.match(body.trace_id, /^[0-9a-f]{32}$/, `${what}: trace_id`)
  assert.equal(body.trace_id, res.headers['tl-trace-id'], `${what}: trace_id is the request's`)
}

test('every operation declaring the token answers 401 before any other check, and 403 without its scope', async (t) => {
  const h = await buildTestApp(t)
  const doc = (await h.inject({ method: 'GET', url: '/openapi.json' })).json()
  const { secured, open } = operationsOf(doc)

  // The description and the routes agree: every Data API and sandbox operation is secured...
  assert.deepEqual(open.filter((o) => /^[A-Z]+ \/(v3|sandbox)\//.test(o)), [], 'an unsecured Data API or sandbox operation')
  // ...and the ones that once checked late are among them.
  for (const expected of ['POST /sandbox/clock/advance', 'GET /v3/webhook-deliveries', 'POST /v3/webhook-deliveries/{event_id}/redeliver',
    'POST /v3/data-connections/{connection_id}/authorization-flow/actions/provider-selection', 'POST /v3/data-connections', 'GET /v3/providers']) {
    assert.ok(secured.some((op) => `${op.method} ${op.path}` === expected), `${expected} is documented as secured`)
  }
  assert.ok(secured.length >= 15, `only ${secured.length} secured operations found`)

  const doomed = await h.client({ name: 'doomed' })
  await deleteClient(h.deps.db, doomed.id)
  const c = await h.client()
  const otherScope = `Bearer ${await h.deps.tokens.issue(c.id, ['payments'])}`

  for (const op of secured) {
    const url = urlOf(op)
    for (const v of variants(op)) {
      const what = `${op.method} ${op.path} ${JSON.stringify(v.headers ?? {})}`
      const headers = (v.headers ?? {}) as Record<string, string>
      assertProblem(await h.inject({ ...v, method: op.method as InjectOptions['method'], url }), 401, `no token: ${what}`)
      assertProblem(await h.inject({ ...v, method: op.method as InjectOptions['method'], url, headers: { ...headers, authorization: 'Basic eDp5' } }), 401, `Basic: ${what}`)
      assertProblem(await h.inject({ ...v, method: op.method as InjectOptions['method'], url, headers: { ...headers, ...doomed.auth } }), 401, `deleted client: ${what}`)
      if (op.scopes.length > 0) {
        const res = await h.inject({ ...v, method: op.method as InjectOptions['method'], url, headers: { ...headers, authorization: otherScope } })
        assertProblem(res, 403, `wrong scope: ${what}`)
        assert.match(res.json().detail, new RegExp(op.scopes[0]!), what)
      }
    }
  }
})

test('sandbox clock advance with no token: 401, not 415 or 400', async (t) => {
  const h = await buildTestApp(t)
  const res = await h.inject({ method: 'POST', url: '/sandbox/clock/advance', headers: { 'content-type': 'text/plain' }, payload: 'x' })
  assertProblem(res, 401, 'clock advance')
  assert.equal(res.json().title, 'Unauthenticated')
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { PUBLISHED_TYPES } from '../../src/contract/errors.ts'
import { toConnection } from '../../src/modules/connections/connection.model.ts'
import { findConnection } from '../../src/modules/connections/connection.repository.ts'
import { MOCK_ERROR_REASONS } from '../../src/modules/model-bank/mock-users.ts'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import {
  componentValidator, describeErrors, inlineValidator, type Json, mediaType, type Operation, operationsOf,
  parametersOf, pathShape, published,
} from './published-contract.validator.ts'

/**
 * The published contract as a test. The provider's OpenAPI description of Data API v3 (test fixture, copied with
 * its origin noted) is compared with Ledgerite's own /openapi.json, generated from the route schemas; and what
 * Ledgerite answers in a realistic flow is validated against the published schemas. A drift on either side
 * breaks the build.
 */

/** Error codes any JSON body route may answer at the HTTP layer, beyond what the contract lists. */
const TRANSPORT_CODES = new Set(['413', '415'])
/** Published by the provider's authentication server description, not the Data API one: not an extension. */
const AUTH_SERVER_PATHS = new Set(['POST /connect/token'])

async function ownDocument (h: TestApp): Promise<Json> {
  const res = await h.inject({ method: 'GET', url: '/openapi.json' })
  assert.equal(res.statusCode, 200, 'GET /openapi.json')
  return res.json()
}

function findOwn (own: Operation[], p: Operation): Operation | undefined {
  return own.find((o) => o.method === p.method && pathShape(o.path) === pathShape(p.path))
}

test('every published operation exists here with the same method, path, parameters and response codes', async (t) => {
  const h = await buildTestApp(t)
  const ownDoc = await ownDocument(h)
  const own = operationsOf(ownDoc)
  const problems: string[] = []
  const publishedOps = operationsOf(published)
  assert.ok(publishedOps.length >= 5, 'the fixture describes the five Data API v3 operations')

  for (const p of publishedOps) {
    const o = findOwn(own, p)
    if (!o) {
      problems.push(`${p.key} (${p.op.operationId}): missing from /openapi.json`)
      continue
    }
    if (o.path !== p.path) problems.push(`${p.key}: served as ${o.path} (path parameter names differ)`)

    const ours = parametersOf(ownDoc, o.path, o.op)
    for (const want of parametersOf(published, p.path, p.op)) {
      const got = ours.find((x) => x.name === want.name && x.in === want.in)
      if (!got) problems.push(`${p.key}: parameter ${want.in} ${want.name} is not declared`)
      else if (got.required !== want.required) problems.push(`${p.key}: parameter ${want.in} ${want.name} required=${got.required}, published required=${want.required}`)
    }
    for (const extra of ours) {
      const isPublished = parametersOf(published, p.path, p.op).some((x) => x.name === extra.name && x.in === extra.in)
      // The bearer token is the published security scheme, not a parameter; an optional extra changes no client.
      if (!isPublished && extra.required && !(extra.in === 'header' && extra.name === 'authorization')) {
        problems.push(`${p.key}: declares a required ${extra.in} parameter ${extra.name} the contract does not have`)
      }
    }

    const wantCodes = Object.keys(p.op.responses ?? {})
    const gotCodes = Object.keys(o.op.responses ?? {})
    const missing = wantCodes.filter((c) => !gotCodes.includes(c))
    const extra = gotCodes.filter((c) => !wantCodes.includes(c) && !TRANSPORT_CODES.has(c))
    if (missing.length) problems.push(`${p.key}: response code(s) ${missing.join(', ')} not declared (declares ${gotCodes.join(', ') || 'none'})`)
    if (extra.length) problems.push(`${p.key}: declares response code(s) ${extra.join(', ')} the contract does not have`)
  }
  assert.deepEqual(problems, [], `drift from the published contract:\n  ${problems.join('\n  ')}`)
})

test('every operation not in the published contract is marked x-ledgerite-extension: true', async (t) => {
  const h = await buildTestApp(t)
  const own = operationsOf(await ownDocument(h))
  const publishedOps = operationsOf(published)
  const unmarked = own
    .filter((o) => !publishedOps.some((p) => p.method === o.method && pathShape(p.path) === pathShape(o.path)))
    .filter((o) => !AUTH_SERVER_PATHS.has(o.key))
    .filter((o) => o.op['x-ledgerite-extension'] !== true)
    .map((o) => o.key)
  assert.deepEqual(unmarked, [], `operations outside the published contract without x-ledgerite-extension: true:\n  ${unmarked.join('\n  ')}`)
})

// ---- responses of a realistic flow, validated against the published schemas ----

interface Checked { key: string, status: number }

/**
 * Checks one response against the published operation: the status is one it lists, the content type is the one
 * it lists for that status, the body validates against that schema, and the headers it lists are present.
 */
function conforms (method: string, path: string, res: LightMyRequestResponse, seen: Checked[]): Json {
  const item = published.paths[path]
  assert.ok(item?.[method.toLowerCase()], `published contract has no ${method} ${path}`)
  const op = item[method.toLowerCase()]
  const where = `${method} ${path} → ${res.statusCode}`
  const response = op.responses[String(res.statusCode)]
  assert.ok(response, `${where}: status not listed by the published contract (${Object.keys(op.responses).join(', ')}); body: ${res.body.slice(0, 500)}`)
  for (const header of Object.keys(response.headers ?? {})) {
    assert.ok(res.headers[header.toLowerCase()], `${where}: header ${header} missing`)
  }
  seen.push({ key: `${method} ${path}`, status: res.statusCode })
  if (!response.content) return undefined
  const types = Object.keys(response.content)
  const got = mediaType(res.headers['content-type'] as string | undefined)
  const match = types.find((ct) => mediaType(ct) === got)
  assert.ok(match, `${where}: content type ${got} is not the published ${types.join(' or ')}`)
  const body = res.json()
  if (res.statusCode >= 400) assert.ok(PUBLISHED_TYPES.has(body.type), `${where}: problem type ${body.type} is not published`)
  const v = inlineValidator(`${method} ${path} ${res.statusCode} ${match}`, response.content[match].schema)
  assert.ok(v(body), `${where}: body does not match the published schema:\n  ${describeErrors(v)}\nbody: ${JSON.stringify(body).slice(0, 1500)}`)
  return body
}

const USER = { name: 'Jane Smith', email: 'jane.smith@example.com', phone: '+447700900000' }
const RETURN_URI = 'https://your-app.com/callback'
const SCOPES = ['info', 'accounts', 'balance', 'transactions']

/** The five configurations of the page (plus 5b), each with `user` added as the table requires. */
function configurations (capturedAt: string): Record<string, Record<string, unknown>> {
  return {
    1: { scopes: SCOPES, provider_selection: { type: 'user_selected' }, user: USER, user_consent: { type: 'authorization_flow_captured' }, hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI } },
    2: { scopes: SCOPES, provider_selection: { type: 'preselected', provider_id: 'ob-monzo' }, user: USER, user_consent: { type: 'authorization_flow_captured' }, hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI } },
    3: { scopes: SCOPES, provider_selection: { type: 'preselected', provider_id: 'ob-monzo' }, user: USER, user_consent: { type: 'precaptured', captured_at: capturedAt }, hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI } },
    4: { scopes: SCOPES, provider_selection: { type: 'preselected', provider_id: 'ob-monzo' }, user: USER, user_consent: { type: 'precaptured', captured_at: capturedAt }, hosted_page: { type: 'result_page', return_uri: RETURN_URI } },
    // Configuration 4 in the OpenAPI's own shape: a result page without return_uri, the root authorization_flow's instead.
    '4o': { scopes: SCOPES, provider_selection: { type: 'preselected', provider_id: 'ob-monzo' }, user: USER, user_consent: { type: 'precaptured', captured_at: capturedAt }, hosted_page: { type: 'result_page' }, authorization_flow: { redirect: { return_uri: RETURN_URI } } },
    5: { scopes: SCOPES, provider_selection: { type: 'preselected', provider_id: 'ob-monzo' }, user: USER, user_consent: { type: 'precaptured', captured_at: capturedAt }, authorization_flow: { redirect: { return_uri: RETURN_URI } } },
    '5b': { scopes: SCOPES, provider_selection: { type: 'user_selected' }, user: USER, user_consent: { type: 'precaptured', captured_at: capturedAt }, authorization_flow: { redirect: { return_uri: RETURN_URI } } },
  }
}

const WEBHOOK_SCHEMAS: Record<string, string> = {
  connection_authorized: 'ConnectionAuthorized',
  connection_failed: 'ConnectionFailed',
  transactions_request_completed: 'TransactionsRequestWebhookCompleted',
  transactions_request_failed: 'TransactionsRequestWebhookFailed',
}

async function authorize (h: TestApp, c: TestClient, id: string, body: Json): Promise<void> {
  const res = await h.inject({ method: 'POST', url: `/sandbox/v3/data-connections/${id}/authorize`, headers: c.auth, payload: body })
  assert.ok(res.statusCode < 300, `sandbox authorize ${JSON.stringify(body)} → ${res.statusCode} ${res.body.slice(0, 300)}`)
}

test('responses and webhook payloads of a realistic flow validate against the published schemas', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: 'https://hooks.your-app.com/ledgerite' })
  const seen: Checked[] = []
  const ip = { 'tl-user-ip': '203.0.113.7' }
  const created: Record<string, Json> = {}

  // Creation, in every configuration, validated against the published request schema first (so a test body that
  // drifted from the contract cannot pass unnoticed) and then the response against the published 201.
  const requestValidator = componentValidator('CreateConnection')
  for (const [n, body] of Object.entries(configurations(new Date(Date.now() - 60_000).toISOString()))) {
    assert.ok(requestValidator(body), `configuration ${n}: test body is not a valid published CreateConnection:\n  ${describeErrors(requestValidator)}`)
    const res = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: { ...c.auth, ...ip }, payload: body })
    assert.equal(res.statusCode, 201, `configuration ${n}: ${res.body.slice(0, 500)}`)
    created[n] = conforms('POST', '/v3/data-connections', res, seen)
    const expected = n === '1' || n === '2' || n === '3' ? 'authorization_required' : 'authorizing'
    assert.equal(created[n].status, expected, `configuration ${n} status`)
  }
  assert.equal(created['5b'].authorization_flow.actions.next.type, 'provider_selection')
  assert.equal(created['5'].authorization_flow.actions.next.type, 'redirect')

  // Refusals of create-connection, each a published problem.
  conforms('POST', '/v3/data-connections', await h.inject({ method: 'POST', url: '/v3/data-connections', payload: configurations('')[2] }), seen)
  conforms('POST', '/v3/data-connections', await h.inject({
    method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: { ...configurations('')[2], scopes: ['everything'] },
  }), seen)
  // Refusals added with the fidelity pass: a Data v1 provider token, an unsupported language, a union without its type.
  for (const payload of [
    { ...configurations('')[2], provider_selection: { type: 'preselected', provider_id: 'uk-cs-mock' } },
    { ...configurations('')[1], hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI, language_code: 'pt' } },
    { ...configurations('')[1], user_consent: { state: 'captured' } },
  ]) {
    const refused = conforms('POST', '/v3/data-connections', await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload }), seen)
    assert.equal(refused.status, 400)
  }

  // A connection the user authorises, and one that fails at the bank; both through the sandbox control, which
  // takes the same transitions (and writes the same webhooks) as the browser journey.
  const okId: string = created[2].id
  const failId: string = created[3].id
  await authorize(h, c, okId, { outcome: 'authorized' })
  await authorize(h, c, failId, { outcome: 'failed', failure_reason: 'provider_rejected' })

  const info = conforms('GET', '/v3/data-connections/{connection_id}/user-info',
    await h.inject({ method: 'GET', url: `/v3/data-connections/${okId}/user-info`, headers: { ...c.auth, ...ip } }), seen)
  assert.equal(typeof info.name, 'string')
  // Not authorised (still authorization_required): Invalid State. Unknown: Not Found. No token: Unauthenticated.
  conforms('GET', '/v3/data-connections/{connection_id}/user-info',
    await h.inject({ method: 'GET', url: `/v3/data-connections/${created[1].id}/user-info`, headers: { ...c.auth, ...ip } }), seen)
  conforms('GET', '/v3/data-connections/{connection_id}/user-info',
    await h.inject({ method: 'GET', url: '/v3/data-connections/0a6273a0-0314-4db6-800a-e66225fbe9f7/user-info', headers: { ...c.auth, ...ip } }), seen)
  conforms('GET', '/v3/data-connections/{connection_id}/user-info',
    await h.inject({ method: 'GET', url: `/v3/data-connections/${okId}/user-info` }), seen)

  const accounts = conforms('GET', '/v3/connected-accounts',
    await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, ...ip, 'connection-id': okId } }), seen)
  assert.ok(accounts.items.length > 0, 'an authorised connection has at least one account')
  conforms('GET', '/v3/connected-accounts',
    await h.inject({ method: 'GET', url: '/v3/connected-accounts?type=account', headers: { ...c.auth, ...ip, 'connection-id': okId } }), seen)
  // Tl-User-IP with a port: accepted, the address part used.
  conforms('GET', '/v3/connected-accounts',
    await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, 'tl-user-ip': '203.0.113.7:51234', 'connection-id': okId } }), seen)
  // A query parameter out of its enum: Invalid Parameters keyed by the parameter's name.
  const badType = conforms('GET', '/v3/connected-accounts',
    await h.inject({ method: 'GET', url: '/v3/connected-accounts?type=cards', headers: { ...c.auth, ...ip, 'connection-id': okId } }), seen)
  assert.deepEqual(Object.keys(badType.errors), ['type'])
  // Missing Connection-Id: Invalid Parameters naming it. A failed connection: Invalid State.
  conforms('GET', '/v3/connected-accounts', await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, ...ip } }), seen)
  conforms('GET', '/v3/connected-accounts',
    await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, ...ip, 'connection-id': failId } }), seen)

  const account = accounts.items.find((a: Json) => a.type === 'account')
  assert.ok(account, 'an account (not only cards) is connected')
  const reqPath = '/v3/connected-accounts/{account_id}/transactions/requests'
  const getPath = '/v3/connected-accounts/{account_id}/transactions/requests/{request_id}'
  const headers = { ...c.auth, ...ip, 'connection-id': okId }
  const to = new Date().toISOString().slice(0, 10)
  const from = new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10)
  const requests: string[] = []
  for (const payload of [{ from, to }, { from, to, page_size: 500, enrichment: { transaction_category: true, merchant_name: true } }]) {
    const res = await h.inject({ method: 'POST', url: `/v3/connected-accounts/${account.id}/transactions/requests`, headers, payload })
    assert.equal(res.statusCode, 202, res.body.slice(0, 300))
    requests.push(conforms('POST', reqPath, res, seen).id)
  }
  // Invalid dates: Invalid Parameters.
  conforms('POST', reqPath, await h.inject({
    method: 'POST', url: `/v3/connected-accounts/${account.id}/transactions/requests`, headers, payload: { from: to, to: '2001-02-30' },
  }), seen)
  // A cursor this server did not issue: Invalid Parameters naming cursor.
  conforms('POST', reqPath, await h.inject({
    method: 'POST', url: `/v3/connected-accounts/${account.id}/transactions/requests`, headers, payload: { from, to, cursor: 'bWFuZGF0ZXM6MmUwNDk0MTMK' },
  }), seen)
  // A request id that is not a uuid: Invalid Parameters keyed request_id.
  const badId = conforms('GET', getPath, await h.inject({ method: 'GET', url: `/v3/connected-accounts/${account.id}/transactions/requests/not-a-uuid`, headers }), seen)
  assert.deepEqual(Object.keys(badId.errors), ['request_id'])
  // Pending until the worker runs (the suite runs with workers off), then completed, re-readable.
  const pending = conforms('GET', getPath, await h.inject({ method: 'GET', url: `/v3/connected-accounts/${account.id}/transactions/requests/${requests[0]}`, headers }), seen)
  assert.equal(pending.status, 'pending')
  await h.deps.workers.runAll()
  for (const id of requests) {
    const done = conforms('GET', getPath, await h.inject({ method: 'GET', url: `/v3/connected-accounts/${account.id}/transactions/requests/${id}`, headers }), seen)
    assert.equal(done.status, 'completed', JSON.stringify(done).slice(0, 300))
  }
  const enriched = conforms('GET', getPath, await h.inject({ method: 'GET', url: `/v3/connected-accounts/${account.id}/transactions/requests/${requests[1]}`, headers }), seen)
  assert.ok(enriched.result.items.length > 0, '90 days of history hold transactions')
  // "Individual fields are only populated when they could be determined": the object is there, its members may not be.
  assert.ok(enriched.result.items.every((tx: Json) => typeof tx.enrichment === 'object'), 'enrichment requested: every item carries enrichment')
  assert.ok(enriched.result.items.some((tx: Json) => tx.enrichment.transaction_category && tx.enrichment.merchant_name), 'enrichment is populated where it can be')
  conforms('GET', getPath, await h.inject({ method: 'GET', url: `/v3/connected-accounts/${account.id}/transactions/requests/3fa85f64-5717-4562-b3fc-2c963f66afa6`, headers }), seen)

  // The end of a walk: the last non-empty page carries a string cursor (the published type), and the request made
  // with it completes with an empty page and no cursor; both validate as published, with no patch to the schema.
  let cursor: string | undefined = enriched.result.pagination.next_cursor
  let last: Json = enriched
  for (let pages = 0; cursor !== undefined; pages++) {
    assert.ok(pages < 20, 'the walk ends')
    assert.equal(typeof cursor, 'string', 'a non-empty page carries a string next_cursor')
    const res = await h.inject({ method: 'POST', url: `/v3/connected-accounts/${account.id}/transactions/requests`, headers, payload: { from, to, page_size: 500, cursor } })
    const id = conforms('POST', reqPath, res, seen).id
    await h.deps.workers.runAll()
    last = conforms('GET', getPath, await h.inject({ method: 'GET', url: `/v3/connected-accounts/${account.id}/transactions/requests/${id}`, headers }), seen)
    cursor = last.result.pagination.next_cursor
  }
  assert.deepEqual(last.result, { items: [], pagination: {} }, 'the walk ends on an empty page without next_cursor')

  // The mock error users, as the mock-users page has them: each authorises, then every data call fails with its
  // reason — user info and connected accounts as a published problem, a transactions request as `failed` with
  // `failure_reason` the reason (and its webhook).
  const failedRequests: string[] = []
  for (const reason of MOCK_ERROR_REASONS) {
    const res = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: { ...c.auth, ...ip }, payload: configurations('')[2] })
    const errId: string = conforms('POST', '/v3/data-connections', res, seen).id
    await authorize(h, c, errId, { outcome: 'authorized', username: `error.${reason}` })
    const errHeaders = { ...c.auth, ...ip, 'connection-id': errId }
    for (const [path, url] of [
      ['/v3/data-connections/{connection_id}/user-info', `/v3/data-connections/${errId}/user-info`],
      ['/v3/connected-accounts', '/v3/connected-accounts'],
    ] as const) {
      const problem = conforms('GET', path, await h.inject({ method: 'GET', url, headers: errHeaders }), seen)
      assert.ok(problem.status >= 400 && problem.detail.includes(reason), `${reason} ${path}: ${JSON.stringify(problem)}`)
    }
    const row = await findConnection(h.deps.db, c.id, errId)
    assert.equal(toConnection(row!).status, 'authorized', `error.${reason} authorises`)
    const errAccount = toConnection(row!).accountIds[0]!
    const posted = await h.inject({ method: 'POST', url: `/v3/connected-accounts/${errAccount}/transactions/requests`, headers: errHeaders, payload: { from, to } })
    const requestId: string = conforms('POST', reqPath, posted, seen).id
    await h.deps.workers.runAll()
    const failed = conforms('GET', getPath, await h.inject({ method: 'GET', url: `/v3/connected-accounts/${errAccount}/transactions/requests/${requestId}`, headers: errHeaders }), seen)
    assert.deepEqual(failed, { id: requestId, status: 'failed', failure_reason: reason })
    failedRequests.push(requestId)
  }

  // Every webhook the flow produced, as it sits in the outbox (the exact bytes a receiver gets).
  await h.deps.workers.runAll()
  const events = await h.deps.db.selectFrom('webhook_events').select(['type', 'payload']).where('client_id', '=', c.id).execute()
  const types = new Set<string>()
  for (const e of events) {
    const name = WEBHOOK_SCHEMAS[e.type]
    if (!name) continue // documented extensions (connection_revoked, connection_expired) are not in the contract
    const v = componentValidator(name)
    const payload = JSON.parse(e.payload)
    assert.ok(v(payload), `webhook ${e.type} does not match the published ${name}:\n  ${describeErrors(v)}\npayload: ${e.payload}`)
    types.add(e.type)
  }
  const failedHooks = events.filter((e) => e.type === 'transactions_request_failed').map((e) => JSON.parse(e.payload))
  assert.deepEqual(failedHooks.map((e) => e.request_id).sort(), [...failedRequests].sort(), 'one transactions_request_failed per failed request')
  assert.deepEqual(new Set(failedHooks.map((e) => e.failure_reason)), new Set(MOCK_ERROR_REASONS))
  for (const want of ['connection_authorized', 'connection_failed', 'transactions_request_completed', 'transactions_request_failed']) {
    assert.ok(types.has(want), `the flow produced a ${want} webhook (saw ${[...types].join(', ') || 'none'})`)
  }

  // The flow reached every published operation, and more than its success answers.
  const reached = new Set(seen.map((s) => s.key))
  for (const p of operationsOf(published)) assert.ok(reached.has(p.key), `the flow exercised ${p.key}`)
  assert.ok(seen.some((s) => s.status >= 400), 'error answers were validated too')
})

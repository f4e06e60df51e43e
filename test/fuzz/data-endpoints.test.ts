import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { getAt, HOSTILE_STRINGS, memberPaths, oddStringArb, RawObject, rawJson, updateAt, withMembers, wrongTypeArb } from './create-body.arbitrary.ts'
import { assertAnswered, assertProblem, check } from './fuzz.assertions.ts'

/**
 * Property tests of the data endpoints (user info, connected accounts, transactions requests): generated bodies,
 * headers, path and query values — valid and not — are answered with the success the contract describes or a
 * well-formed problem, never a 5xx; a refused transactions request stores nothing, an accepted one completes.
 */

const IP = { 'tl-user-ip': '198.51.100.7' }

interface Env {
  h: TestApp
  c: TestClient
  /** An authorised connection (all scopes) and one of its accounts. */
  connectionId: string
  accountId: string
  /** Not authorised yet (authorization_required). */
  pendingId: string
  /** Another client's authorised connection, and its account. */
  foreignId: string
  foreignAccountId: string
  countRequests: () => Promise<number>
}

const CREATE = {
  scopes: ['info', 'accounts', 'balance', 'transactions'],
  provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
  user: { name: 'Jane Smith', email: 'jane@example.com' },
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: 'https://your-app.com/callback' },
}

async function authorised (h: TestApp, c: TestClient): Promise<{ id: string, accountId: string }> {
  const created = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: CREATE })
  assert.equal(created.statusCode, 201, created.body)
  const id = created.json().id as string
  const auth = await h.inject({ method: 'POST', url: `/sandbox/v3/data-connections/${id}/authorize`, headers: c.auth, payload: { outcome: 'authorized', username: 'john' } })
  assert.equal(auth.statusCode, 200, auth.body)
  const accounts = await h.inject({ method: 'GET', url: '/v3/connected-accounts', headers: { ...c.auth, ...IP, 'connection-id': id } })
  assert.equal(accounts.statusCode, 200, accounts.body)
  const account = accounts.json().items.find((a: { type: string }) => a.type === 'account')
  assert.ok(account, 'john has an account')
  return { id, accountId: account.id }
}

async function setup (t: Parameters<typeof buildTestApp>[0]): Promise<Env> {
  const h = await buildTestApp(t)
  const c = await h.client()
  const other = await h.client({ name: 'other' })
  const mine = await authorised(h, c)
  const foreign = await authorised(h, other)
  const pending = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: CREATE })
  const countRequests = async () => Number((await h.deps.db.selectFrom('transactions_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  return { h, c, connectionId: mine.id, accountId: mine.accountId, pendingId: pending.json().id, foreignId: foreign.id, foreignAccountId: foreign.accountId, countRequests }
}

const day = (d: Date) => d.toISOString().slice(0, 10)
const dateArb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date(), noInvalidDate: true })

/** A valid transactions request body: inclusive dates in order, page size 1–500, enrichment all or nothing. */
const validRequestArb = fc.record({
  a: dateArb, b: dateArb,
  pageSize: fc.option(fc.oneof(fc.integer({ min: 1, max: 500 }), fc.constantFrom(1, 500)), { nil: undefined }),
  enrichment: fc.boolean(),
}).map(({ a, b, pageSize, enrichment }) => {
  const [from, to] = a <= b ? [a, b] : [b, a]
  return {
    from: day(from), to: day(to),
    ...(pageSize !== undefined ? { page_size: pageSize } : {}),
    ...(enrichment ? { enrichment: { transaction_category: true, merchant_name: true } } : {}),
  } as Record<string, unknown>
})

async function postRequest (env: Env, payload: string, headers: Record<string, string> = {}, accountId = env.accountId) {
  return env.h.inject({
    method: 'POST',
    url: `/v3/connected-accounts/${encodeURIComponent(accountId)}/transactions/requests`,
    headers: { ...env.c.auth, ...IP, 'connection-id': env.connectionId, 'content-type': 'application/json', ...headers },
    payload,
  })
}

/** Completes what was accepted: the worker must finish every request it is given, without throwing. */
async function completes (env: Env, id: string, what: string): Promise<void> {
  await env.h.deps.workers.runAll()
  const got = await env.h.inject({ method: 'GET', url: `/v3/connected-accounts/${env.accountId}/transactions/requests/${id}`, headers: { ...env.c.auth, ...IP, 'connection-id': env.connectionId } })
  assert.equal(got.statusCode, 200, `${what}: ${got.body.slice(0, 300)}`)
  assert.equal(got.json().status, 'completed', `${what}: ${got.body.slice(0, 300)}`)
}

test('every valid transactions request is accepted (202), stored once, and completes', async (t) => {
  const env = await setup(t)
  await check(fc.asyncProperty(validRequestArb, async (body) => {
    const before = await env.countRequests()
    const res = await postRequest(env, JSON.stringify(body))
    assert.equal(res.statusCode, 202, `${JSON.stringify(body)}: ${res.body.slice(0, 500)}`)
    assert.equal(res.json().status, 'pending')
    assert.equal(await env.countRequests(), before + 1)
    await completes(env, res.json().id, JSON.stringify(body))
  }))
})

test('a transactions request broken in one place is refused with a problem, and nothing is stored', async (t) => {
  const env = await setup(t)
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('wrong-type' as const), pick: fc.nat(), seed: fc.nat() }),
    fc.record({ kind: fc.constant('drop' as const), which: fc.constantFrom('from', 'to') }),
    fc.record({ kind: fc.constant('unknown-member' as const), name: fc.oneof(fc.constantFrom('start_date', 'end_date', 'limit', 'account_id', 'status'), fc.string({ minLength: 1, maxLength: 10 })) }),
    fc.record({ kind: fc.constant('bad-date' as const), which: fc.constantFrom('from', 'to'), value: fc.oneof(fc.constantFrom('2001-02-30', '2024-13-01', '2024-1-1', '01/02/2024', '2024-01-01T00:00:00Z', '', '1999-12-31', '3000-01-01', '+002024-01-01'), oddStringArb) }),
    fc.record({ kind: fc.constant('reversed' as const) }),
    fc.record({ kind: fc.constant('page-size' as const), value: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 501 }), fc.double({ min: 1.1, max: 499.9, noNaN: true }).filter((x) => !Number.isInteger(x)), fc.constantFrom('50', '1e2', null, true)) }),
    fc.record({ kind: fc.constant('enrichment' as const), value: fc.oneof(fc.constantFrom({ transaction_category: true }, { merchant_name: true }, { transaction_category: false, merchant_name: true }, { transaction_category: true, merchant_name: 'true' }, {}, true, [], null), fc.dictionary(fc.string({ maxLength: 6 }), fc.boolean(), { minKeys: 1, maxKeys: 3 })) }),
    fc.record({ kind: fc.constant('cursor' as const), value: fc.oneof(fc.string({ maxLength: 200 }), fc.base64String({ maxLength: 200 }), fc.constantFrom('c1.e30.AAAAAAAAAAAAAAAAAAAAAA', 'c1..', 'c1.W10.x', '', 'null'), oddStringArb) }),
  )
  await check(fc.asyncProperty(validRequestArb, mutation, async (body, m) => {
    let broken: unknown
    let what: string
    switch (m.kind) {
      case 'wrong-type': {
        const paths = memberPaths(body)
        const p = paths[m.pick % paths.length]!
        const old = getAt(body, p)
        // page_size is an integer: another number that is still an integer 1–500 would be valid.
        const [replacement] = fc.sample(wrongTypeArb(old).filter((v) => !(p[0] === 'page_size' && Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 500)), { numRuns: 1, seed: m.seed })
        broken = updateAt(body, p, () => replacement)
        what = `${p.join('.')} = ${JSON.stringify(replacement)?.slice(0, 80)}`
        break
      }
      case 'drop': broken = updateAt(body, [m.which], () => undefined); what = `without ${m.which}`; break
      case 'unknown-member': {
        const name = ['from', 'to', 'page_size', 'enrichment', 'cursor', '__proto__'].includes(m.name) ? `${m.name}_x` : m.name
        broken = { ...body, [name]: 1 }
        what = `unknown member ${name}`
        break
      }
      case 'bad-date': broken = { ...body, [m.which]: m.value }; what = `${m.which} = ${JSON.stringify(m.value).slice(0, 80)}`; break
      case 'reversed': {
        const from = body.from as string
        const to = body.to as string
        broken = { ...body, from: to === from ? '2020-06-02' : to, to: to === from ? '2020-06-01' : from }
        what = 'to before from'
        break
      }
      case 'page-size': broken = { ...body, page_size: m.value }; what = `page_size = ${JSON.stringify(m.value)}`; break
      case 'enrichment': broken = { ...body, enrichment: m.value }; what = `enrichment = ${JSON.stringify(m.value)}`; break
      case 'cursor': broken = { ...body, cursor: m.value }; what = `cursor = ${JSON.stringify(m.value).slice(0, 80)}`; break
    }
    const before = await env.countRequests()
    const res = await postRequest(env, JSON.stringify(broken))
    const problem = assertProblem(res, `${what}: ${JSON.stringify(broken).slice(0, 300)}`)
    assert.ok([400, 413].includes(res.statusCode), `${what}: ${res.statusCode}`)
    if (res.statusCode === 400) assert.ok(problem.errors, `${what}: names the field`)
    assert.equal(await env.countRequests(), before, `${what}: nothing stored`)
  }))
})

test('any body text for a transactions request: answered, never a 5xx; what is accepted completes', async (t) => {
  const env = await setup(t)
  const payload = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ unit: 'binary', maxLength: 100 }),
    validRequestArb.chain((b) => fc.tuple(fc.constantFrom('from', 'to', 'page_size', 'cursor'), fc.jsonValue({ maxDepth: 1 }), fc.nat())
      .map(([k, v, pos]) => rawJson(withMembers(b, [], [[k, v]], pos % 4)))),
    validRequestArb.map((b) => rawJson(new RawObject([...Object.entries(b), ['__proto__', { page_size: 1 }]]))),
    fc.integer({ min: 100, max: 30_000 }).map((d) => `{"from":${'['.repeat(d)}${']'.repeat(d)}}`),
  )
  await check(fc.asyncProperty(payload, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''), async (text, contentType) => {
    const what = `${contentType}: ${JSON.stringify(text.slice(0, 200))}`
    const before = await env.countRequests()
    const res = await postRequest(env, text, { 'content-type': contentType })
    const accepted = assertAnswered(res, 202, what)
    assert.equal(await env.countRequests(), before + (accepted ? 1 : 0), `${what}: rows`)
    if (accepted) await completes(env, res.json().id, what)
  }))
})

test('any Connection-Id, Tl-User-IP, path and query values on the read endpoints: answered, never a 5xx', async (t) => {
  const env = await setup(t)
  const headerText = fc.string({ unit: 'binary-ascii', maxLength: 120 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''))
  const connectionArb = fc.oneof(
    fc.constantFrom('mine', 'pending', 'foreign', 'absent'),
    headerText, fc.uuid(), fc.constantFrom('', ' ', 'null', '0a6273a0-0314-4db6-800a-e66225fbe9f7', `${'a'.repeat(5000)}`),
  )
  const ipArb = fc.oneof(fc.constant('203.0.113.1'), fc.constant(undefined), fc.ipV4(), fc.ipV6(), headerText, fc.constantFrom('1.1.1.1, 2.2.2.2', '::ffff:1.2.3.4', '300.1.1.1', ''))
  const idArb = fc.oneof(fc.constantFrom('mine', 'foreign'), fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom(...HOSTILE_STRINGS), fc.constantFrom('%E0%A4%A', '%00', '..%2F..', '%', '%%'))
  const queryArb = fc.oneof(fc.constant(''), fc.constantFrom('?type=account', '?type=card', '?type=loan', '?type=', '?type=account&type=card', '?cursor=abc', '?cursor=', '?type[]=x', '?%E0%A4%A=1', '?cursor=%00'), headerText.map((s) => `?${encodeURIComponent(s)}=${encodeURIComponent(s)}`))
  const endpointArb = fc.constantFrom('connected-accounts', 'user-info', 'get-request', 'balance')
  // Strings with % go raw, to try bad percent-encoding; but '#', '?' and '/' would end the path segment (a client
  // never sends a fragment), so those are always encoded.
  const encode = (s: string) => (/%/.test(s) ? s.replace(/[#?/]/g, (c) => encodeURIComponent(c)) : encodeURIComponent(s.replace(/\p{Cs}/gu, '?')))

  await check(fc.asyncProperty(endpointArb, connectionArb, ipArb, idArb, queryArb, async (endpoint, conn, ip, id, query) => {
    const connectionId = conn === 'mine' ? env.connectionId : conn === 'pending' ? env.pendingId : conn === 'foreign' ? env.foreignId : conn
    const headers: Record<string, string> = { ...env.c.auth }
    if (conn !== 'absent') headers['connection-id'] = connectionId
    if (ip !== undefined) headers['tl-user-ip'] = ip
    const pathId = id === 'mine' ? (endpoint === 'user-info' ? env.connectionId : env.accountId) : id === 'foreign' ? (endpoint === 'user-info' ? env.foreignId : env.foreignAccountId) : encode(id)
    const url = endpoint === 'connected-accounts'
      ? `/v3/connected-accounts${query}`
      : endpoint === 'user-info'
        ? `/v3/data-connections/${pathId}/user-info${query}`
        : endpoint === 'balance'
          ? `/v3/connected-accounts/${pathId}/balance${query}`
          : `/v3/connected-accounts/${pathId}/transactions/requests/${encode(String(id))}${query}`
    const what = `GET ${url.slice(0, 200)} headers ${JSON.stringify(headers).slice(0, 200)}`
    const res = await env.h.inject({ method: 'GET', url, headers })
    // Success only for this client's own authorised connection (and its own account).
    const own = endpoint === 'user-info'
      ? pathId === env.connectionId
      : conn !== 'absent' && connectionId === env.connectionId && (endpoint === 'connected-accounts' || pathId === env.accountId)
    if (res.statusCode === 200) assert.ok(own, `${what}: 200 for something that is not this client's own`)
    else assertProblem(res, what)
  }))
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import {
  type Body, deepNestingArb, HOSTILE_STRINGS, getAt, memberPaths, nested, objectPaths, oddStringArb, rawJson, updateAt,
  validCreateArb, withMembers, wrongTypeArb,
} from './create-body.arbitrary.ts'
import { assertAnswered, assertProblem, check } from './fuzz.assertions.ts'

/**
 * Property tests of POST /v3/data-connections: every valid body is accepted and stored as sent; everything else —
 * wrong types, unknown members, huge or odd strings, duplicate and `__proto__` keys, deep nesting, any JSON, any
 * text, any content type, any headers — is refused with a well-formed problem, never a 5xx, and stores nothing.
 */

async function setup (t: Parameters<typeof buildTestApp>[0]): Promise<{ h: TestApp, c: TestClient, count: () => Promise<number> }> {
  const h = await buildTestApp(t)
  const c = await h.client()
  const count = async () => Number((await h.deps.db.selectFrom('connections').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  return { h, c, count }
}

function post (h: TestApp, c: TestClient, payload: string, headers: Record<string, string> = {}) {
  return h.inject({
    method: 'POST',
    url: '/v3/data-connections',
    headers: { ...c.auth, 'content-type': 'application/json', ...headers },
    payload,
  })
}

/** Sends raw text; the answer is a 201 that stored one connection, or a well-formed refusal that stored none. */
async function sendAndAccount (
  env: { h: TestApp, c: TestClient, count: () => Promise<number> }, payload: string, what: string, headers: Record<string, string> = {},
): Promise<boolean> {
  const before = await env.count()
  const res = await post(env.h, env.c, payload, headers)
  const accepted = assertAnswered(res, 201, what)
  assert.equal(await env.count(), before + (accepted ? 1 : 0), `${what}: ${accepted ? 'one connection stored' : 'nothing stored'} (${res.statusCode})`)
  return accepted
}

test('every valid create-connection body is accepted, answered per its configuration and stored as sent', async (t) => {
  const env = await setup(t)
  await check(fc.asyncProperty(validCreateArb, async ({ configuration, body, status }) => {
    const before = await env.count()
    const res = await post(env.h, env.c, JSON.stringify(body), { 'tl-user-ip': '198.51.100.4' })
    assert.equal(res.statusCode, 201, `configuration ${configuration}: ${res.body.slice(0, 800)}\nbody: ${JSON.stringify(body)}`)
    const created = res.json()
    assert.equal(created.status, status)
    assert.equal(await env.count(), before + 1)
    if (status === 'authorization_required') assert.match(created.hosted_page.uri, /^http:\/\/ledgerite\.test\//)
    else assert.ok(['redirect', 'provider_selection'].includes(created.authorization_flow.actions.next.type))
    const user = body.user as Record<string, string>
    if (user.id !== undefined) assert.equal(created.user.id, user.id, 'user.id is kept when given')

    // Read back (extension): what was sent is what is stored, byte for byte.
    const got = await env.h.inject({ method: 'GET', url: `/v3/data-connections/${created.id}`, headers: env.c.auth })
    assert.equal(got.statusCode, 200, got.body)
    const view = got.json()
    assert.equal(view.user.name, user.name)
    assert.equal(view.user.email, user.email)
    assert.equal(view.user.phone, user.phone)
    assert.deepEqual(new Set(view.scopes), new Set(body.scopes as string[]))
    if (body.metadata && Object.keys(body.metadata as object).length > 0) assert.deepEqual(view.metadata, body.metadata)
    assert.equal(view.data_access_type, body.data_access_type ?? 'recurring')
  }))
})

/** Paths whose value the body may not lose: required at the root, or required inside the object that holds them. */
const REQUIRED = new Set(['scopes', 'provider_selection', 'user', 'user_consent', 'provider_selection.type', 'user_consent.type',
  'provider_selection.provider_id', 'user_consent.captured_at', 'hosted_page.type', 'hosted_page.return_uri', 'authorization_flow.redirect',
  'authorization_flow.redirect.return_uri', 'user.name'])

/** Every member name the request schema documents somewhere (an added member with one of these might be valid). */
const DOCUMENTED_MEMBERS = new Set(['scopes', 'provider_selection', 'user', 'metadata', 'user_consent', 'hosted_page', 'authorization_flow',
  'data_access_type', 'type', 'provider_id', 'filter', 'countries', 'release_channel', 'customer_segments', 'provider_ids', 'excludes', 'id',
  'name', 'email', 'phone', 'captured_at', 'return_uri', 'country_code', 'language_code', 'redirect'])

test('a valid body broken in one place is refused with a problem naming a field, and nothing is stored', async (t) => {
  const env = await setup(t)
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('wrong-type' as const), pick: fc.nat(), seed: fc.nat() }),
    fc.record({ kind: fc.constant('unknown-member' as const), pick: fc.nat(), name: fc.oneof(fc.constantFrom('redirect', 'return_url', 'Scopes', 'id', 'status', 'extra'), fc.string({ minLength: 1, maxLength: 12 })) }),
    fc.record({ kind: fc.constant('huge-string' as const), pick: fc.nat(), size: fc.integer({ min: 2049, max: 70_000 }) }),
  )
  await check(fc.asyncProperty(validCreateArb, mutation, async ({ body }, m) => {
    let broken: unknown
    let what: string
    if (m.kind === 'drop') {
      const paths = memberPaths(body).filter((p) => REQUIRED.has(p.join('.')))
      const p = paths[m.pick % paths.length]!
      broken = updateAt(body, p, () => undefined)
      what = `without ${p.join('.')}`
    } else if (m.kind === 'wrong-type') {
      // Members inside metadata may hold any string; everywhere else the type is fixed.
      const paths = memberPaths(body).filter((p) => !(p[0] === 'metadata' && p.length > 1))
      const p = paths[m.pick % paths.length]!
      const old = getAt(body, p)
      const [replacement] = fc.sample(wrongTypeArb(old), { numRuns: 1, seed: m.seed })
      broken = updateAt(body, p, () => replacement)
      what = `${p.join('.')} = ${JSON.stringify(replacement)?.slice(0, 80)}`
    } else if (m.kind === 'unknown-member') {
      const paths = objectPaths(body).filter((p) => p[0] !== 'metadata')
      const p = paths[m.pick % paths.length]!
      const existing = Object.keys(getAt(body, p) as object)
      const name = existing.includes(m.name) || DOCUMENTED_MEMBERS.has(m.name) || m.name === '__proto__' ? `${m.name}_x` : m.name
      broken = updateAt(body, p, (o) => ({ ...(o as object), [name]: 'surprise' }))
      what = `unknown member ${[...p, name].join('.')}`
    } else {
      // Every string member has a bound, except ids in filter.excludes (any id may be excluded; see the report).
      const paths = memberPaths(body).filter((p) => typeof getAt(body, p) === 'string' && p.slice(0, 4).join('.') !== 'provider_selection.filter.excludes.provider_ids')
      const p = paths[m.pick % paths.length]!
      broken = updateAt(body, p, () => 'é'.repeat(m.size))
      what = `${p.join('.')} of ${m.size} characters`
    }
    const before = await env.count()
    const res = await post(env.h, env.c, JSON.stringify(broken), { 'tl-user-ip': '198.51.100.4' })
    const problem = assertProblem(res, `${what}\nbody: ${JSON.stringify(broken).slice(0, 600)}`)
    assert.ok([400, 413].includes(res.statusCode), `${what}: ${res.statusCode}`)
    if (res.statusCode === 400) assert.ok(problem.errors, `${what}: the problem names the field`)
    assert.equal(await env.count(), before, `${what}: nothing stored`)
  }))
})

/** What the odd-strings property checks, for one body, one member and one string. */
async function oddStringCase (env: Awaited<ReturnType<typeof setup>>, body: Body, p: string[], odd: string): Promise<void> {
  const changed = updateAt(body, p, () => odd) as Body
  const what = `${p.join('.')} = ${JSON.stringify(odd).slice(0, 120)}`
  const before = await env.count()
  const res = await post(env.h, env.c, JSON.stringify(changed), { 'tl-user-ip': '198.51.100.4' })
  const accepted = assertAnswered(res, 201, what)
  assert.equal(await env.count(), before + (accepted ? 1 : 0), `${what}: rows`)
  if (accepted && (p[0] === 'user' || p[0] === 'metadata') && p.length === 2 && !(p[0] === 'user' && p[1] === 'id')) {
    const view = (await env.h.inject({ method: 'GET', url: `/v3/data-connections/${res.json().id}`, headers: env.c.auth })).json()
    const stored = p[0] === 'user' ? view.user[p[1]!] : view.metadata?.[p[1]!]
    assert.equal(stored, odd, `${what}: stored as sent`)
  }
}

test('every hostile string in every free-text member: stored intact when accepted, a problem otherwise, never a 5xx', async (t) => {
  // The deterministic companion of the property below: NUL, unpaired surrogates, bidi overrides, markup, … each
  // tried in the user's name, email, phone and id and in a metadata value.
  const env = await setup(t)
  const body: Body = {
    scopes: ['accounts'], provider_selection: { type: 'user_selected' },
    user: { id: 'u-1', name: 'Jane Smith', email: 'jane@example.com', phone: '+447700900000' },
    user_consent: { type: 'authorization_flow_captured' }, metadata: { note: 'x' },
    hosted_page: { type: 'authorization_flow', return_uri: 'https://your-app.com/callback' },
  }
  const problems: string[] = []
  for (const p of [['user', 'name'], ['user', 'email'], ['user', 'phone'], ['user', 'id'], ['metadata', 'note']]) {
    for (const odd of HOSTILE_STRINGS) {
      try {
        await oddStringCase(env, body, p, odd)
      } catch (err) {
        problems.push((err as Error).message.split('\n')[0]!)
      }
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'))
})

test('odd strings anywhere are answered (stored intact when accepted, refused with a problem otherwise), never a 5xx', async (t) => {
  const env = await setup(t)
  await check(fc.asyncProperty(validCreateArb, fc.nat(), oddStringArb, async ({ body }, pick, odd) => {
    const paths = memberPaths(body).filter((p) => typeof getAt(body, p) === 'string')
    await oddStringCase(env, body, paths[pick % paths.length]!, odd)
  }))
})

test('duplicate keys, __proto__ and constructor.prototype in the JSON text: answered, never a 5xx, never polluting', async (t) => {
  const env = await setup(t)
  const injection = fc.oneof(
    fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }),
    fc.record({ kind: fc.constant('__proto__' as const), pick: fc.nat(), value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ polluted: 'yes', isAdmin: true })) }),
    fc.record({ kind: fc.constant('constructor' as const), pick: fc.nat(), value: fc.constant({ prototype: { polluted: 'yes' } }) }),
  )
  await check(fc.asyncProperty(validCreateArb, injection, fc.nat(), async ({ body }, inj, position) => {
    const objects = objectPaths(body)
    const path = objects[inj.pick % objects.length]!
    const here = getAt(body, path) as Record<string, unknown>
    const keys = Object.keys(here)
    const name = inj.kind === 'duplicate' ? (keys.length ? keys[inj.pick % keys.length]! : 'scopes') : inj.kind
    const text = rawJson(withMembers(body, path, [[name, inj.value]], position % (keys.length + 1)))
    const what = `${inj.kind} ${[...path, name].join('.')}: ${text.slice(0, 400)}`
    const accepted = await sendAndAccount(env, text, what)
    // A later member of the same name wins in JSON.parse, so an injected key shadowed by one is harmless.
    if ((inj.kind === '__proto__' || inj.kind === 'constructor') && !keys.includes(inj.kind)) {
      // Fastify refuses these keys outright (onProtoPoisoning/onConstructorPoisoning: 'error').
      assert.equal(accepted, false, `${what}: refused`)
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype untouched')
  }))
})

test('any JSON value, any text, deep nesting and any content type: a problem, never a 5xx, nothing stored', async (t) => {
  const env = await setup(t)
  const contentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1',
    'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx',
    'APPLICATION/JSON', 'application/problem+json', '', 'garbage')
  const payload = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.anything({ maxDepth: 3 }).map((v) => { try { return JSON.stringify(v) ?? 'undefined' } catch { return String(v) } }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom('', ' ', '{', '}', '{"scopes": ["accounts", "transactions",]}', 'null', '[]', '{}', '"str"', '0', '\ufeff{}', '{"a":1}{"b":2}', 'NaN', '{\'a\':1}'),
    deepNestingArb.map(({ depth, kind, member }) => `{"${member}":${nested(depth, kind)}}`),
    deepNestingArb.map(({ depth, kind }) => nested(depth, kind)),
    fc.integer({ min: 64 * 1024 - 100, max: 64 * 1024 + 100 }).map((n) => JSON.stringify({ scopes: ['accounts'], pad: 'x'.repeat(n) })),
  )
  await check(fc.asyncProperty(payload, contentTypes, async (text, contentType) => {
    const what = `content-type ${JSON.stringify(contentType)}, body ${JSON.stringify(text.slice(0, 200))}… (${text.length} chars)`
    const before = await env.count()
    const res = await post(env.h, env.c, text, contentType ? { 'content-type': contentType } : { 'content-type': '' })
    assertProblem(res, what)
    assert.equal(await env.count(), before, `${what}: nothing stored`)
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase()
    // Not JSON → 415; except that text no database can store (NUL, an unpaired surrogate) is refused as such (400)
    // by the guard every request passes first, whatever its content type.
    const unstorable = text.includes('\u0000') || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)
    if (mediaType && mediaType !== 'application/json' && !mediaType.endsWith('+json') && text.length > 0 && text.length < 64 * 1024 && !unstorable) {
      assert.equal(res.statusCode, 415, `${what}: not JSON → 415`)
    }
  }))
})

test('any Authorization, Tl-User-IP and X-Device-User-Agent headers: answered, never a 5xx', async (t) => {
  const env = await setup(t)
  const headerText = fc.string({ unit: 'binary-ascii', maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''))
  const authArb = fc.oneof(
    fc.constant<'valid' | 'none'>('valid'), fc.constant<'valid' | 'none'>('none'),
    headerText, headerText.map((s) => `Bearer ${s}`),
    fc.nat().map((n) => `tamper:${n}`),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer x.y.z', 'Bearer a.b.c', 'Bearer ....', `Bearer ${'a'.repeat(8000)}`),
  )
  const ipArb = fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), headerText, fc.constantFrom('1.2.3.4, 5.6.7.8', ' 10.0.0.1 ', '999.1.1.1', '::1', 'localhost', '')), { nil: undefined })
  const uaArb = fc.option(fc.oneof(headerText, fc.integer({ min: 1000, max: 12_000 }).map((n) => 'M'.repeat(n))), { nil: undefined })
  await check(fc.asyncProperty(validCreateArb, authArb, ipArb, uaArb, async ({ body }, auth, ip, ua) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    let expectAuthorised = false
    if (auth === 'valid') { headers.authorization = env.c.auth.authorization; expectAuthorised = true }
    else if (auth.startsWith('tamper:')) {
      const token = env.c.token
      // Not the last character: in base64url it carries padding bits, and changing only those leaves the
      // signature's bytes — and so the token — the same.
      const i = Number(auth.slice(7)) % (token.length - 1)
      const flipped = token[i] === 'A' ? 'B' : 'A'
      headers.authorization = `Bearer ${token.slice(0, i)}${flipped}${token.slice(i + 1)}`
      expectAuthorised = token.slice(0, i) + flipped + token.slice(i + 1) === token
    } else if (auth !== 'none') headers.authorization = auth
    if (ip !== undefined) headers['tl-user-ip'] = ip
    if (ua !== undefined) headers['x-device-user-agent'] = ua
    const what = `headers ${JSON.stringify(headers).slice(0, 300)}`
    const before = await env.count()
    const res = await env.h.inject({ method: 'POST', url: '/v3/data-connections', headers, payload: JSON.stringify(body) })
    const accepted = assertAnswered(res, 201, what)
    assert.equal(await env.count(), before + (accepted ? 1 : 0), `${what}: rows`)
    if (!expectAuthorised) assert.equal(res.statusCode, 401, `${what}: no valid token → 401`)
  }))
})

test('the page\'s full example, as written, is refused naming the JSON error', async (t) => {
  const env = await setup(t)
  const full = '{"provider_selection":{"type":"user_selected","filter":{"countries":["GB"],"release_channel":"public","customer_segments":["retail"]}},' +
    '"hosted_page":{"type":"authorization_flow","redirect":{"return_uri":"https://yourapp.com/callback"}},"scopes":["accounts","transactions",],' +
    '"user":{"name":"Jane Smith","email":"jane@example.com","phone":"+447700900000"},"user_consent":{"type":"authorization_flow_captured"},"data_access_type":"recurring"}'
  const before = await env.count()
  const res = await post(env.h, env.c, full)
  const problem = assertProblem(res, 'the full example as written')
  assert.equal(res.statusCode, 400)
  assert.match(String(problem.detail), /JSON/)
  assert.equal(await env.count(), before)
})

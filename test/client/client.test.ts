import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LedgeriteClient, LedgeriteProblem, verifyWebhook, WebhookVerificationError } from '../../src/client/index.ts'
import { startReceiver } from '../webhooks/receiver.ts'
import { clientFor, listeningApp, RETURN_URI } from './client-kit.ts'

const CONFIG_5 = {
  scopes: ['accounts', 'transactions'] as Array<'accounts' | 'transactions'>,
  provider_selection: { type: 'preselected' as const, provider_id: 'ob-monzo' },
  user: { name: 'Jane Smith', email: 'jane.smith@example.com' },
  user_consent: { type: 'precaptured' as const, captured_at: '2025-01-01T12:00:00Z' },
  authorization_flow: { redirect: { return_uri: RETURN_URI } },
}

test('the token is fetched once, shared by concurrent calls, and reused until shortly before it expires', async (t) => {
  const h = await listeningApp(t)
  const tokenCalls: string[] = []
  const counting: typeof fetch = async (input, init) => {
    if (String(input).endsWith('/connect/token')) tokenCalls.push(String(init?.body))
    return fetch(input, init)
  }
  const { api } = await clientFor(h, {}, counting)
  await Promise.all([api.connections.list(), api.connections.list(), api.sandbox.clock()])
  await api.connections.list()
  assert.equal(tokenCalls.length, 1)
  assert.match(tokenCalls[0]!, /grant_type=client_credentials/)
  assert.match(tokenCalls[0]!, /scope=data/)

  // A token about to expire is not reused: here the server's answer is rewritten to expires_in 0.
  const { registered } = await clientFor(h, { name: 'short-lived' })
  const shortLived: typeof fetch = async (input, init) => {
    const res = await counting(input, init)
    if (!String(input).endsWith('/connect/token')) return res
    const body = await res.json() as Record<string, unknown>
    return new Response(JSON.stringify({ ...body, expires_in: 0 }), { status: res.status, headers: res.headers })
  }
  const renewing = new LedgeriteClient({ baseUrl: h.baseUrl, clientId: registered.id, clientSecret: registered.secret, fetch: shortLived })
  const before = tokenCalls.length
  await renewing.connections.list()
  await renewing.connections.list()
  assert.equal(tokenCalls.length, before + 2)
})

test('refusals reject with LedgeriteProblem: the problem fields, the field errors, and OAuth errors of the token endpoint', async (t) => {
  const h = await listeningApp(t)
  const { api, registered } = await clientFor(h)

  const notFound = await api.connections.get('0a6273a0-0314-4db6-800a-e66225fbe9f7').catch((e: unknown) => e)
  assert.ok(notFound instanceof LedgeriteProblem)
  assert.equal(notFound.status, 404)
  assert.equal(notFound.type, 'https://docs.truelayer.com/docs/error-types#not-found')
  assert.equal(notFound.title, 'Not Found')
  assert.match(notFound.trace_id, /^[0-9a-f]{32}$/)
  assert.equal(notFound.request, 'GET /v3/data-connections/0a6273a0-0314-4db6-800a-e66225fbe9f7')
  assert.deepEqual(Object.keys(notFound.toJSON()).sort(), ['detail', 'status', 'title', 'trace_id', 'type'])

  const invalid = await api.connections.create({ ...CONFIG_5, scopes: [] }).catch((e: unknown) => e)
  assert.ok(invalid instanceof LedgeriteProblem)
  assert.equal(invalid.status, 400)
  assert.equal(invalid.title, 'Invalid Parameters')
  assert.ok(invalid.errors?.scopes?.length)

  const badClock = await api.sandbox.advanceClock('P1M').catch((e: unknown) => e)
  assert.ok(badClock instanceof LedgeriteProblem)
  assert.match(badClock.errors?.by?.[0] ?? '', /months/)

  const wrongSecret = new LedgeriteClient({ baseUrl: h.baseUrl, clientId: registered.id, clientSecret: 'not-the-secret' })
  const oauth = await wrongSecret.connections.list().catch((e: unknown) => e)
  assert.ok(oauth instanceof LedgeriteProblem)
  assert.equal(oauth.status, 401)
  assert.equal(oauth.title, 'invalid_client')
  assert.equal(oauth.type, 'urn:ietf:params:oauth:error:invalid_client')
})

test('connections: create, get, list, revoke; 5b provider selection; sandbox clock reset; redelivery', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await listeningApp(t)
  const { api } = await clientFor(h, { webhookUri: rx.url, webhookExtensionEvents: ['connection_revoked'] })

  const a = await api.connections.create(CONFIG_5)
  const b = await api.connections.create({
    ...CONFIG_5,
    provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
  })
  assert.equal(b.status, 'authorizing')
  if (b.status !== 'authorizing') return
  assert.equal(b.authorization_flow.actions.next.type, 'provider_selection')
  const chosen = await api.connections.selectProvider(b.id, 'ob-monzo')
  assert.equal(chosen.authorization_flow.actions.next.type, 'redirect')
  assert.match(chosen.authorization_flow.actions.next.uri, /\/model-bank\/ob-monzo\//)

  const list = await api.connections.list({ limit: 1 })
  assert.equal(list.items.length, 1)
  assert.equal(list.items[0]!.id, b.id, 'newest first')
  assert.ok(list.pagination.next_cursor)
  const rest = await api.connections.list({ limit: 1, cursor: list.pagination.next_cursor! })
  assert.equal(rest.items[0]!.id, a.id)

  await api.sandbox.authorize(a.id, { outcome: 'authorized' })
  await api.connections.revoke(a.id)
  assert.equal((await api.connections.get(a.id)).status, 'revoked')

  await api.sandbox.advanceClock('PT1H')
  assert.equal((await api.sandbox.resetClock()).offset_seconds, 0)

  await h.deps.workers.runAll()
  const log = await api.webhooks.deliveries({ type: 'connection_revoked' })
  assert.equal(log.items.length, 1)
  const again = await api.webhooks.redeliver(log.items[0]!.event_id)
  assert.equal(again.status, 'pending')
  await h.deps.workers.runAll()
  assert.deepEqual(rx.received.filter((r) => r.event.type === 'connection_revoked').map((r) => r.event.event_id), [again.event_id, again.event_id])
})

test('verifyWebhook accepts a genuine delivery and refuses a changed body, another path, a foreign jku, missing headers and stale timestamps', async (t) => {
  const rx = await startReceiver('/hooks/x')
  t.after(() => rx.close())
  const h = await listeningApp(t)
  const { api } = await clientFor(h, { webhookUri: rx.url })
  const created = await api.connections.create(CONFIG_5)
  await api.sandbox.authorize(created.id, { outcome: 'failed', failure_reason: 'provider_rejected' })
  await h.deps.workers.runAll()
  const r = rx.received[0]!
  const jwks = await api.webhooks.jwks()
  const good = { headers: r.headers, body: r.body, path: r.path, jwks, allowedJkus: [api.webhooks.jku()] }

  const event = verifyWebhook(good)
  assert.equal(event.type, 'connection_failed')
  assert.equal(event.connection_id, created.id)
  // A fetch Headers object and JWKS as text work too.
  const fetchHeaders = new Headers(Object.entries(r.headers).filter((e): e is [string, string] => typeof e[1] === 'string'))
  assert.equal(verifyWebhook({ ...good, headers: fetchHeaders, jwks: JSON.stringify(jwks) }).event_id, event.event_id)

  const refuses = (input: Parameters<typeof verifyWebhook>[0], why: RegExp) =>
    assert.throws(() => verifyWebhook(input), (err: unknown) => err instanceof WebhookVerificationError && why.test(err.message))
  refuses({ ...good, body: r.body.replace('provider_rejected', 'user_cancelled') }, /not valid/)
  refuses({ ...good, path: '/hooks/y' }, /not valid/)
  refuses({ ...good, allowedJkus: ['https://webhooks.truelayer.com/.well-known/jwks'] }, /jku/)
  refuses({ ...good, headers: { ...r.headers, 'tl-signature': undefined } }, /Tl-Signature/)
  refuses({ ...good, headers: { ...r.headers, 'x-tl-webhook-timestamp': undefined } }, /Timestamp/)
  refuses({ ...good, maxAgeSeconds: 60, now: new Date(Date.now() + 3_600_000) }, /more than 60 s/)
})

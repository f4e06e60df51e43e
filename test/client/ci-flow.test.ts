import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Account, type ConnectionAuthorizedEvent, LedgeriteProblem, verifyWebhook, type WebhookEvent } from '../../src/client/index.ts'
import { startReceiver } from '../webhooks/receiver.ts'
import { clientFor, listeningApp, RETURN_URI } from './client-kit.ts'

/**
 * The flow a user's CI runs, end to end over real HTTP with the typed client and background workers on: token →
 * create → sandbox authorise → webhook received and verified → accounts → transactions → advance 90 days →
 * expired. No browser; no wait longer than one poll.
 */
test('CI flow: token, create, sandbox authorise, verified webhooks, accounts, transactions, 90 days later expired', async (t) => {
  const rx = await startReceiver('/hooks/ledgerite')
  t.after(() => rx.close())
  const h = await listeningApp(t)
  h.deps.workers.start()
  const { api } = await clientFor(h, { name: 'ci', webhookUri: rx.url, webhookExtensionEvents: ['connection_expired'] })

  // The receiver's side: allow-list Ledgerite's jku, fetch its key set, verify every delivery.
  const jwks = await api.webhooks.jwks()
  const events: WebhookEvent[] = []
  const nextEvent = async (type: WebhookEvent['type']): Promise<WebhookEvent> => {
    for (let i = 0; ; i++) {
      while (events.length < rx.received.length) {
        const r = rx.received[events.length]!
        events.push(verifyWebhook({ headers: r.headers, body: r.body, path: r.path, jwks, allowedJkus: [api.webhooks.jku()], maxAgeSeconds: 300 }))
      }
      const found = events.find((e) => e.type === type)
      if (found) return found
      if (i > 200) throw new Error(`no ${type} webhook; got ${events.map((e) => e.type).join(', ') || 'none'}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  await api.sandbox.reset()
  assert.match(await api.token(), /^[\w-]+\.[\w-]+\.[\w-]+$/)

  const created = await api.connections.create({
    scopes: ['info', 'accounts', 'balance', 'transactions'],
    provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
    user: { name: 'Jane Smith', email: 'jane.smith@example.com' },
    user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
    authorization_flow: { redirect: { return_uri: RETURN_URI } },
    metadata: { order: 'ci-42' },
  })
  assert.equal(created.status, 'authorizing')

  const authorized = await api.sandbox.authorize(created.id, { outcome: 'authorized' })
  assert.equal(authorized.status, 'authorized')
  const hook = await nextEvent('connection_authorized') as ConnectionAuthorizedEvent
  assert.equal(hook.connection_id, created.id)
  assert.deepEqual(hook.metadata, { order: 'ci-42' })

  assert.equal((await api.data.userInfo(created.id)).name.length > 0, true)
  const accounts = await api.data.accounts(created.id, { type: 'account' })
  const account = accounts.items.find((a): a is Account => a.type === 'account')
  assert.ok(account, 'at least one account')
  const balance = await api.data.balance(created.id, account.id)
  assert.equal(balance.currency, account.currency)

  const today = (await api.sandbox.clock()).now.slice(0, 10)
  const monthAgo = new Date(Date.parse(today) - 30 * 86_400_000).toISOString().slice(0, 10)
  const request = await api.data.createTransactionsRequest(created.id, account.id, { from: monthAgo, to: today, page_size: 100 })
  assert.equal(request.status, 'pending')
  const done = await api.data.waitForTransactions(created.id, account.id, request.id, { intervalMs: 50 })
  assert.equal(done.status, 'completed')
  if (done.status === 'completed') {
    assert.ok(done.result.items.length > 0, 'a month of transactions')
    for (const tx of done.result.items) assert.equal(tx.currency, account.currency)
  }
  const completed = await nextEvent('transactions_request_completed')
  assert.equal(completed.type === 'transactions_request_completed' && completed.request_id, request.id)

  const clock = await api.sandbox.advanceClock('P90D')
  assert.equal(clock.offset_seconds, 90 * 86_400)
  assert.equal((await api.connections.get(created.id)).status, 'expired')
  await assert.rejects(api.data.accounts(created.id), (err: unknown) => {
    assert.ok(err instanceof LedgeriteProblem)
    assert.equal(err.status, 403)
    assert.equal(err.title, 'Forbidden')
    assert.ok(err.trace_id)
    return true
  })
  const expired = await nextEvent('connection_expired')
  assert.equal(expired.connection_id, created.id)

  // The receiver has answered; the dispatcher records that a moment later.
  let delivered = new Set<string>()
  for (let i = 0; i < 100 && delivered.size < 3; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50))
    const log = await api.webhooks.deliveries()
    delivered = new Set(log.items.filter((d) => d.status === 'delivered').map((d) => d.type))
  }
  assert.deepEqual([...delivered].sort(), ['connection_authorized', 'connection_expired', 'transactions_request_completed'])
  assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, 'each event once (the receiver answered 200 every time)')
})

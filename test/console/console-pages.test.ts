import assert from 'node:assert/strict'
import { test } from 'node:test'
import { authorizeConnection } from '../../src/modules/connections/connection.lifecycle.ts'
import { addConnectionEvent } from '../../src/modules/connections/connection.repository.ts'
import { findClient } from '../../src/modules/auth/client.repository.ts'
import type { ProviderAdapter } from '../../src/modules/providers/provider-adapter.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { receiver, seedConnection, signIn } from './console-helpers.ts'

const XSS = '<script>alert(1)</script>'

test('client name, user name and metadata are escaped on every page', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ name: `Acme ${XSS} & "Co"` })
  const id = await seedConnection(h, c.id, {
    user_name: `<img src=x onerror=alert(2)>`,
    user_email: `x"onmouseover="alert(3)@example.com`,
    metadata: JSON.stringify({ [`k${XSS}`]: `v"><svg onload=alert(4)>`, order: '&amp;literal' }),
  })
  const b = await signIn(h, c)
  for (const url of ['/console/connections', `/console/connections/${id}`, '/console/settings', '/console/webhooks']) {
    const res = await b.get(url)
    assert.equal(res.statusCode, 200, url)
    assert.ok(!res.body.includes('<script>'), `${url}: no live script element`)
    assert.ok(!res.body.includes('<img src=x'), `${url}: no live img element`)
    assert.ok(!res.body.includes('<svg onload'), `${url}: no live svg element`)
    assert.ok(res.body.includes('Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;'), `${url}: client name shown, escaped`)
  }
  const detail = (await b.get(`/console/connections/${id}`)).body
  assert.ok(detail.includes('&lt;img src=x onerror=alert(2)&gt;'), 'user name shown escaped')
  assert.ok(detail.includes('x&quot;onmouseover=&quot;alert(3)@example.com'), 'email shown escaped')
  assert.ok(detail.includes('k&lt;script&gt;alert(1)&lt;/script&gt;'), 'metadata key escaped')
  assert.ok(detail.includes('v&quot;&gt;&lt;svg onload=alert(4)&gt;'), 'metadata value escaped')
  assert.ok(detail.includes('&amp;amp;literal'), 'an entity in metadata is shown as typed, not decoded')
  const list = (await b.get('/console/connections')).body
  assert.ok(list.includes('&lt;img src=x onerror=alert(2)&gt;'), 'user name escaped in the list')
})

test('redirect URIs: add and remove through the form, each validated like the CLI', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ redirectUris: ['https://your-app.com/callback'] })
  const b = await signIn(h, c)
  await b.get('/console/settings')

  const added = await b.post('/console/settings/redirect-uris', { redirect_uri: '  https://app.example.com/return  ' })
  assert.equal(added.statusCode, 303)
  assert.equal(added.headers.location, '/console/settings?notice=redirect_uri_added')
  assert.deepEqual((await findClient(h.deps.db, c.id))!.redirectUris, ['https://your-app.com/callback', 'https://app.example.com/return'])
  const page = await b.get(added.headers.location as string)
  assert.match(page.body, /Redirect URI added\./)
  assert.match(page.body, /<code>https:\/\/app\.example\.com\/return<\/code>/)

  const bad: Array<[string, RegExp]> = [
    ['not a url', /redirect_uri must be an absolute URL/],
    ['ftp://files.example.com/cb', /redirect_uri must be an http\(s\) URL/],
    ['https://app.example.com/cb#frag', /redirect_uri must not contain a fragment/],
    ['   ', /redirect_uri must not be empty/],
    [`javascript:alert(1)//${XSS}`, /redirect_uri must be an http\(s\) URL/],
  ]
  for (const [uri, message] of bad) {
    const res = await b.post('/console/settings/redirect-uris', { redirect_uri: uri })
    assert.equal(res.statusCode, 400, uri)
    assert.match(res.body, message, uri)
    assert.ok(!res.body.includes('<script>'), 'the rejected input is echoed escaped')
  }
  const tooLong = await b.post('/console/settings/redirect-uris', { redirect_uri: `https://a.example/${'x'.repeat(2100)}` })
  assert.equal(tooLong.statusCode, 400)
  assert.equal((await findClient(h.deps.db, c.id))!.redirectUris.length, 2, 'nothing invalid was stored')

  const removed = await b.post('/console/settings/redirect-uris/remove', { redirect_uri: 'https://your-app.com/callback' })
  assert.equal(removed.statusCode, 303)
  assert.deepEqual((await findClient(h.deps.db, c.id))!.redirectUris, ['https://app.example.com/return'])
  const last = await b.post('/console/settings/redirect-uris/remove', { redirect_uri: 'https://app.example.com/return' })
  assert.equal(last.statusCode, 400)
  assert.match(last.body, /only one registered/)
  const unknown = await b.post('/console/settings/redirect-uris/remove', { redirect_uri: 'https://never.example/cb' })
  assert.equal(unknown.statusCode, 400)

  const extra = await b.post('/console/settings/redirect-uris', { redirect_uri: 'https://x.example/', unexpected: '1' })
  assert.equal(extra.statusCode, 400, 'unknown form fields are refused')
  assert.match(extra.body, /The form was invalid: unexpected /, 'naming the field')
  assert.match(extra.body, /class="top"/, 'in the Console\'s layout')
})

test('webhook URI: set, validated, and removed with an empty value', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const b = await signIn(h, c)
  await b.get('/console/settings')
  const bad = await b.post('/console/settings/webhook-uri', { webhook_uri: 'mailto:ops@example.com' })
  assert.equal(bad.statusCode, 400)
  assert.match(bad.body, /webhook_uri must be an http\(s\) URL/)
  const set = await b.post('/console/settings/webhook-uri', { webhook_uri: 'https://hooks.example.com/tl' })
  assert.equal(set.statusCode, 303)
  assert.equal((await findClient(h.deps.db, c.id))!.webhookUri, 'https://hooks.example.com/tl')
  assert.match((await b.get('/console/settings')).body, /id="current-webhook-uri">https:\/\/hooks\.example\.com\/tl</)
  const cleared = await b.post('/console/settings/webhook-uri', { webhook_uri: '' })
  assert.equal(cleared.statusCode, 303)
  assert.equal((await findClient(h.deps.db, c.id))!.webhookUri, null)
})

test('tenant isolation: another client\'s connection and webhook event are not found, and not listed', async (t) => {
  const h = await buildTestApp(t)
  const rx = await receiver(t, [200])
  const a = await h.client({ name: 'alpha', webhookUri: rx.url })
  const other = await h.client({ name: 'beta', webhookUri: rx.url })
  const aConn = await seedConnection(h, a.id, { status: 'authorizing', user_name: 'Alice Only' })
  await authorizeConnection(h.deps.db, a.id, aConn, new Date(), { accountIds: [], providerId: 'mock', providerState: null })
  const aEvent = (await h.deps.db.selectFrom('webhook_events').select('id').where('client_id', '=', a.id).executeTakeFirstOrThrow()).id

  const b = await signIn(h, other)
  const page = await b.get(`/console/connections/${aConn}`)
  assert.equal(page.statusCode, 404)
  assert.match(String(page.headers['content-type']), /^text\/html/)
  assert.match(page.body, /No connection with this id belongs to your client\./)
  assert.equal((await b.get('/console/connections/not-a-uuid')).statusCode, 404)
  const list = await b.get('/console/connections')
  assert.ok(!list.body.includes(aConn) && !list.body.includes('Alice Only'))
  const log = await b.get('/console/webhooks')
  assert.ok(!log.body.includes(aEvent))
  await b.get('/console/webhooks')
  const redeliver = await b.post(`/console/webhooks/${aEvent}/redeliver`, {})
  assert.equal(redeliver.statusCode, 404)

  // The owner sees both.
  const owner = await signIn(h, a)
  assert.equal((await owner.get(`/console/connections/${aConn}`)).statusCode, 200)
  assert.ok((await owner.get('/console/webhooks')).body.includes(aEvent))
})

test('connections are listed newest first with status, provider and times, 20 to a page, none lost to equal times', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const base = Date.parse('2026-05-01T10:00:00.000Z')
  const made: Array<{ id: string, at: string }> = []
  for (let i = 0; i < 23; i++) {
    // Pairs share a creation time, so a page boundary falls between two connections made in the same millisecond.
    const at = new Date(base + Math.floor(i / 2) * 60_000).toISOString()
    made.push({ at, id: await seedConnection(h, c.id, {
      created_at: at,
      updated_at: at,
      user_name: `User ${i}`,
      ...(i === 22 ? { status: 'authorized', provider_id: 'ob-monzo', authorized_at: new Date(base + 11 * 60_000 + 5000).toISOString() } : {}),
    }) })
  }
  const expected = [...made].sort((x, y) => (x.at !== y.at ? (x.at < y.at ? 1 : -1) : (x.id < y.id ? 1 : -1))).map((m) => m.id)
  const b = await signIn(h, c)
  const first = await b.get('/console/connections')
  const ids = [...first.body.matchAll(/href="\/console\/connections\/([0-9a-f-]{36})"/g)].map((m) => m[1])
  assert.deepEqual(ids, expected.slice(0, 20))
  assert.match(first.body, /status-authorized">authorized</)
  assert.match(first.body, /Monzo \(ob-monzo\)/)
  assert.match(first.body, /2026-05-01 10:11:05 UTC/, 'authorised time')
  assert.match(first.body, /2026-05-01 10:11:00 UTC/, 'created time')
  const older = /href="(\/console\/connections\?after=[^"]+)" rel="next"/.exec(first.body)
  assert.ok(older, 'a link to older connections')
  const second = await b.get(older[1]!.replaceAll('&amp;', '&'))
  const ids2 = [...second.body.matchAll(/href="\/console\/connections\/([0-9a-f-]{36})"/g)].map((m) => m[1])
  assert.deepEqual(ids2, expected.slice(20))
  assert.doesNotMatch(second.body, /rel="next"/)
  assert.equal((await b.get('/console/connections?after=yesterday')).statusCode, 404)
  // The quickstart's return URI: the journey lands here with its own query parameters.
  assert.equal((await b.get(`/console/connections?connection_id=${expected[0]}&status=authorized`)).statusCode, 200)
})

/** A bank with one account: £1,000.00 today, and three settled transactions plus a pending one in the window. */
function fakeBank (): ProviderAdapter {
  const no = async (): Promise<never> => { throw new Error('not used') }
  return {
    createConsent: no, exchangeCode: no, getUserInfo: no, revoke: no,
    getAccounts: async () => [
      { id: 'acc-1', type: 'account', currency: 'GBP', account_type: 'current', display_name: 'Everyday <Current>', account_identifiers: [{ type: 'sort_code_account_number', sort_code: '040004', account_number: '12345678' }] },
      { id: 'acc-not-shared', type: 'account', currency: 'GBP', display_name: 'Not shared' },
    ],
    getBalance: async (_g, _p, accountId, asOf) => {
      assert.equal(accountId, 'acc-1')
      return { currency: 'GBP', current: 100_000, available: 100_000, overdraft: 0, update_timestamp: asOf.toISOString() }
    },
    getTransactions: async (_g, _p, _a, q) => {
      // Two pages, to prove the Console follows the cursor.
      if (!q.cursor) {
        return { items: [
          { id: 't4', timestamp: '2026-06-10T09:00:00Z', description: 'Coffee', currency: 'GBP', amount_in_minor: -500, status: 'pending' },
          { id: 't3', timestamp: '2026-06-09T09:00:00Z', description: 'Rent', currency: 'GBP', amount_in_minor: -80_000, status: 'settled' },
        ], nextCursor: 'page-2' }
      }
      return { items: [
        { id: 't2', timestamp: '2026-05-20T09:00:00Z', description: 'Salary', currency: 'GBP', amount_in_minor: 150_000, status: 'settled' },
        { id: 't1', timestamp: '2026-04-01T09:00:00Z', description: 'Shop', currency: 'GBP', amount_in_minor: -2_500, status: 'settled' },
      ], nextCursor: null }
    },
  }
}

test('a connection\'s page: timeline in order with its webhook and attempts, accounts and a balance chart', async (t) => {
  const today = new Date('2026-06-10T12:00:00.000Z')
  const h = await buildTestApp(t, {}, { now: () => today })
  h.deps.adapter = fakeBank()
  const rx = await receiver(t, [503, 200])
  const c = await h.client({ webhookUri: rx.url })
  const created = new Date('2026-06-10T11:00:00.000Z')
  const id = await seedConnection(h, c.id, { status: 'authorizing', created_at: created.toISOString(), updated_at: created.toISOString() })
  await addConnectionEvent(h.deps.db, { connectionId: id, clientId: c.id, at: created, kind: 'created' })
  await addConnectionEvent(h.deps.db, { connectionId: id, clientId: c.id, at: new Date('2026-06-10T11:01:00.000Z'), kind: 'journey:provider_selected', detail: { provider_id: 'ob-monzo' } })
  await authorizeConnection(h.deps.db, c.id, id, new Date('2026-06-10T11:02:00.000Z'), {
    accountIds: ['acc-1'], providerId: 'ob-monzo', providerState: { accessToken: 'x', consentId: 'y', accountIds: ['acc-1'], expiresAt: '2026-09-01T00:00:00Z' },
  })
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 1, 'first delivery attempt made (answered 503)')

  const b = await signIn(h, c)
  const res = await b.get(`/console/connections/${id}`)
  assert.equal(res.statusCode, 200)
  const body = res.body
  // Timeline order: created → journey step → authorised → its webhook.
  const order = ['Connection created', 'Journey provider selected', 'Status changed to authorized', 'Webhook connection_authorized'].map((s) => body.indexOf(s))
  assert.ok(order.every((i) => i > 0), `all timeline entries present: ${order}`)
  assert.deepEqual([...order].sort((x, y) => x - y), order, 'in time order')
  assert.match(body, /<code>ob-monzo<\/code>/, 'event detail shown')
  assert.match(body, /class="code bad">503</, 'the failed attempt with its status code')
  assert.match(body, /Redeliver/)
  // Accounts: only the shared one, its balance and a chart.
  assert.match(body, /Everyday &lt;Current&gt;/)
  assert.ok(!body.includes('Not shared'), 'accounts the user did not share are not shown')
  assert.match(body, /sort code 04-00-04, account 12345678/)
  assert.match(body, /class="balance">£1,000\.00</)
  assert.match(body, /<svg [^>]*role="img" aria-labelledby="chart-title-0" aria-describedby="chart-desc-0"/)
  assert.match(body, /<title id="chart-title-0">Balance of Everyday &lt;Current&gt; over the last 90 days<\/title>/)
  assert.match(body, /<path class="line" d="M[\d. ]+(L[\d. ]+){90}"\/>/, '91 daily points')
  assert.match(body, />Balance \(GBP\)</, 'y axis label')
  assert.match(body, />Date \(end of day, UTC\), 12 Mar 2026 – 10 Jun 2026</, 'x axis label')
  // 10 Jun: 1,000.00; before rent on 9 Jun: 1,800.00; before salary on 20 May: 300.00; shop on 1 Apr is in range.
  assert.match(body, /Balance went from £325\.00 on 12 Mar 2026 to £1,000\.00 on 10 Jun 2026; lowest £300\.00 on 1 Apr 2026, highest £1,800\.00 on 20 May 2026\./)

  // Redeliver from the connection page: back to it, a second attempt is made and succeeds.
  const redo = await b.post(`/console/webhooks/${/\/console\/webhooks\/([0-9a-f-]{36})\/redeliver/.exec(body)![1]}/redeliver`, { back: id })
  assert.equal(redo.statusCode, 303)
  assert.equal(redo.headers.location, `/console/connections/${id}?notice=redelivery_queued#timeline`)
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 2)
  const after = (await b.get(`/console/connections/${id}?notice=redelivery_queued`)).body
  assert.match(after, /Redelivery queued/)
  assert.match(after, /class="code ok">200</)
  assert.match(after, /status-delivered|delivery<\/span> <code>delivered/)
})

test('webhook deliveries page lists each event with its attempts; redelivery needs a webhook URI', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: null })
  const id = await seedConnection(h, c.id, { status: 'authorizing' })
  await authorizeConnection(h.deps.db, c.id, id, new Date(), { accountIds: [], providerId: 'mock', providerState: null })
  const b = await signIn(h, c)
  const page = await b.get('/console/webhooks')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<code>connection_authorized<\/code> <span class="status status-no_endpoint">no_endpoint</)
  assert.match(page.body, /No delivery attempts: no webhook URI was registered/)
  const eventId = /id="event-([0-9a-f-]{36})"/.exec(page.body)![1]!
  const refused = await b.post(`/console/webhooks/${eventId}/redeliver`, { back: 'webhooks' })
  assert.equal(refused.statusCode, 400)
  assert.match(refused.body, /No webhook URI is registered/)

  const rx = await receiver(t, [200])
  await b.get('/console/settings')
  await b.post('/console/settings/webhook-uri', { webhook_uri: rx.url })
  await b.get('/console/webhooks')
  const ok = await b.post(`/console/webhooks/${eventId}/redeliver`, { back: 'webhooks' })
  assert.equal(ok.statusCode, 303)
  assert.equal(ok.headers.location, `/console/webhooks?notice=redelivery_queued#event-${eventId}`)
  await h.deps.workers.runAll()
  assert.equal(rx.received.length, 1)
  assert.equal(JSON.parse(rx.received[0]!).event_id, eventId, 'the same event_id is sent again')
  const after = await b.get('/console/webhooks')
  assert.match(after.body, /status-delivered">delivered</)
  assert.match(after.body, /class="code ok">200</)
})

test('an account with more transactions than one page may read gets a chart of the days fully read, and says so', async (t) => {
  const asOf = new Date('2026-06-10T12:00:00.000Z')
  const h = await buildTestApp(t, {}, { now: () => asOf })
  let calls = 0
  const base = fakeBank()
  h.deps.adapter = {
    ...base,
    getAccounts: async () => [{ id: 'acc-1', type: 'account', currency: 'GBP', account_type: 'current', display_name: 'Busy' }],
    // One settled payment a minute, going back for ever: the cursor never ends.
    getTransactions: async (_g, _p, _a, q) => {
      const page = calls++
      assert.equal(q.cursor, page === 0 ? undefined : `p${page}`)
      const items = Array.from({ length: 500 }, (_, i) => {
        const n = page * 500 + i
        return { id: `t${n}`, timestamp: new Date(asOf.getTime() - (n + 1) * 60_000).toISOString(), description: 'x', currency: 'GBP' as const, amount_in_minor: -1, status: 'settled' as const }
      })
      return { items, nextCursor: `p${page + 1}` }
    },
  }
  const c = await h.client()
  const id = await seedConnection(h, c.id, { status: 'authorizing' })
  await authorizeConnection(h.deps.db, c.id, id, asOf, { accountIds: ['acc-1'], providerId: 'ob-monzo', providerState: { accessToken: 'x', consentId: 'y', accountIds: ['acc-1'], expiresAt: '2026-09-01T00:00:00Z' } })
  const b = await signIn(h, c)
  const body = (await b.get(`/console/connections/${id}`)).body
  assert.equal(calls, 40, 'reading stops at 40 pages of 500')
  // 20 000 minutes back from 10 Jun 12:00 is 27 May 14:40: 27 May is partly read, so the chart starts on 28 May.
  assert.match(body, /more than 20,000 transactions in the last 90 days, more than the Console reads for one page: the chart covers the last 13 days\./)
  assert.match(body, />Balance of Busy over the last 13 days</)
  assert.match(body, /<path class="line" d="M[\d. ]+(L[\d. ]+){13}"\/>/)
  // 10 Jun: £1,000.00 at the end of the day; 28 May ends before the 12 × 1 440 + 720 payments after it.
  assert.match(body, /Balance went from £1,180\.00 on 28 May 2026 to £1,000\.00 on 10 Jun 2026/)
})

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { findClient } from '../../src/modules/auth/client.repository.ts'
import { checkWebhookUri, DEFAULT_WEBHOOK_DESTINATIONS, parseWebhookAllowedNetworks } from '../../src/modules/webhooks/webhook.destination.ts'
import { createWebhookDispatcher } from '../../src/modules/webhooks/webhook.dispatcher.ts'
import type { Resolver } from '../../src/modules/webhooks/webhook.post.ts'
import { signIn } from '../console/console-helpers.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { runCli } from '../helpers/cli.ts'
import { raiseEvent } from './helpers.ts'
import { startReceiver } from './receiver.ts'

const CONNECTION_ID = '7d4b7a2e-9f3c-4e8b-a1d5-6c2f8e0b3a7d'
const policy = (text: string) => {
  const { policy: p, problems } = parseWebhookAllowedNetworks(text)
  assert.deepEqual(problems, [])
  return p
}

test('registration: link-local, metadata names, unspecified, multicast and non-http(s) are refused whatever the policy allows', () => {
  const everything = policy('loopback,private,public,0.0.0.0/0,::/0')
  const refused: Array<[string, RegExp]> = [
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
    ['http://[fe80::1]/', /fe80::1 is a link-local address/],
    ['http://[::ffff:169.254.169.254]/', /::ffff:a9fe:a9fe \(169\.254\.169\.254\) is a link-local address/],
    ['http://[64:ff9b::a9fe:a9fe]/', /\(169\.254\.169\.254\) is a link-local address/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata\.google\.internal is a cloud metadata service/],
    ['http://METADATA.Google.Internal./', /metadata\.google\.internal is a cloud metadata service/],
    ['http://metadata/', /metadata is a cloud metadata service/],
    ['http://instance-data/', /instance-data is a cloud metadata service/],
    ['http://0.0.0.0:8080/', /0\.0\.0\.0 is an unspecified address/],
    ['http://0/', /0\.0\.0\.0 is an unspecified address/],
    ['http://[::]/', /:: is an unspecified address/],
    ['http://224.0.0.1/', /multicast/],
    ['http://[ff02::1]/', /multicast/],
    ['http://255.255.255.255/', /reserved/],
  ]
  for (const [uri, reason] of refused) {
    const problem = checkWebhookUri(uri, everything)
    assert.match(problem ?? '', /^must not point at /, uri)
    assert.match(problem!, reason, uri)
    assert.match(problem!, /webhooks may never reach/, uri)
  }
  assert.equal(checkWebhookUri('ftp://hooks.example.com/x', everything), 'must be an http(s) URL')
  assert.equal(checkWebhookUri('gopher://127.0.0.1:6379/_INFO', everything), 'must be an http(s) URL')
  assert.equal(checkWebhookUri('file:///etc/passwd', everything), 'must be an http(s) URL')
})

test('registration: the default policy allows loopback and public addresses, refuses private ones; numeric IPv4 forms are normalised first', () => {
  const d = DEFAULT_WEBHOOK_DESTINATIONS
  for (const ok of ['http://127.0.0.1:4000/hooks', 'http://[::1]:6379/', 'http://localhost:3000/x', 'http://2130706433/', 'http://0x7f.1/', 'https://hooks.example.com/tl', 'http://93.184.216.34/']) {
    assert.equal(checkWebhookUri(ok, d), undefined, ok)
  }
  const privateRefusal = /is a private address, which WEBHOOK_ALLOWED_NETWORKS \(loopback,public\) does not allow/
  for (const uri of ['http://10.0.0.1/', 'http://172.16.5.4/', 'http://192.168.1.1/', 'http://100.64.0.1/', 'http://[fd00::1]/', 'http://[::ffff:10.0.0.1]/', 'http://167772161/']) {
    assert.match(checkWebhookUri(uri, d) ?? '', privateRefusal, uri)
  }

  const publicOnly = policy('public')
  // 2130706433 and 0x7f.1 are 127.0.0.1 written otherwise: judged as what they are.
  for (const uri of ['http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/']) {
    assert.match(checkWebhookUri(uri, publicOnly) ?? '', /^must not point at 127\.0\.0\.1 is a loopback address/, uri)
  }
  assert.match(checkWebhookUri('http://[::1]:6379/', publicOnly) ?? '', /::1 is a loopback address/)
  assert.match(checkWebhookUri('http://[::ffff:127.0.0.1]/', publicOnly) ?? '', /\(127\.0\.0\.1\) is a loopback address/)
  assert.match(checkWebhookUri('http://localhost/', publicOnly) ?? '', /loopback/)
  assert.equal(checkWebhookUri('https://hooks.example.com/tl', publicOnly), undefined)

  const oneRange = policy('public, 10.1.0.0/16')
  assert.equal(checkWebhookUri('http://10.1.2.3/', oneRange), undefined)
  assert.match(checkWebhookUri('http://10.2.0.1/', oneRange) ?? '', /private address/)
  assert.equal(checkWebhookUri('http://10.9.9.9/', policy('loopback,private')), undefined)
  assert.match(checkWebhookUri('http://169.254.169.254/', policy('public,169.254.0.0/16')) ?? '', /link-local/, 'a range cannot open link-local')
})

test('WEBHOOK_ALLOWED_NETWORKS: a value that is neither a keyword nor a CIDR range stops the start, naming the variable', () => {
  assert.throws(() => loadConfig({ WEBHOOK_ALLOWED_NETWORKS: 'public,intranet,10.0.0.0/33' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError)
    assert.equal(err.problems.length, 2)
    assert.match(err.problems[0]!, /^WEBHOOK_ALLOWED_NETWORKS="public,intranet,10\.0\.0\.0\/33": "intranet" is neither loopback, private, public nor a CIDR range/)
    assert.match(err.problems[1]!, /"10\.0\.0\.0\/33"/)
    return true
  })
  assert.equal(loadConfig({}).webhookDestinations.text, 'loopback,public')
})

test('Console: the settings form refuses a forbidden webhook URI with a form error naming the rule, and keeps the old one', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: 'https://hooks.example.com/tl' })
  const b = await signIn(h, c)
  await b.get('/console/settings')
  for (const [uri, reason] of [
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address, where cloud metadata services answer, which webhooks may never reach/],
    ['http://metadata.google.internal/', /metadata\.google\.internal is a cloud metadata service/],
    ['http://10.0.0.1/', /10\.0\.0\.1 is a private address, which WEBHOOK_ALLOWED_NETWORKS \(loopback,public\) does not allow/],
    ['ftp://hooks.example.com/', /webhook_uri must be an http\(s\) URL/],
  ] as const) {
    const res = await b.post('/console/settings/webhook-uri', { webhook_uri: uri })
    assert.equal(res.statusCode, 400, uri)
    assert.match(res.body, reason, uri)
    assert.match(res.body, /webhook_uri must/, uri)
  }
  assert.equal((await findClient(h.deps.db, c.id))!.webhookUri, 'https://hooks.example.com/tl', 'unchanged')
  const loopback = await b.post('/console/settings/webhook-uri', { webhook_uri: 'http://[::1]:4000/hooks' })
  assert.equal(loopback.statusCode, 303, 'loopback is allowed by default')
  assert.equal((await findClient(h.deps.db, c.id))!.webhookUri, 'http://[::1]:4000/hooks')
})

test('Console: with WEBHOOK_ALLOWED_NETWORKS=public, a loopback address written as 2130706433 is refused as 127.0.0.1', async (t) => {
  const h = await buildTestApp(t, { WEBHOOK_ALLOWED_NETWORKS: 'public' })
  const c = await h.client()
  const b = await signIn(h, c)
  await b.get('/console/settings')
  const res = await b.post('/console/settings/webhook-uri', { webhook_uri: 'http://2130706433/' })
  assert.equal(res.statusCode, 400)
  assert.match(res.body, /127\.0\.0\.1 is a loopback address, which WEBHOOK_ALLOWED_NETWORKS \(public\) does not allow/)
  assert.equal((await findClient(h.deps.db, c.id))!.webhookUri, null)
})

test('CLI: clients create and update refuse a forbidden --webhook-uri with an error line, and accept an allowed one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerite-cli-'))
  try {
    const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`, ...env })
    const base = ['clients', 'create', '--name', 'Acme', '--redirect-uri', 'https://acme.example/cb']
    const metadata = cli([...base, '--webhook-uri', 'http://169.254.169.254/latest/meta-data/'])
    assert.equal(metadata.status, 2)
    assert.equal(metadata.stdout, '')
    assert.match(metadata.stderr, /^ledgerite: --webhook-uri http:\/\/169\.254\.169\.254\/latest\/meta-data\/: must not point at 169\.254\.169\.254 is a link-local address/)
    const google = cli([...base, '--webhook-uri', 'http://metadata.google.internal/'])
    assert.equal(google.status, 2)
    assert.match(google.stderr, /metadata\.google\.internal is a cloud metadata service/)
    const privateNet = cli([...base, '--webhook-uri', 'http://10.0.0.1/'])
    assert.equal(privateNet.status, 2)
    assert.match(privateNet.stderr, /10\.0\.0\.1 is a private address, which WEBHOOK_ALLOWED_NETWORKS \(loopback,public\) does not allow/)
    const ftp = cli([...base, '--webhook-uri', 'ftp://hooks.example.com/'])
    assert.equal(ftp.status, 2)
    assert.match(ftp.stderr, /must be an http\(s\) URL/)

    const created = cli([...base, '--webhook-uri', 'http://[::1]:4000/hooks'])
    assert.equal(created.status, 0, created.stderr)
    const id = JSON.parse(created.stdout).client_id as string
    const loopback = cli(['clients', 'update', id, '--webhook-uri', 'http://2130706433/'], { WEBHOOK_ALLOWED_NETWORKS: 'public' })
    assert.equal(loopback.status, 2)
    assert.match(loopback.stderr, /127\.0\.0\.1 is a loopback address, which WEBHOOK_ALLOWED_NETWORKS \(public\) does not allow/)
    const privateAllowed = cli(['clients', 'update', id, '--webhook-uri', 'http://10.0.0.1/hooks'], { WEBHOOK_ALLOWED_NETWORKS: 'public,10.0.0.0/8' })
    assert.equal(privateAllowed.status, 0, privateAllowed.stderr)
    assert.equal(JSON.parse(privateAllowed.stdout).webhookUri, 'http://10.0.0.1/hooks')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

/** A resolver that knows a few names, so no DNS is needed; every name it was asked is recorded. */
function mapResolver (names: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = []
  const resolve = async (hostname: string) => {
    asked.push(hostname)
    const addresses = names[hostname]
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return Object.assign(resolve, { asked })
}

test('connect time: a name that resolves to a forbidden address is refused before connecting, logged with the reason, and not retried', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const h = await buildTestApp(t)
  const port = new URL(rx.url).port
  // Registered while it resolved elsewhere (or stored before the policy existed): the delivery checks again.
  const rebinding = await h.client({ name: 'rebinding', webhookUri: `http://hooks.rebind.test:${port}/hooks/ledgerite` })
  const mixed = await h.client({ name: 'mixed', webhookUri: `http://mixed.test:${port}/hooks/ledgerite` })
  const literal = await h.client({ name: 'literal', webhookUri: 'http://10.0.0.1/hooks' })
  const resolver = mapResolver({ 'hooks.rebind.test': ['169.254.169.254'], 'mixed.test': ['127.0.0.1', '10.0.0.1'] })
  for (const c of [rebinding, mixed, literal]) {
    await raiseEvent(h.deps, c.id, 'connection_authorized', { connection_id: CONNECTION_ID, authorized_at: '2026-07-15T12:00:00.000Z' })
  }
  const dispatcher = createWebhookDispatcher(h.deps, { resolve: resolver })
  assert.equal(await dispatcher.runOnce(), 3)
  assert.equal(await dispatcher.runOnce(), 0, 'nothing is left to retry')
  assert.equal(rx.received.length, 0, 'no request reached the receiver behind the allowed address either')
  assert.deepEqual(resolver.asked.sort(), ['hooks.rebind.test', 'mixed.test'], 'the literal address needed no resolving')

  const expect: Array<[typeof rebinding, RegExp]> = [
    [rebinding, /^refused by the webhook destination policy: hooks\.rebind\.test resolves to 169\.254\.169\.254 is a link-local address/],
    [mixed, /^refused by the webhook destination policy: mixed\.test resolves to 10\.0\.0\.1 is a private address/],
    [literal, /^refused by the webhook destination policy: 10\.0\.0\.1 is a private address/],
  ]
  for (const [c, reason] of expect) {
    const [item] = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })).json().items
    assert.equal(item.status, 'failed', 'a refusal is final: the next attempt would be refused the same way')
    assert.equal(item.next_attempt_at, null)
    assert.equal(item.attempts.length, 1)
    assert.equal(item.attempts[0].status_code, null)
    assert.match(item.attempts[0].error, reason)
  }
})

test('connect time: the delivery goes to the address the resolver gave and checked; with WEBHOOK_ALLOWED_NETWORKS=public a loopback one is refused', async (t) => {
  const rx = await startReceiver()
  t.after(() => rx.close())
  const port = new URL(rx.url).port
  const resolver = mapResolver({ 'receiver.test': ['127.0.0.1'] })

  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: `http://receiver.test:${port}/hooks/ledgerite` })
  await raiseEvent(h.deps, c.id, 'connection_authorized', { connection_id: CONNECTION_ID, authorized_at: '2026-07-15T12:00:00.000Z' })
  assert.equal(await createWebhookDispatcher(h.deps, { resolve: resolver }).runOnce(), 1)
  assert.equal(rx.received.length, 1, 'delivered to 127.0.0.1, the address the name resolved to')
  assert.equal(rx.received[0]!.headers.host, `receiver.test:${port}`, 'under the registered name')
  const [item] = (await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: c.auth })).json().items
  assert.equal(item.status, 'delivered')

  const strict = await buildTestApp(t, { WEBHOOK_ALLOWED_NETWORKS: 'public' })
  const s = await strict.client({ webhookUri: `http://receiver.test:${port}/hooks/ledgerite` })
  await raiseEvent(strict.deps, s.id, 'connection_authorized', { connection_id: CONNECTION_ID, authorized_at: '2026-07-15T12:00:00.000Z' })
  assert.equal(await createWebhookDispatcher(strict.deps, { resolve: resolver }).runOnce(), 1)
  assert.equal(rx.received.length, 1, 'nothing more reached the loopback receiver')
  const [refused] = (await strict.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: s.auth })).json().items
  assert.equal(refused.status, 'failed')
  assert.match(refused.attempts[0].error, /receiver\.test resolves to 127\.0\.0\.1 is a loopback address, which WEBHOOK_ALLOWED_NETWORKS \(public\) does not allow/)
})

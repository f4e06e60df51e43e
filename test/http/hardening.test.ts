import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { buildTestApp } from '../helpers/build-app.ts'

const METRICS_TOKEN = 'metrics-3f9c2a7be41d08c6'

test('/metrics with METRICS_TOKEN: only a bearer of that token reads it; 401 problem otherwise', async (t) => {
  const h = await buildTestApp(t, { METRICS_TOKEN })
  for (const headers of [{}, { authorization: 'Bearer wrong-token-0000000000' }, { authorization: `Basic ${METRICS_TOKEN}` }, { authorization: `Bearer ${METRICS_TOKEN}x` }]) {
    const res = await h.inject({ method: 'GET', url: '/metrics', headers })
    assert.equal(res.statusCode, 401, JSON.stringify(headers))
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/)
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="metrics"')
    assert.equal(res.json().trace_id, res.headers['tl-trace-id'])
    assert.doesNotMatch(res.body, /ledgerite_/, 'no metric leaks into the refusal')
  }
  const ok = await h.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  assert.equal(ok.statusCode, 200)
  assert.match(ok.body, /ledgerite_/)
})

test('/metrics without METRICS_TOKEN stays open; a weak METRICS_TOKEN is refused at start, without echoing it', async (t) => {
  const h = await buildTestApp(t)
  assert.equal((await h.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
  assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError)
    assert.match(err.message, /METRICS_TOKEN: expected 16 to 256 characters/)
    assert.doesNotMatch(err.message, /short/)
    return true
  })
})

test('an https PUBLIC_URL sends Strict-Transport-Security on every response: API, errors, pages, bad URLs', async (t) => {
  const h = await buildTestApp(t, { PUBLIC_URL: 'https://ledgerite.example' })
  const c = await h.client()
  const requests = [
    { method: 'GET' as const, url: '/healthz' },
    { method: 'GET' as const, url: '/openapi.json' },
    { method: 'GET' as const, url: '/v3/data-connections' },
    { method: 'GET' as const, url: '/v3/data-connections', headers: c.auth },
    { method: 'POST' as const, url: '/connect/token', payload: { grant_type: 'x' } },
    { method: 'GET' as const, url: '/console/sign-in' },
    { method: 'GET' as const, url: '/no/such/route' },
    { method: 'GET' as const, url: '/v3/data-connections/%E0%A4%A' },
  ]
  for (const r of requests) {
    const res = await h.inject(r)
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000', `${r.method} ${r.url} (${res.statusCode})`)
  }
  const plain = await buildTestApp(t)
  assert.equal((await plain.inject({ method: 'GET', url: '/healthz' })).headers['strict-transport-security'], undefined, 'not over plain http')
})

test('a request whose body trickles in is cut off at REQUEST_TIMEOUT_MS: the socket is closed before the body is complete', async (t) => {
  const h = await buildTestApp(t, { REQUEST_TIMEOUT_MS: '400' })
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = h.app.server.address() as { port: number }

  const declared = 4000
  let sent = 0
  let received = ''
  const socket = connect(port, '127.0.0.1')
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  socket.on('data', (d) => { received += d })
  socket.on('error', () => {})
  socket.write(`POST /connect/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${declared}\r\n\r\n`)
  // One byte every 50 ms: the whole body would take 200 s.
  const trickle = setInterval(() => {
    if (socket.writable && sent < declared) { socket.write('a'); sent++ }
  }, 50)
  t.after(() => clearInterval(trickle))
  await closed
  clearInterval(trickle)
  assert.ok(sent < declared, `closed after ${sent} of ${declared} bytes`)
  assert.match(received, /^HTTP\/1\.1 408 /, `the server said why: ${JSON.stringify(received.slice(0, 60))}`)
  // The server goes on serving.
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200)
})

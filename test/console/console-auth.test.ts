import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sha256 } from '../../src/contract/ids.ts'
import { CONSOLE_CSP } from '../../src/modules/console/console.routes.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { browser, cookieHeader, setCookies, signIn } from './console-helpers.ts'

test('signed-out pages send the browser to the sign-in form, which carries the CSP and a CSRF token', async (t) => {
  const h = await buildTestApp(t)
  for (const url of ['/console', '/console/connections', '/console/settings', '/console/webhooks']) {
    const res = await h.inject({ method: 'GET', url })
    assert.equal(res.statusCode, 303, url)
    assert.equal(res.headers.location, '/console/sign-in', url)
  }
  const page = await h.inject({ method: 'GET', url: '/console/sign-in' })
  assert.equal(page.statusCode, 200)
  assert.match(String(page.headers['content-type']), /^text\/html/)
  assert.equal(page.headers['content-security-policy'], CONSOLE_CSP)
  assert.equal(page.headers['content-security-policy'], "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
  assert.equal(page.headers['x-frame-options'], 'DENY')
  assert.match(page.body, /name="csrf_token" value="[A-Za-z0-9_-]{43}"/)
  assert.doesNotMatch(page.body, /<script|style=/, 'no script and no inline style under the CSP')
  const css = await h.inject({ method: 'GET', url: '/console/assets/console.css' })
  assert.equal(css.statusCode, 200)
  assert.match(String(css.headers['content-type']), /^text\/css/)
})

test('a wrong secret or an unknown client id is refused with the same message, and no session is made', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  for (const [id, secret] of [[c.id, 'not-the-secret'], ['sandbox-nobody-000000', c.secret], [c.id, '']]) {
    const b = browser(h)
    await b.get('/console/sign-in')
    const res = await b.post('/console/sign-in', { client_id: id!, client_secret: secret! })
    assert.equal(res.statusCode, 401, `${id} / ${secret}`)
    assert.match(res.body, /The client id or secret is wrong\./)
    assert.ok(!setCookies(res).some((s) => s.startsWith('ledgerite_console=')), 'no session cookie')
  }
  const rows = await h.deps.db.selectFrom('console_sessions').selectAll().execute()
  assert.equal(rows.length, 0)
})

test('signing in sets an HttpOnly, SameSite=Strict session cookie on /console for 8 hours; only its hash is stored', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const b = browser(h)
  await b.get('/console/sign-in')
  const res = await b.post('/console/sign-in', { client_id: c.id, client_secret: c.secret })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/console/connections')
  const cookie = setCookies(res).find((s) => s.startsWith('ledgerite_console='))
  assert.ok(cookie, 'session cookie set')
  const attrs = cookie.split(';').map((s) => s.trim())
  assert.ok(attrs.includes('HttpOnly'))
  assert.ok(attrs.includes('SameSite=Strict'))
  assert.ok(attrs.includes('Path=/console'))
  assert.ok(attrs.includes('Max-Age=28800'))
  assert.ok(!attrs.includes('Secure'), 'not Secure on an http PUBLIC_URL (the browser would drop it)')
  const value = b.jar.ledgerite_console!
  const rows = await h.deps.db.selectFrom('console_sessions').selectAll().execute()
  assert.equal(rows.length, 1)
  assert.equal(rows[0]!.id_hash, sha256(value))
  assert.equal(rows[0]!.client_id, c.id)
  assert.equal(Date.parse(rows[0]!.expires_at) - Date.parse(rows[0]!.created_at), 8 * 3600 * 1000)
  const page = await b.get('/console/connections')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, new RegExp(c.id))
})

test('on an https PUBLIC_URL the session cookie is Secure', async (t) => {
  const h = await buildTestApp(t, { PUBLIC_URL: 'https://ledgerite.test' })
  const c = await h.client()
  const b = browser(h)
  await b.get('/console/sign-in')
  const res = await b.post('/console/sign-in', { client_id: c.id, client_secret: c.secret }, { origin: 'https://ledgerite.test' })
  assert.equal(res.statusCode, 303)
  assert.ok(setCookies(res).find((s) => s.startsWith('ledgerite_console='))!.split(';').map((s) => s.trim()).includes('Secure'))
})

test('forms without their CSRF token, with another session\'s token, or from another origin are refused', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()

  // Sign-in form: no token, then a token this browser was not given.
  const fresh = browser(h)
  await fresh.get('/console/sign-in')
  const noToken = await fresh.post('/console/sign-in', { client_id: c.id, client_secret: c.secret }, { csrf: null })
  assert.equal(noToken.statusCode, 403)
  assert.match(noToken.body, /could not be verified/)
  const other = browser(h)
  await other.get('/console/sign-in')
  const foreign = await fresh.post('/console/sign-in', { client_id: c.id, client_secret: c.secret }, { csrf: other.lastCsrf! })
  assert.equal(foreign.statusCode, 403)

  const a = await signIn(h, c)
  const b = await signIn(h, c)
  const add = (browserUsed: typeof a, options: Parameters<typeof a.post>[2]) =>
    browserUsed.post('/console/settings/redirect-uris', { redirect_uri: 'https://evil.example/cb' }, options)

  assert.equal((await add(a, { csrf: null })).statusCode, 403, 'no token')
  assert.equal((await add(a, { csrf: b.lastCsrf! })).statusCode, 403, 'another session\'s token')
  assert.equal((await add(a, { origin: 'https://evil.example' })).statusCode, 403, 'another origin')
  assert.equal((await add(a, { origin: 'null' })).statusCode, 403, 'opaque origin')
  assert.equal((await add(a, { origin: null })).statusCode, 403, 'neither Origin nor Referer')
  const crossSite = await h.inject({
    method: 'POST', url: '/console/settings/redirect-uris',
    headers: { cookie: cookieHeader(a.jar), 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', referer: 'http://ledgerite.test/console/settings' },
    payload: `csrf_token=${a.lastCsrf}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb`,
  })
  assert.equal(crossSite.statusCode, 403, 'Sec-Fetch-Site: cross-site')

  const settings = await a.get('/console/settings')
  assert.doesNotMatch(settings.body, /evil\.example/, 'nothing was added')
  // The same request with its token and from this origin goes through.
  const ok = await add(a, {})
  assert.equal(ok.statusCode, 303)
  // A Referer from this origin is accepted when a browser sends no Origin.
  const viaReferer = await h.inject({
    method: 'POST', url: '/console/settings/redirect-uris',
    headers: { cookie: cookieHeader(a.jar), 'content-type': 'application/x-www-form-urlencoded', referer: 'http://ledgerite.test/console/settings' },
    payload: `csrf_token=${a.lastCsrf}&redirect_uri=https%3A%2F%2Fok.example%2Fcb`,
  })
  assert.equal(viaReferer.statusCode, 303)
})

test('a POST without a session is refused; signing out ends the session server-side', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const anon = await h.inject({
    method: 'POST', url: '/console/settings/webhook-uri',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://ledgerite.test' },
    payload: 'webhook_uri=https%3A%2F%2Fx.example%2Fh',
  })
  assert.equal(anon.statusCode, 401)
  assert.match(String(anon.headers['content-type']), /^text\/html/)

  const b = await signIn(h, c)
  const stolen = b.jar.ledgerite_console!
  const out = await b.post('/console/sign-out', {})
  assert.equal(out.statusCode, 303)
  assert.equal(out.headers.location, '/console/sign-in')
  assert.ok(setCookies(out).some((s) => /^ledgerite_console=.*Max-Age=0/.test(s)), 'cookie cleared')
  assert.equal(b.jar.ledgerite_console, undefined)
  // Replaying the old cookie no longer works: the row is gone.
  const replay = await h.inject({ method: 'GET', url: '/console/connections', headers: { cookie: `ledgerite_console=${stolen}` } })
  assert.equal(replay.statusCode, 303)
  assert.equal(replay.headers.location, '/console/sign-in')
})

test('a session ends after 8 hours', async (t) => {
  let now = new Date('2026-03-01T09:00:00.000Z')
  const h = await buildTestApp(t, {}, { now: () => now })
  const c = await h.client()
  const b = await signIn(h, c)
  now = new Date('2026-03-01T16:59:59.000Z')
  assert.equal((await b.get('/console/connections')).statusCode, 200)
  now = new Date('2026-03-01T17:00:01.000Z')
  const res = await b.get('/console/connections')
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/console/sign-in')
  // The sweeper removes it.
  await h.deps.workers.runAll()
  assert.equal((await h.deps.db.selectFrom('console_sessions').selectAll().execute()).length, 0)
})

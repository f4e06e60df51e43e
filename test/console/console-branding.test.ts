import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { findBranding } from '../../src/modules/auth/client-branding.repository.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { tinyPng } from '../journey/tiny-png.ts'
import { cookieHeader, ORIGIN, signIn } from './console-helpers.ts'

/** A multipart/form-data body as a browser sends the branding form. */
function multipart (fields: Record<string, string>, file?: { name: string, filename: string, type: string, bytes: Buffer }) {
  const boundary = '----LedgeriteTestBoundary7MA4YWxkTrZu0gW'
  const parts: Buffer[] = []
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`))
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`))
    parts.push(file.bytes, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

describe('Console: branding', () => {
  test('display name, accent colour, privacy URL and a PNG logo are saved from the form and shown back', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'my-app' })
    const b = await signIn(app, client)
    const settings = await b.get('/console/settings')
    assert.match(settings.body, /href="\/console\/settings\/branding"/)
    const page = await b.get('/console/settings/branding')
    assert.equal(page.statusCode, 200)
    const png = tinyPng()
    const body = multipart({ csrf_token: b.lastCsrf!, display_name: 'Acme Budget', accent_color: '#1A3D8F', privacy_url: 'https://acme.example/privacy' },
      { name: 'logo', filename: 'logo.png', type: 'image/png', bytes: png })
    const saved = await app.inject({ method: 'POST', url: '/console/settings/branding', headers: { cookie: cookieHeader(b.jar), origin: ORIGIN, 'content-type': body.contentType }, payload: body.payload })
    assert.equal(saved.statusCode, 303, saved.body)
    assert.equal(saved.headers.location, '/console/settings/branding?notice=saved')
    const branding = await findBranding(app.deps.db, client.id)
    assert.equal(branding.displayName, 'Acme Budget')
    assert.equal(branding.accentColor, '#1a3d8f')
    assert.equal(branding.privacyUrl, 'https://acme.example/privacy')
    assert.match(branding.logoPath!, /^\/data\/assets\/logos\/[0-9a-f]{64}\.png$/)
    const shown = await b.get('/console/settings/branding?notice=saved')
    assert.match(shown.body, /Branding saved/)
    assert.match(shown.body, /value="Acme Budget"/)
    assert.ok(shown.body.includes(`src="${branding.logoPath}"`))
    // the logo is kept when the file input is left empty, and removed on request
    const again = multipart({ csrf_token: b.lastCsrf!, display_name: 'Acme', accent_color: '', privacy_url: '' }, { name: 'logo', filename: '', type: 'application/octet-stream', bytes: Buffer.alloc(0) })
    await app.inject({ method: 'POST', url: '/console/settings/branding', headers: { cookie: cookieHeader(b.jar), origin: ORIGIN, 'content-type': again.contentType }, payload: again.payload })
    assert.deepEqual(await findBranding(app.deps.db, client.id), { displayName: 'Acme', accentColor: null, privacyUrl: null, logoPath: branding.logoPath })
    const remove = multipart({ csrf_token: b.lastCsrf!, display_name: 'Acme', remove_logo: 'yes' })
    await app.inject({ method: 'POST', url: '/console/settings/branding', headers: { cookie: cookieHeader(b.jar), origin: ORIGIN, 'content-type': remove.contentType }, payload: remove.payload })
    assert.equal((await findBranding(app.deps.db, client.id)).logoPath, null)
  })

  test('a light accent colour and an SVG logo are refused with their rules, and nothing is saved', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'my-app' })
    const b = await signIn(app, client)
    await b.get('/console/settings/branding')
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    const body = multipart({ csrf_token: b.lastCsrf!, display_name: 'Acme', accent_color: '#ffcc00', privacy_url: '' }, { name: 'logo', filename: 'logo.png', type: 'image/png', bytes: svg })
    const res = await app.inject({ method: 'POST', url: '/console/settings/branding', headers: { cookie: cookieHeader(b.jar), origin: ORIGIN, 'content-type': body.contentType }, payload: body.payload })
    assert.equal(res.statusCode, 400)
    assert.match(res.body, /accent_color #ffcc00 gives white button text a contrast of 1\.\d\d:1/)
    assert.match(res.body, /SVG is not accepted/)
    assert.match(res.body, /value="#ffcc00"/, 'what was typed is shown again')
    assert.equal((await findBranding(app.deps.db, client.id)).displayName, null)
  })

  test('the form without its CSRF token, or from another origin, is refused', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const b = await signIn(app, client)
    const body = multipart({ display_name: 'Evil' })
    const res = await app.inject({ method: 'POST', url: '/console/settings/branding', headers: { cookie: cookieHeader(b.jar), origin: ORIGIN, 'content-type': body.contentType }, payload: body.payload })
    assert.equal(res.statusCode, 403)
    const cross = multipart({ csrf_token: b.lastCsrf!, display_name: 'Evil' })
    const res2 = await app.inject({ method: 'POST', url: '/console/settings/branding', headers: { cookie: cookieHeader(b.jar), origin: 'https://evil.example', 'content-type': cross.contentType }, payload: cross.payload })
    assert.equal(res2.statusCode, 403)
    assert.equal((await findBranding(app.deps.db, client.id)).displayName, null)
  })
})

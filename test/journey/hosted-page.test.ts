import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { updateClient } from '../../src/modules/auth/client.repository.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { Browserish, CONFIG, createHosted, csrfOf, locationOf, PHONE_UA, RETURN_URI, statusOf } from './journey-helpers.ts'

const EXPECTED_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

describe('hosted page: headers and links', () => {
  test('the page is sent with a strict CSP, no framing, no referrer, no caching, and a CSRF cookie', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, CONFIG[1])
    const res = await new Browserish(app).get(hosted.path)
    assert.equal(res.statusCode, 200)
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/)
    // The page's "Cancel and return" form is answered with a redirect to the return URI: its origin is a form target.
    assert.equal(res.headers['content-security-policy'], EXPECTED_CSP.replace("form-action 'self'", "form-action 'self' https://your-app.com"))
    assert.equal(res.headers['x-frame-options'], 'DENY')
    assert.equal(res.headers['referrer-policy'], 'no-referrer')
    assert.equal(res.headers['cache-control'], 'no-store')
    const cookie = String(res.headers['set-cookie'])
    assert.match(cookie, /^ledgerite_csrf=[A-Za-z0-9_-]{43}; Path=\/data; HttpOnly; SameSite=Lax$/)
    // every form carries the CSRF field
    const forms = res.body.match(/<form method="post"/g) ?? []
    const fields = res.body.match(/name="_csrf"/g) ?? []
    assert.ok(forms.length > 0)
    assert.equal(fields.length, forms.length)
  })

  test('an external bank (MODEL_BANK_URL) is added to form-action, nothing else is', async (t) => {
    const app = await buildTestApp(t, { MODEL_BANK_URL: 'https://bank.example/model-bank' })
    const res = await app.inject({ method: 'GET', url: '/data/00000000-0000-4000-8000-000000000000?token=x' })
    assert.equal(res.headers['content-security-policy'], EXPECTED_CSP.replace("form-action 'self'", "form-action 'self' https://bank.example"))
  })

  test('a tampered token, an unknown id or no token: a clear 404 page, never a stack trace', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, CONFIG[1])
    const tampered = `${hosted.token.slice(0, -2)}${hosted.token.endsWith('AA') ? 'BB' : 'AA'}`
    for (const url of [
      `/data/${hosted.id}?token=${tampered}`,
      `/data/${hosted.id}`,
      `/data/00000000-0000-4000-8000-000000000000?token=${hosted.token}`,
      `/data/not-a-uuid?token=${hosted.token}`,
    ]) {
      const res = await app.inject({ method: 'GET', url })
      assert.equal(res.statusCode, 404, url)
      assert.match(String(res.headers['content-type']), /^text\/html/)
      assert.match(res.body, /<h1>This link is not valid<\/h1>/)
      assert.doesNotMatch(res.body, /at .*\.ts:\d+|Error: |stack/i)
      assert.equal(res.headers['content-security-policy'], EXPECTED_CSP)
    }
    // the tampered visit changed nothing
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorization_required')
  })

  test('another connection\'s token does not open this one', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const a = await createHosted(app, client, CONFIG[1])
    const b = await createHosted(app, client, CONFIG[1])
    const res = await app.inject({ method: 'GET', url: `/data/${a.id}?token=${b.token}` })
    assert.equal(res.statusCode, 404)
  })

  test('an expired link fails the connection (journey_expired) and says so, with the way back', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const hosted = await createHosted(app, client, CONFIG[1])
    await app.deps.clock.advance(client.id, 24 * 3600 + 1)
    const browser = new Browserish(app)
    const res = await browser.get(hosted.path)
    assert.equal(res.statusCode, 410)
    assert.match(res.body, /<h1>This link has expired<\/h1>/)
    assert.match(res.body, /work for 24 hours/)
    assert.match(res.body, /href="https:\/\/your-app\.com\/callback\?connection_id=[0-9a-f-]{36}&amp;error=journey_expired"/)
    const after = await statusOf(app, client, hosted.id)
    assert.equal(after.status, 'failed')
    assert.equal(after.failure_reason, 'journey_expired')
    // the same link later shows the outcome rather than a dead end
    const again = await browser.get(hosted.path)
    assert.equal(again.statusCode, 303)
    const result = await browser.get(locationOf(again))
    assert.equal(result.statusCode, 200)
    assert.match(result.body, /The link expired before you finished\./)
  })

  test('a link just inside its 24 hours still works', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, CONFIG[1])
    await app.deps.clock.advance(client.id, 24 * 3600 - 60)
    const res = await app.inject({ method: 'GET', url: hosted.path })
    assert.equal(res.statusCode, 200)
  })
})

describe('hosted page: forms refuse cross-site requests', () => {
  async function consentPage (t: Parameters<typeof buildTestApp>[0]) {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, CONFIG[2])
    const browser = new Browserish(app)
    const page = await browser.get(hosted.path)
    assert.match(page.body, /Share your data with/)
    return { app, client, hosted, browser, csrf: csrfOf(page.body) }
  }

  test('no CSRF cookie → 403 page, nothing changes', async (t) => {
    const { app, client, hosted, csrf } = await consentPage(t)
    const stranger = new Browserish(app) // has no cookie
    const res = await stranger.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrf, decision: 'decline' })
    assert.equal(res.statusCode, 403)
    assert.match(res.body, /This form could not be sent/)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorization_required')
  })

  test('a CSRF field that does not match the cookie → 403', async (t) => {
    const { app, client, hosted, browser } = await consentPage(t)
    for (const _csrf of ['', 'x', 'A'.repeat(43)]) {
      const res = await browser.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf, decision: 'decline' })
      assert.equal(res.statusCode, 403, _csrf)
    }
    const missing = await browser.post(`/data/${hosted.id}/consent`, { token: hosted.token, decision: 'decline' })
    assert.equal(missing.statusCode, 403)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorization_required')
  })

  test('another site\'s Origin, or a cross-site fetch, is refused even with a valid token pair', async (t) => {
    const { app, client, hosted, browser, csrf } = await consentPage(t)
    const form = { token: hosted.token, _csrf: csrf, decision: 'decline' }
    assert.equal((await browser.post(`/data/${hosted.id}/consent`, form, { origin: 'https://evil.example' })).statusCode, 403)
    assert.equal((await browser.post(`/data/${hosted.id}/consent`, form, { origin: 'null', 'sec-fetch-site': 'cross-site' })).statusCode, 403)
    assert.equal((await browser.post(`/data/${hosted.id}/consent`, form, { 'sec-fetch-site': 'same-site' })).statusCode, 403)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorization_required')
    // our own origin, or Chromium's Origin: null with Sec-Fetch-Site: same-origin, is accepted
    const ok = await browser.post(`/data/${hosted.id}/consent`, form, { origin: 'http://ledgerite.test' })
    assert.equal(ok.statusCode, 303)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'failed')
  })

  test('unknown form fields are refused (strict bodies) with the form page, not a stack', async (t) => {
    const { hosted, browser, csrf } = await consentPage(t)
    const res = await browser.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrf, decision: 'maybe' })
    assert.equal(res.statusCode, 400)
    assert.match(res.body, /This form could not be sent/)
    const extra = await browser.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrf, decision: 'allow', admin: '1' })
    assert.equal(extra.statusCode, 400)
  })
})

describe('hosted page: the steps', () => {
  test('configuration 1: pick → consent (picked bank named) → decline → failed, a neutral result page, return URI with error', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const hosted = await createHosted(app, client, CONFIG[1])
    const browser = new Browserish(app)
    const picker = await browser.get(hosted.path)
    assert.match(picker.body, /<h1>Choose your bank<\/h1>/)
    // a bank outside the filter (FR) cannot be picked
    const outside = await browser.post(`/data/${hosted.id}/provider`, { token: hosted.token, _csrf: csrfOf(picker.body), provider_id: 'stet-bnp-paribas-ma-banque' })
    assert.equal(outside.statusCode, 400)
    assert.match(outside.body, /Choose a bank from the list/)
    const picked = await browser.post(`/data/${hosted.id}/provider`, { token: hosted.token, _csrf: csrfOf(picker.body), provider_id: 'ob-hsbc' })
    assert.equal(picked.statusCode, 303)
    assert.equal(locationOf(picked), hosted.path)
    const consent = await browser.get(hosted.path)
    assert.match(consent.body, /from your HSBC account/)
    const declined = await browser.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrfOf(consent.body), decision: 'decline' })
    assert.equal(declined.statusCode, 303)
    const result = await browser.get(locationOf(declined))
    assert.equal(result.statusCode, 200)
    // the user's own choice: not shown as an error
    assert.match(result.body, /<h1>You didn’t share your data<\/h1>/)
    assert.doesNotMatch(result.body, /could not be connected|result-icon fail/)
    assert.match(result.body, /data-failure-reason="user_declined_consent"/)
    assert.match(result.body, /href="https:\/\/your-app\.com\/callback\?connection_id=[0-9a-f-]{36}&amp;error=user_declined_consent"/)
    const after = await statusOf(app, client, hosted.id)
    assert.equal(after.status, 'failed')
    assert.equal(after.failure_reason, 'user_declined_consent')
  })

  test('the search filters server-side and country_code pre-selects the tab', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, { ...CONFIG[1], hosted_page: { ...CONFIG[1].hosted_page, country_code: 'DE' } })
    const page = await app.inject({ method: 'GET', url: hosted.path })
    assert.match(page.body, /aria-current="page">Germany</)
    assert.doesNotMatch(page.body, /value="ob-monzo"/)
    const search = await app.inject({ method: 'GET', url: `${hosted.path}&q=MONZ` })
    assert.match(search.body, /value="ob-monzo"/)
    assert.match(search.body, /Results for “MONZ”/)
    const none = await app.inject({ method: 'GET', url: `${hosted.path}&q=${encodeURIComponent('<zzz>')}` })
    assert.match(none.body, /No bank matches “&lt;zzz&gt;”/)
  })

  test('configuration 3 on a desktop: no picker, no consent, the hand-off choice', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, CONFIG[3])
    const page = await app.inject({ method: 'GET', url: hosted.path, headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' } })
    assert.match(page.body, /data-handoff-uri="http:\/\/ledgerite\.test\/data\/[0-9a-f-]{36}\/handoff\?h=[0-9a-z]+\.[A-Za-z0-9_-]+"/)
    assert.match(page.body, /src="data:image\/svg\+xml;base64,/)
    assert.match(page.body, /Continue on this device/)
    assert.doesNotMatch(page.body, /Choose your bank|Share your data/)
    // the live update: a status link, the script, and the no-JS refresh
    assert.match(page.body, /data-status-uri="\/data\/[0-9a-f-]{36}\/status\?l=/)
    assert.match(page.body, /<script src="\/data\/assets\/journey\.js" defer><\/script>/)
    assert.match(page.body, /<noscript><meta http-equiv="refresh" content="5"><\/noscript>/)
  })

  test('configuration 3 on a phone: a plain continue button, no QR code', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, CONFIG[3])
    const page = await new Browserish(app, PHONE_UA).get(hosted.path)
    assert.match(page.body, /Continue to Monzo/)
    assert.doesNotMatch(page.body, /data-handoff-uri/)
  })

  test('the Continue link is withheld when the client has since removed the return URI', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const hosted = await createHosted(app, client, CONFIG[2])
    const browser = new Browserish(app)
    const consent = await browser.get(hosted.path)
    const declined = await browser.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrfOf(consent.body), decision: 'decline' })
    await updateClient(app.deps.db, client.id, { removeRedirectUris: [RETURN_URI] })
    const result = await browser.get(locationOf(declined))
    assert.equal(result.statusCode, 200)
    assert.doesNotMatch(result.body, /your-app\.com/)
    assert.match(result.body, /no longer accepts this return address/)
  })

  test('result and status links: tampered → not found, expired → expired', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, CONFIG[2])
    const browser = new Browserish(app)
    const consent = await browser.get(hosted.path)
    const declined = await browser.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrfOf(consent.body), decision: 'decline' })
    const resultPath = locationOf(declined)
    const link = new URL(resultPath, 'http://x').searchParams.get('l')!
    const tampered = await app.inject({ method: 'GET', url: `/data/${hosted.id}/result?l=${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}` })
    assert.equal(tampered.statusCode, 404)
    assert.match(tampered.body, /This link is not valid/)
    // a result link for another connection does not open this one
    const other = await createHosted(app, client, CONFIG[2])
    assert.equal((await app.inject({ method: 'GET', url: `/data/${other.id}/result?l=${link}` })).statusCode, 404)
    // the status endpoint answers JSON, and a problem for a bad link
    const statusPage = await app.inject({ method: 'GET', url: hosted.path.replace(/\?.*/, `/status?l=${link}`) })
    assert.equal(statusPage.statusCode, 404)
    assert.match(String(statusPage.headers['content-type']), /application\/problem\+json/)

    await app.deps.clock.advance(client.id, 25 * 3600)
    const expired = await app.inject({ method: 'GET', url: resultPath })
    assert.equal(expired.statusCode, 410)
    assert.match(expired.body, /This link has expired/)
  })

  test('assets are served from the package; provider logos are drawn, unknown ones 404', async (t) => {
    const app = await buildTestApp(t)
    const css = await app.inject({ method: 'GET', url: '/data/assets/journey.css' })
    assert.equal(css.statusCode, 200)
    assert.match(String(css.headers['content-type']), /^text\/css/)
    assert.match(css.body, /:focus-visible/)
    const js = await app.inject({ method: 'GET', url: '/data/assets/journey.js' })
    assert.match(String(js.headers['content-type']), /^text\/javascript/)
    const logo = await app.inject({ method: 'GET', url: '/data/assets/providers/ob-monzo.svg' })
    assert.equal(logo.statusCode, 200)
    assert.equal(logo.headers['content-type'], 'image/svg+xml')
    assert.match(logo.body, /^<svg [^>]*aria-label="Monzo"/)
    assert.equal((await app.inject({ method: 'GET', url: '/data/assets/providers/nope.svg' })).statusCode, 404)
    assert.equal((await app.inject({ method: 'GET', url: '/data/assets/providers/..%2Fetc.svg' })).statusCode, 404)
  })
})

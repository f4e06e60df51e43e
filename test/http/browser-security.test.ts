import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { BASELINE_HEADERS } from '../../src/http/browser-security.ts'
import { buildTestApp, type TestApp } from '../helpers/build-app.ts'
import { CONFIG, createHosted } from '../journey/journey-helpers.ts'
import { createBankConsent } from '../model-bank/bank-kit.ts'

/**
 * The three HTML surfaces (the hosted pages, the model bank's pages, the Console) share one browser-security
 * layer (src/http/browser-security.ts): the same baseline headers, the same cookie attributes, and the same
 * refusal of a form that did not come from our page. Each surface is driven here through one of its real forms.
 */
const PUBLIC_URL = 'https://ledgerite.example'

interface FormUnderTest {
  name: string
  /** The GET of the page that holds the form. */
  page: LightMyRequestResponse
  /** Posts the form with the browser's cookies; `token: null` leaves the CSRF field out. */
  post: (headers: Record<string, string>, token?: string | null) => Promise<LightMyRequestResponse>
}

const setCookies = (res: LightMyRequestResponse): string[] => {
  const h = res.headers['set-cookie']
  return h === undefined ? [] : Array.isArray(h) ? h : [h]
}
const cookiesOf = (res: LightMyRequestResponse): string => setCookies(res).map((c) => c.split(';')[0]).join('; ')
const field = (html: string, name: string): string => {
  const m = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)
  assert.ok(m, `the page has a ${name} field`)
  return m[1]!
}

function formPoster (h: TestApp, url: string, page: LightMyRequestResponse, tokenField: string, fields: Record<string, string>) {
  const cookie = cookiesOf(page)
  const token = field(page.body, tokenField)
  return (headers: Record<string, string>, t: string | null = token) => h.inject({
    method: 'POST',
    url,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams({ ...fields, ...(t === null ? {} : { [tokenField]: t }) }).toString(),
  })
}

async function journeyForm (h: TestApp): Promise<FormUnderTest> {
  const hosted = await createHosted(h, await h.client(), CONFIG[2])
  const page = await h.inject({ method: 'GET', url: hosted.path })
  assert.equal(page.statusCode, 200)
  return { name: 'journey consent', page, post: formPoster(h, `/data/${hosted.id}/consent`, page, '_csrf', { token: hosted.token, decision: 'decline' }) }
}

async function bankForm (h: TestApp): Promise<FormUnderTest> {
  const consent = await createBankConsent(h, { redirect_uri: `${PUBLIC_URL}/data/callback` })
  const url = new URL(consent.authorizationUri)
  const page = await h.inject({ method: 'GET', url: url.pathname + url.search })
  assert.equal(page.statusCode, 200, page.body)
  return {
    name: 'bank sign-in',
    page,
    post: formPoster(h, `${url.pathname}/login`, page, 'csrf', { consent_id: consent.consentId, username: 'john', password: 'doe' }),
  }
}

async function consoleForm (h: TestApp): Promise<FormUnderTest> {
  const client = await h.client()
  const page = await h.inject({ method: 'GET', url: '/console/sign-in' })
  assert.equal(page.statusCode, 200)
  return { name: 'Console sign-in', page, post: formPoster(h, '/console/sign-in', page, 'csrf_token', { client_id: client.id, client_secret: client.secret }) }
}

const SURFACES = [journeyForm, bankForm, consoleForm]

test('every surface sends the same baseline headers with its own CSP, and the same cookie attributes', async (t) => {
  const h = await buildTestApp(t, { PUBLIC_URL })
  for (const open of SURFACES) {
    const { name, page } = await open(h)
    for (const [header, value] of Object.entries(BASELINE_HEADERS)) assert.equal(page.headers[header], value, `${name}: ${header}`)
    assert.equal(page.headers['x-content-type-options'], 'nosniff', name)
    assert.equal(page.headers['strict-transport-security'], 'max-age=31536000', name)
    assert.match(String(page.headers['referrer-policy']), /^(no-referrer|same-origin)$/, name)
    const csp = String(page.headers['content-security-policy'])
    for (const directive of ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) assert.ok(csp.includes(directive), `${name}: ${directive} in ${csp}`)
    assert.doesNotMatch(csp, /script-src[^;]*unsafe/, `${name}: no unsafe script`)
    const cookies = setCookies(page)
    assert.ok(cookies.length > 0, `${name} binds its form to a cookie`)
    for (const cookie of cookies) {
      const attrs = cookie.split(';').map((s) => s.trim())
      assert.ok(attrs.includes('HttpOnly') && attrs.includes('Secure'), `${name}: ${cookie}`)
      assert.ok(attrs.includes('SameSite=Lax') || attrs.includes('SameSite=Strict'), `${name}: ${cookie}`)
      assert.ok(attrs.some((a) => a.startsWith('Path=/')), `${name}: ${cookie}`)
    }
  }
})

test('a form from another site, or without its token, is refused the same way on all three: 403, an HTML page, the surface\'s headers', async (t) => {
  const h = await buildTestApp(t, { PUBLIC_URL })
  const refusals: Array<[string, Record<string, string>, null?]> = [
    ['another origin', { origin: 'https://evil.example' }],
    ['a cross-site fetch with an opaque origin', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
    ['a same-site (sibling subdomain) fetch', { 'sec-fetch-site': 'same-site', origin: 'https://app.ledgerite.example' }],
    ['another site\'s Referer', { 'sec-fetch-site': 'cross-site', referer: `${PUBLIC_URL}/` }],
    ['no token', { origin: PUBLIC_URL }, null],
  ]
  for (const open of SURFACES) {
    const form = await open(h)
    for (const [why, headers, token] of refusals) {
      const res = await form.post(headers, token)
      assert.equal(res.statusCode, 403, `${form.name}, ${why}: ${res.body.slice(0, 200)}`)
      assert.match(String(res.headers['content-type']), /^text\/html/, `${form.name}, ${why}`)
      assert.match(res.body, /<html/i, `${form.name}, ${why}: a page, not JSON`)
      assert.equal(res.headers['x-frame-options'], 'DENY', `${form.name}, ${why}`)
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, `${form.name}, ${why}`)
      assert.equal(res.headers.location, undefined, `${form.name}, ${why}: nothing happened`)
    }
    // The same form, from our own origin with its token, goes through: the refusals were the layer's rules.
    const ok = await form.post({ origin: PUBLIC_URL })
    assert.equal(ok.statusCode, 303, `${form.name} from our origin: ${ok.body.slice(0, 200)}`)
  }
})

test('browser plumbing lives in the layer only: no module parses cookies, writes Set-Cookie, sets the baseline headers or signs with its own HMAC', () => {
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [])
  // The transactions cursor's HMAC belongs to the data endpoints' cursor format (one keyset-cursor helper is due).
  const allowedHmac = new Set(['src/modules/data/transactions-cursor.ts'])
  const offenders: string[] = []
  for (const file of files('src/modules')) {
    const text = readFileSync(file, 'utf8')
    if (/headers\.cookie|['"]set-cookie['"]/i.test(text)) offenders.push(`${file}: reads or writes cookies itself`)
    if (/createHmac/.test(text) && !allowedHmac.has(file)) offenders.push(`${file}: signs with its own HMAC (use src/http/signer.ts)`)
    // A page may narrow its surface's CSP for one response (a style nonce, a logo); the rest is the layer's.
    if (/['"](x-frame-options|referrer-policy|cross-origin-opener-policy)['"]/i.test(text)) offenders.push(`${file}: sets the baseline headers itself`)
  }
  assert.deepEqual(offenders, [])
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { findProvider } from '../../src/modules/providers/provider.catalog.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { BankBrowser, bankAuth, createBankConsent, manualClock, PUBLIC_URL, pathOf, pkce, registerBankRedirect, throughTheBank, tokenFor } from './bank-kit.ts'

/** The model bank on its own, through its HTTP surface: consent → pages → code → token → reads. */

const codeOf = (location: string): string => {
  const code = new URL(location).searchParams.get('code')
  assert.ok(code, `expected a code in ${location}`)
  return code
}

test('consent: created for a catalogue provider, refused for an unknown one or a bad body', async (t) => {
  const app = await buildTestApp(t)
  const consent = await createBankConsent(app, {}, 'ob-monzo')
  assert.match(consent.authorizationUri, new RegExp(`^${PUBLIC_URL}/model-bank/ob-monzo/authorize\\?consent_id=`))

  const unknown = await app.inject({ method: 'POST', url: '/model-bank/no-such-bank/account-access-consents', headers: { authorization: bankAuth(app) }, payload: { scopes: ['accounts'], data_access_type: 'recurring', redirect_uri: 'https://x.test/cb', state: 'x'.repeat(20), code_challenge: pkce().challenge, code_challenge_method: 'S256', client_name: 'A' } })
  assert.equal(unknown.statusCode, 404)

  const bad = await app.inject({ method: 'POST', url: '/model-bank/mock/account-access-consents', headers: { authorization: bankAuth(app) }, payload: { scopes: [], data_access_type: 'forever', redirect_uri: 'not a url', state: 'short', code_challenge: 'plain', code_challenge_method: 'plain', client_name: 'A', extra: 1 } })
  assert.equal(bad.statusCode, 400)
  const problem = bad.json()
  for (const field of ['scopes', 'data_access_type', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'extra']) {
    assert.ok(problem.errors[field], `expected an error naming ${field}: ${bad.body}`)
  }
})

test('sign-in page: the provider\'s name and colour, CSP with frame-ancestors none, CSRF token, client name escaped', async (t) => {
  const app = await buildTestApp(t)
  const consent = await createBankConsent(app, { client_name: '<script>alert(1)</script> & Co' }, 'ob-monzo')
  const browser = new BankBrowser(app)
  const page = await browser.open(consent.authorizationUri)
  assert.equal(page.res.statusCode, 200)
  assert.match(String(page.res.headers['content-type']), /text\/html/)
  const csp = String(page.res.headers['content-security-policy'])
  assert.match(csp, /frame-ancestors 'none'/)
  assert.match(csp, /default-src 'none'/)
  assert.doesNotMatch(csp, /unsafe-inline/)
  assert.ok(page.html.includes('Monzo'), 'the provider\'s name')
  assert.ok(page.html.includes(`.brand{background:${findProvider('ob-monzo')!.bg_color}`), 'the provider\'s colour')
  assert.ok(!page.html.includes('<script>alert(1)</script>'), 'the client name must not become markup')
  assert.ok(page.html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co'))
  assert.ok(page.csrf.length > 20, 'a CSRF token in the form')
  assert.match(page.html, /<label for="username">Username<\/label>/)
  assert.match(page.html, /<label for="password">Password<\/label>/)
  assert.match(page.html, />Sign in<\/button>/)
  assert.match(String(page.res.headers['set-cookie']), /mb_session=.*HttpOnly.*SameSite=Lax/)
})

test('wrong password shows the page again with an error; the right one then works', async (t) => {
  const app = await buildTestApp(t)
  const consent = await createBankConsent(app)
  const browser = new BankBrowser(app)
  const wrong = await browser.signIn(consent.authorizationUri, 'john', 'nope')
  assert.equal(wrong.res.statusCode, 401)
  assert.match(wrong.html, /username or password is incorrect/)
  assert.match(wrong.html, /value="john"/, 'the username is kept')
  const res = await browser.submit(wrong, { username: 'john', password: 'doe' })
  assert.equal(res.statusCode, 303)
  const accounts = await browser.open(`${PUBLIC_URL}${pathOf(String(res.headers.location))}`)
  assert.ok(accounts.accounts.length > 0)
  assert.ok(accounts.accounts.every((a) => a.checked), 'every account is pre-ticked')
  assert.match(accounts.html, />Allow<\/button>/)
  assert.match(accounts.html, />Deny<\/button>/)
})

test('john1…john100 sign in with doe1…doe100, not with each other\'s password; unknown users do not', async (t) => {
  const app = await buildTestApp(t)
  for (const [user, pass, ok] of [['john7', 'doe7', true], ['john100', 'doe100', true], ['john7', 'doe8', false], ['john101', 'doe101', false], ['jane', 'doe', false]] as const) {
    const consent = await createBankConsent(app)
    const page = await new BankBrowser(app).signIn(consent.authorizationUri, user, pass)
    assert.equal(page.accounts.length > 0, ok, `${user}/${pass}`)
  }
})

test('forms need the session cookie and its CSRF token', async (t) => {
  const app = await buildTestApp(t)
  const consent = await createBankConsent(app)
  const browser = new BankBrowser(app)
  const page = await browser.open(consent.authorizationUri)
  const noToken = await browser.submit(page, { username: 'john', password: 'doe' }, { csrf: 'forged' })
  assert.equal(noToken.statusCode, 403)
  assert.match(String(noToken.headers['content-type']), /text\/html/)
  const noCookie = await browser.submit(page, { username: 'john', password: 'doe' }, { cookie: '' })
  assert.equal(noCookie.statusCode, 403)
  // Another browser that opens the same link takes over; the first one's form no longer works.
  const other = new BankBrowser(app)
  await other.open(consent.authorizationUri)
  const stale = await browser.submit(page, { username: 'john', password: 'doe' })
  assert.equal(stale.statusCode, 403)
})

test('deny sends the browser back with error=access_denied and the state', async (t) => {
  const app = await buildTestApp(t)
  const consent = await createBankConsent(app)
  const location = await throughTheBank(app, consent.authorizationUri, 'john', 'doe', 'deny')
  const u = new URL(location)
  assert.equal(u.origin + u.pathname, consent.redirectUri)
  assert.equal(u.searchParams.get('error'), 'access_denied')
  assert.equal(u.searchParams.get('state'), consent.state)
  assert.equal(u.searchParams.get('code'), null)
  // The consent is closed: the link shows an error page now.
  const again = await new BankBrowser(app).open(consent.authorizationUri)
  assert.equal(again.res.statusCode, 400)
  assert.match(String(again.res.headers['content-security-policy']), /frame-ancestors 'none'/, 'error pages are unframeable too')
})

test('allow with no account ticked asks again; allow sends code and state to the redirect_uri (which keeps its query)', async (t) => {
  const app = await buildTestApp(t)
  await registerBankRedirect(app, `${PUBLIC_URL}/cb?keep=1`)
  const consent = await createBankConsent(app, { redirect_uri: `${PUBLIC_URL}/cb?keep=1` })
  const browser = new BankBrowser(app)
  const page = await browser.signIn(consent.authorizationUri, 'john', 'doe')
  const none = await browser.submit(page, { decision: 'allow' })
  assert.equal(none.statusCode, 400)
  assert.match(none.body, /Choose at least one account/)
  const location = await browser.decide(page, 'allow')
  const u = new URL(location)
  assert.equal(u.searchParams.get('keep'), '1')
  assert.equal(u.searchParams.get('state'), consent.state)
  assert.ok(u.searchParams.get('code'))
})

test('token: PKCE S256 checked, redirect_uri must match, a code works once', async (t) => {
  const app = await buildTestApp(t)
  const consent = await createBankConsent(app)
  const code = codeOf(await throughTheBank(app, consent.authorizationUri))

  const wrongVerifier = await tokenFor(app, { ...consent, verifier: pkce().verifier }, code)
  assert.equal(wrongVerifier.statusCode, 400)
  assert.equal(wrongVerifier.json().error, 'invalid_grant')
  const wrongRedirect = await tokenFor(app, { ...consent, redirectUri: 'https://evil.test/cb' }, code)
  assert.equal(wrongRedirect.statusCode, 400)
  assert.equal(wrongRedirect.json().error, 'invalid_grant')

  const ok = await tokenFor(app, consent, code)
  assert.equal(ok.statusCode, 200, ok.body)
  const token = ok.json()
  assert.equal(token.token_type, 'Bearer')
  assert.equal(token.consent_id, consent.consentId)
  assert.ok(token.account_ids.length > 0)
  assert.ok(token.expires_in > 0)
  assert.equal(ok.headers['cache-control'], 'no-store')

  const replay = await tokenFor(app, consent, code)
  assert.equal(replay.statusCode, 400)
  assert.equal(replay.json().error, 'invalid_grant')

  const badGrant = await app.inject({ method: 'POST', url: '/model-bank/mock/token', headers: { authorization: bankAuth(app) }, payload: { grant_type: 'password' } })
  assert.equal(badGrant.json().error, 'unsupported_grant_type')
})

test('token: a code expires after 10 minutes', async (t) => {
  const clock = manualClock()
  const app = await buildTestApp(t, {}, { now: clock.now })
  const consent = await createBankConsent(app)
  const code = codeOf(await throughTheBank(app, consent.authorizationUri))
  clock.advanceMinutes(10)
  const late = await tokenFor(app, consent, code)
  assert.equal(late.statusCode, 400)
  assert.equal(late.json().error, 'invalid_grant')
  assert.match(late.json().error_description, /expired/)

  const fresh = await createBankConsent(app)
  const code2 = codeOf(await throughTheBank(app, fresh.authorizationUri))
  clock.advanceMinutes(9)
  assert.equal((await tokenFor(app, fresh, code2)).statusCode, 200)
})

async function grantFor (app: Awaited<ReturnType<typeof buildTestApp>>, username = 'john', password = 'doe', scopes?: string[]) {
  const consent = await createBankConsent(app, scopes ? { scopes } : {})
  const browser = new BankBrowser(app)
  const page = await browser.signIn(consent.authorizationUri, username, password)
  const all = page.accounts.map((a) => a.id)
  // Share all but the last account, when there is more than one: reads must see only the shared ones.
  const shared = all.length > 1 ? all.slice(0, -1) : all
  const code = codeOf(await browser.decide(page, 'allow', shared))
  const res = await tokenFor(app, consent, code)
  assert.equal(res.statusCode, 200, res.body)
  return { consent, token: res.json().access_token as string, shared, all }
}

test('reads: only the accounts the user chose; balance and transactions of a shared account; another consent\'s token sees its own only', async (t) => {
  const app = await buildTestApp(t)
  const a = await grantFor(app)
  const b = await grantFor(app, 'john2', 'doe2')
  const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'x-client-authorization': bankAuth(app) })

  const accounts = await app.inject({ url: '/model-bank/mock/accounts', headers: auth(a.token) })
  assert.equal(accounts.statusCode, 200)
  assert.deepEqual(accounts.json().accounts.map((x: { id: string }) => x.id).sort(), [...a.shared].sort())

  const accountId = a.shared[0]!
  const balance = await app.inject({ url: `/model-bank/mock/accounts/${accountId}/balance?as_of=2026-03-01T12:00:00.000Z`, headers: auth(a.token) })
  assert.equal(balance.statusCode, 200, balance.body)
  assert.equal(typeof balance.json().balance.current, 'number')

  const tx = await app.inject({ url: `/model-bank/mock/accounts/${accountId}/transactions?from=2026-01-01&to=2026-03-01&page_size=10&as_of=2026-03-01T12:00:00.000Z`, headers: auth(a.token) })
  assert.equal(tx.statusCode, 200, tx.body)
  assert.ok(Array.isArray(tx.json().transactions))
  assert.ok(tx.json().transactions.length <= 10)

  // b's token cannot read a's accounts; a's account not shared with the consent is 404 too.
  const foreign = await app.inject({ url: `/model-bank/mock/accounts/${accountId}/balance`, headers: auth(b.token) })
  assert.equal(foreign.statusCode, 404)
  assert.equal(foreign.json().error, 'account_not_found')
  if (a.all.length > a.shared.length) {
    const unshared = await app.inject({ url: `/model-bank/mock/accounts/${a.all.at(-1)}/balance`, headers: auth(a.token) })
    assert.equal(unshared.statusCode, 404)
  }
  // A token is only good at the bank that issued it.
  const otherBank = await app.inject({ url: '/model-bank/ob-monzo/accounts', headers: auth(a.token) })
  assert.equal(otherBank.statusCode, 401)
  const none = await app.inject({ url: '/model-bank/mock/accounts', headers: { 'x-client-authorization': bankAuth(app) } })
  assert.equal(none.statusCode, 401)
  assert.equal(none.json().error, 'invalid_token')
})

test('reads need the matching scope', async (t) => {
  const app = await buildTestApp(t)
  const g = await grantFor(app, 'john', 'doe', ['accounts'])
  const auth = { authorization: `Bearer ${g.token}`, 'x-client-authorization': bankAuth(app) }
  assert.equal((await app.inject({ url: '/model-bank/mock/accounts', headers: auth })).statusCode, 200)
  const balance = await app.inject({ url: `/model-bank/mock/accounts/${g.shared[0]}/balance`, headers: auth })
  assert.equal(balance.statusCode, 403)
  assert.equal(balance.json().error, 'insufficient_scope')
  assert.equal((await app.inject({ url: '/model-bank/mock/userinfo', headers: auth })).statusCode, 403)
})

test('revoke: the consent\'s reads answer 403 access_denied afterwards; revoking twice is fine', async (t) => {
  const app = await buildTestApp(t)
  const g = await grantFor(app)
  const auth = { authorization: `Bearer ${g.token}`, 'x-client-authorization': bankAuth(app) }
  const del = await app.inject({ method: 'DELETE', url: `/model-bank/mock/account-access-consents/${g.consent.consentId}`, headers: auth })
  assert.equal(del.statusCode, 204)
  const after = await app.inject({ url: '/model-bank/mock/accounts', headers: auth })
  assert.equal(after.statusCode, 403)
  assert.equal(after.json().error, 'access_denied')
  assert.equal((await app.inject({ method: 'DELETE', url: `/model-bank/mock/account-access-consents/${g.consent.consentId}`, headers: auth })).statusCode, 204)
})

test('error.<reason> users sign in with any password and approve; every data call then fails with <reason>', async (t) => {
  const app = await buildTestApp(t)
  for (const reason of ['account_temporarily_locked', 'provider_error']) {
    const g = await grantFor(app, `error.${reason}`, 'anything at all')
    const res = await app.inject({ url: '/model-bank/mock/accounts', headers: { authorization: `Bearer ${g.token}`, 'x-client-authorization': bankAuth(app) } })
    assert.ok(res.statusCode >= 400)
    assert.equal(res.json().error, reason)
  }
  const unknownReason = await new BankBrowser(app).signIn((await createBankConsent(app)).authorizationUri, 'error.not_a_reason', 'x')
  assert.equal(unknownReason.res.statusCode, 401)
})

test('sandbox approve-as-user: allow gives a code like the pages do; absent when sandbox control is off', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const consent = await createBankConsent(app, { owner_client_id: client.id })
  const bad = await app.inject({ method: 'POST', url: '/model-bank/mock/sandbox/authorize', headers: client.auth, payload: { consent_id: consent.consentId, username: 'nobody', decision: 'allow' } })
  assert.equal(bad.statusCode, 400)
  assert.ok(bad.json().errors.username)
  const res = await app.inject({ method: 'POST', url: '/model-bank/mock/sandbox/authorize', headers: client.auth, payload: { consent_id: consent.consentId, username: 'john', decision: 'allow' } })
  assert.equal(res.statusCode, 200, res.body)
  const code = codeOf(res.json().redirect_uri)
  assert.equal((await tokenFor(app, consent, code)).statusCode, 200)

  const off = await buildTestApp(t, { SANDBOX_CONTROL: 'off' })
  const offClient = await off.client()
  const c2 = await createBankConsent(off, { owner_client_id: offClient.id })
  const gone = await off.inject({ method: 'POST', url: '/model-bank/mock/sandbox/authorize', headers: offClient.auth, payload: { consent_id: c2.consentId, username: 'john', decision: 'allow' } })
  assert.equal(gone.statusCode, 404)
})

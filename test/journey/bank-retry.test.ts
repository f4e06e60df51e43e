import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { BankBrowser, PUBLIC_URL, pathOf } from '../model-bank/bank-kit.ts'
import { Browserish, CONFIG, createHosted, csrfOf, type Hosted, locationOf, PHONE_UA, RETURN_URI, statusOf } from './journey-helpers.ts'

/**
 * "Try again" and "Try another bank" after the bank failed an attempt (bank-retry.policy.ts): the failure is held
 * (authorization_required, no webhook) while the hosted pages offer a way on, and final only when the user gives up.
 */

async function webhookTypes (app: TestApp, clientId: string): Promise<Array<{ type: string, payload: Record<string, unknown> }>> {
  const rows = await app.deps.db.selectFrom('webhook_events').selectAll().where('client_id', '=', clientId).orderBy('created_at').execute()
  return rows.map((r) => ({ type: r.type, payload: JSON.parse(r.payload) as Record<string, unknown> }))
}

/** The desktop journey up to the bank: picker (configuration 1), consent (1, 2), then "Continue on this device". */
async function toTheBank (browser: Browserish, hosted: Hosted, providerId?: string): Promise<string> {
  let page = await browser.get(hosted.path)
  if (providerId) {
    assert.match(page.body, /action="[^"]+\/provider"/, 'the picker')
    const picked = await browser.post(`/data/${hosted.id}/provider`, { token: hosted.token, _csrf: csrfOf(page.body), provider_id: providerId })
    assert.equal(picked.statusCode, 303, picked.body)
    page = await browser.get(hosted.path)
  }
  if (/name="decision"/.test(page.body)) {
    await browser.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrfOf(page.body), decision: 'allow' })
    page = await browser.get(hosted.path)
  }
  const toBank = await browser.post(`/data/${hosted.id}/bank`, { token: hosted.token, _csrf: csrfOf(page.body) })
  assert.equal(toBank.statusCode, 303, toBank.body)
  return locationOf(toBank)
}

/** At the bank as `username`: Allow or Deny on the accounts page, or refused at sign-in (login.* users). */
async function atTheBank (app: TestApp, bankUri: string, username: string, decision: 'allow' | 'deny'): Promise<string> {
  const bank = new BankBrowser(app)
  if (username.startsWith('login.')) {
    const res = await bank.submit(await bank.open(bankUri), { username, password: 'anything' })
    assert.equal(res.statusCode, 303, res.body)
    return String(res.headers.location)
  }
  return bank.decide(await bank.signIn(bankUri, username, 'doe'), decision)
}

/** Back from the bank in the same browser: the callback, then wherever it leads, followed to a 200 page. */
async function backFromTheBank (browser: Browserish, callback: string): Promise<{ url: string, body: string }> {
  let url = pathOf(callback)
  for (let hops = 0; hops < 5; hops++) {
    const res = await browser.get(url)
    if (res.statusCode !== 303) {
      assert.equal(res.statusCode, 200, res.body)
      return { url, body: res.body }
    }
    url = pathOf(locationOf(res).startsWith('/') ? `${PUBLIC_URL}${locationOf(res)}` : locationOf(res))
  }
  throw new Error('too many redirects')
}

/** The action of the form whose button has this id (not crossing into another form). */
const formAction = (html: string, id: string): string | undefined =>
  new RegExp(`<form method="post" action="([^"]+)">(?:(?!</form>)[\\s\\S])*?id="${id}"`).exec(html)?.[1]

async function timelineKinds (app: TestApp, id: string) {
  return app.deps.db.selectFrom('connection_events').select(['kind', 'detail']).where('connection_id', '=', id).execute()
}

async function setUp (t: Parameters<typeof buildTestApp>[0], config: 1 | 2 | 3): Promise<{ app: TestApp, client: TestClient, hosted: Hosted, browser: Browserish }> {
  const app = await buildTestApp(t)
  const client = await app.client({ name: 'Budget Buddy' })
  const hosted = await createHosted(app, client, CONFIG[config])
  return { app, client, hosted, browser: new Browserish(app) }
}

describe('a failed bank attempt the hosted journey holds', () => {
  test('configuration 1: denied at the bank → held, no webhook → Try another bank → the picker of the same connection → authorised', async (t) => {
    const { app, client, hosted, browser } = await setUp(t, 1)
    const monzo = await toTheBank(browser, hosted, 'ob-monzo')
    assert.ok(monzo.startsWith(`${PUBLIC_URL}/model-bank/ob-monzo/authorize`), monzo)
    const held = await backFromTheBank(browser, await atTheBank(app, monzo, 'john', 'deny'))

    // The page with the token's forms, saying what happened; the connection waits and the client has heard nothing.
    assert.equal(held.url, hosted.path)
    assert.match(held.body, /<h1>Your bank could not be connected<\/h1>/)
    assert.match(held.body, /data-failure-reason="provider_rejected" data-held="true"/)
    assert.match(held.body, /Access was denied at your bank\./)
    assert.match(held.body, /Monzo/)
    assert.equal(formAction(held.body, 'try-again'), undefined, 'a user who said no at the bank is not offered the same bank again')
    assert.equal(formAction(held.body, 'try-another'), `/data/${hosted.id}/another-bank`)
    assert.equal(formAction(held.body, 'give-up'), `/data/${hosted.id}/cancel`)
    assert.match(held.body, />Return to Budget Buddy</)
    const waiting = await statusOf(app, client, hosted.id)
    assert.equal(waiting.status, 'authorization_required')
    assert.equal(waiting.failure_reason, undefined)
    assert.equal((waiting as { provider?: unknown }).provider, undefined, 'the picked bank is cleared so another can be chosen')
    assert.deepEqual((await webhookTypes(app, client.id)).map((e) => e.type), [])
    const attempt = (await timelineKinds(app, hosted.id)).find((e) => e.kind === 'bank_attempt_failed')
    assert.deepEqual(JSON.parse(attempt!.detail!), { provider_id: 'ob-monzo', reason: 'provider_rejected' })

    // Reload and Back land on the held page, not an error; a stale "Continue" form does not start another trip.
    assert.match((await browser.get(hosted.path)).body, /data-held="true"/)
    const stale = await browser.post(`/data/${hosted.id}/bank`, { token: hosted.token, _csrf: csrfOf(held.body) })
    assert.equal(stale.statusCode, 303)
    assert.equal(locationOf(stale), hosted.path)
    const stalePick = await browser.post(`/data/${hosted.id}/provider`, { token: hosted.token, _csrf: csrfOf(held.body), provider_id: 'ob-barclays' })
    assert.equal(locationOf(stalePick), hosted.path)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorization_required')

    // Try another bank: the picker, then Barclays all the way.
    const another = await browser.post(formAction(held.body, 'try-another')!, { token: hosted.token, _csrf: csrfOf(held.body) })
    assert.equal(another.statusCode, 303)
    assert.equal(locationOf(another), hosted.path)
    const barclays = await toTheBank(browser, hosted, 'ob-barclays')
    assert.ok(barclays.startsWith(`${PUBLIC_URL}/model-bank/ob-barclays/authorize`), barclays)
    const done = await backFromTheBank(browser, await atTheBank(app, barclays, 'john', 'allow'))
    assert.match(done.body, /<h1>Your bank is connected<\/h1>/)
    const after = await statusOf(app, client, hosted.id) as { status: string, provider?: { provider_id: string } }
    assert.equal(after.status, 'authorized')
    assert.equal(after.provider?.provider_id, 'ob-barclays')
    assert.deepEqual((await webhookTypes(app, client.id)).map((e) => e.type), ['connection_authorized'])
  })

  test('configuration 2: the bank\'s error → Try again → straight back to the same bank → authorised', async (t) => {
    const { app, client, hosted, browser } = await setUp(t, 2)
    const first = await toTheBank(browser, hosted)
    const held = await backFromTheBank(browser, await atTheBank(app, first, 'login.provider_error', 'allow'))
    assert.match(held.body, /data-failure-reason="provider_error" data-held="true"/)
    assert.match(held.body, /Your bank returned an error\./)
    assert.equal(formAction(held.body, 'try-another'), undefined, 'the client chose the bank: no other is offered')
    const again = formAction(held.body, 'try-again')
    assert.equal(again, `/data/${hosted.id}/retry`)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorization_required')

    const retry = await browser.post(again!, { token: hosted.token, _csrf: csrfOf(held.body) })
    assert.equal(retry.statusCode, 303)
    assert.ok(locationOf(retry).startsWith(`${PUBLIC_URL}/model-bank/ob-monzo/authorize`), locationOf(retry))
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorizing')
    // A second press of the same button (Back, a double submit) does not start another trip: the waiting page.
    const twice = await browser.post(again!, { token: hosted.token, _csrf: csrfOf(held.body) })
    assert.equal(locationOf(twice), hosted.path)

    const done = await backFromTheBank(browser, await atTheBank(app, locationOf(retry), 'john', 'allow'))
    assert.match(done.body, /<h1>Your bank is connected<\/h1>/)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorized')
    assert.deepEqual((await webhookTypes(app, client.id)).map((e) => e.type), ['connection_authorized'])
  })

  test('Return to {client} makes the held failure final: the bank\'s reason, connection_failed, error= on the return URI', async (t) => {
    const { app, client, hosted, browser } = await setUp(t, 2)
    const held = await backFromTheBank(browser, await atTheBank(app, await toTheBank(browser, hosted), 'login.provider_error', 'allow'))
    // The page's policy lets its form lead to the client (browsers hold a form's redirects to form-action).
    const page = await browser.get(hosted.path)
    assert.match(String(page.headers['content-security-policy']), /form-action 'self' https:\/\/your-app\.com;/)
    const giveUp = await browser.post(formAction(held.body, 'give-up')!, { token: hosted.token, _csrf: csrfOf(held.body) })
    assert.equal(giveUp.statusCode, 303)
    const back = new URL(locationOf(giveUp))
    assert.equal(`${back.origin}${back.pathname}`, RETURN_URI)
    assert.equal(back.searchParams.get('connection_id'), hosted.id)
    assert.equal(back.searchParams.get('error'), 'provider_error')
    const failed = await statusOf(app, client, hosted.id) as { status: string, failure_reason?: string, failure_stage?: string }
    assert.deepEqual([failed.status, failed.failure_reason, failed.failure_stage], ['failed', 'provider_error', 'authorization_required'])
    const events = (await webhookTypes(app, client.id)).filter((e) => e.type === 'connection_failed')
    assert.equal(events.length, 1)
    assert.equal(events[0]!.payload.failure_reason, 'provider_error')
    assert.equal(events[0]!.payload.failure_stage, 'authorization_required')

    // Back to the held page and press its buttons again: the final result, no second event, no trip to the bank.
    const retry = await browser.post(`/data/${hosted.id}/retry`, { token: hosted.token, _csrf: csrfOf(held.body) })
    assert.equal(retry.statusCode, 303)
    const result = await backFromTheBank(browser, `${PUBLIC_URL}${locationOf(retry)}`)
    assert.match(result.body, /<h1>Your bank could not be connected<\/h1>/)
    assert.doesNotMatch(result.body, /data-held/)
    assert.match(result.body, /error=provider_error/)
    assert.equal((await webhookTypes(app, client.id)).filter((e) => e.type === 'connection_failed').length, 1)
  })

  test('a reason with no way on fails at once, as before: denied at a preselected bank, a permanently locked account', async (t) => {
    for (const [config, username, decision, reason] of [[3, 'john', 'deny', 'provider_rejected'], [2, 'login.account_permanently_locked', 'allow', 'account_permanently_locked']] as const) {
      const { app, client, hosted, browser } = await setUp(t, config)
      const result = await backFromTheBank(browser, await atTheBank(app, await toTheBank(browser, hosted), username, decision))
      assert.match(result.url, new RegExp(`^/data/${hosted.id}/result\\?l=`))
      assert.match(result.body, new RegExp(`data-failure-reason="${reason}"`))
      assert.doesNotMatch(result.body, /data-held|id="try-again"|id="try-another"/)
      const failed = await statusOf(app, client, hosted.id) as { status: string, failure_reason?: string, failure_stage?: string }
      assert.deepEqual([failed.status, failed.failure_reason, failed.failure_stage], ['failed', reason, 'authorizing'])
      assert.deepEqual((await webhookTypes(app, client.id)).map((e) => e.type), ['connection_failed'])
    }
  })

  test('the sandbox\'s authorize with outcome failed stays immediate on a hosted configuration 1 connection', async (t) => {
    const { app, client, hosted } = await setUp(t, 1)
    for (const [id, body] of [
      [hosted.id, { outcome: 'failed' }],
      [(await createHosted(app, client, CONFIG[1])).id, { outcome: 'failed', failure_reason: 'provider_error' }],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: `/sandbox/v3/data-connections/${id}/authorize`, headers: { ...client.auth, 'content-type': 'application/json' }, payload: body })
      assert.equal(res.statusCode, 200, res.body)
      const c = await statusOf(app, client, id)
      assert.equal(c.status, 'failed')
      assert.equal(c.failure_reason, 'failure_reason' in body ? body.failure_reason : 'provider_rejected')
    }
    assert.deepEqual((await webhookTypes(app, client.id)).map((e) => e.type), ['connection_failed', 'connection_failed'])
  })

  test('a user who leaves a held failure: the link\'s expiry fails the connection with the bank\'s reason', async (t) => {
    const { app, client, hosted, browser } = await setUp(t, 1)
    await backFromTheBank(browser, await atTheBank(app, await toTheBank(browser, hosted, 'ob-monzo'), 'login.account_temporarily_locked', 'allow'))
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorization_required')
    await app.deps.clock.advance(client.id, 24 * 3600 + 1)
    const res = await browser.get(hosted.path)
    assert.equal(res.statusCode, 410)
    assert.match(res.body, /error=account_temporarily_locked/)
    const failed = await statusOf(app, client, hosted.id)
    assert.deepEqual([failed.status, failed.failure_reason], ['failed', 'account_temporarily_locked'])
    assert.equal((await webhookTypes(app, client.id)).filter((e) => e.type === 'connection_failed').length, 1)
  })

  test('hand-off: the phone\'s failed attempt is held on both devices; the computer chooses another bank, the phone tries again', async (t) => {
    const { app, client, hosted, browser: desktop } = await setUp(t, 1)
    let page = await desktop.get(hosted.path)
    await desktop.post(`/data/${hosted.id}/provider`, { token: hosted.token, _csrf: csrfOf(page.body), provider_id: 'ob-monzo' })
    page = await desktop.get(hosted.path)
    await desktop.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrfOf(page.body), decision: 'allow' })
    page = await desktop.get(hosted.path)
    const handoff = new URL(/data-handoff-uri="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&'))
    const status = /data-status-uri="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&')
    const phone = new Browserish(app, PHONE_UA)
    await phone.get(handoff.pathname + handoff.search)
    const phonePage = await phone.get(`/data/${hosted.id}/phone`)
    const toBank = await phone.post(`/data/${hosted.id}/bank`, { _csrf: csrfOf(phonePage.body) })
    const held = await backFromTheBank(phone, await atTheBank(app, locationOf(toBank), 'login.internal_error', 'allow'))

    // The phone: its own page, Try again and Return, and a pointer to the computer for another bank.
    assert.equal(held.url, `/data/${hosted.id}/phone`)
    assert.match(held.body, /data-failure-reason="internal_error" data-held="true"/)
    assert.equal(formAction(held.body, 'try-again'), `/data/${hosted.id}/retry`)
    assert.equal(formAction(held.body, 'try-another'), undefined)
    assert.match(held.body, /To choose another bank, go back to your computer\./)
    assert.doesNotMatch(held.body, /name="token"/)

    // The computer's page follows: its status feed changes, and the page it reloads is the held page with every way on.
    const feed = (await app.inject({ method: 'GET', url: status })).json()
    assert.deepEqual(feed, { status: 'authorization_required', state: 'held', result_uri: null })
    const onComputer = await desktop.get(hosted.path)
    assert.match(onComputer.body, /data-state="held"/, 'the computer\'s held page follows the phone in turn')
    assert.match(onComputer.body, /data-held="true"/)
    assert.equal(formAction(onComputer.body, 'try-another'), `/data/${hosted.id}/another-bank`)

    // Try another bank on the computer: the phone waits for the choice, then offers the new bank.
    const another = await desktop.post(`/data/${hosted.id}/another-bank`, { token: hosted.token, _csrf: csrfOf(onComputer.body) })
    assert.equal(locationOf(another), hosted.path)
    assert.equal((await app.inject({ method: 'GET', url: status })).json().state, 'choosing')
    assert.match((await phone.get(`/data/${hosted.id}/phone`)).body, /<h1>Choose another bank on your computer<\/h1>/)
    page = await desktop.get(hosted.path)
    await desktop.post(`/data/${hosted.id}/provider`, { token: hosted.token, _csrf: csrfOf(page.body), provider_id: 'ob-barclays' })
    page = await desktop.get(hosted.path)
    await desktop.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrfOf(page.body), decision: 'allow' })
    assert.equal((await app.inject({ method: 'GET', url: status })).json().state, 'phone_opened')
    const next = await phone.get(`/data/${hosted.id}/phone`)
    assert.match(next.body, /Continue to Barclays/)
    const second = await phone.post(`/data/${hosted.id}/bank`, { _csrf: csrfOf(next.body) })
    const heldAgain = await backFromTheBank(phone, await atTheBank(app, locationOf(second), 'login.internal_error', 'allow'))
    assert.match(heldAgain.body, /data-held="true"/)

    // Try again on the phone: straight to the same bank, and the computer waits again.
    const retry = await phone.post(`/data/${hosted.id}/retry`, { _csrf: csrfOf(heldAgain.body) })
    assert.ok(locationOf(retry).startsWith(`${PUBLIC_URL}/model-bank/ob-barclays/authorize`), locationOf(retry))
    assert.equal((await app.inject({ method: 'GET', url: status })).json().state, 'waiting')
    assert.match((await desktop.get(hosted.path)).body, /<h1>Waiting for your bank<\/h1>/)
    const done = await backFromTheBank(phone, await atTheBank(app, locationOf(retry), 'john', 'allow'))
    assert.match(done.body, /<h1>Your bank is connected<\/h1>/)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorized')
  })

  test('French held page: typography of the reason line and the buttons', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const hosted = await createHosted(app, client, { ...CONFIG[1], hosted_page: { ...CONFIG[1].hosted_page, language_code: 'fr' } })
    const browser = new Browserish(app)
    const held = await backFromTheBank(browser, await atTheBank(app, await toTheBank(browser, hosted, 'ob-monzo'), 'login.account_temporarily_locked', 'allow'))
    assert.match(held.body, /<span class="muted">Motif\u202f:<\/span>/)
    assert.match(held.body, />Réessayer</)
    assert.match(held.body, />Essayer une autre banque</)
    assert.match(held.body, />Revenir à Budget Buddy</)
    assert.match(held.body, /Rien n’a été partagé avec Budget Buddy\./)
  })
})

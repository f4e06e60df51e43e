import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Locator, Page } from 'playwright-core'
import { findClient } from '../../src/modules/auth/client.repository.ts'
import { receiver } from '../console/console-helpers.ts'
import { connectionStatus, createConnection, launchBrowser, newContext, RETURN_URI, screenshot, signInAtBank, startLedgerite } from './browser.ts'

/** A locator's text (textContent: what is in the DOM, which is what escaping is about). */
/** YYYY-MM-DD, `offset` days from today (the test's client has not moved its clock). */
const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)

const text = async (l: Locator): Promise<string> => ((await l.textContent()) ?? '').replace(/\s+/g, ' ').trim()

/**
 * The Console in a real browser: a client signs in, adds a redirect URI, opens a connection its user authorised at
 * the model bank (configuration 5, john/doe), reads its timeline and balance chart, and redelivers a webhook its
 * receiver first refused. The page's CSP is in force throughout: any inline style or script would be blocked and
 * reported on the console, which this test treats as a failure.
 */
describe('Console in a browser', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  test('sign in → settings → connection timeline and balance chart → redeliver a webhook', async (t) => {
    const app = await startLedgerite(t)
    const rx = await receiver(t, [500, 200])
    const client = await app.client({ name: 'Budget <Buddy>', webhookUri: rx.url })

    // A connection authorised by its user in a browser (configuration 2: consent on the hosted page, then the
    // model bank as john/doe), one transactions request, and a webhook whose first delivery the receiver refuses.
    const created = await createConnection(app, client, {
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
      metadata: { order: '<b>42</b>' },
    })
    const phone = await newContext(browser, 'phone')
    const journey = await phone.newPage()
    await journey.goto(created.hosted_page!.uri)
    await journey.getByRole('button', { name: 'Allow' }).click()
    await signInAtBank(journey, 'john', 'doe')
    await journey.getByRole('button', { name: 'Allow' }).click()
    await journey.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    await phone.close()
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await app.deps.workers.runAll()
    assert.equal(rx.received.length, 1, 'first delivery made, answered 500')

    const dataHeaders = { ...client.auth, 'connection-id': created.id, 'tl-user-ip': '203.0.113.7' }
    const accounts = await app.inject({ method: 'GET', url: '/v3/connected-accounts', headers: dataHeaders })
    assert.equal(accounts.statusCode, 200, accounts.body)
    const accountId = accounts.json().items.find((a: { type: string }) => a.type === 'account').id
    const requested = await app.inject({
      method: 'POST', url: `/v3/connected-accounts/${accountId}/transactions/requests`, headers: dataHeaders,
      payload: { from: day(-30), to: day(0), page_size: 50 },
    })
    assert.equal(requested.statusCode, 202, requested.body)
    await app.deps.workers.runAll()
    assert.deepEqual(rx.received.map((b) => JSON.parse(b).type), ['connection_authorized', 'transactions_request_completed'])

    const context = await newContext(browser)
    const page = await context.newPage()
    const problems: string[] = []
    // The 401 (wrong secret) and 400 (invalid URI) answers are logged by the browser as failed loads; anything
    // else on the error console (a CSP violation, a script error) is a problem.
    page.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 40[01]/.test(m.text())) problems.push(m.text()) })
    page.on('pageerror', (e) => problems.push(e.message))

    // Sign in: a wrong secret first, then the right one.
    await page.goto(`${app.baseUrl}/console`)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.getByLabel('Client id').fill(client.id)
    await page.getByLabel('Client secret').fill('wrong')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'The client id or secret is wrong.' }).waitFor()
    await page.getByLabel('Client secret').fill(client.secret)
    await screenshot(page, 'console-sign-in')
    await page.getByRole('button', { name: 'Sign in' }).click()

    // Connections list.
    await page.getByRole('heading', { name: 'Connections' }).waitFor()
    assert.equal(await text(page.locator('.client-name')), 'Budget <Buddy>', 'client name shown as text')
    const row = page.getByRole('row').filter({ hasText: created.id })
    assert.match(await text(row), /authorized/)
    assert.match(await text(row), /Monzo \(ob-monzo\)/)
    await screenshot(page, 'console-connections')
    const cookies = await context.cookies()
    const session = cookies.find((c) => c.name === 'ledgerite_console')
    assert.ok(session)
    assert.equal(session.httpOnly, true)
    assert.equal(session.sameSite, 'Strict')
    assert.equal(session.path, '/console')

    // Settings: an invalid redirect URI is refused with the rule, a valid one is added.
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('heading', { name: 'Settings' }).waitFor()
    await page.getByLabel('Add a redirect URI').fill('your-app.com/no-scheme')
    await page.getByRole('button', { name: 'Add' }).click()
    await page.getByRole('alert').filter({ hasText: 'redirect_uri must be an absolute URL' }).waitFor()
    await page.getByLabel('Add a redirect URI').fill('https://staging.your-app.com/callback')
    await page.getByRole('button', { name: 'Add' }).click()
    await page.getByRole('status').filter({ hasText: 'Redirect URI added.' }).waitFor()
    assert.equal(await page.getByText('https://staging.your-app.com/callback', { exact: true }).count(), 1)
    assert.ok((await findClient(app.deps.db, client.id))!.redirectUris.includes('https://staging.your-app.com/callback'))
    await screenshot(page, 'console-settings')

    // The connection: timeline, accounts and chart.
    await page.getByRole('link', { name: 'Connections' }).click()
    await page.getByRole('link', { name: created.id }).click()
    await page.getByRole('heading', { name: `Connection ${created.id}` }).waitFor()
    const timeline = await text(page.locator('ol.timeline'))
    const steps = [
      'Connection created', 'Hosted page opened', 'Consent given on the hosted page', 'User sent to the bank',
      'Status changed to authorizing', 'Status changed to authorized', 'Webhook connection_authorized',
      'Transactions request', 'Webhook transactions_request_completed',
    ].map((s) => [s, timeline.indexOf(s)] as const)
    assert.ok(steps.every(([, i]) => i >= 0), `timeline has every step: ${JSON.stringify(steps)}\n${timeline}`)
    assert.deepEqual([...steps].sort((a, b) => a[1] - b[1]), steps, 'in order')
    assert.match(timeline, /500/, 'the refused attempt with its status code')
    assert.equal(await text(page.locator('.metadata td')), '<b>42</b>', 'metadata shown as text')
    const charts = page.getByRole('img', { name: /^Balance of .+ over the last 90 days$/ })
    assert.ok(await charts.count() >= 1, 'a balance chart per account')
    const box = await charts.first().boundingBox()
    assert.ok(box && box.width > 300 && box.height > 100, 'the chart is drawn at a readable size')
    assert.match(await text(page.locator('figure.chart figcaption').first()), /^Balance went from £?-?[\d,.£-]+ on \d+ \w+ \d{4} to .+\.$/)
    assert.match(await text(page.locator('.account .balance').first()), /^-?£[\d,]+\.\d\d$/)
    await screenshot(page, 'console-connection')

    // Webhook deliveries: redeliver the refused event; the next attempt succeeds.
    await page.getByRole('link', { name: 'Webhook deliveries' }).click()
    await page.getByRole('heading', { name: 'Webhook deliveries' }).waitFor()
    const event = page.locator('article.delivery').filter({ hasText: 'connection_authorized' })
    assert.match(await text(event), /500/)
    await event.getByRole('button', { name: 'Redeliver' }).click()
    await page.getByRole('status').filter({ hasText: 'Redelivery queued' }).waitFor()
    const before = rx.received.length
    await app.deps.workers.runAll()
    assert.equal(rx.received.length, before + 1)
    assert.equal(JSON.parse(rx.received.at(-1)!).type, 'connection_authorized', 'the same event sent again')
    await page.reload()
    const redelivered = page.locator('article.delivery').filter({ hasText: 'connection_authorized' })
    await redelivered.locator('.status-delivered').waitFor()
    assert.match(await text(redelivered.locator('table.attempts')), /200/)
    await screenshot(page, 'console-webhooks')

    // Sign out ends the session.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.goto(`${app.baseUrl}/console/connections`)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()

    assert.deepEqual(problems, [], 'no CSP violations or script errors')
    await context.close()
  })

  test('another client\'s connection is a 404 page in the browser', async (t) => {
    const app = await startLedgerite(t)
    const owner = await app.client({ name: 'owner' })
    const other = await app.client({ name: 'other' })
    const created = await createConnection(app, owner, {
      provider_selection: { type: 'user_selected' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
    })
    const context = await newContext(browser)
    const page: Page = await context.newPage()
    await page.goto(`${app.baseUrl}/console/sign-in`)
    await page.getByLabel('Client id').fill(other.id)
    await page.getByLabel('Client secret').fill(other.secret)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Connections' }).waitFor()
    const res = await page.goto(`${app.baseUrl}/console/connections/${created.id}`)
    assert.equal(res?.status(), 404)
    await page.getByRole('heading', { name: 'Not Found' }).waitFor()
    await screenshot(page, 'console-not-found')
    await context.close()
  })
})

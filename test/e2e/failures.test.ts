import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import {
  connectionStatus, createConnection, landing, launchBrowser, mainText, newContext, RETURN_URI, screenshot, signInAtBank, startLedgerite,
} from './browser.ts'

/**
 * Journeys that do not end well, in a browser: the user declines, the bank is denied, a wrong password (then
 * the right one), a `login.*` mock user (held, then given up), and a bank code brought back twice.
 */
describe('journey failures in a browser', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  const preselected = (consent: 'precaptured' | 'authorization_flow_captured', providerId = 'ob-monzo') => ({
    provider_selection: { type: 'preselected', provider_id: providerId },
    user_consent: consent === 'precaptured' ? { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' } : { type: 'authorization_flow_captured' },
    hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
  })

  test('declining consent fails the connection (user_declined_consent) and returns with error', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, preselected('authorization_flow_captured'))
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('button', { name: 'Decline' }).click()
    // the user's own choice: a neutral page, not an error
    await page.getByRole('heading', { name: 'You didn’t share your data' }).waitFor()
    assert.match(await mainText(page), /Nothing was shared with Budget Buddy\./)
    await screenshot(page, 'failure-01-declined-result')
    await page.getByRole('link', { name: 'Continue to Budget Buddy' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(page).get('connection_id'), created.id)
    assert.equal(landing(page).get('error'), 'user_declined_consent')
    const c = await connectionStatus(app, client, created.id)
    assert.equal(c.status, 'failed')
    assert.equal(c.failure_reason, 'user_declined_consent')
    // The hosted link now only shows the result: the journey cannot be restarted with it.
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('heading', { name: 'You didn’t share your data' }).waitFor()
    await context.close()
  })

  test('denying at the bank fails the connection (provider_rejected)', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, preselected('precaptured'))
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('button', { name: 'Continue on this device' }).click()
    await signInAtBank(page, 'john', 'doe')
    await page.getByRole('button', { name: 'Deny' }).click()
    await page.getByRole('heading', { name: 'Your bank could not be connected' }).waitFor()
    assert.match(await mainText(page), /Access was denied at your bank\./)
    await screenshot(page, 'failure-02-bank-denied-result')
    await page.getByRole('link', { name: 'Continue to Budget Buddy' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(page).get('error'), 'provider_rejected')
    assert.equal((await connectionStatus(app, client, created.id)).status, 'failed')
    await context.close()
  })

  test('a wrong password shows an error and lets the user try again', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, preselected('precaptured'))
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('button', { name: 'Continue on this device' }).click()
    await signInAtBank(page, 'john', 'not-the-password')
    await page.getByRole('alert').waitFor()
    await screenshot(page, 'failure-03-bank-wrong-password')
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorizing')
    await signInAtBank(page, 'john', 'doe')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await context.close()
  })

  test('a login.* mock user (locked at sign-in, an extension): the failure is held with Try again, and Return makes it final with that reason', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, preselected('precaptured'))
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('button', { name: 'Continue on this device' }).click()
    // The bank refuses the sign-in itself: no accounts page, straight back with the reason.
    await signInAtBank(page, 'login.account_temporarily_locked', 'anything')
    await page.getByRole('heading', { name: 'Your bank could not be connected' }).waitFor()
    assert.match(await mainText(page), /temporarily locked/)
    // A lock can lift: the journey offers the same bank again (the client chose it: no other bank), and waits.
    await page.getByRole('button', { name: 'Try again' }).waitFor()
    assert.equal(await page.getByRole('button', { name: 'Try another bank' }).count(), 0)
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorization_required')
    await screenshot(page, 'failure-04-error-user-result')
    await page.getByRole('button', { name: 'Return to Budget Buddy' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(page).get('error'), 'account_temporarily_locked')
    const c = await connectionStatus(app, client, created.id)
    assert.equal(c.status, 'failed')
    assert.equal(c.failure_reason, 'account_temporarily_locked')
    await context.close()
  })

  test('a bank code brought back a second time is refused and changes nothing', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, preselected('precaptured'))
    const context = await newContext(browser)
    const page = await context.newPage()
    const callbacks: string[] = []
    page.on('request', (r) => { if (r.url().startsWith(`${app.baseUrl}/data/callback?`)) callbacks.push(r.url()) })
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('button', { name: 'Continue on this device' }).click()
    await signInAtBank(page, 'john', 'doe')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    assert.equal(callbacks.length, 1)
    assert.match(callbacks[0]!, /[?&]code=/)

    const replay = await page.goto(callbacks[0]!)
    assert.equal(replay?.status(), 400)
    await page.getByText(/already been used/i).first().waitFor()
    await screenshot(page, 'failure-05-replayed-bank-code')
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await context.close()
  })
})

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import {
  connectionStatus, createConnection, landing, launchBrowser, newContext, PICK_A_UK_BANK, RETURN_URI, screenshot, signInAtBank, startLedgerite,
} from './browser.ts'

/**
 * Desktop → mobile hand-off: the desktop page shows a QR code for a one-time link; a phone opens it and finishes
 * at the bank; the desktop page follows by itself (no clicks on it) and shows the result. The link works once.
 */
describe('desktop to mobile hand-off in a browser', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  test('the phone finishes the journey; the desktop page follows and shows the result', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, PICK_A_UK_BANK)

    const desktopContext = await newContext(browser, 'desktop')
    const desktop = await desktopContext.newPage()
    await desktop.goto(created.hosted_page!.uri)
    await desktop.getByRole('button', { name: 'Starling' }).click()
    await desktop.getByRole('button', { name: 'Allow' }).click()
    await desktop.getByRole('heading', { name: 'Continue to Starling' }).waitFor()

    // The QR code's link, also offered as text and in a data- attribute for people (and tests) that cannot scan.
    const handoffUri = await desktop.locator('[data-handoff-uri]').getAttribute('data-handoff-uri')
    assert.ok(handoffUri?.startsWith(`${app.baseUrl}/data/${created.id}/handoff?h=`), handoffUri ?? 'no link')
    await desktop.getByText('Can’t scan the code? Show the link').click()
    assert.equal(await desktop.getByLabel('One-time link for your phone').inputValue(), handoffUri)
    const qr = await desktop.getByRole('img', { name: /QR code/ }).getAttribute('src')
    assert.match(qr ?? '', /^data:image\/svg\+xml;base64,/)
    await screenshot(desktop, 'handoff-01-desktop-qr')

    const phoneContext = await newContext(browser, 'phone')
    const phone = await phoneContext.newPage()
    await phone.goto(handoffUri!)
    await phone.getByRole('heading', { name: 'Continue to Starling' }).waitFor()
    await screenshot(phone, 'handoff-02-phone-continue')

    // The desktop notices the phone by itself (polling the status endpoint).
    await desktop.getByRole('heading', { name: 'Continue on your phone' }).waitFor()
    await screenshot(desktop, 'handoff-03-desktop-waiting-for-phone')

    // The link is single use: a second device opening it is refused.
    const otherContext = await newContext(browser, 'phone')
    const other = await otherContext.newPage()
    const again = await other.goto(handoffUri!)
    assert.equal(again?.status(), 410)
    await other.getByRole('heading', { name: 'This link was already used' }).waitFor()
    await screenshot(other, 'handoff-04-phone-link-reused')
    await otherContext.close()

    await phone.getByRole('button', { name: 'Continue to Starling' }).click()
    await phone.getByRole('heading', { name: /Sign in to Starling/ }).waitFor()
    await screenshot(phone, 'handoff-05-phone-bank-login')
    await signInAtBank(phone, 'john', 'doe')
    await phone.getByRole('button', { name: 'Allow' }).click()
    await phone.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    await screenshot(phone, 'handoff-06-phone-result')

    // …and the desktop shows the result without anyone touching it.
    await desktop.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    await screenshot(desktop, 'handoff-07-desktop-result')
    await desktop.getByRole('link', { name: 'Continue to Budget Buddy' }).click()
    await desktop.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(desktop).get('connection_id'), created.id)
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await phoneContext.close()
    await desktopContext.close()
  })

  test('without JavaScript the desktop page follows too (meta refresh)', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
      user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
    })
    const desktopContext = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } })
    desktopContext.setDefaultTimeout(20_000)
    const desktop = await desktopContext.newPage()
    await desktop.goto(created.hosted_page!.uri)
    const handoffUri = await desktop.locator('[data-handoff-uri]').getAttribute('data-handoff-uri')

    const phoneContext = await newContext(browser, 'phone')
    const phone = await phoneContext.newPage()
    await phone.goto(handoffUri!)
    await phone.getByRole('button', { name: 'Continue to Monzo' }).click()
    await signInAtBank(phone, 'john', 'doe')
    await phone.getByRole('button', { name: 'Allow' }).click()
    await phone.getByRole('heading', { name: 'Your bank is connected' }).waitFor()

    await desktop.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    // The same result page as handoff-07, which axe checks; this context has no JavaScript to run axe in.
    await screenshot(desktop, 'handoff-08-desktop-result-no-js', { javaScriptDisabled: true })
    await phoneContext.close()
    await desktopContext.close()
  })
})

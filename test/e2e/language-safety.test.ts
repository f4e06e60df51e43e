import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import {
  connectionStatus, createConnection, landing, launchBrowser, mainText, newContext, RETURN_URI, screenshot, signInAtBank, startLedgerite,
} from './browser.ts'

/** The hosted pages' language choice, accessibility, and user-supplied text shown as text, in a browser. */
describe('hosted pages: language, accessibility and safety in a browser', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  test('language_code=de shows the journey in German, whatever the browser prefers', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'user_selected', filter: { countries: ['DE', 'GB'] } },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI, country_code: 'DE', language_code: 'de' },
    })
    const context = await newContext(browser, 'desktop', 'en-GB')
    const page = await context.newPage()
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('heading', { name: 'Wählen Sie Ihre Bank' }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'de')
    // country_code=DE pre-selects the German tab, named in German
    assert.equal(await page.getByRole('link', { name: 'Deutschland' }).getAttribute('aria-current'), 'page')
    await screenshot(page, 'language-01-de-picker')
    await page.locator('button.provider').first().click()
    await page.getByRole('heading', { name: 'Ihre Daten mit Budget Buddy teilen' }).waitFor()
    assert.match(await mainText(page), /Wiederkehrender Zugriff: Budget Buddy kann diese Informationen 90 Tage lang abrufen/)
    await screenshot(page, 'language-02-de-consent')
    await page.getByRole('button', { name: 'Erlauben' }).click()
    await page.getByRole('button', { name: 'Auf diesem Gerät fortfahren' }).click()
    // the bank speaks the journey's language too
    await page.getByRole('heading', { name: /^Bei .+ anmelden$/ }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'de')
    await page.getByLabel('Benutzername').fill('john')
    await page.getByLabel('Passwort').fill('doe')
    await page.getByRole('button', { name: 'Anmelden' }).click()
    await page.getByRole('heading', { name: 'Ihre Konten mit Budget Buddy teilen' }).waitFor()
    await screenshot(page, 'language-02b-de-bank-accounts')
    await page.getByRole('button', { name: 'Erlauben' }).click()
    await page.getByRole('heading', { name: 'Ihre Bank ist verbunden' }).waitFor()
    await screenshot(page, 'language-03-de-result')
    await page.getByRole('link', { name: 'Weiter zu Budget Buddy' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(page).get('connection_id'), created.id)
    await context.close()
  })

  test('without language_code the browser’s Accept-Language chooses (French)', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
    })
    const context = await newContext(browser, 'phone', 'fr-FR')
    const page = await context.newPage()
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('heading', { name: 'Partager vos données avec Budget Buddy' }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr')
    await screenshot(page, 'language-04-fr-consent-phone')
    await context.close()
  })

  test('a <script> user name and a marked-up client name are shown as text, never run', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Evil <b>Co</b> & "Sons"' })
    const userName = '<script>alert`pwned`</script><img src=x onerror=alert`img`>'
    const created = await createConnection(app, client, {
      user: { name: userName, email: 'jane@example.com' },
      metadata: { note: '<script>alert`meta`</script>' },
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
    })
    const context = await newContext(browser)
    const page = await context.newPage()
    const dialogs: string[] = []
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss() })
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('heading', { name: 'Share your data with Evil <b>Co</b> & "Sons"' }).waitFor()
    // The name is there, character for character, as text…
    await page.getByText(`Connecting for ${userName}`).waitFor()
    // …and made no elements: the only script is none (this page has no live update) and no <img src=x>.
    assert.equal(await page.locator('main script').count(), 0)
    assert.equal(await page.locator('main img[src="x"]').count(), 0)
    assert.equal(await page.locator('main b').count(), 0)
    await screenshot(page, 'safety-01-script-name-as-text')

    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('button', { name: 'Continue on this device' }).click()
    await signInAtBank(page, 'john', 'doe')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    await page.getByText(`Connecting for ${userName}`).waitFor()
    assert.deepEqual(dialogs, [])
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await context.close()
  })

  test('keyboard only: focus order follows the page, focus is visible; no sideways scrolling at phone width', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'user_selected', filter: { countries: ['GB', 'IE'] } },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
    })
    const context = await newContext(browser, 'phone')
    const page = await context.newPage()
    await page.goto(created.hosted_page!.uri)
    const focused = async () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null
      const label = el?.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : undefined
      return `${el?.tagName.toLowerCase()}:${(label ?? el?.textContent ?? '').trim()}`
    })
    const outline = async () => page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)
    await page.keyboard.press('Tab')
    assert.equal(await focused(), 'a:Skip to content')
    await page.keyboard.press('Tab')
    assert.equal(await focused(), 'input:Search for your bank')
    assert.equal(await outline(), 'solid')
    await page.keyboard.press('Tab')
    assert.equal(await focused(), 'button:Search')
    await page.keyboard.press('Tab')
    assert.equal(await focused(), 'a:United Kingdom')
    await page.keyboard.press('Tab')
    assert.equal(await focused(), 'a:Ireland')
    // Then the banks, in the order they are shown (the popular group first): the first one in the page.
    const firstBank = (await page.locator('button.provider').first().textContent()) ?? ''
    await page.keyboard.press('Tab')
    assert.equal(await focused(), `button:${firstBank.trim()}`)
    assert.equal(await outline(), 'solid')
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(sideways <= 0, `the picker scrolls sideways by ${sideways}px at 390px`)
    await screenshot(page, 'a11y-01-picker-phone-keyboard')

    // choose a bank with the keyboard; the consent screen's buttons come in reading order
    await page.getByRole('button', { name: 'Monzo' }).focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Share your data with Budget Buddy' }).waitFor()
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    assert.equal(await focused(), 'button:Allow')
    await page.keyboard.press('Tab')
    assert.equal(await focused(), 'button:Decline')
    await page.keyboard.press('Tab')
    assert.equal(await focused(), 'a:Choose a different bank')
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth))
    await screenshot(page, 'a11y-02-consent-phone')
    await context.close()
  })
})

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import {
  connectionStatus, createConnection, landing, launchBrowser, mainText, newContext, RETURN_URI, screenshot, signInAtBank, startLedgerite,
} from './browser.ts'

/**
 * Every journey configuration end to end in a real browser: create → the hosted pages (or the bank straight
 * away) → the model bank as john/doe → back on the client's return URI with `connection_id`, and the connection
 * `authorized` on GET /v3/data-connections/{id}.
 */
describe('journey configurations in a browser', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  test('configuration 1: picker → consent → continue on this device → bank → result → return URI', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'user_selected', filter: { countries: ['GB', 'DE'] } },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI, country_code: 'GB' },
    })
    assert.equal(created.status, 'authorization_required')
    const context = await newContext(browser)
    const page = await context.newPage()

    await page.goto(created.hosted_page!.uri)
    await page.getByRole('heading', { name: 'Choose your bank' }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'en')
    // country_code pre-selects the tab; the filter's countries are the tabs
    assert.equal(await page.getByRole('link', { name: 'United Kingdom' }).getAttribute('aria-current'), 'page')
    assert.equal(await page.getByRole('link', { name: 'Germany' }).count(), 1)
    assert.equal(await page.getByRole('link', { name: 'France' }).count(), 0)
    await screenshot(page, 'config1-01-picker')

    // the search works server-side (a GET form)
    await page.getByLabel('Search for your bank').fill('monz')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('heading', { name: 'Results for “monz”' }).waitFor()
    await screenshot(page, 'config1-02-picker-search')
    assert.equal(await page.locator('button.provider').count(), 1)
    await page.getByRole('button', { name: 'Monzo' }).click()

    await page.getByRole('heading', { name: 'Share your data with Budget Buddy' }).waitFor()
    const consentText = await mainText(page)
    assert.match(consentText, /Your transactions/)
    assert.match(consentText, /Recurring access: Budget Buddy can read this information for 90 days/)
    assert.match(consentText, /Monzo/)
    await screenshot(page, 'config1-03-consent')
    await page.getByRole('button', { name: 'Allow' }).click()

    // a desktop browser: the QR hand-off, or this device
    await page.getByRole('heading', { name: 'Continue to Monzo' }).waitFor()
    assert.equal(await page.getByRole('img', { name: /QR code/ }).count(), 1)
    await screenshot(page, 'config1-04-handoff')
    await page.getByRole('button', { name: 'Continue on this device' }).click()

    await page.getByRole('heading', { name: /Sign in to Monzo/ }).waitFor()
    await screenshot(page, 'config1-05-bank-login')
    await signInAtBank(page, 'john', 'doe')
    await page.getByRole('button', { name: 'Allow' }).waitFor()
    await screenshot(page, 'config1-06-bank-accounts')
    await page.getByRole('button', { name: 'Allow' }).click()

    await page.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    assert.match(await mainText(page), /Monzo is now connected to Budget Buddy/)
    assert.match(await mainText(page), /\d+ accounts? shared/)
    await screenshot(page, 'config1-07-result')
    await page.getByRole('link', { name: 'Continue to Budget Buddy' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(page).get('connection_id'), created.id)
    assert.equal(landing(page).get('error'), null)

    const after = await connectionStatus(app, client, created.id)
    assert.equal(after.status, 'authorized')
    await context.close()
  })

  test('configuration 2: preselected provider → consent → bank → result → return URI', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
      data_access_type: 'one_time',
    })
    const context = await newContext(browser, 'phone')
    const page = await context.newPage()
    await page.goto(created.hosted_page!.uri)
    // no picker: straight to consent, which says the access is one-time
    await page.getByRole('heading', { name: 'Share your data with Budget Buddy' }).waitFor()
    assert.match(await mainText(page), /One-time access: Budget Buddy can read this information once, within 60 minutes/)
    assert.equal(await page.getByRole('link', { name: 'Choose a different bank' }).count(), 0)
    await screenshot(page, 'config2-01-consent-phone')
    // on a phone there is nothing to hand off: Allow goes straight to the bank
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('heading', { name: /Sign in to Monzo/ }).waitFor()
    await signInAtBank(page, 'john', 'doe')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    await screenshot(page, 'config2-02-result-phone')
    await page.getByRole('link', { name: 'Continue to Budget Buddy' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(page).get('connection_id'), created.id)
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await context.close()
  })

  test('configuration 3: precaptured consent skips picker and consent → hand-off choice → bank', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'preselected', provider_id: 'ob-barclays' },
      user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
    })
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('heading', { name: 'Continue to Barclays' }).waitFor()
    assert.equal(await page.getByRole('button', { name: 'Allow' }).count(), 0)
    await screenshot(page, 'config3-01-handoff')
    await page.getByRole('button', { name: 'Continue on this device' }).click()
    await page.getByRole('heading', { name: /Sign in to Barclays/ }).waitFor()
    await signInAtBank(page, 'john', 'doe')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    await screenshot(page, 'config3-02-result')
    await page.getByRole('link', { name: 'Continue to Budget Buddy' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(page).get('connection_id'), created.id)
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await context.close()
  })

  test('configuration 4: next.uri → bank → Ledgerite result page → return URI', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy', redirectUris: ['https://your-app.com/callback?from=ledgerite'] })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
      user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
      hosted_page: { type: 'result_page', return_uri: 'https://your-app.com/callback?from=ledgerite' },
    })
    assert.equal(created.status, 'authorizing')
    const next = created.authorization_flow!.actions.next
    assert.equal(next.type, 'redirect')
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(next.uri!)
    await signInAtBank(page, 'john', 'doe')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
    await screenshot(page, 'config4-01-result')
    await page.getByRole('link', { name: 'Continue to Budget Buddy' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    // the return URI's own query is kept, the outcome appended
    assert.equal(landing(page).get('from'), 'ledgerite')
    assert.equal(landing(page).get('connection_id'), created.id)
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await context.close()
  })

  test('configuration 5: next.uri → bank → straight back to the return URI', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
      user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
      authorization_flow: { redirect: { return_uri: RETURN_URI } },
    })
    assert.equal(created.status, 'authorizing')
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(created.authorization_flow!.actions.next.uri!)
    await signInAtBank(page, 'john', 'doe')
    await screenshot(page, 'config5-01-bank-accounts')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(page).get('connection_id'), created.id)
    assert.equal(landing(page).get('error'), null)
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await context.close()
  })

  test('configuration 5b: provider_selection action → next.uri → bank → return URI', async (t) => {
    const app = await startLedgerite(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const created = await createConnection(app, client, {
      provider_selection: { type: 'user_selected' },
      user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
      authorization_flow: { redirect: { return_uri: RETURN_URI } },
    })
    assert.equal(created.authorization_flow!.actions.next.type, 'provider_selection')
    const chosen = await app.inject({
      method: 'POST',
      url: `/v3/data-connections/${created.id}/authorization-flow/actions/provider-selection`,
      headers: { ...client.auth, 'content-type': 'application/json' },
      payload: { provider_id: 'ob-starling' },
    })
    assert.equal(chosen.statusCode, 200, chosen.body)
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(chosen.json().authorization_flow.actions.next.uri)
    await page.getByRole('heading', { name: /Sign in to Starling/ }).waitFor()
    await signInAtBank(page, 'john', 'doe')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
    assert.equal(landing(page).get('connection_id'), created.id)
    assert.equal((await connectionStatus(app, client, created.id)).status, 'authorized')
    await context.close()
  })
})

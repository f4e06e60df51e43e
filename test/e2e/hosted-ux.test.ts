import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { checkLogo } from '../../src/modules/journey/branding.ts'
import { saveBranding } from '../../src/modules/auth/client-branding.repository.ts'
import { tinyPng } from '../journey/tiny-png.ts'
import { axeContext, axeViolations } from './axe.ts'
import { connectionStatus, createConnection, landing, launchBrowser, RETURN_URI, screenshot, signInAtBank, startLedgerite } from './browser.ts'

/**
 * The hosted pages as a client's customer meets them, on a desktop (1280×800) and a phone (390×844): the client's
 * branding on every page, recognisable banks with search as you type, Cancel and return, Back after a decision,
 * and axe-core on every page: no WCAG 2.2 A/AA violation.
 */
async function expectAccessible (page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `${name}: ${violations.join('\n')}`)
}

async function noHorizontalScroll (page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }))
  assert.ok(scroll <= width, `page is ${scroll}px wide in a ${width}px window`)
}

async function brandedClient (app: Awaited<ReturnType<typeof startLedgerite>>) {
  const client = await app.client({ name: 'my-app' })
  const logo = checkLogo(tinyPng())
  assert.ok('logo' in logo)
  await saveBranding(app.deps.db, client.id, {
    displayName: 'Acme Household Budgeting and Savings Planner', accentColor: '#7a1f5c', privacyUrl: 'https://acme.example/privacy', logo: logo.logo,
  }, new Date())
  return client
}

const CONFIG_1 = {
  provider_selection: { type: 'user_selected', filter: { countries: ['GB', 'DE'] } },
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
}

describe('hosted pages: branding, banks, recovery, accessibility', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  for (const kind of ['desktop', 'phone'] as const) {
    test(`${kind}: branded picker with marks from one sprite, search as you type, consent, then Cancel and return`, async (t) => {
      const app = await startLedgerite(t)
      const client = await brandedClient(app)
      const created = await createConnection(app, client, CONFIG_1)
      const context = await axeContext(browser, kind)
      const page = await context.newPage()
      const requests: string[] = []
      page.on('request', (r) => requests.push(new URL(r.url()).pathname))

      await page.goto(created.hosted_page!.uri)
      await page.getByRole('heading', { name: 'Choose your bank' }).waitFor()
      // the client's name and logo in the header, its colour on the buttons
      await page.locator('header .brand-name', { hasText: 'Acme Household Budgeting and Savings Planner' }).waitFor()
      assert.equal(await page.locator('header .brand img').count(), 1)
      const searchButton = await page.getByRole('button', { name: 'Search', exact: true }).evaluate((b) => getComputedStyle(b).backgroundColor)
      assert.equal(searchButton, 'rgb(122, 31, 92)')
      // the marks: one sprite, no request per bank
      assert.equal(requests.filter((p) => p.startsWith('/data/assets/providers/')).length, 0)
      assert.ok(await page.locator('button.provider').count() > 10)
      assert.equal(await page.getByRole('heading', { name: 'Popular banks' }).count(), 1)
      // the country chips and bank buttons are at least 44 px tall
      for (const h of await page.locator('.tabs a, button.provider').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))) {
        assert.ok(h >= 44, `a touch target ${h}px tall`)
      }
      await noHorizontalScroll(page)
      await screenshot(page, `ux-${kind}-01-branded-picker`)
      await expectAccessible(page, 'picker')

      // search as you type: no page load, banks filtered, then the "no bank found" note
      const before = requests.length
      await page.getByLabel('Search for your bank').first().fill('natw')
      await page.locator('button.provider:visible').first().waitFor()
      await page.getByRole('button', { name: 'Monzo', exact: true }).waitFor({ state: 'hidden' })
      const shown = await page.locator('button.provider:visible span:not(.country)').allInnerTexts()
      assert.ok(shown.length >= 1 && shown.every((n) => /natw/i.test(n)), shown.join(', '))
      await page.getByLabel('Search for your bank').first().fill('zzzz')
      await page.getByText('No bank on this page matches').waitFor()
      assert.equal(requests.length, before, 'typing made no request')
      await screenshot(page, `ux-${kind}-02-search-no-match`)
      await expectAccessible(page, 'picker, no match')
      await page.getByText('My bank isn’t listed').click()
      await page.getByText('can connect the banks shown here').waitFor()
      await page.getByLabel('Search for your bank').first().fill('')

      await page.getByRole('button', { name: 'Monzo', exact: true }).click()
      await page.getByRole('heading', { name: 'Share your data with Acme Household Budgeting and Savings Planner' }).waitFor()
      await page.getByRole('link', { name: /privacy policy/ }).waitFor()
      await noHorizontalScroll(page)
      await screenshot(page, `ux-${kind}-03-branded-consent`)
      await expectAccessible(page, 'consent')

      await page.getByRole('button', { name: 'Cancel and return to Acme Household Budgeting and Savings Planner' }).click()
      await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
      assert.equal(landing(page).get('connection_id'), created.id)
      assert.equal(landing(page).get('error'), 'user_declined_consent')
      const c = await connectionStatus(app, client, created.id)
      assert.equal(c.status, 'failed')
      assert.equal(c.failure_reason, 'user_declined_consent')

      // Back to the consent page: it shows where the journey is now (the neutral result), never an error page
      await page.goBack()
      await page.getByRole('button', { name: 'Allow' }).click().catch(() => {})
      await page.getByRole('heading', { name: 'You didn’t share your data' }).waitFor()
      await screenshot(page, `ux-${kind}-04-back-after-cancel`)
      await expectAccessible(page, 'result after Back')
      await context.close()
    })
  }

  test('a long display name wraps inside a 320 px screen', async (t) => {
    const app = await startLedgerite(t)
    const client = await brandedClient(app)
    const created = await createConnection(app, client, { ...CONFIG_1, provider_selection: { type: 'preselected', provider_id: 'ob-monzo' } })
    const context = await axeContext(browser, 'phone')
    const page = await context.newPage()
    await page.setViewportSize({ width: 320, height: 640 })
    await page.goto(created.hosted_page!.uri)
    await page.getByRole('heading', { name: /Share your data with Acme/ }).waitFor()
    await noHorizontalScroll(page)
    await screenshot(page, 'ux-phone320-consent-long-name')
    await context.close()
  })

  for (const kind of ['desktop', 'phone'] as const) {
    test(`${kind}: the bank's pages and the result, branded and accessible; decline is neutral`, async (t) => {
      const app = await startLedgerite(t)
      const client = await brandedClient(app)
      const created = await createConnection(app, client, { ...CONFIG_1, provider_selection: { type: 'preselected', provider_id: 'ob-monzo' } })
      const context = await axeContext(browser, kind)
      const page = await context.newPage()
      await page.goto(created.hosted_page!.uri)
      await page.getByRole('button', { name: 'Allow' }).click()
      if (kind === 'desktop') {
        await page.getByRole('img', { name: /QR code/ }).waitFor()
        await screenshot(page, `ux-${kind}-05-handoff`)
        await expectAccessible(page, 'hand-off')
        await page.getByRole('button', { name: 'Continue on this device' }).click()
      }
      await page.getByLabel('Username').waitFor()
      await screenshot(page, `ux-${kind}-06-bank-sign-in`)
      await expectAccessible(page, 'bank sign-in')
      await signInAtBank(page, 'john', 'doe')
      await page.getByRole('button', { name: 'Allow' }).waitFor()
      await screenshot(page, `ux-${kind}-07-bank-accounts`)
      await expectAccessible(page, 'bank accounts')
      await page.getByRole('button', { name: 'Allow' }).click()
      await page.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
      await screenshot(page, `ux-${kind}-08-result`)
      await expectAccessible(page, 'result')

      const declined = await createConnection(app, client, { ...CONFIG_1, provider_selection: { type: 'preselected', provider_id: 'ob-monzo' } })
      await page.goto(declined.hosted_page!.uri)
      await page.getByRole('button', { name: 'Decline' }).click()
      await page.getByRole('heading', { name: 'You didn’t share your data' }).waitFor()
      await screenshot(page, `ux-${kind}-09-declined`)
      await expectAccessible(page, 'declined result')
      await context.close()
    })
  }
})

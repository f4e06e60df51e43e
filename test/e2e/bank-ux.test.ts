import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { beginBankAuthorization } from '../../src/modules/connections/connection.authorization.ts'
import { toConnection } from '../../src/modules/connections/connection.model.ts'
import { findConnection } from '../../src/modules/connections/connection.repository.ts'
import { saveBranding } from '../../src/modules/auth/client-branding.repository.ts'
import { BANK_LANGUAGES, bankTranslator } from '../../src/modules/model-bank/model-bank.messages.ts'
import { axeContext, axeViolations } from './axe.ts'
import { createConnection, launchBrowser, RETURN_URI, screenshot, startLedgerite } from './browser.ts'

/**
 * The model bank's pages in every language of the journey, on a desktop (1280×800) and a phone (390×844): sign in,
 * choose accounts, and the page Back shows once the request is answered. Each is in the journey's language (named
 * on <html lang>), fits the window, and axe-core finds no WCAG 2.2 A/AA violation.
 */
async function expectAccessible (page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `${name}: ${violations.join('\n')}`)
}

async function fits (page: Page, name: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }))
  assert.ok(scroll <= width, `${name}: the page is ${scroll}px wide in a ${width}px window`)
}

describe('model bank pages: the journey\'s language, accessible on desktop and phone', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  for (const kind of ['desktop', 'phone'] as const) {
    test(`${kind}: sign-in, accounts and the answered-request page in ${BANK_LANGUAGES.join(', ')}`, async (t) => {
      const app = await startLedgerite(t)
      const client = await app.client({ name: 'my-app' })
      await saveBranding(app.deps.db, client.id, { displayName: 'Acme Household Budgeting and Savings Planner' }, new Date())
      // The browser prefers English: every page below follows the journey's language_code instead.
      const context = await axeContext(browser, kind, 'en-GB')
      const page = await context.newPage()

      for (const lang of BANK_LANGUAGES) {
        const say = bankTranslator(lang)
        const created = await createConnection(app, client, {
          provider_selection: { type: 'preselected', provider_id: 'ob-natwest' },
          user_consent: { type: 'authorization_flow_captured' },
          hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI, language_code: lang },
        })
        const row = await findConnection(app.deps.db, client.id, created.id)
        assert.ok(row)
        const { uri } = await beginBankAuthorization(app.deps, { connection: toConnection(row), providerId: 'ob-natwest', now: await app.deps.clock.now(client.id) })

        await page.goto(uri)
        await page.getByRole('heading', { name: say('login.title', { bank: 'NatWest' }) }).waitFor()
        assert.equal(await page.locator('html').getAttribute('lang'), lang)
        await page.getByText('Acme Household Budgeting and Savings Planner').first().waitFor()
        await fits(page, `${lang} sign-in`)
        await screenshot(page, `bank-${kind}-${lang}-1-sign-in`)
        await expectAccessible(page, `${lang} sign-in`)

        await page.getByLabel(say('login.username')).fill('john')
        await page.getByLabel(say('login.password')).fill('doe')
        await page.getByRole('button', { name: say('login.submit') }).click()
        await page.getByRole('heading', { name: say('accounts.title', { client: 'Acme Household Budgeting and Savings Planner' }) }).waitFor()
        assert.equal(await page.locator('html').getAttribute('lang'), lang)
        await fits(page, `${lang} accounts`)
        await screenshot(page, `bank-${kind}-${lang}-2-accounts`)
        await expectAccessible(page, `${lang} accounts`)

        // Deny, then the bank link again (as Back does): the bank's own page, in the journey's language.
        await page.getByRole('button', { name: say('accounts.deny') }).click()
        await page.waitForURL((u) => !u.pathname.startsWith('/model-bank/'))
        await page.goto(uri)
        await page.getByRole('heading', { name: say('error.completed_title') }).waitFor()
        assert.equal(await page.locator('html').getAttribute('lang'), lang)
        await fits(page, `${lang} answered request`)
        await screenshot(page, `bank-${kind}-${lang}-3-answered`)
        await expectAccessible(page, `${lang} answered request`)
      }
      await context.close()
    })
  }
})

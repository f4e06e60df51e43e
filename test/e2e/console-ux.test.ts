import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { failConnection } from '../../src/modules/connections/connection.lifecycle.ts'
import { seedConnection } from '../console/console-helpers.ts'
import { axeContext, axeViolations } from './axe.ts'
import { launchBrowser, screenshot, startLedgerite } from './browser.ts'

/** The Console at 1280×800 and on a 390×844 phone: every page fits, and axe-core finds no WCAG 2.2 A/AA violation. */
async function check (page: Page, name: string, kind: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }))
  assert.ok(scroll <= width, `${name}: ${scroll}px wide in a ${width}px window`)
  await screenshot(page, `console-ux-${kind}-${name}`)
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `${name}: ${violations.join('\n')}`)
}

describe('Console: phone layout and accessibility', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  for (const kind of ['desktop', 'phone'] as const) {
    test(`${kind}: sign-in, connections, a connection, deliveries, settings and branding`, async (t) => {
      const app = await startLedgerite(t)
      const client = await app.client({ name: 'Budget Buddy' })
      const id = await seedConnection(app, client.id)
      await failConnection(app.deps.db, client.id, id, new Date(), 'user_declined_consent')
      await seedConnection(app, client.id)
      const context = await axeContext(browser, kind)
      const page = await context.newPage()
      await page.goto(`${app.baseUrl}/console/sign-in`)
      await check(page, '01-sign-in', kind)
      await page.getByLabel('Client id').fill(client.id)
      await page.getByLabel('Client secret').fill(client.secret)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('heading', { name: 'Connections' }).waitFor()
      await check(page, '02-connections', kind)
      await page.goto(`${app.baseUrl}/console/connections/${id}`)
      await page.getByText('connection_failed').first().waitFor()
      // no webhook URI yet: nothing to redeliver to, so no Redeliver button
      assert.equal(await page.getByRole('button', { name: 'Redeliver' }).count(), 0)
      await check(page, '03-connection', kind)
      await page.goto(`${app.baseUrl}/console/webhooks`)
      await check(page, '04-webhooks', kind)
      await page.goto(`${app.baseUrl}/console/settings`)
      await check(page, '05-settings', kind)
      await page.getByRole('link', { name: 'Branding of your hosted pages' }).click()
      await page.getByLabel('Display name').fill('Acme Budget')
      await page.getByLabel('Accent colour').fill('#ffcc00')
      await page.getByRole('button', { name: 'Save branding' }).click()
      await page.getByRole('alert').waitFor()
      await check(page, '06-branding-refused', kind)
      await page.getByLabel('Accent colour').fill('#1a3d8f')
      await page.getByRole('button', { name: 'Save branding' }).click()
      await page.getByText('Branding saved').waitFor()
      await check(page, '07-branding-saved', kind)
      await context.close()
    })
  }
})

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { axeContext } from './axe.ts'
import { connectionStatus, createConnection, landing, launchBrowser, mainText, PICK_A_UK_BANK, screenshot, signInAtBank, startLedgerite } from './browser.ts'

/**
 * "Try another bank" in a browser, on a desktop (1280×800) and a phone (390×844): the user picks a bank on the
 * hosted picker, denies at it, and the held page leads back to the picker of the same connection; the second
 * bank connects. Every page photographed is checked with axe-core.
 */
describe('a failed bank attempt, then another bank, in a browser', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  for (const kind of ['desktop', 'phone'] as const) {
    test(`${kind}: deny at the bank → held page → Try another bank → the picker → another bank → connected`, async (t) => {
      const app = await startLedgerite(t)
      const client = await app.client({ name: 'Budget Buddy' })
      const created = await createConnection(app, client, PICK_A_UK_BANK)
      const context = await axeContext(browser, kind)
      const page = await context.newPage()
      const toTheBank = async (bank: string) => {
        await page.getByRole('heading', { name: 'Choose your bank' }).waitFor()
        await page.getByRole('button', { name: bank, exact: true }).click()
        await page.getByRole('heading', { name: 'Share your data with Budget Buddy' }).waitFor()
        await page.getByRole('button', { name: 'Allow' }).click()
        if (kind === 'desktop') await page.getByRole('button', { name: 'Continue on this device' }).click()
        await page.getByRole('heading', { name: new RegExp(`Sign in to ${bank}`) }).waitFor()
        await signInAtBank(page, 'john', 'doe')
      }

      await page.goto(created.hosted_page!.uri)
      await toTheBank('Monzo')
      await page.getByRole('button', { name: 'Deny' }).click()

      // Held: what happened and the ways on; the client has heard nothing yet.
      await page.getByRole('heading', { name: 'Your bank could not be connected' }).waitFor()
      const held = await mainText(page)
      assert.match(held, /Access was denied at your bank\./)
      assert.match(held, /Nothing was shared with Budget Buddy\./)
      assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0)
      assert.equal(await page.getByRole('button', { name: 'Return to Budget Buddy' }).count(), 1)
      await screenshot(page, `retry-${kind}-01-held-after-deny`)
      const waiting = await connectionStatus(app, client, created.id)
      assert.equal(waiting.status, 'authorization_required')
      const webhooks = await app.deps.db.selectFrom('webhook_events').select('type').where('client_id', '=', client.id).execute()
      assert.deepEqual(webhooks, [])

      // A reload shows the same page, not an error.
      await page.reload()
      await page.getByRole('button', { name: 'Try another bank' }).waitFor()

      await page.getByRole('button', { name: 'Try another bank' }).click()
      await page.getByRole('heading', { name: 'Choose your bank' }).waitFor()
      await screenshot(page, `retry-${kind}-02-picker-again`)
      await toTheBank('Barclays')
      await page.getByRole('button', { name: 'Allow' }).click()

      await page.getByRole('heading', { name: 'Your bank is connected' }).waitFor()
      assert.match(await mainText(page), /Barclays is now connected to Budget Buddy/)
      await screenshot(page, `retry-${kind}-03-connected`)
      await page.getByRole('link', { name: 'Continue to Budget Buddy' }).click()
      await page.waitForURL(/^https:\/\/your-app\.com\/callback\?/)
      assert.equal(landing(page).get('connection_id'), created.id)
      assert.equal(landing(page).get('error'), null)
      const done = await connectionStatus(app, client, created.id) as { status: string, provider?: { provider_id: string } }
      assert.equal(done.status, 'authorized')
      assert.equal(done.provider?.provider_id, 'ob-barclays')
      await context.close()
    })
  }
})

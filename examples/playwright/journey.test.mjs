// The hosted journey in a real browser: Ledgerite started in-process by the test kit, Chromium through
// playwright-core (CHROMIUM_PATH, default /usr/bin/chromium), the pages driven by completeJourney.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { completeJourney, startLedgerite } from 'ledgerite/testing'
import { chromium } from 'playwright-core'

const RETURN_URI = 'https://budget-buddy.test/linked'
let lg
let browser

before(async () => {
  lg = await startLedgerite({ database: 'memory' })
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
})
after(async () => {
  await browser?.close()
  await lg?.close()
})

test('a user links Monzo through the hosted pages and the app gets the connection back', async () => {
  const hooks = await lg.webhooks()
  const app = await lg.createClient({ name: 'Budget Buddy', redirectUris: [RETURN_URI], webhookUri: hooks.url })
  const created = await app.api.connections.create({
    scopes: ['info', 'accounts', 'balance', 'transactions'],
    provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
    user: { name: 'Jane Smith', email: 'jane@example.com' },
    user_consent: { type: 'authorization_flow_captured' },
    hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
  })

  const context = await browser.newContext()
  // Nothing listens at the app's return URI in this test: answer it in the browser.
  await context.route('https://budget-buddy.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Linked</h1>' }))
  const page = await context.newPage()
  await page.goto(created.hosted_page.uri)
  const result = await completeJourney(page, { provider: 'ob-monzo', user: 'john', password: 'doe' })
  await context.close()

  assert.equal(result.connectionId, created.id)
  assert.equal(result.error, null)
  assert.equal((await hooks.next('connection_authorized')).connection_id, created.id)
  const accounts = await app.api.data.accounts(created.id)
  assert.ok(accounts.items.length > 0)
})

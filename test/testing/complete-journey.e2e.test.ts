import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { completeJourney, type Ledgerite, startLedgerite } from '../../src/testing/index.ts'
import { launchBrowser, newContext, RETURN_URI } from '../e2e/browser.ts'

/** completeJourney as a Playwright suite uses it: the kit's server, a real chromium, the hosted pages by their forms. */
describe('completeJourney', () => {
  let browser: Browser
  let lg: Ledgerite
  before(async () => { [browser, lg] = await Promise.all([launchBrowser(), startLedgerite()]) })
  after(async () => { await Promise.all([browser?.close(), lg?.close()]) })

  /** A configuration 1 connection; answers its hosted page's address. */
  const create = async (app: Awaited<ReturnType<Ledgerite['createClient']>>) => {
    const created = await app.api.connections.create({
      scopes: ['info', 'accounts', 'balance'],
      provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
      user: { name: 'Jane Smith', email: 'jane@example.com' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
    })
    assert.equal(created.status, 'authorization_required')
    return { id: created.id, uri: created.status === 'authorization_required' ? created.hosted_page.uri : '' }
  }

  test('picker → consent → this device → bank sign-in → one account → result → the return URI', async () => {
    const hooks = await lg.webhooks()
    const app = await lg.createClient({ redirectUris: [RETURN_URI], webhookUri: hooks.url })
    const created = await create(app)
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(created.uri)
    // john's accounts at the bank: a current account, a savings account and a card; share only the first.
    const accountName = 'Current Account'
    const result = await completeJourney(page, { provider: 'ob-monzo', user: 'john', password: 'doe', accounts: [accountName] })
    await context.close()

    assert.deepEqual([result.connectionId, result.error], [created.id, null])
    assert.ok(result.url.startsWith(`${RETURN_URI}?`), result.url)
    const connection = await app.api.connections.get(created.id)
    assert.equal(connection.status, 'authorized')
    assert.equal((await hooks.next('connection_authorized')).connection_id, created.id)
    const accounts = await app.api.data.accounts(created.id)
    assert.deepEqual(accounts.items.map((a) => JSON.stringify(a).includes('current')), [true], `only the ticked account is shared: ${JSON.stringify(accounts.items)}`)
  })

  test('a denial at the bank lands on the return URI with the failure reason', async () => {
    const app = await lg.createClient({ redirectUris: [RETURN_URI] })
    const created = await create(app)
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(created.uri)
    const result = await completeJourney(page, { bankDecision: 'deny' })
    await context.close()
    assert.equal(result.connectionId, created.id)
    assert.equal(result.error, 'provider_rejected', 'the bank\'s reason is named on the return URI')
    assert.ok(result.url.startsWith(`${RETURN_URI}?`), result.url)
    assert.equal((await app.api.connections.get(created.id)).status, 'failed')
  })
})

import { type Ledgerite, startLedgerite, type TestClient } from 'ledgerite/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type BankApi, holdings, startBankLink } from '../src/budget.ts'

const RETURN_URI = 'https://budget-buddy.test/linked'

describe('Budget Buddy against Ledgerite', () => {
  let lg: Ledgerite
  let app: TestClient
  let bank: BankApi

  beforeAll(async () => {
    lg = await startLedgerite({ database: 'memory' })
    app = await lg.createClient({ name: 'Budget Buddy', redirectUris: [RETURN_URI] })
    bank = { apiUrl: lg.baseUrl, authUrl: lg.authBaseUrl, clientId: app.clientId, clientSecret: app.clientSecret }
  })
  afterEach(async () => { await lg.reset() })
  afterAll(async () => { await lg?.close() })

  it('links a bank and lists what the user holds', async () => {
    const link = await startBankLink(bank, { name: 'Jane Smith', email: 'jane@example.com' }, RETURN_URI)
    expect(link.redirectTo).toContain(`/data/${link.connectionId}?token=`)

    await lg.authorize(link.connectionId, { user: 'john', provider: 'ob-monzo' })
    const held = await holdings(bank, link.connectionId)
    expect(held.length).toBeGreaterThan(0)
    expect(held.every((h) => h.currency === 'GBP' && Number.isInteger(h.current))).toBe(true)
  })

  it('says why when the bank refuses the data', async () => {
    const link = await startBankLink(bank, { name: 'Jane Smith', email: 'jane@example.com' }, RETURN_URI)
    await lg.authorize(link.connectionId, { outcome: 'failed', failureReason: 'provider_rejected' })
    await expect(holdings(bank, link.connectionId)).rejects.toThrow(/answered 4\d\d/)
  })

  it('tells the user the link has run out after 90 days', async () => {
    const hooks = await lg.webhooks()
    const watched = await lg.createClient({ redirectUris: [RETURN_URI], webhookUri: hooks.url })
    const api: BankApi = { ...bank, clientId: watched.clientId, clientSecret: watched.clientSecret }
    const link = await startBankLink(api, { name: 'Jane Smith', email: 'jane@example.com' }, RETURN_URI)
    await lg.authorize(link.connectionId)
    expect((await hooks.next('connection_authorized')).connection_id).toBe(link.connectionId)

    await lg.advanceClock(watched.clientId, 'P91D')
    await expect(holdings(api, link.connectionId)).rejects.toThrow(/answered 4\d\d/)
    await hooks.close()
  })
})

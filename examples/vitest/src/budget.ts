/**
 * "Budget Buddy", the backend of a small fintech: it links a user's bank through the Data API v3 and shows what
 * they hold. It speaks plain HTTP to the API, as it would to the real one; only the base URLs change in tests.
 */
export interface BankApi {
  /** Where the Data API answers (Ledgerite in tests). */
  apiUrl: string
  /** Where the token endpoint answers. */
  authUrl: string
  clientId: string
  clientSecret: string
}

export interface Holding {
  accountId: string
  kind: string
  currency: string
  /** Current balance in minor units (pence). */
  current: number
}

async function call<T> (url: string, init: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  const text = await res.text()
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${text}`)
  return JSON.parse(text) as T
}

async function token (bank: BankApi): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: bank.clientId, client_secret: bank.clientSecret, scope: 'data' })
  const t = await call<{ access_token: string }>(`${bank.authUrl}/connect/token`, { method: 'POST', body })
  return t.access_token
}

/** Starts linking a bank for a user: answers the connection id and the page to send the user to. */
export async function startBankLink (bank: BankApi, user: { name: string, email: string }, returnUri: string): Promise<{ connectionId: string, redirectTo: string }> {
  const created = await call<{ id: string, hosted_page?: { uri: string } }>(`${bank.apiUrl}/v3/data-connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token(bank)}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      scopes: ['info', 'accounts', 'balance', 'transactions'],
      provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
      user,
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: returnUri },
    }),
  })
  if (!created.hosted_page) throw new Error('expected a hosted page for configuration 1')
  return { connectionId: created.id, redirectTo: created.hosted_page.uri }
}

/** What the user holds across the linked bank's accounts (cards left out), largest first. */
export async function holdings (bank: BankApi, connectionId: string): Promise<Holding[]> {
  const headers = { authorization: `Bearer ${await token(bank)}`, 'connection-id': connectionId }
  const accounts = await call<{ items: Array<{ id: string, type: string, account_type?: string, currency: string }> }>(`${bank.apiUrl}/v3/connected-accounts`, { headers })
  const out: Holding[] = []
  for (const a of accounts.items.filter((x) => x.type === 'account')) {
    const balance = await call<{ current: number, currency: string }>(`${bank.apiUrl}/v3/connected-accounts/${encodeURIComponent(a.id)}/balance`, { headers })
    out.push({ accountId: a.id, kind: a.account_type ?? 'account', currency: balance.currency, current: balance.current })
  }
  return out.sort((x, y) => y.current - x.current)
}

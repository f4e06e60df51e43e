import assert from 'node:assert/strict'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { insertConnection } from '../../src/modules/connections/connection.repository.ts'
import { inProcessTppCredentials, registerTpp } from '../../src/modules/model-bank/model-bank.tpps.ts'
import { basicCredentials } from '../../src/modules/providers/model-bank.adapter.ts'
import type { TestApp, TestClient } from '../helpers/build-app.ts'
import { connectionRow } from '../helpers/connection-row.ts'

/**
 * Helpers for driving the model bank and the bank step without a browser: the bank's HTML forms are read with
 * regular expressions (the labels and names are the stable selectors the browser suite uses too), cookies are
 * carried by hand.
 */
export const PUBLIC_URL = 'http://ledgerite.test'
export const RETURN_URI = 'https://your-app.com/callback'

/** Strips PUBLIC_URL so inject can follow an absolute Location. */
export function pathOf (url: string): string {
  assert.ok(url.startsWith(PUBLIC_URL), `expected a URL of this server, got ${url}`)
  return url.slice(PUBLIC_URL.length)
}

export const pkce = () => {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** The redirect URI the bank registered for this process's Ledgerite: its bank-step callback. */
export const BANK_CALLBACK = `${PUBLIC_URL}/data/callback`

/** HTTP Basic of the client credentials the in-process bank issued to this Ledgerite (what the adapter sends). */
export const bankAuth = (t: TestApp): string => basicCredentials(inProcessTppCredentials(t.deps.secret))

/** Adds a redirect URI to this Ledgerite's registration at the bank. */
export async function registerBankRedirect (t: TestApp, uri: string): Promise<void> {
  await registerTpp(t.deps.db, { credentials: inProcessTppCredentials(t.deps.secret), name: 'Ledgerite', redirectUris: [uri] }, new Date())
}

/** A consent at the model bank, straight through its JSON API (as the adapter would: authenticated). */
export async function createBankConsent (
  t: TestApp,
  overrides: Record<string, unknown> = {},
  providerId = 'mock',
): Promise<{ consentId: string, authorizationUri: string, verifier: string, state: string, redirectUri: string }> {
  const { verifier, challenge } = pkce()
  const state = randomBytes(24).toString('base64url')
  const redirectUri = BANK_CALLBACK
  const res = await t.inject({
    method: 'POST',
    url: `/model-bank/${providerId}/account-access-consents`,
    headers: { authorization: bankAuth(t) },
    payload: {
      scopes: ['info', 'accounts', 'balance', 'transactions'],
      data_access_type: 'recurring',
      redirect_uri: redirectUri,
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      client_name: 'Test App',
      ...overrides,
    },
  })
  assert.equal(res.statusCode, 201, res.body)
  const body = res.json()
  return { consentId: body.consent_id, authorizationUri: body.authorization_uri, verifier, state, redirectUri: (overrides.redirect_uri as string) ?? redirectUri }
}

export interface BankPage {
  res: LightMyRequestResponse
  html: string
  csrf: string
  consentId: string
  action: string
  /** The page's language, which its forms carry on (hidden field `ui_locales`). */
  uiLocales: string
  /** Values of the account checkboxes, and whether each is ticked. */
  accounts: Array<{ id: string, checked: boolean }>
}

function readPage (res: LightMyRequestResponse): BankPage {
  const html = res.body
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? ''
  const accounts = [...html.matchAll(/<input type="checkbox" id="account-\d+" name="account_ids" value="([^"]+)"( checked)?>/g)]
    .map((m) => ({ id: m[1]!, checked: Boolean(m[2]) }))
  return { res, html, csrf: field('csrf'), consentId: field('consent_id'), uiLocales: field('ui_locales'), action: /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '', accounts }
}

const form = (fields: Record<string, string | string[]>): string => {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) p.append(k, one)
  return p.toString()
}

/** One browser at the bank: keeps its session cookie between requests. */
export class BankBrowser {
  cookie = ''
  constructor (private readonly t: TestApp) {}

  private remember (res: LightMyRequestResponse): void {
    const set = res.headers['set-cookie']
    const first = Array.isArray(set) ? set[0] : set
    if (first) this.cookie = first.split(';')[0]!
  }

  async open (url: string): Promise<BankPage> {
    const res = await this.t.inject({ method: 'GET', url: pathOf(url), headers: this.cookie ? { cookie: this.cookie } : {} })
    this.remember(res)
    return readPage(res)
  }

  async submit (page: BankPage, fields: Record<string, string | string[]>, overrides: { csrf?: string, cookie?: string } = {}): Promise<LightMyRequestResponse> {
    const res = await this.t.inject({
      method: 'POST',
      url: pathOf(page.action),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: overrides.cookie ?? this.cookie },
      payload: form({ consent_id: page.consentId, csrf: overrides.csrf ?? page.csrf, ...(page.uiLocales ? { ui_locales: page.uiLocales } : {}), ...fields }),
    })
    this.remember(res)
    return res
  }

  /** Signs in; answers the next page (accounts) when that worked, or the login page again with its error. */
  async signIn (authorizationUri: string, username: string, password: string): Promise<BankPage> {
    const login = await this.open(authorizationUri)
    assert.equal(login.res.statusCode, 200, login.html)
    const res = await this.submit(login, { username, password })
    if (res.statusCode !== 303) return readPage(res)
    return this.open(`${PUBLIC_URL}${pathOf(String(res.headers.location))}`)
  }

  /** Allow (all pre-ticked accounts, or those given) or Deny on the accounts page; answers the bank's redirect. */
  async decide (page: BankPage, decision: 'allow' | 'deny', accountIds?: string[]): Promise<string> {
    const ids = accountIds ?? page.accounts.filter((a) => a.checked).map((a) => a.id)
    const res = await this.submit(page, { decision, account_ids: ids })
    assert.equal(res.statusCode, 303, res.body)
    return String(res.headers.location)
  }
}

/** Signs in as `username` and decides: the URL the bank sends the browser to. */
export async function throughTheBank (t: TestApp, authorizationUri: string, username = 'john', password = 'doe', decision: 'allow' | 'deny' = 'allow'): Promise<string> {
  const browser = new BankBrowser(t)
  const page = await browser.signIn(authorizationUri, username, password)
  assert.ok(page.accounts.length > 0, `expected the accounts page, got: ${page.html.slice(0, 400)}`)
  return browser.decide(page, decision)
}

export async function tokenFor (t: TestApp, consent: { verifier: string, redirectUri: string }, code: string, providerId = 'mock'): Promise<LightMyRequestResponse> {
  return t.inject({
    method: 'POST',
    url: `/model-bank/${providerId}/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: bankAuth(t) },
    payload: form({ grant_type: 'authorization_code', code, code_verifier: consent.verifier, redirect_uri: consent.redirectUri }),
  })
}

export type Configuration = 1 | 4 | 5 | '5b' | '5b-result'

/**
 * Inserts a connection as create-connection would leave it, for one configuration (the bank step does not
 * depend on how it was created).
 */
export async function insertTestConnection (
  t: TestApp,
  client: TestClient,
  configuration: Configuration,
  extra: { providerId?: string, metadata?: Record<string, string>, returnUri?: string, dataAccessType?: 'one_time' | 'recurring' } = {},
): Promise<string> {
  const now = (await t.deps.clock.now(client.id)).toISOString()
  const returnUri = extra.returnUri ?? RETURN_URI
  const userSelected = configuration === 1 || configuration === '5b' || configuration === '5b-result'
  const providerId = userSelected ? null : (extra.providerId ?? 'mock')
  const hostedPage = configuration === 1
    ? { type: 'authorization_flow', return_uri: returnUri }
    : configuration === 4 || configuration === '5b-result' ? { type: 'result_page', return_uri: returnUri } : null
  const authorizationFlow = configuration === 5 || configuration === '5b' || configuration === '5b-result' ? { redirect: { return_uri: returnUri } } : null
  const id = randomUUID()
  await insertConnection(t.deps.db, connectionRow({
    id,
    client_id: client.id,
    status: configuration === 1 ? 'authorization_required' : 'authorizing',
    user_id: randomUUID(),
    user_name: 'Jane Smith',
    user_email: 'jane@example.com',
    scopes: JSON.stringify(['info', 'accounts', 'balance', 'transactions']),
    provider_selection: JSON.stringify(userSelected ? { type: 'user_selected', filter: { countries: ['GB'] } } : { type: 'preselected', provider_id: providerId }),
    provider_id: providerId,
    user_consent: JSON.stringify(configuration === 1 ? { type: 'authorization_flow_captured' } : { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' }),
    hosted_page: hostedPage ? JSON.stringify(hostedPage) : null,
    authorization_flow: authorizationFlow ? JSON.stringify(authorizationFlow) : null,
    data_access_type: extra.dataAccessType ?? 'recurring',
    metadata: extra.metadata ? JSON.stringify(extra.metadata) : null,
    created_at: now,
    updated_at: now,
  }))
  return id
}

/** A controllable base time for buildTestApp's `options.now`. */
export function manualClock (start = new Date('2026-03-02T10:00:00.000Z')) {
  let current = start.getTime()
  return {
    now: () => new Date(current),
    advanceMinutes: (m: number) => { current += m * 60_000 },
  }
}

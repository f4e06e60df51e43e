import {
  BankError, BankUnavailableError, type BankAccount, type BankBalance, type BankGrant, type BankTransactionPage, type ProviderAdapter,
} from './provider-adapter.ts'
import type { HttpFetch, HttpResponse } from '../../http/inject-fetch.ts'

/**
 * Bank answers → BankError. `reason` is the bank's error code (the wire failure reason, e.g. provider_error,
 * account_temporarily_locked, invalid_grant). `status` is what Ledgerite should answer its own caller: the grant
 * no longer works (revoked, expired, scope) → 403; an account the user did not share → 404; a cursor or date range
 * the bank refuses → 400; anything else the bank got wrong or refused → 502 Provider Error.
 */
const STATUS_BY_REASON: Record<string, number> = {
  access_denied: 403, insufficient_scope: 403, invalid_token: 403, account_not_found: 404, invalid_cursor: 400, invalid_date_range: 400,
}

/**
 * The reasons a bank's data call may fail with that the user must deal with at their bank, each answered as the
 * published problem closest to it (behaviour notes, "Mock users"): the user must act at their bank → 403 Forbidden;
 * the provider's own internal error → 500 Unknown Error; the provider failing → 502 Provider Error. Keyed by the
 * wire failure reasons, not by any bank's test users: a sandbox bank's users reach Ledgerite only as these answers.
 */
const REFUSAL_STATUS: Record<string, number> = {
  account_permanently_locked: 403,
  account_temporarily_locked: 403,
  user_input_required: 403,
  wrong_credentials: 403,
  internal_error: 500,
  provider_error: 502,
}
const statusOf = (reason: string): number =>
  (Object.hasOwn(REFUSAL_STATUS, reason) ? REFUSAL_STATUS[reason] : STATUS_BY_REASON[reason]) ?? 502

/** A bank's Retry-After in seconds (delta-seconds; a date or nothing → 2), kept within 1..60. */
function retryAfterOf (res: HttpResponse): number {
  const seconds = Number(res.headers.get('retry-after'))
  return Number.isInteger(seconds) && seconds > 0 ? Math.min(seconds, 60) : 2
}

async function bankError (res: HttpResponse, what: string): Promise<BankError> {
  // The bank's own outage (its database restarting) or throttling is temporary: passed on as such, never as a refusal.
  if (res.status === 503 || res.status === 429) {
    return new BankUnavailableError(`The bank cannot answer ${what} for the moment (it answered ${res.status}).`, retryAfterOf(res))
  }
  let body: Record<string, unknown> = {}
  try {
    body = await res.json() as Record<string, unknown>
  } catch { /* not JSON: keep the status alone */ }
  // OAuth-shaped errors carry `error`; the bank's request validation answers problem+json (`title`, `detail`).
  const reason = typeof body.error === 'string' ? body.error : 'provider_error'
  const description = typeof body.error_description === 'string'
    ? body.error_description
    : typeof body.detail === 'string' ? body.detail : `The bank answered ${res.status} to ${what}.`
  return new BankError(reason, description, statusOf(reason))
}

/** The client credentials a bank issued to Ledgerite, as a real bank registers a third party (TPP). */
export interface BankClientCredentials { clientId: string, clientSecret: string }

/** HTTP Basic of client credentials (RFC 6749 §2.3.1: each part form-encoded first). */
export function basicCredentials (c: BankClientCredentials): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${enc(c.clientId)}:${enc(c.clientSecret)}`).toString('base64')}`
}

/**
 * The model bank, reached over HTTP at `${baseUrl}/${providerId}/…`, exactly as an adapter for a real bank would be:
 * with the client credentials the bank issued to Ledgerite (HTTP Basic; next to the bearer token on reads, in
 * X-Client-Authorization). Without credentials every call is refused by the bank (a provider error).
 */
export function createModelBankAdapter (fetch: () => HttpFetch, baseUrl: string, credentials?: BankClientCredentials): ProviderAdapter {
  const basic = credentials ? basicCredentials(credentials) : undefined
  const url = (providerId: string, path: string, query?: Record<string, string | number | undefined>) => {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v))
    const q = qs.toString()
    return `${baseUrl}/${encodeURIComponent(providerId)}${path}${q ? `?${q}` : ''}`
  }

  const call = async <T>(what: string, target: string, init: { method?: string, headers?: Record<string, string>, body?: string } = {}): Promise<T> => {
    let res: HttpResponse
    try {
      res = await fetch()(target, { ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) } })
    } catch (err) {
      throw new BankError('provider_error', `The bank could not be reached for ${what}: ${(err as Error).message}`)
    }
    if (res.status < 200 || res.status >= 300) throw await bankError(res, what)
    if (res.status === 204) return undefined as T
    try {
      return await res.json() as T
    } catch {
      throw new BankError('provider_error', `The bank answered ${what} with a body that is not JSON.`)
    }
  }
  const json = (body: unknown) => ({ 'content-type': 'application/json' as const, body: JSON.stringify(body) })
  const client = (): Record<string, string> => (basic ? { authorization: basic } : {})
  const bearer = (grant: BankGrant): Record<string, string> => ({ authorization: `Bearer ${grant.accessToken}`, ...(basic ? { 'x-client-authorization': basic } : {}) })

  return {
    async createConsent (req) {
      const { body, ...ct } = json({
        scopes: req.scopes,
        data_access_type: req.dataAccessType,
        redirect_uri: req.redirectUri,
        state: req.state,
        code_challenge: req.codeChallenge,
        code_challenge_method: 'S256',
        client_name: req.clientName,
        owner_client_id: req.clientId,
        connection_ref: req.connectionId,
        ...(req.languageCode ? { language_code: req.languageCode } : {}),
      })
      const res = await call<{ consent_id: string, authorization_uri: string }>('the consent', url(req.providerId, '/account-access-consents'), {
        method: 'POST', headers: { ...ct, ...client() }, body,
      })
      return { consentId: res.consent_id, authorizationUri: res.authorization_uri }
    },

    async exchangeCode ({ providerId, code, codeVerifier, redirectUri }) {
      // Form-encoded, as OAuth token endpoints expect.
      const form = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri })
      const res = await call<{ access_token: string, consent_id: string, account_ids: string[], consent_expires_at: string, extension_action?: BankGrant['extensionAction'] }>(
        'the code exchange', url(providerId, '/token'),
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...client() }, body: form.toString() },
      )
      return {
        accessToken: res.access_token, consentId: res.consent_id, accountIds: res.account_ids, expiresAt: res.consent_expires_at,
        ...(res.extension_action ? { extensionAction: res.extension_action } : {}),
      }
    },

    async getUserInfo (grant, providerId, asOf) {
      const res = await call<{ name: string }>('user info', url(providerId, '/userinfo', { as_of: asOf.toISOString() }), { headers: bearer(grant) })
      return { name: res.name }
    },

    async getAccounts (grant, providerId, asOf) {
      const res = await call<{ accounts: BankAccount[] }>('the accounts', url(providerId, '/accounts', { as_of: asOf.toISOString() }), { headers: bearer(grant) })
      return res.accounts
    },

    async getBalance (grant, providerId, accountId, asOf) {
      const res = await call<{ balance: BankBalance }>('a balance',
        url(providerId, `/accounts/${encodeURIComponent(accountId)}/balance`, { as_of: asOf.toISOString() }), { headers: bearer(grant) })
      return res.balance
    },

    async getTransactions (grant, providerId, accountId, query): Promise<BankTransactionPage> {
      const res = await call<{ transactions: BankTransactionPage['items'], next_cursor: string | null }>('transactions',
        url(providerId, `/accounts/${encodeURIComponent(accountId)}/transactions`, {
          from: query.from, to: query.to, page_size: query.pageSize, cursor: query.cursor, as_of: query.asOf.toISOString(),
        }),
        { headers: bearer(grant) })
      return { items: res.transactions, nextCursor: res.next_cursor }
    },

    async revoke (grant, providerId) {
      await call<void>('the revocation', url(providerId, `/account-access-consents/${encodeURIComponent(grant.consentId)}`), { method: 'DELETE', headers: bearer(grant) })
    },
  }
}

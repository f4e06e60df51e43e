/**
 * What Ledgerite needs from a bank, and nothing more. The model bank is the first implementation
 * (model-bank.adapter.ts), reached over HTTP like a real bank would be; an adapter for a real bank's
 * Open Banking API could take its place without any other module changing.
 *
 * Flow: createConsent → send the user's browser to `authorizationUri` → the bank redirects back with
 * `code` + `state` → exchangeCode (PKCE verifier) → a grant, kept on the connection (`provider_state`) →
 * data reads with that grant → revoke when the connection is revoked.
 */
export interface ConsentRequest {
  providerId: string
  /** Ledgerite's connection id (the bank only echoes it; it is not a credential). */
  connectionId: string
  /** Ledgerite's client the connection belongs to: the bank records it as the consent's owner (sandbox approval). */
  clientId: string
  scopes: string[]
  dataAccessType: 'one_time' | 'recurring'
  /** Where the bank sends the browser back: Ledgerite's callback. */
  redirectUri: string
  /** Opaque value echoed back on the redirect (CSRF protection of the callback). */
  state: string
  /** PKCE S256 challenge of a verifier Ledgerite keeps. */
  codeChallenge: string
  /** Display hint for the bank's page: the client's name (a bank takes it from its authenticated TPP only). */
  clientName: string
  languageCode?: string
}

export interface Consent {
  consentId: string
  /** The bank's own authorisation page, for the user's browser. */
  authorizationUri: string
}

/** What the bank hands back for a code: a grant to read the accounts the user chose. */
export interface BankGrant {
  accessToken: string
  consentId: string
  /** The accounts (and cards) the user chose to share. */
  accountIds: string[]
  /** ISO time the bank's consent ends. */
  expiresAt: string
  /**
   * What extending the consent would need, when the bank says (the mock `john`/`eternal` user: no_action_needed;
   * the others: authentication_needed). Kept with the connection's grant for a consent-extension feature.
   */
  extensionAction?: 'no_action_needed' | 'authentication_needed'
}

export interface BankAccount {
  id: string
  type: 'account' | 'card'
  currency: 'GBP' | 'EUR'
  account_type?: 'current' | 'savings'
  customer_segment?: 'retail' | 'business'
  account_identifiers?: Array<{ type: 'sort_code_account_number', sort_code: string, account_number: string } | { type: 'iban', iban: string }>
  bic?: string
  account_holder_names?: string[]
  /** Display only (not on the v3 wire). */
  display_name?: string
}

export interface BankBalance {
  currency: 'GBP' | 'EUR'
  /** Minor units. */
  current: number
  available: number
  overdraft: number
  update_timestamp: string
}

export interface BankTransaction {
  id: string
  timestamp: string
  description: string
  currency: 'GBP' | 'EUR'
  amount_in_minor: number
  status: 'pending' | 'settled'
  merchant_name?: string
  category_code?: string
  category_name?: string
}

/** A page of transactions, newest first (timestamp desc, then id desc). */
export interface BankTransactionPage {
  items: BankTransaction[]
  /** Opaque, for the next page; null on the last page. */
  nextCursor: string | null
}

/** A failure the bank reports; `reason` is the wire failure reason (e.g. provider_error, account_temporarily_locked). */
export class BankError extends Error {
  constructor (readonly reason: string, message?: string, readonly status = 502) {
    super(message ?? reason)
    this.name = 'BankError'
  }
}

/**
 * The bank answering "not now" (503 Service Unavailable, 429 Too Many Requests): its own outage or throttling, not a
 * refusal. Nothing is decided on it (no connection or request is failed); the caller retries after `retryAfterSeconds`.
 */
export class BankUnavailableError extends BankError {
  constructor (message: string, readonly retryAfterSeconds: number) {
    super('provider_error', message, 503)
    this.name = 'BankUnavailableError'
  }
}

export interface ProviderAdapter {
  createConsent (req: ConsentRequest): Promise<Consent>
  exchangeCode (input: { providerId: string, code: string, codeVerifier: string, redirectUri: string }): Promise<BankGrant>
  getUserInfo (grant: BankGrant, providerId: string, asOf: Date): Promise<{ name: string }>
  getAccounts (grant: BankGrant, providerId: string, asOf: Date): Promise<BankAccount[]>
  getBalance (grant: BankGrant, providerId: string, accountId: string, asOf: Date): Promise<BankBalance>
  /**
   * Settled transactions with `from` ≤ date ≤ `to` (inclusive, YYYY-MM-DD) plus pending ones, as the bank sees
   * them on `asOf` (the client's virtual "today"); pages by `cursor`.
   */
  getTransactions (
    grant: BankGrant,
    providerId: string,
    accountId: string,
    query: { from: string, to: string, pageSize: number, cursor?: string, asOf: Date },
  ): Promise<BankTransactionPage>
  revoke (grant: BankGrant, providerId: string): Promise<void>
}

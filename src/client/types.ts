/**
 * Request and response bodies of Ledgerite's API, as they are on the wire (snake_case). Types only: this file
 * has no run-time code and imports nothing from the server, so it can ship on its own.
 * test/client/types.test.ts checks at compile time that they match the server's own schemas.
 */
import type { WebhookEventOf } from './webhook-events.ts'

// ── Token ──────────────────────────────────────────────────────────────────────────────────────────────────────
export interface TokenResponse {
  access_token: string
  expires_in: number
  token_type: 'Bearer'
  scope: string
}

// ── Connections ────────────────────────────────────────────────────────────────────────────────────────────────
export type ConnectionScope = 'info' | 'accounts' | 'balance' | 'transactions'
export type ConnectionStatus = 'authorization_required' | 'authorizing' | 'authorized' | 'failed' | 'revoked' | 'expired'
export type DataAccessType = 'one_time' | 'recurring'

export interface ProviderFilter {
  countries?: string[]
  release_channel?: 'general_availability' | 'public_beta' | 'private_beta'
  customer_segments?: Array<'retail' | 'business' | 'corporate'>
  provider_ids?: string[]
  excludes?: { provider_ids?: string[] }
}

export interface CreateConnectionRequest {
  scopes: ConnectionScope[]
  provider_selection: { type: 'preselected', provider_id: string } | { type: 'user_selected', filter?: ProviderFilter }
  user: { id?: string, name?: string, email?: string, phone?: string }
  metadata?: Record<string, string>
  user_consent: { type: 'precaptured', captured_at: string } | { type: 'authorization_flow_captured' }
  hosted_page?:
    | { type: 'authorization_flow', return_uri: string, country_code?: string, language_code?: string }
    | { type: 'result_page', return_uri?: string, language_code?: string }
  authorization_flow?: { redirect: { return_uri: string } }
  data_access_type?: DataAccessType
}

export interface WireProvider {
  id: string
  display_name: string
  icon_uri: string
  logo_uri: string
  bg_color: string
}

export type NextAction =
  | { type: 'redirect', uri: string }
  | { type: 'provider_selection', providers: WireProvider[] }

export type CreatedConnection =
  | { id: string, user: { id: string }, status: 'authorization_required', hosted_page: { uri: string } }
  | { id: string, user: { id: string }, status: 'authorizing', authorization_flow: { actions: { next: NextAction } } }

/** `GET /v3/data-connections/{id}` (extension): members appear once they have a value. */
export interface Connection {
  id: string
  status: ConnectionStatus
  user: { id: string, name?: string, email?: string, phone?: string }
  scopes: string[]
  data_access_type: DataAccessType
  metadata?: Record<string, string>
  provider?: { provider_id: string, display_name: string }
  created_at: string
  authorized_at?: string
  access_expires_at?: string
  /** The same instant as `access_expires_at`, under the name other clients of this endpoint read. */
  consent_expires_at?: string
  failed_at?: string
  failure_stage?: string
  failure_reason?: string
  revoked_at?: string
  expired_at?: string
}

export interface Page<T> {
  items: T[]
  pagination: { next_cursor: string | null }
}

export interface ProviderSelectionAnswer {
  status: 'authorizing'
  authorization_flow: { actions: { next: { type: 'redirect', uri: string } } }
}

// ── Data ───────────────────────────────────────────────────────────────────────────────────────────────────────
export type Currency = 'GBP' | 'EUR'

export type AccountIdentifier =
  | { type: 'sort_code_account_number', sort_code: string, account_number: string }
  | { type: 'iban', iban: string }

export interface Account {
  id: string
  type: 'account'
  currency: Currency
  account_type: 'current' | 'savings'
  customer_segment: 'retail' | 'business'
  account_identifiers: AccountIdentifier[]
  bic?: string
  account_holder_names: string[]
}

export interface Card {
  id: string
  type: 'card'
}

export interface ConnectedAccounts {
  items: Array<Account | Card>
  pagination: { next_cursor?: string }
}

export interface UserInfo {
  name: string
}

/** `GET /v3/connected-accounts/{account_id}/balance` (extension): amounts in minor units. */
export interface Balance {
  currency: Currency
  current: number
  available: number
  overdraft: number
  update_timestamp: string
}

export interface CreateTransactionsRequest {
  /** YYYY-MM-DD, inclusive. */
  from: string
  /** YYYY-MM-DD, inclusive. */
  to: string
  cursor?: string
  page_size?: number
  enrichment?: { transaction_category: true, merchant_name: true }
}

export interface Transaction {
  id: string
  timestamp: string
  description: string
  currency: Currency
  amount_in_minor: number
  status: 'pending' | 'settled'
  enrichment?: {
    merchant_name?: string
    transaction_category?: { category_code: string, category_name: string }
  }
}

export interface TransactionsRequestPending { id: string, status: 'pending' }
export interface TransactionsRequestCompleted {
  id: string
  status: 'completed'
  /** `next_cursor` on every non-empty page; absent on the empty page after the last item. */
  result: { items: Transaction[], pagination: { next_cursor?: string } }
}
export interface TransactionsRequestFailed { id: string, status: 'failed', failure_reason: string }
export type TransactionsRequest = TransactionsRequestPending | TransactionsRequestCompleted | TransactionsRequestFailed

// ── Sandbox control (extension) ────────────────────────────────────────────────────────────────────────────────
export interface SandboxAuthorizeRequest {
  outcome: 'authorized' | 'failed'
  /** A model bank mock user (default `john`). */
  username?: string
  /** With `outcome: failed` (default `provider_rejected`). */
  failure_reason?: string
  /** For a user_selected connection: the provider the user picks. */
  provider_id?: string
}

export interface SandboxClock {
  /** The client's virtual now. */
  now: string
  offset_seconds: number
}

// ── Webhooks ───────────────────────────────────────────────────────────────────────────────────────────────────
// The bodies derive from the catalogue in webhook-events.ts (the server emits from it too).
export type { WebhookEvent, WebhookEventOf, WebhookEventType } from './webhook-events.ts'
export type ConnectionAuthorizedEvent = WebhookEventOf<'connection_authorized'>
export type ConnectionFailedEvent = WebhookEventOf<'connection_failed'>
/** Extension, sent only to clients that asked for it: the connection was revoked (DELETE /v3/data-connections/{id}). */
export type ConnectionRevokedEvent = WebhookEventOf<'connection_revoked'>
/** Extension, sent only to clients that asked for it: the consent or one-time access window ended at `expired_at`. */
export type ConnectionExpiredEvent = WebhookEventOf<'connection_expired'>
export type TransactionsRequestCompletedEvent = WebhookEventOf<'transactions_request_completed'>
export type TransactionsRequestFailedEvent = WebhookEventOf<'transactions_request_failed'>

/** `skipped`: an extension type the client has not asked for; never sent. */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'no_endpoint' | 'skipped'

export interface WebhookAttempt {
  attempt: number
  at: string
  url: string
  status_code: number | null
  error: string | null
  duration_ms: number
}

/** One event in `GET /v3/webhook-deliveries` (extension). Times are real time. */
export interface WebhookDelivery {
  event_id: string
  type: string
  status: WebhookDeliveryStatus
  created_at: string
  delivered_at: string | null
  next_attempt_at: string | null
  attempts: WebhookAttempt[]
  payload: unknown
}

export interface Jwks {
  keys: Array<{ kty: string, kid: string, alg?: string, use?: string, crv?: string, x?: string, y?: string }>
}

// ── Errors ─────────────────────────────────────────────────────────────────────────────────────────────────────
/** RFC 9457 problem details, as every API error is answered. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  trace_id: string
  /** Invalid Parameters: each field or header at fault, with what is wrong. */
  errors?: Record<string, string[]>
}

import type { Generated, Insertable, Selectable } from 'kysely'

/**
 * Every table, as Kysely sees it. Conventions shared by both dialects (see dialect.ts):
 * - times are ISO-8601 UTC strings (`2026-01-01T12:00:00.000Z`), made in the application, so they compare as text;
 * - JSON values are stored as text and parsed in the repositories;
 * - booleans are integers 0/1.
 * Every query on a tenant's data is scoped by `client_id`.
 */
export interface ClientTable {
  id: string
  name: string
  secret_hash: string
  redirect_uris: string // JSON string[]
  webhook_uri: string | null
  aisp_licence: number
  /** The client's virtual clock: seconds added to real time for this client alone (sandbox). */
  clock_offset_seconds: Generated<number>
  created_at: string
  /** Carried by every access token; deleting the client or rotating its secret moves it on (migration 0010). */
  token_generation: Generated<number>
  /** JSON string[]: the extension webhook types the client asked for (migration 0012); published types are always sent. */
  webhook_extension_events: Generated<string>
  /** 'refuse' | 'ignore': create-connection's answer to fields its schema does not declare (migration 0013). */
  unknown_fields: Generated<string>
}

/** A client's hosted-page branding (migration 0011); no row means Ledgerite's defaults. */
export interface ClientBrandingTable {
  client_id: string
  display_name: string | null
  accent_color: string | null // #rrggbb, white text on it checked ≥ 4.5:1
  privacy_url: string | null
  logo_type: string | null // image/png | image/jpeg | image/webp
  logo_base64: string | null
  logo_sha256: string | null
  updated_at: string
}

export interface SigningKeyTable {
  kid: string
  use: string // 'token' | 'webhook'
  alg: string
  private_jwk: string
  public_jwk: string
  created_at: string
}

export interface ConnectionTable {
  id: string
  client_id: string
  status: string
  user_id: string
  user_name: string | null
  user_email: string | null
  user_phone: string | null
  scopes: string // JSON ConnectionScope[]
  provider_selection: string // JSON, as requested
  provider_id: string | null
  user_consent: string // JSON, as requested
  hosted_page: string | null // JSON, as requested
  authorization_flow: string | null // JSON, as requested
  data_access_type: string
  metadata: string | null // JSON
  end_user_ip: string | null
  device_user_agent: string | null
  /** SHA-256 of the hosted-page token; the token itself is only in the URI handed to the client. */
  journey_token_hash: string | null
  journey_expires_at: string | null
  /** JSON string[]: the bank account ids the user chose to share. */
  account_ids: string | null
  /** The model bank's consent id and token for this connection (provider-adapter state, JSON). */
  provider_state: string | null
  failure_stage: string | null
  failure_reason: string | null
  /** A bank's failure the hosted journey holds while it offers another attempt (migration 0016); not on the wire. */
  bank_failure_reason: Generated<string | null>
  created_at: string
  updated_at: string
  authorized_at: string | null
  failed_at: string | null
  revoked_at: string | null
  expired_at: string | null
  /** When data access ends: consent expiry (recurring) or the end of the access window (one_time). */
  access_expires_at: string | null
}

/** What happened to a connection, in order: the Console's timeline. */
export interface ConnectionEventTable {
  id: string
  connection_id: string
  client_id: string
  at: string
  kind: string
  detail: string | null // JSON
}

/** The webhook outbox: written in the same transaction as the state change it reports. */
export interface WebhookEventTable {
  id: string // = event_id on the wire
  client_id: string
  /** The connection the event reports on (every type carries one); indexed with client_id for the Console. */
  connection_id: string | null
  type: string
  payload: string // JSON body exactly as delivered
  created_at: string
  status: string // 'pending' | 'delivered' | 'failed' | 'no_endpoint'
  attempts: Generated<number>
  next_attempt_at: string
  locked_until: string | null
  locked_by: string | null
  delivered_at: string | null
  /** Start of the current retry window (real time); NULL: `created_at`. A redelivery opens a new window. */
  retry_window_start: string | null
}

/** One HTTP attempt to deliver a webhook event (the delivery log). Times are real time. */
export interface WebhookAttemptTable {
  id: string
  event_id: string
  client_id: string
  attempt: number
  at: string
  url: string
  status_code: number | null
  error: string | null
  duration_ms: number
  worker: string
}

/** The hosted pages' state per connection (migration 0006_journey_pages; src/modules/journey). */
export interface JourneySessionTable {
  connection_id: string
  client_id: string
  token_hash: string
  provider_id: string | null
  consent_given_at: string | null
  handoff_expires_at: string | null
  handoff_opened_at: string | null
  mobile_token_hash: string | null
  created_at: string
  updated_at: string
}

/** A Console sign-in (migration 0007_console; src/modules/console). Times are real time. */
export interface ConsoleSessionTable {
  id_hash: string
  client_id: string
  created_at: string
  expires_at: string
}

/** An asynchronous transactions request and, once the worker has read the bank, its stored page (src/modules/data). */
export interface TransactionsRequestTable {
  id: string // = request_id on the wire
  client_id: string
  connection_id: string
  account_id: string
  status: string // 'pending' | 'completed' | 'failed'
  date_from: string // YYYY-MM-DD
  date_to: string // YYYY-MM-DD
  page_size: number
  bank_cursor: string | null // the bank's own cursor, unwrapped
  enrichment: number // 0/1
  as_of: string // the client's virtual "today" the bank is read at
  result: string | null // JSON { items, next_cursor }
  failure_reason: string | null
  attempts: Generated<number>
  locked_until: string | null // real time
  locked_by: string | null
  created_at: string
  updated_at: string
  completed_at: string | null
  failed_at: string | null
}

/** One row per unattended-access counter key; updated first in each hit's transaction so hits on a key serialise. */
export interface RateLimitKeyTable {
  key: string
  client_id: string
  updated_at: string
}

/** Each unattended call allowed, at the client's virtual time (a rolling-window log). */
export interface RateLimitHitTable {
  id: string
  key: string
  client_id: string
  at: string
}

/**
 * What the bank answered to one of a connection's reads (src/modules/data/bank-snapshot.ts). Not the model bank's
 * world despite the prefix: Ledgerite's own copy of the bank's answers, read through the provider adapter.
 */
export interface BankSnapshotTable {
  connection_id: string
  what: string // 'user-info' | 'accounts' | 'balance:<account id>'
  client_id: string
  consent_id: string // the bank consent (grant) it was read with
  read_at: string // the client's virtual time it was read as of
  body: string // JSON, as the adapter returned it
}

/** The model bank's own world (prefix `bank_`): only the model bank's routes read these, never Ledgerite. */
export interface BankConsentTable {
  id: string // consent_id
  provider_id: string
  /** 'awaiting_authorization' | 'authorized' | 'rejected' | 'revoked' */
  status: string
  scopes: string // JSON string[]
  data_access_type: string
  redirect_uri: string
  state: string
  code_challenge: string
  client_name: string
  language_code: string | null
  /** The caller's reference (Ledgerite's connection id): echoed, never trusted. */
  connection_ref: string | null
  /** SHA-256 of the browser session that is signing in (cookie); one browser per consent. */
  session_hash: string | null
  /** Set once the user has signed in on that session. */
  username: string | null
  account_ids: string | null // JSON string[], the accounts the user chose
  created_at: string
  authorize_by: string
  authorized_at: string | null
  expires_at: string | null
  revoked_at: string | null
  /** The registered TPP that created the consent (bank_tpps.tpp_id). */
  tpp_client_id: string | null
  /** The TPP's own client the consent is for (Ledgerite's client id): the one allowed to approve it in sandbox. */
  owner_client_id: string | null
}

/** A third party the model bank has registered: only these may call its server-to-server API. */
export interface BankTppTable {
  tpp_id: string
  secret_hash: string // SHA-256 hex of the secret
  name: string
  redirect_uris: string // JSON string[]
  created_at: string
}

export interface BankCodeTable {
  code_hash: string
  consent_id: string
  created_at: string
  expires_at: string
  used_at: string | null
}

export interface BankTokenTable {
  token_hash: string
  consent_id: string
  created_at: string
  expires_at: string
  /** The TPP the token was issued to: only it may use the token. */
  tpp_client_id: string | null
  /** The code it was issued for: a replay of that code revokes it. */
  code_hash: string | null
}

/** Ledgerite's side of the bank step: one row per trip to the bank (state + PKCE verifier), single use. */
export interface JourneyStateTable {
  state_hash: string
  connection_id: string
  client_id: string
  provider_id: string
  code_verifier: string
  redirect_uri: string
  consent_id: string | null
  created_at: string
  expires_at: string
  used_at: string | null
}

export interface Database {
  clients: ClientTable
  client_branding: ClientBrandingTable
  signing_keys: SigningKeyTable
  connections: ConnectionTable
  connection_events: ConnectionEventTable
  webhook_events: WebhookEventTable
  bank_consents: BankConsentTable
  bank_codes: BankCodeTable
  bank_tokens: BankTokenTable
  bank_tpps: BankTppTable
  journey_states: JourneyStateTable
  webhook_attempts: WebhookAttemptTable
  journey_sessions: JourneySessionTable
  console_sessions: ConsoleSessionTable
  transactions_requests: TransactionsRequestTable
  rate_limit_keys: RateLimitKeyTable
  rate_limit_hits: RateLimitHitTable
  auth_failures: AuthFailureTable
  bank_snapshots: BankSnapshotTable
}

/** One failed sign-in (token endpoint or Console), under a hashed client id or source address (migration 0010). */
export interface AuthFailureTable {
  id: string
  key: string
  at: string
}

export type ClientRow = Selectable<ClientTable>
export type ConnectionRow = Selectable<ConnectionTable>
export type NewConnectionRow = Insertable<ConnectionTable>
export type WebhookEventRow = Selectable<WebhookEventTable>

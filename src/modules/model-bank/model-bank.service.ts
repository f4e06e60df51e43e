import type { Kysely } from 'kysely'
import { ApiError, invalidField } from '../../contract/errors.ts'
import { ids } from '../../contract/ids.ts'
import type { Database } from '../../storage/database.ts'
import type { BankAccount } from '../providers/provider-adapter.ts'
import { customerOf } from './data/index.ts'
import { ibanOfScan } from './data/identifiers.ts'
import { type ExtensionAction, extensionActionOf, type MockErrorReason, type MockUser, mockUserOfKey, unhandled } from './mock-users.ts'
import {
  type BankConsentRow, CONSENT_STATUS, decideConsent, findCode, findConsentById, findToken, insertCode, insertConsent,
  insertToken, revokeTokensOfCode, useCode,
} from './model-bank.repository.ts'
import { BANK_POLICY } from './model-bank.policy.ts'
import { hashSecret, pkceMatches } from './model-bank.security.ts'
import { type BankTpp, redirectUrisOf } from './model-bank.tpps.ts'

/**
 * The model bank's rules, shared by its JSON API, its HTML pages and its sandbox "approve as user" call.
 * The bank keeps its own time: the server's real time (the test's base time), never a client's virtual clock —
 * a client's virtual "today" reaches it only as the `as_of` of data reads.
 */

/** How long a consent may wait for the user (the journey link's lifetime on Ledgerite's side). */
export const AUTHORIZE_WITHIN_HOURS = BANK_POLICY.authorizeWithinHours
/** The bank's consent (and its access token) lasts this long once authorised, whatever the access type. */
export const BANK_CONSENT_DAYS = BANK_POLICY.consentDays

/** An error answered in the OAuth / Data v1 shape: `{error, error_description}`. */
export class BankApiError extends Error {
  constructor (readonly status: number, readonly error: string, description: string) {
    super(description)
    this.name = 'BankApiError'
  }
}

export interface NewConsent {
  scopes: string[]
  data_access_type: 'one_time' | 'recurring'
  redirect_uri: string
  state: string
  code_challenge: string
  client_name?: string
  owner_client_id?: string
  language_code?: string
  connection_ref?: string
}

/**
 * A consent for an authenticated TPP. Its `redirect_uri` must be one the bank registered for that TPP (400
 * otherwise), so the bank's page, served from Ledgerite's origin, can only send browsers where the TPP said at
 * registration. The name shown to the user is the one the authenticated TPP gives for its own client (Ledgerite:
 * the connection's client), else the TPP's registered name: an anonymous caller cannot put any name there.
 */
export async function createConsent (db: Kysely<Database>, tpp: BankTpp, providerId: string, input: NewConsent, now: Date): Promise<BankConsentRow> {
  if (!redirectUrisOf(tpp).includes(input.redirect_uri)) {
    throw invalidField('redirect_uri', 'is not one of the redirect URIs the bank registered for this caller',
      `redirect_uri ${JSON.stringify(input.redirect_uri)} is not registered at the bank for ${tpp.name}.`)
  }
  const row: BankConsentRow = {
    id: ids.uuid(),
    provider_id: providerId,
    status: CONSENT_STATUS.awaiting,
    scopes: JSON.stringify(input.scopes),
    data_access_type: input.data_access_type,
    redirect_uri: input.redirect_uri,
    state: input.state,
    code_challenge: input.code_challenge,
    client_name: input.client_name ?? tpp.name,
    language_code: input.language_code ?? null,
    connection_ref: input.connection_ref ?? null,
    session_hash: null,
    username: null,
    account_ids: null,
    created_at: now.toISOString(),
    authorize_by: new Date(now.getTime() + AUTHORIZE_WITHIN_HOURS * 3_600_000).toISOString(),
    authorized_at: null,
    expires_at: null,
    revoked_at: null,
    tpp_client_id: tpp.tpp_id,
    owner_client_id: input.owner_client_id ?? null,
  }
  await insertConsent(db, row)
  return row
}

const alreadyCompleted = () => new ApiError('INVALID_STATE', 'This authorisation request has already been completed.')

/** Why a consent cannot be worked on in the browser any more, or undefined when it can. */
export function consentClosedReason (consent: BankConsentRow, now: Date): string | undefined {
  if (consent.status !== CONSENT_STATUS.awaiting) return 'This authorisation request has already been completed. Go back to the app you came from and start again.'
  if (consent.authorize_by <= now.toISOString()) return 'This authorisation request has expired. Go back to the app you came from and start again.'
  return undefined
}

/**
 * The accounts the user may share: the synthetic customer's accounts. The `iban` users' accounts also carry an
 * IBAN each (a UK account's is built from its sort code and account number, so every account's is different).
 */
export function accountsOf (providerId: string, user: MockUser): BankAccount[] {
  const accounts = customerOf(providerId, user.username).accounts
  switch (user.behaviour.kind) {
    case 'example_data_with_iban':
      return accounts.map(withIban)
    case 'example_data':
    case 'eternal':
    case 'data_calls_fail':
    case 'refused_at_sign_in':
      return accounts
    default:
      return unhandled(user.behaviour)
  }
}

function withIban (a: BankAccount): BankAccount {
  const ids = a.account_identifiers ?? []
  if (a.type !== 'account' || !a.bic || ids.some((i) => i.type === 'iban')) return a
  const scan = ids.find((i) => i.type === 'sort_code_account_number')
  if (!scan) return a
  return { ...a, account_identifiers: [...ids, { type: 'iban', iban: ibanOfScan(a.bic, scan.sort_code, scan.account_number) }] }
}

export function withQuery (uri: string, params: Record<string, string>): string {
  const u = new URL(uri)
  for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v)
  return u.toString()
}

/**
 * The user's decision at the bank, for a signed-in user: on allow, the chosen accounts (a non-empty subset of
 * theirs) are granted and a single-use code goes back with `state`; on deny, `error=access_denied`.
 * Returns where the browser goes next, or an error message for the page when the choice is not acceptable.
 */
export async function decide (
  db: Kysely<Database>,
  consent: BankConsentRow,
  user: MockUser,
  input: { decision: 'allow' | 'deny', accountIds: string[] },
  now: Date,
): Promise<{ redirect: string } | { error: string }> {
  const at = now.toISOString()
  if (user.behaviour.kind === 'refused_at_sign_in') return refuseAtSignIn(db, consent, user.behaviour.reason, now)
  if (input.decision === 'deny') {
    if (!await decideConsent(db, consent.id, { status: 'rejected', at })) throw alreadyCompleted()
    return { redirect: withQuery(consent.redirect_uri, { error: 'access_denied', error_description: 'The user denied access at the bank.', state: consent.state }) }
  }
  const own = new Set(accountsOf(consent.provider_id, user).map((a) => a.id))
  const chosen = [...new Set(input.accountIds)]
  if (chosen.length === 0) return { error: 'Choose at least one account to share, or choose Deny.' }
  if (chosen.some((id) => !own.has(id))) return { error: 'One of the accounts chosen is not yours; choose again.' }
  const expiresAt = new Date(now.getTime() + BANK_CONSENT_DAYS * 86_400_000).toISOString()
  if (!await decideConsent(db, consent.id, { status: 'authorized', accountIds: chosen, at, expiresAt })) throw alreadyCompleted()
  const code = ids.token()
  await insertCode(db, {
    code_hash: hashSecret(code),
    consent_id: consent.id,
    created_at: at,
    expires_at: new Date(now.getTime() + BANK_POLICY.codeTtlMinutes * 60_000).toISOString(),
  })
  return { redirect: withQuery(consent.redirect_uri, { code, state: consent.state }) }
}

/**
 * A `login.<reason>` user (a Ledgerite extension): the bank ends the journey at sign-in, sending the browser back
 * with `error=<reason>` — how the journey's own bank-side failures (locked at login and the like) are reached.
 */
export async function refuseAtSignIn (db: Kysely<Database>, consent: BankConsentRow, reason: MockErrorReason, now: Date): Promise<{ redirect: string }> {
  if (!await decideConsent(db, consent.id, { status: 'rejected', at: now.toISOString() })) throw alreadyCompleted()
  return { redirect: withQuery(consent.redirect_uri, { error: reason, error_description: `The bank refused the sign-in: ${reason}.`, state: consent.state }) }
}

/** The user the consent was signed in as (its key kept on the consent), as the mock-users table describes them. */
export function userOf (consent: BankConsentRow): MockUser | undefined {
  return consent.username ? mockUserOfKey(consent.username) : undefined
}

export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  consent_id: string
  account_ids: string[]
  consent_expires_at: string
  /** What extending the consent would need (the `john`/`eternal` user: no_action_needed), for consent extension. */
  extension_action: ExtensionAction
}

/**
 * authorization_code grant: the code exists, belongs to this bank and to the calling TPP's consent, is unexpired and
 * unused, `redirect_uri` is the consent's and the verifier hashes to its challenge (RFC 7636 S256). Only then is the
 * code spent — atomically, so a replay or a race gets `invalid_grant` — and a token issued for the consent, to that
 * TPP. A code presented again revokes the token already issued for it (RFC 6749 §4.1.2): whoever replays it may
 * have stolen it, and the token may be in their hands too.
 */
export async function exchangeCode (
  db: Kysely<Database>,
  tpp: BankTpp,
  providerId: string,
  input: { code: string, codeVerifier: string, redirectUri: string },
  now: Date,
): Promise<TokenResponse> {
  const at = now.toISOString()
  const codeHash = hashSecret(input.code)
  const code = await findCode(db, codeHash)
  const consent = code ? await findConsentById(db, code.consent_id) : undefined
  if (!code || !consent || consent.provider_id !== providerId || consent.tpp_client_id !== tpp.tpp_id) {
    throw new BankApiError(400, 'invalid_grant', 'The authorization code is unknown.')
  }
  const replayed = async () => {
    await revokeTokensOfCode(db, codeHash)
    return new BankApiError(400, 'invalid_grant', 'The authorization code has already been used; the token issued for it is revoked.')
  }
  if (code.used_at) throw await replayed()
  if (code.expires_at <= at) throw new BankApiError(400, 'invalid_grant', 'The authorization code has expired.')
  if (input.redirectUri !== consent.redirect_uri) throw new BankApiError(400, 'invalid_grant', 'redirect_uri does not match the one the consent was created with.')
  if (!pkceMatches(input.codeVerifier, consent.code_challenge)) throw new BankApiError(400, 'invalid_grant', 'code_verifier does not match the code_challenge (PKCE S256).')
  if (consent.status !== CONSENT_STATUS.authorized || !consent.expires_at) throw new BankApiError(400, 'invalid_grant', 'The consent is no longer authorised.')
  if (!await useCode(db, codeHash, at)) throw await replayed()

  const accessToken = ids.token()
  await insertToken(db, {
    token_hash: hashSecret(accessToken), consent_id: consent.id, created_at: at, expires_at: consent.expires_at, tpp_client_id: tpp.tpp_id, code_hash: codeHash,
  })
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: Math.max(0, Math.floor((Date.parse(consent.expires_at) - now.getTime()) / 1000)),
    consent_id: consent.id,
    account_ids: JSON.parse(consent.account_ids ?? '[]') as string[],
    consent_expires_at: consent.expires_at,
    extension_action: (() => { const u = userOf(consent); return u ? extensionActionOf(u) : 'authentication_needed' })(),
  }
}

/** Status of each mock error on the bank's data API (the reason itself is the `error` code). */
const MOCK_ERROR_STATUS: Record<MockErrorReason, number> = {
  account_permanently_locked: 403,
  account_temporarily_locked: 403,
  internal_error: 500,
  provider_error: 502,
  user_input_required: 403,
  wrong_credentials: 401,
}

/**
 * The consent a bearer token of this bank was issued for (401 `invalid_token` otherwise). The token is bound to the
 * TPP it was issued to: in another TPP's hands it is not valid.
 */
export async function consentOfToken (db: Kysely<Database>, tpp: BankTpp, providerId: string, authorization: string | undefined) {
  const m = /^Bearer\s+(\S+)$/.exec(authorization ?? '')
  if (!m) throw new BankApiError(401, 'invalid_token', 'A bearer access token is required.')
  const token = await findToken(db, hashSecret(m[1]!))
  const consent = token ? await findConsentById(db, token.consent_id) : undefined
  if (!token || !consent || consent.provider_id !== providerId || token.tpp_client_id !== tpp.tpp_id) {
    throw new BankApiError(401, 'invalid_token', 'The access token is not valid at this bank.')
  }
  return { token, consent }
}

/**
 * A data read's bearer token → the consent it grants, checked: a known token of this bank; consent authorised
 * (revoked → 403 access_denied) and unexpired; and, for `error.<reason>` users, every read fails with `<reason>`
 * (the real sandbox's "auth succeeds, all Data API calls fail with <code>").
 */
export async function authenticateRead (
  db: Kysely<Database>,
  tpp: BankTpp,
  providerId: string,
  authorization: string | undefined,
  now: Date,
): Promise<{ consent: BankConsentRow, user: MockUser, accountIds: string[], scopes: string[] }> {
  const { token, consent } = await consentOfToken(db, tpp, providerId, authorization)
  const at = now.toISOString()
  if (consent.status === CONSENT_STATUS.revoked) throw new BankApiError(403, 'access_denied', 'The consent has been revoked.')
  if (consent.status !== CONSENT_STATUS.authorized || !consent.username) throw new BankApiError(403, 'access_denied', 'The consent is not authorised.')
  if (token.expires_at <= at || (consent.expires_at !== null && consent.expires_at <= at)) throw new BankApiError(403, 'access_denied', 'The consent has expired.')
  const user = mockUserOfKey(consent.username)
  if (!user) throw new BankApiError(403, 'access_denied', 'The consent is not authorised.')
  switch (user.behaviour.kind) {
    case 'data_calls_fail': {
      const { reason } = user.behaviour
      throw new BankApiError(MOCK_ERROR_STATUS[reason], reason, `every data call of mock user ${user.username} fails with ${reason}.`)
    }
    case 'refused_at_sign_in': // never authorised: the bank refused the sign-in
      throw new BankApiError(403, 'access_denied', 'The consent is not authorised.')
    case 'example_data':
    case 'example_data_with_iban':
    case 'eternal':
      break
    default:
      unhandled(user.behaviour)
  }
  return { consent, user, accountIds: JSON.parse(consent.account_ids ?? '[]') as string[], scopes: JSON.parse(consent.scopes) as string[] }
}

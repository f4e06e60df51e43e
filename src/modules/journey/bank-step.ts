import { createHash } from 'node:crypto'
import { ApiError, invalidField } from '../../contract/errors.ts'
import { ids, sha256 } from '../../contract/ids.ts'
import { DATA_TOKEN_SCOPE } from '../../contract/scopes.ts'
import type { Deps } from '../../deps.ts'
import { authorizeConnection, failConnection, startBankAuthorization } from '../connections/connection.lifecycle.ts'
import { type Connection, returnUriOf, toConnection } from '../connections/connection.model.ts'
import { POLICY } from '../connections/connection.policy.ts'
import { addConnectionEvent, findConnection } from '../connections/connection.repository.ts'
import { FAILURE_REASONS } from '../connections/connection.state.ts'
import { isMockErrorReason, MOCK_ERROR_REASONS, mockUser } from '../model-bank/mock-users.ts'
import { BANK_CALLBACK_PATH } from '../providers/bank-callback.ts'
import { isModelBankSandbox } from '../providers/model-bank.adapter.ts'
import { BankError, type BankGrant, BankUnavailableError } from '../providers/provider-adapter.ts'
import { findProvider } from '../providers/provider.catalog.ts'
import { filterProviders, type ProviderFilter } from '../providers/provider.filter.ts'
import { findBranding } from './branding.repository.ts'
import { signLink } from './journey-links.ts'

/**
 * The bank step of the journey: hand the user to the bank (begin), and take them back (the callback).
 *
 * begin: a fresh `state` and PKCE verifier (kept in `journey_states`, the state only as its hash), a consent at
 * the bank through the provider adapter, then the connection moves to `authorizing` (or, already there, records
 * its provider). The bank is never called inside a database transaction.
 *
 * callback: the state is looked up and spent (once, atomically); the code is exchanged with the verifier; then the
 * ONE lifecycle authorises or fails the connection, and the browser goes to the result page (a hosted page exists)
 * or straight back to the client's return URI with the outcome. No data is read here: a bank that refuses every
 * data call (the mock `error.<reason>` users) still authorises, and each data call then fails with its reason, as
 * in the real sandbox.
 */
export const CALLBACK_PATH = BANK_CALLBACK_PATH
/** The result page link stays valid this long after the callback. */
const RESULT_LINK_MINUTES = 60

const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url')

interface Trip { uri: string, consentId: string, state: string }

async function begin (deps: Deps, connection: Connection, providerId: string, now: Date): Promise<Trip> {
  if (!findProvider(providerId)) throw invalidField('provider_id', 'is not a known provider; GET /v3/providers lists them')
  if (connection.status !== 'authorization_required' && connection.status !== 'authorizing') {
    throw new ApiError('INVALID_STATE', `Status of the connection (${connection.status}) does not allow sending the user to the bank.`)
  }
  if (connection.status === 'authorizing' && connection.providerId && connection.providerId !== providerId) {
    throw new ApiError('INVALID_STATE', `The connection is already being authorised at ${connection.providerId}; it cannot move to another provider.`)
  }
  const client = await deps.db.selectFrom('clients').select('name').where('id', '=', connection.clientId).executeTakeFirst()
  if (!client) throw new ApiError('NOT_FOUND', 'Connection could not be found.')
  // The bank's consent screen names the client as its journey does: its display name when it set one.
  const { displayName } = await findBranding(deps.db, connection.clientId)

  const state = ids.token()
  const verifier = ids.token() // 43 base64url characters: a valid RFC 7636 verifier
  const redirectUri = `${deps.config.publicUrl}${CALLBACK_PATH}`
  const stateHash = sha256(state)
  await deps.db.insertInto('journey_states').values({
    state_hash: stateHash,
    connection_id: connection.id,
    client_id: connection.clientId,
    provider_id: providerId,
    code_verifier: verifier,
    redirect_uri: redirectUri,
    consent_id: null,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + POLICY.journeyLinkTtlHours * 3_600_000).toISOString(),
    used_at: null,
  }).execute()

  // Outside any transaction: the bank may be another process (MODEL_BANK_URL), and SQLite has one connection.
  const consent = await deps.adapter.createConsent({
    providerId,
    connectionId: connection.id,
    clientId: connection.clientId,
    scopes: connection.scopes,
    dataAccessType: connection.dataAccessType,
    redirectUri,
    state,
    codeChallenge: s256(verifier),
    clientName: displayName ?? client.name,
    ...(connection.hostedPage?.language_code ? { languageCode: connection.hostedPage.language_code } : {}),
  })
  await deps.db.updateTable('journey_states').set({ consent_id: consent.consentId }).where('state_hash', '=', stateHash).execute()

  if (connection.status === 'authorization_required') {
    await startBankAuthorization(deps.db, connection.clientId, connection.id, now, { provider_id: providerId })
  } else {
    // Configurations 4, 5 and 5b start `authorizing`: only the provider is recorded (compare-and-set, so two
    // racing provider selections cannot both win).
    const r = await deps.db.updateTable('connections').set({ provider_id: providerId, updated_at: now.toISOString() })
      .where('id', '=', connection.id).where('client_id', '=', connection.clientId).where('status', '=', 'authorizing')
      .where((eb) => eb.or([eb('provider_id', 'is', null), eb('provider_id', '=', providerId)]))
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) throw new ApiError('INVALID_STATE', 'The connection changed while this request was handled; read it again.')
  }
  await addConnectionEvent(deps.db, { connectionId: connection.id, clientId: connection.clientId, at: now, kind: 'bank_redirect', detail: { provider_id: providerId } })
  // The journey's language goes on the bank link as OpenID Connect's ui_locales, so the bank's pages speak it too.
  const language = connection.hostedPage?.language_code
  const uri = language ? withQuery(consent.authorizationUri, { ui_locales: language }) : consent.authorizationUri
  return { uri, consentId: consent.consentId, state }
}

/**
 * Sends the user to the bank: consent at the bank, connection `authorizing`. Answers the bank's page for the
 * browser. Throws Invalid State when the connection cannot go to the bank, BankError when the bank refuses.
 */
export async function beginBankAuthorization (
  deps: Deps,
  input: { connection: Connection, providerId: string, now: Date },
): Promise<{ uri: string }> {
  const { uri } = await begin(deps, input.connection, input.providerId, input.now)
  return { uri }
}

/** A callback that cannot be completed: shown to the user as a plain page, nothing changed. */
export class CallbackError extends Error {
  constructor (readonly status: number, readonly title: string, detail: string) {
    super(detail)
    this.name = 'CallbackError'
  }
}

/** Wire failure reasons a connection may fail with (the sandbox's failure_reason must be one). */
const isFailureReason = (r: string): boolean => Object.hasOwn(FAILURE_REASONS, r)

export interface CallbackOutcome {
  connection: Connection
  /** Where the browser goes next. */
  redirect: string
}

/**
 * The bank's redirect back: `code` + `state`, or `error` + `state`. Completes the connection through the
 * lifecycle and answers where the browser goes; throws CallbackError (nothing changed) for a link that is
 * incomplete, unknown, expired or already used.
 */
export async function completeBankCallback (deps: Deps, query: { state?: unknown, code?: unknown, error?: unknown }): Promise<CallbackOutcome> {
  const state = typeof query.state === 'string' ? query.state : ''
  const code = typeof query.code === 'string' ? query.code : ''
  const error = typeof query.error === 'string' ? query.error : ''
  if (!state || (!code && !error)) {
    throw new CallbackError(400, 'This link is incomplete', 'The bank sent you back without the details needed to finish. Go back to the app you came from and start again.')
  }
  const stateHash = sha256(state)
  const trip = await deps.db.selectFrom('journey_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst()
  if (!trip) throw new CallbackError(400, 'This link is not valid', 'This link back from the bank is not one we made. Go back to the app you came from and start again.')
  const now = await deps.clock.now(trip.client_id)
  if (trip.used_at) throw new CallbackError(400, 'This link has already been used', 'You have already come back from the bank with this link. Go back to the app you came from to see the result.')
  if (trip.expires_at <= now.toISOString()) throw new CallbackError(400, 'This link has expired', 'Too much time passed before you came back from the bank. Go back to the app you came from and start again.')
  // Spend the state before anything else: of two racing requests with it, exactly one goes on.
  const spent = await deps.db.updateTable('journey_states').set({ used_at: now.toISOString() })
    .where('state_hash', '=', stateHash).where('used_at', 'is', null).executeTakeFirst()
  if (Number(spent.numUpdatedRows) !== 1) throw new CallbackError(400, 'This link has already been used', 'You have already come back from the bank with this link. Go back to the app you came from to see the result.')

  const row = await findConnection(deps.db, trip.client_id, trip.connection_id)
  if (!row) throw new CallbackError(404, 'Connection not found', 'The connection this journey was for no longer exists.')
  if (row.status !== 'authorizing') {
    throw new CallbackError(400, 'This journey has already ended', `The connection is no longer waiting for the bank (it is ${row.status}). Go back to the app you came from.`)
  }

  const fail = async (reason: string, grant?: BankGrant): Promise<CallbackOutcome> => {
    // A grant the connection will not use is handed back to the bank.
    if (grant) await deps.adapter.revoke(grant, trip.provider_id).catch(() => undefined)
    const failed = toConnection(await failConnection(deps.db, trip.client_id, trip.connection_id, now, reason))
    return { connection: failed, redirect: nextStop(deps, failed, now) }
  }

  // A bank refusing the sign-in says why (the model bank's `login.<reason>` users); anything else is its error.
  if (error) return fail(error === 'access_denied' ? 'provider_rejected' : isMockErrorReason(error) ? error : 'provider_error')

  let grant: BankGrant
  try {
    grant = await deps.adapter.exchangeCode({ providerId: trip.provider_id, code, codeVerifier: trip.code_verifier, redirectUri: trip.redirect_uri })
  } catch (err) {
    if (err instanceof BankUnavailableError) {
      // The bank's outage decides nothing: the link is given back, so reloading the page retries the exchange.
      await deps.db.updateTable('journey_states').set({ used_at: null }).where('state_hash', '=', stateHash).execute()
      throw new CallbackError(503, 'Your bank is busy', 'Your bank could not finish just now. Nothing was lost: reload this page in a few seconds to try again.')
    }
    if (!(err instanceof BankError)) throw err
    return fail(err.reason === 'invalid_grant' ? 'invalid_authorization_code' : 'provider_error')
  }
  if (trip.consent_id && grant.consentId !== trip.consent_id) return fail('invalid_authorization_code', grant)
  try {
    const authorized = toConnection(await authorizeConnection(deps.db, trip.client_id, trip.connection_id, now, {
      accountIds: grant.accountIds, providerId: trip.provider_id, providerState: grant,
    }))
    return { connection: authorized, redirect: nextStop(deps, authorized, now) }
  } catch (err) {
    // Revoked (or otherwise ended) while the user was at the bank: give the grant back.
    await deps.adapter.revoke(grant, trip.provider_id).catch(() => undefined)
    if (err instanceof ApiError && err.status === 400) {
      throw new CallbackError(400, 'This journey has already ended', 'The connection changed while you were at the bank. Go back to the app you came from.')
    }
    throw err
  }
}

/** `uri` with params appended, keeping any query it already has. */
/**
 * `uri` with `params` added after its own query, which is kept byte for byte (re-serialising it through
 * searchParams would rewrite the client's `%20` as `+` and `?flag` as `?flag=`, and its `state` must come back as sent).
 */
export function withQuery (uri: string, params: Record<string, string>): string {
  const u = new URL(uri)
  const added = new URLSearchParams(params).toString()
  const own = u.search.slice(1)
  u.search = own ? `${own}&${added}` : added
  return u.toString()
}

/**
 * After the bank: the result page when the connection has a hosted page (configurations 1–4, and 5b with a result
 * page), otherwise straight back to the client's return URI with `connection_id` (and `error` on failure).
 */
function nextStop (deps: Deps, c: Connection, now: Date): string {
  if (c.hostedPage) {
    const link = signLink(deps.secret, 'result', c.id, new Date(now.getTime() + RESULT_LINK_MINUTES * 60_000))
    return `${deps.config.publicUrl}/data/${encodeURIComponent(c.id)}/result?l=${encodeURIComponent(link)}`
  }
  const returnUri = returnUriOf(c)
  if (!returnUri) throw new Error(`connection ${c.id} has neither a hosted page nor a return URI`)
  return withQuery(returnUri, { connection_id: c.id, ...(c.status === 'failed' ? { error: c.failureReason ?? 'unknown' } : {}) })
}

/** The providers a user_selected connection offers (its filter), for provider-selection and the sandbox. */
export function providersOffered (c: Connection) {
  return filterProviders(c.providerSelection.filter as ProviderFilter | undefined)
}

/** Bank-side failure reasons: reached by a trip to the model bank, not by failing the connection directly. */
const BANK_FAILURES = new Set<string>(['provider_rejected', 'invalid_authorization_code', ...MOCK_ERROR_REASONS])

/**
 * Completes a journey without a browser (sandbox control), along the SAME path as the browser: begin (a consent
 * at the model bank), the bank's decision for `username` (default `john`) over all their accounts — Allow, or Deny
 * for a plain failure — and the callback's exchange and lifecycle move, so the state and the webhooks are those
 * of the browser path.
 *
 * - `outcome: 'authorized'`: approve as `username` (an `error.<reason>` user ends `authorized`, its data calls then
 *   fail; a `login.<reason>` user ends `failed`, as in a browser).
 * - `outcome: 'failed'`: `failure_reason` provider_rejected (the default, unless `username` is an `error.<reason>`
 *   or `login.<reason>` user, whose reason then is the default) → Deny at the bank; one of the mock error reasons →
 *   sign in as `login.<reason>`, which the bank refuses with it; invalid_authorization_code → an unknown code comes
 *   back to the callback;
 *   any other documented reason (e.g. user_declined_consent, journey_expired) fails the connection where it stands,
 *   as the hosted page would, without a trip to the bank.
 */
export async function authorizeWithoutBrowser (
  deps: Deps,
  input: {
    clientId: string, connectionId: string, outcome: 'authorized' | 'failed', username?: string, failureReason?: string, providerId?: string,
    /** The caller's `data` token, shown to the bank (it approves only for the consent's own client); else one is issued. */
    clientToken?: string,
  },
): Promise<Connection> {
  const row = await findConnection(deps.db, input.clientId, input.connectionId)
  if (!row) throw new ApiError('NOT_FOUND', 'Connection could not be found.')
  const connection = toConnection(row)
  if (connection.status !== 'authorization_required' && connection.status !== 'authorizing') {
    throw new ApiError('INVALID_STATE', `Status of the connection (${connection.status}) does not allow this action (authorize) to be executed.`)
  }
  const now = await deps.clock.now(input.clientId)

  // `failed` without a reason: an error.<reason> username names it; otherwise the user denies at the bank.
  const named = input.username ? mockUser(input.username) : undefined
  const namedReason = named?.behaviour.kind === 'data_calls_fail' || named?.behaviour.kind === 'refused_at_sign_in' ? named.behaviour.reason : undefined
  const reason = input.outcome === 'failed' ? (input.failureReason ?? namedReason ?? 'provider_rejected') : undefined
  if (reason !== undefined && !isFailureReason(reason)) {
    throw invalidField('failure_reason', `must be one of: ${Object.keys(FAILURE_REASONS).join(', ')}`)
  }
  if (reason !== undefined && !BANK_FAILURES.has(reason)) {
    return toConnection(await failConnection(deps.db, input.clientId, input.connectionId, now, reason))
  }

  const username = reason && isMockErrorReason(reason) ? `login.${reason}` : (input.username ?? 'john')
  if (!mockUser(username)) throw invalidField('username', 'is not a mock user of the model bank (see "Mock users" in the README)')
  const providerId = chooseProvider(connection, input.providerId)
  if (!isModelBankSandbox(deps.adapter)) throw new ApiError('NOT_IMPLEMENTED', 'The configured bank offers no sandbox approval.')

  const trip = await begin(deps, connection, providerId, now)
  let redirect: URL
  try {
    const clientToken = input.clientToken ?? await deps.tokens.issue(input.clientId, [DATA_TOKEN_SCOPE])
    const { redirectUri } = await deps.adapter.approveAsUser({
      providerId, consentId: trip.consentId, clientToken, username, decision: reason === 'provider_rejected' ? 'deny' : 'allow',
    })
    redirect = new URL(redirectUri)
  } catch (err) {
    if (err instanceof BankError) throw new ApiError('PROVIDER_ERROR', `The model bank refused the sandbox approval: ${err.message}`)
    throw err
  }
  const back = Object.fromEntries(redirect.searchParams)
  if (back.state !== trip.state) throw new ApiError('PROVIDER_ERROR', 'The model bank answered with another state.')
  // An unknown code, as a tampered or forged redirect would bring.
  if (reason === 'invalid_authorization_code') back.code = ids.token()
  const { connection: done } = await completeBankCallback(deps, back)
  return done
}

/** The provider a sandbox authorisation uses: the one asked for, else the connection's, else the first it offers. */
function chooseProvider (c: Connection, asked: string | undefined): string {
  if (c.providerSelection.type === 'preselected' || c.providerId) {
    const fixed = c.providerId ?? c.providerSelection.provider_id
    if (asked && fixed && asked !== fixed) throw invalidField('provider_id', `must be the connection's provider (${fixed}) or left out`)
    if (fixed) return fixed
  }
  const offered = providersOffered(c)
  if (asked) {
    if (!findProvider(asked)) throw invalidField('provider_id', 'is not a known provider; GET /v3/providers lists them')
    if (!offered.some((p) => p.provider_id === asked)) throw invalidField('provider_id', 'is not among the providers the connection\'s provider_selection.filter allows')
    return asked
  }
  const first = offered.find((p) => p.provider_id === 'mock') ?? offered[0]
  if (!first) throw invalidField('provider_id', 'is required: the connection\'s provider_selection.filter allows no provider')
  return first.provider_id
}

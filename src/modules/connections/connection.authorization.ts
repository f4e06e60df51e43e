import { createHash } from 'node:crypto'
import { ApiError, invalidField } from '../../contract/errors.ts'
import { ids, sha256 } from '../../contract/ids.ts'
import type { Deps } from '../../deps.ts'
import { findClient } from '../auth/client.repository.ts'
import { findDisplayName } from '../auth/client-branding.repository.ts'
import { BANK_CALLBACK_PATH } from '../providers/bank-callback.ts'
import { BankError, type BankGrant, BankUnavailableError } from '../providers/provider-adapter.ts'
import { findProvider } from '../providers/provider.catalog.ts'
import { filterProviders, type ProviderFilter } from '../providers/provider.filter.ts'
import { findBankTrip, giveBackBankTrip, insertBankTrip, setBankTripConsent, spendBankTrip } from './bank-trip.repository.ts'
import { nextStepsAfterBankFailure } from './bank-retry.policy.ts'
import { authorizeConnection, chooseProvider, failConnection, offerAnotherAttempt, startBankAuthorization } from './connection.lifecycle.ts'
import { type Connection, toConnection } from './connection.model.ts'
import { POLICY } from './connection.policy.ts'
import { addConnectionEvent, findConnection } from './connection.repository.ts'
import { DECIDED_BY_LEDGERITE, FAILURE_REASONS } from './connection.state.ts'

/**
 * The connection's authorisation at its bank, through the provider adapter (the only door to any bank):
 *
 * begin: a fresh `state` and PKCE verifier (a bank trip, the state kept only as its hash), a consent at the bank,
 * then the connection moves to `authorizing` (or, already there, records its provider). The bank is never called
 * inside a database transaction.
 *
 * complete: the bank's answer on the callback — the state looked up and spent (once, atomically), the code
 * exchanged with the verifier — then the lifecycle authorises or fails the connection. What the bank's user did
 * reaches Ledgerite only as that answer: an `error` (its reason kept when it is a failure reason Ledgerite reports)
 * or a code. No data is read here: a bank that refuses every data call still authorises, and each data call then
 * fails with its reason, as in the real sandbox.
 *
 * The journey's pages call these commands and decide where the browser goes; the sandbox calls them too, so both
 * paths leave the same state and send the same webhooks.
 */

const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url')

/** A bank trip begun: the bank's page for the browser, its consent, and the state the bank will send back. */
export interface BankTrip { uri: string, consentId: string, state: string }

/**
 * Sends the connection to the bank: a consent there, the connection `authorizing`. Answers the bank's page with
 * the consent and state (the sandbox completes the trip without a browser). Throws Invalid State when the
 * connection cannot go to the bank, BankError when the bank refuses.
 */
export async function startBankTrip (deps: Deps, connection: Connection, providerId: string, now: Date): Promise<BankTrip> {
  if (!findProvider(providerId)) throw invalidField('provider_id', 'is not a known provider; GET /v3/providers lists them')
  if (connection.status !== 'authorization_required' && connection.status !== 'authorizing') {
    throw new ApiError('INVALID_STATE', `Status of the connection (${connection.status}) does not allow sending the user to the bank.`)
  }
  if (connection.status === 'authorizing' && connection.providerId && connection.providerId !== providerId) {
    throw new ApiError('INVALID_STATE', `The connection is already being authorised at ${connection.providerId}; it cannot move to another provider.`)
  }
  const client = await findClient(deps.db, connection.clientId)
  if (!client) throw new ApiError('NOT_FOUND', 'Connection could not be found.')
  // The bank's consent screen names the client as its journey does: its display name (Console branding) when set.
  const displayName = await findDisplayName(deps.db, connection.clientId)

  const state = ids.token()
  const verifier = ids.token() // 43 base64url characters: a valid RFC 7636 verifier
  const redirectUri = `${deps.config.publicUrl}${BANK_CALLBACK_PATH}`
  const stateHash = sha256(state)
  await insertBankTrip(deps.db, {
    stateHash,
    connectionId: connection.id,
    clientId: connection.clientId,
    providerId,
    codeVerifier: verifier,
    redirectUri,
    createdAt: now,
    expiresAt: new Date(now.getTime() + POLICY.journeyLinkTtlHours * 3_600_000),
  })

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
  await setBankTripConsent(deps.db, stateHash, consent.consentId)

  if (connection.status === 'authorization_required') {
    await startBankAuthorization(deps.db, connection.clientId, connection.id, now, { provider_id: providerId })
  } else {
    await chooseProvider(deps.db, connection.clientId, connection.id, now, providerId)
  }
  await addConnectionEvent(deps.db, { connectionId: connection.id, clientId: connection.clientId, at: now, kind: 'bank_redirect', detail: { provider_id: providerId } })
  // The journey's language goes on the bank link as OpenID Connect's ui_locales, so the bank's pages speak it too.
  const language = connection.hostedPage?.language_code
  const uri = language ? withAddedQuery(consent.authorizationUri, { ui_locales: language }) : consent.authorizationUri
  return { uri, consentId: consent.consentId, state }
}

/** Sends the user to the bank (see startBankTrip); answers the bank's page for the browser. */
export async function beginBankAuthorization (
  deps: Deps,
  input: { connection: Connection, providerId: string, now: Date },
): Promise<{ uri: string }> {
  const { uri } = await startBankTrip(deps, input.connection, input.providerId, input.now)
  return { uri }
}

/** A callback that cannot be completed: shown to the user as a plain page, nothing changed. */
export class CallbackError extends Error {
  constructor (readonly status: number, readonly title: string, detail: string) {
    super(detail)
    this.name = 'CallbackError'
  }
}

/**
 * A reason a bank refusing the sign-in may give that Ledgerite reports as it is: a failure reason only a bank decides
 * (the model bank's `login.<reason>` users give them), other than the two the callback itself derives.
 */
const isBankSignInReason = (r: string): boolean =>
  Object.hasOwn(FAILURE_REASONS, r) && !DECIDED_BY_LEDGERITE.has(r) && r !== 'provider_rejected' && r !== 'invalid_authorization_code'

/**
 * The bank's redirect back: `code` + `state`, or `error` + `state`. Completes the connection through the
 * lifecycle and answers it; throws CallbackError (nothing changed) for a link that is incomplete, unknown, expired
 * or already used.
 *
 * `offerNextSteps` (the browser's callback only): a failure the hosted journey can offer another attempt for
 * (bank-retry.policy.ts) is held — the connection goes back to `authorization_required` — instead of failing it.
 * The sandbox's authorisation leaves it out, so its failures stay immediate.
 */
export async function completeBankAuthorization (
  deps: Deps,
  query: { state?: unknown, code?: unknown, error?: unknown },
  options: { offerNextSteps?: boolean } = {},
): Promise<Connection> {
  const state = typeof query.state === 'string' ? query.state : ''
  const code = typeof query.code === 'string' ? query.code : ''
  const error = typeof query.error === 'string' ? query.error : ''
  if (!state || (!code && !error)) {
    throw new CallbackError(400, 'This link is incomplete', 'The bank sent you back without the details needed to finish. Go back to the app you came from and start again.')
  }
  const stateHash = sha256(state)
  const trip = await findBankTrip(deps.db, stateHash)
  if (!trip) throw new CallbackError(400, 'This link is not valid', 'This link back from the bank is not one we made. Go back to the app you came from and start again.')
  const now = await deps.clock.now(trip.client_id)
  if (trip.used_at) throw new CallbackError(400, 'This link has already been used', 'You have already come back from the bank with this link. Go back to the app you came from to see the result.')
  if (trip.expires_at <= now.toISOString()) throw new CallbackError(400, 'This link has expired', 'Too much time passed before you came back from the bank. Go back to the app you came from and start again.')
  // Spend the state before anything else: of two racing requests with it, exactly one goes on.
  if (!await spendBankTrip(deps.db, stateHash, now)) {
    throw new CallbackError(400, 'This link has already been used', 'You have already come back from the bank with this link. Go back to the app you came from to see the result.')
  }

  const row = await findConnection(deps.db, trip.client_id, trip.connection_id)
  if (!row) throw new CallbackError(404, 'Connection not found', 'The connection this journey was for no longer exists.')
  if (row.status !== 'authorizing') {
    throw new CallbackError(400, 'This journey has already ended', `The connection is no longer waiting for the bank (it is ${row.status}). Go back to the app you came from.`)
  }

  const fail = async (reason: string, grant?: BankGrant): Promise<Connection> => {
    // A grant the connection will not use is handed back to the bank.
    if (grant) await deps.adapter.revoke(grant, trip.provider_id).catch(() => undefined)
    const connection = toConnection(row)
    if (options.offerNextSteps && nextStepsAfterBankFailure(connection, reason).length > 0) {
      return toConnection(await offerAnotherAttempt(deps.db, trip.client_id, trip.connection_id, now, {
        reason, providerId: trip.provider_id, userSelected: connection.providerSelection.type === 'user_selected',
      }))
    }
    return toConnection(await failConnection(deps.db, trip.client_id, trip.connection_id, now, reason))
  }

  // A bank refusing the sign-in may say why; anything else is its error.
  if (error) return fail(error === 'access_denied' ? 'provider_rejected' : isBankSignInReason(error) ? error : 'provider_error')

  let grant: BankGrant
  try {
    grant = await deps.adapter.exchangeCode({ providerId: trip.provider_id, code, codeVerifier: trip.code_verifier, redirectUri: trip.redirect_uri })
  } catch (err) {
    if (err instanceof BankUnavailableError) {
      // The bank's outage decides nothing: the link is given back, so reloading the page retries the exchange.
      await giveBackBankTrip(deps.db, stateHash)
      throw new CallbackError(503, 'Your bank is busy', 'Your bank could not finish just now. Nothing was lost: reload this page in a few seconds to try again.')
    }
    if (!(err instanceof BankError)) throw err
    return fail(err.reason === 'invalid_grant' ? 'invalid_authorization_code' : 'provider_error')
  }
  if (trip.consent_id && grant.consentId !== trip.consent_id) return fail('invalid_authorization_code', grant)
  try {
    return toConnection(await authorizeConnection(deps.db, trip.client_id, trip.connection_id, now, {
      accountIds: grant.accountIds, providerId: trip.provider_id, providerState: grant,
    }))
  } catch (err) {
    // Revoked (or otherwise ended) while the user was at the bank: give the grant back.
    await deps.adapter.revoke(grant, trip.provider_id).catch(() => undefined)
    if (err instanceof ApiError && err.status === 400) {
      throw new CallbackError(400, 'This journey has already ended', 'The connection changed while you were at the bank. Go back to the app you came from.')
    }
    throw err
  }
}

/** The providers a user_selected connection offers (its filter), for provider selection and the sandbox. */
export function providersOffered (c: Connection) {
  return filterProviders(c.providerSelection.filter as ProviderFilter | undefined)
}

/**
 * `uri` with `params` added after its own query, which is kept byte for byte (re-serialising it through
 * searchParams would rewrite the client's `%20` as `+` and `?flag` as `?flag=`, and its `state` must come back as sent).
 */
export function withAddedQuery (uri: string, params: Record<string, string>): string {
  const u = new URL(uri)
  const added = new URLSearchParams(params).toString()
  const own = u.search.slice(1)
  u.search = own ? `${own}&${added}` : added
  return u.toString()
}

import { ApiError, invalidField } from '../../contract/errors.ts'
import { ids } from '../../contract/ids.ts'
import { DATA_TOKEN_SCOPE } from '../../contract/scopes.ts'
import type { Deps } from '../../deps.ts'
import {
  completeBankAuthorization, providersOffered, startBankTrip, withAddedQuery,
} from '../connections/connection.authorization.ts'
import { failConnection } from '../connections/connection.lifecycle.ts'
import { type Connection, returnUriOf, toConnection } from '../connections/connection.model.ts'
import { findConnection } from '../connections/connection.repository.ts'
import { FAILURE_REASONS } from '../connections/connection.state.ts'
import { isMockErrorReason, MOCK_ERROR_REASONS, mockUser } from '../model-bank/mock-users.ts'
import { BANK_CALLBACK_PATH } from '../providers/bank-callback.ts'
import { isModelBankSandbox } from '../providers/model-bank.adapter.ts'
import { BankError } from '../providers/provider-adapter.ts'
import { findProvider } from '../providers/provider.catalog.ts'
import { signLink } from './journey-links.ts'

/**
 * The journey's side of the bank step: the bank's redirect back (the callback) completes the connection through
 * its authorisation command (connections/connection.authorization.ts), and the browser goes to the result page
 * (a hosted page exists) or straight back to the client's return URI with the outcome.
 */
export const CALLBACK_PATH = BANK_CALLBACK_PATH
export { beginBankAuthorization, CallbackError, providersOffered } from '../connections/connection.authorization.ts'
export const withQuery = withAddedQuery
/** The result page link stays valid this long after the callback. */
const RESULT_LINK_MINUTES = 60

/** Wire failure reasons a connection may fail with (the sandbox's failure_reason must be one). */
const isFailureReason = (r: string): boolean => Object.hasOwn(FAILURE_REASONS, r)

export interface CallbackOutcome {
  connection: Connection
  /** Where the browser goes next. */
  redirect: string
}

/**
 * The bank's redirect back: the connection's authorisation completes, and the answer is where the browser goes;
 * throws CallbackError (nothing changed) for a link that is incomplete, unknown, expired or already used.
 */
export async function completeBankCallback (deps: Deps, query: { state?: unknown, code?: unknown, error?: unknown }): Promise<CallbackOutcome> {
  const connection = await completeBankAuthorization(deps, query)
  return { connection, redirect: nextStop(deps, connection, await deps.clock.now(connection.clientId)) }
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

  const trip = await startBankTrip(deps, connection, providerId, now)
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
  return completeBankAuthorization(deps, back)
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

import { ApiError, invalidField } from '../../contract/errors.ts'
import { ids } from '../../contract/ids.ts'
import { DATA_TOKEN_SCOPE } from '../../contract/scopes.ts'
import type { Deps } from '../../deps.ts'
import { completeBankAuthorization, providersOffered, startBankTrip } from '../connections/connection.authorization.ts'
import { failConnection } from '../connections/connection.lifecycle.ts'
import { type Connection, toConnection } from '../connections/connection.model.ts'
import { findConnection } from '../connections/connection.repository.ts'
import { DECIDED_BY_LEDGERITE, FAILURE_REASONS, type FailureReasonCode } from '../connections/connection.state.ts'
import { BankError } from '../providers/provider-adapter.ts'
import { findProvider } from '../providers/provider.catalog.ts'
import type { SandboxBank } from './sandbox-bank.port.ts'

const isFailureReason = (r: string): r is FailureReasonCode => Object.hasOwn(FAILURE_REASONS, r)

/** The sandbox bank's users refused at sign-in are named `login.<reason>` (README, "Mock users"); the bank confirms which exist. */
const refusedUserFor = (reason: string): string => `login.${reason}`

/**
 * Completes a journey without a browser (sandbox control), along the SAME path as the browser: a trip to the bank
 * (connections' authorisation command), the bank's decision for `username` (default `john`) over all their
 * accounts — Allow, or Deny for a plain failure — through the sandbox bank port, and the same completion and
 * lifecycle move, so the state and the webhooks are those of the browser path. What a test user does is learnt
 * from the bank's answers (SandboxBank.describeUser), never from its catalogue.
 *
 * - `outcome: 'authorized'`: approve as `username` (a user whose data calls fail still ends `authorized`; one the
 *   bank refuses at sign-in ends `failed`, as in a browser).
 * - `outcome: 'failed'`: `failure_reason` provider_rejected (the default, unless the bank says `username` fails
 *   with a reason, which then is the default) → Deny at the bank; invalid_authorization_code → an unknown code
 *   comes back; another reason the bank answers with → sign in as the bank's user it refuses with that reason;
 *   a reason Ledgerite's pages decide (user_declined_consent, user_cancelled, journey_expired) fails the connection
 *   where it stands.
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
  const mustBeFailureReason = () => invalidField('failure_reason', `must be one of: ${Object.keys(FAILURE_REASONS).join(', ')}`)
  if (input.failureReason !== undefined && !isFailureReason(input.failureReason)) throw mustBeFailureReason()
  if (input.outcome === 'failed' && input.failureReason !== undefined && DECIDED_BY_LEDGERITE.has(input.failureReason)) {
    return toConnection(await failConnection(deps.db, input.clientId, input.connectionId, now, input.failureReason))
  }

  const providerId = chooseProvider(connection, input.providerId)
  const bank = deps.sandboxBank
  if (!bank) throw new ApiError('NOT_IMPLEMENTED', 'The configured bank offers no sandbox approval.')
  const clientToken = input.clientToken ?? await deps.tokens.issue(input.clientId, [DATA_TOKEN_SCOPE])
  const { username, reason } = await bankUserFor(bank, { providerId, clientToken, ...input })

  const trip = await startBankTrip(deps, connection, providerId, now)
  let redirect: URL
  try {
    const { redirectUri } = await bank.approveAsUser({
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

/**
 * Who signs in at the bank, and the failure asked for: the bank says what `username` does (a user whose calls fail
 * or who is refused names the default failure reason), and which of its users is refused with a reason.
 */
async function bankUserFor (
  bank: SandboxBank,
  input: { providerId: string, clientToken: string, outcome: 'authorized' | 'failed', username?: string, failureReason?: string },
): Promise<{ username: string, reason: string | undefined }> {
  const ask = async (username: string) => bank.describeUser({ providerId: input.providerId, clientToken: input.clientToken, username })
    .catch((err: unknown) => {
      if (err instanceof BankError) throw new ApiError('PROVIDER_ERROR', `The model bank could not describe its user: ${err.message}`)
      throw err
    })
  const named = input.username !== undefined ? await ask(input.username) : undefined
  if (input.username !== undefined && !named) throw invalidField('username', 'is not a mock user of the model bank (see "Mock users" in the README)')
  const namedReason = named && named.outcome !== 'approves' ? named.reason : undefined
  const reason = input.outcome === 'failed' ? (input.failureReason ?? namedReason ?? 'provider_rejected') : undefined
  if (reason === undefined || reason === 'provider_rejected' || reason === 'invalid_authorization_code') {
    return { username: input.username ?? 'john', reason }
  }
  if (!isFailureReason(reason)) throw invalidField('failure_reason', `must be one of: ${Object.keys(FAILURE_REASONS).join(', ')}`)
  const refused = await ask(refusedUserFor(reason))
  if (refused?.outcome !== 'refused_at_sign_in' || refused.reason !== reason) {
    throw invalidField('failure_reason', 'is not a reason the bank refuses a sign-in with; use provider_rejected or invalid_authorization_code')
  }
  return { username: refused.username, reason }
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

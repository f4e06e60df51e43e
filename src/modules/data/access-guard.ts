import { ApiError } from '../../contract/errors.ts'
import type { ConnectionScope } from '../../contract/scopes.ts'
import type { Deps } from '../../deps.ts'
import { expireConnection } from '../connections/connection.lifecycle.ts'
import { type Connection, toConnection } from '../connections/connection.model.ts'
import { POLICY } from '../connections/connection.policy.ts'
import { findConnection } from '../connections/connection.repository.ts'
import type { BankGrant } from '../providers/provider-adapter.ts'

/** What a data call may use once the guard lets it through. */
export interface DataAccess {
  connection: Connection
  grant: BankGrant
  providerId: string
  /** The client's virtual now, read once for the whole call. */
  now: Date
}

/**
 * The access rules of every data route, in one place and in this order:
 * 1. unknown connection, or another client's → 404;
 * 2. not authorised yet, or failed → 400 Invalid State;
 * 3. consent expired, one-time access window closed, or revoked → 403 with the reason in `detail`
 *    (connections whose access has ended are first moved to `expired`, which sends `connection_expired`);
 * 4. scope not consented → 403 naming the scope;
 * 5. an account the user did not choose at the bank → 404.
 */
export async function checkAccess (
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { clientId: string, connectionId: string, scope: ConnectionScope, accountId?: string, clockOffsetSeconds?: number },
): Promise<DataAccess> {
  const { clientId, connectionId, scope, accountId } = input
  // The offset the request's authentication read, when given (one read of the client's row per request).
  const now = await deps.clock.now(clientId, input.clockOffsetSeconds)
  let row = await findConnection(deps.db, clientId, connectionId)
  // A consent that has ended is moved to `expired` (with its webhook) before it is judged. Only this connection: the
  // client's others are the sweep's (connection.expiry-sweeper.ts) and their own reads', and a data call need not pay
  // a query for them.
  if (row?.status === 'authorized' && row.access_expires_at !== null && row.access_expires_at <= now.toISOString()) {
    try {
      await expireConnection(deps.db, clientId, connectionId, now)
    } catch (err) {
      // Another process expired or revoked it first: judged as it is now.
      if (!(err instanceof ApiError)) throw err
    }
    row = await findConnection(deps.db, clientId, connectionId)
  }
  if (!row) throw new ApiError('NOT_FOUND', `Connection ${connectionId} could not be found. Check the connection id.`)
  const connection = toConnection(row)

  refuseUnlessAuthorized(connection)

  if (!connection.scopes.includes(scope)) {
    throw new ApiError('FORBIDDEN',
      `The connection was not consented for the "${scope}" scope (consented: ${connection.scopes.join(', ')}). ` +
      `Create a connection whose scopes include "${scope}".`)
  }
  if (accountId !== undefined && !connection.accountIds.includes(accountId)) {
    throw new ApiError('NOT_FOUND', `Account ${accountId} could not be found on this connection: use an id from GET /v3/connected-accounts.`)
  }
  if (!connection.providerId || !connection.providerState) {
    // An authorised connection always holds its bank grant; without one there is nothing to read with.
    throw new ApiError('UNKNOWN_ERROR')
  }
  return { connection, grant: connection.providerState as BankGrant, providerId: connection.providerId, now }
}

/** Rules 2 and 3: the status must be `authorized`; every other status is refused with its own reason. */
export function refuseUnlessAuthorized (c: Connection): void {
  switch (c.status) {
    case 'authorized':
      return
    case 'authorization_required':
    case 'authorizing':
      throw new ApiError('INVALID_STATE',
        `Status of the connection (${c.status}) does not allow this action to be executed: the user has not finished authorising it yet.`)
    case 'failed':
      throw new ApiError('INVALID_STATE',
        `Status of the connection (failed${c.failureReason ? `: ${c.failureReason}` : ''}) does not allow this action to be executed: it was never authorised. Create a new connection.`)
    case 'revoked':
      throw new ApiError('FORBIDDEN',
        `Access to this connection was revoked${c.revokedAt ? ` at ${c.revokedAt}` : ''}. Ask the user to connect again (create a new connection).`)
    case 'expired':
      if (c.dataAccessType === 'one_time') {
        throw new ApiError('FORBIDDEN',
          `The one-time access window closed${c.accessExpiresAt ? ` at ${c.accessExpiresAt}` : ''}: a one_time connection can be read only in the ` +
          `${POLICY.oneTimeAccessWindowMinutes} minutes after the user authorises it. Create a new connection, or use data_access_type "recurring".`)
      }
      throw new ApiError('FORBIDDEN',
        `The user's consent expired${c.accessExpiresAt ? ` at ${c.accessExpiresAt}` : ''}. Ask the user to connect again (create a new connection).`)
    default:
      throw new ApiError('INVALID_STATE', `Status of the connection (${c.status}) does not allow this action to be executed.`)
  }
}

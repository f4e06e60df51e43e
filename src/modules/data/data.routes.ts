import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../../contract/errors.ts'
import type { ConnectionScope } from '../../contract/scopes.ts'
import type { Deps } from '../../deps.ts'
import { endUserIp } from '../../http/end-user-ip.ts'
import { requireJsonBody } from '../../http/require-json.ts'
import type { SchemaRouteTypes } from '../../http/schema-route-types.ts'
import { revokeConnection } from '../connections/connection.lifecycle.ts'
import { toConnection } from '../connections/connection.model.ts'
import { findConnection } from '../connections/connection.repository.ts'
import { BankError, type BankGrant, BankUnavailableError } from '../providers/provider-adapter.ts'
import { checkAccess, type DataAccess } from './access-guard.ts'
import { fromSnapshot } from './bank-snapshot.ts'
import { compareAccounts, presentAccount, presentBalance, presentTransactionsRequest } from './data.present.ts'
import {
  balanceSchema,
  connectedAccountsSchema,
  connectionHeaderHint,
  createTransactionsRequestSchema,
  getTransactionsRequestSchema,
  revokeConnectionSchema,
  transactionsRequestHints,
  userInfoSchema,
} from './data.schema.ts'
import { enforceUnattendedLimit, type LimitedEndpoint } from './rate-limit.ts'
import { findTransactionsRequest } from './transactions-request.repository.ts'
import { createTransactionsRequest, prepareTransactionsRequest } from './transactions-request.service.ts'

/** At most this many accounts and cards in one answer (the published limit; paging is announced for later). */
const MAX_ACCOUNTS = 50

/**
 * The Data API's read endpoints (user info, connected accounts, transactions requests) and two extensions
 * (balance, revoke). Every route: a data token (401/403), then `Tl-User-IP` (400 if invalid), then the access
 * guard (access-guard.ts), then — for calls without `Tl-User-IP` — the unattended-access limit (429). User info,
 * the accounts and balances are then answered from what the bank last answered, while fresh (bank-snapshot.ts).
 */
export async function dataRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  /** Guard, then (unless the user is present) count the call. `count: false` for reads that are not counted. */
  async function open (
    request: FastifyRequest,
    reply: FastifyReply,
    input: { connectionId: string, scope: ConnectionScope, accountId?: string, endpoint: LimitedEndpoint, count?: boolean },
    beforeCounting?: (access: DataAccess) => void,
  ): Promise<DataAccess> {
    const attended = endUserIp(request.headers) !== undefined
    const access = await checkAccess(deps, { clientId: request.clientId, ...input, ...offsetOf(request) })
    beforeCounting?.(access)
    if (!attended && input.count !== false) {
      await enforceUnattendedLimit(deps, reply, { clientId: request.clientId, connectionId: access.connection.id, endpoint: input.endpoint, now: access.now })
    }
    return access
  }

  app.get<SchemaRouteTypes<typeof userInfoSchema>>('/v3/data-connections/:connection_id/user-info', { schema: userInfoSchema }, async (request, reply) => {
    const access = await open(request, reply, { connectionId: request.params.connection_id, scope: 'info', endpoint: 'user-info' })
    const info = await fromBank(() => fromSnapshot(deps.db, access, 'user-info', (asOf) => deps.adapter.getUserInfo(access.grant, access.providerId, asOf)))
    return { name: info.name }
  })

  app.get<SchemaRouteTypes<typeof connectedAccountsSchema>>('/v3/connected-accounts', {
    schema: connectedAccountsSchema, config: { hints: connectionHeaderHint },
  }, async (request, reply) => {
    const access = await open(request, reply, { connectionId: request.headers['connection-id'], scope: 'accounts', endpoint: 'connected-accounts' })
    const accounts = await fromBank(() => fromSnapshot(deps.db, access, 'accounts', (asOf) => deps.adapter.getAccounts(access.grant, access.providerId, asOf)))
    // Only what the user chose at the bank, even if the bank answers with more.
    const chosen = new Set(access.connection.accountIds)
    const items = accounts
      .filter((a) => chosen.has(a.id) && (request.query.type === undefined || a.type === request.query.type))
      .map(presentAccount)
      .sort(compareAccounts)
      .slice(0, MAX_ACCOUNTS)
    return { items, pagination: {} }
  })

  app.post<SchemaRouteTypes<typeof createTransactionsRequestSchema>>('/v3/connected-accounts/:account_id/transactions/requests', {
    preValidation: requireJsonBody, schema: createTransactionsRequestSchema, config: { hints: transactionsRequestHints },
  }, async (request, reply) => {
    const accountId = request.params.account_id
    let prepared: ReturnType<typeof prepareTransactionsRequest> | undefined
    const access = await open(request, reply,
      { connectionId: request.headers['connection-id'], scope: 'transactions', accountId, endpoint: 'transactions-requests' },
      (a) => { prepared = prepareTransactionsRequest(deps, a, accountId, request.body) })
    const id = await createTransactionsRequest(deps, access, prepared!)
    // The bank is read in the background; start now instead of at the worker's next poll.
    deps.workers.wake('transactions-requests')
    return reply.code(202).send({ id, status: 'pending' as const })
  })

  app.get<SchemaRouteTypes<typeof getTransactionsRequestSchema>>('/v3/connected-accounts/:account_id/transactions/requests/:request_id', {
    schema: getTransactionsRequestSchema, config: { hints: connectionHeaderHint },
  }, async (request, reply) => {
    const { account_id: accountId, request_id: id } = request.params
    const access = await open(request, reply,
      { connectionId: request.headers['connection-id'], scope: 'transactions', accountId, endpoint: 'transactions-requests', count: false })
    const row = await findTransactionsRequest(deps.db, { clientId: request.clientId, connectionId: access.connection.id, accountId, id })
    if (!row) throw new ApiError('NOT_FOUND', `Transactions request ${id} could not be found for this account and connection.`)
    const view = presentTransactionsRequest(row)
    // Completed pages are stored as their wire JSON and sent unchanged (bytes and strings are not re-serialised).
    return Buffer.isBuffer(view) || typeof view === 'string' ? reply.type('application/json; charset=utf-8').send(view as never) : view
  })

  app.get<SchemaRouteTypes<typeof balanceSchema>>('/v3/connected-accounts/:account_id/balance', {
    schema: balanceSchema, config: { hints: connectionHeaderHint },
  }, async (request, reply) => {
    const accountId = request.params.account_id
    const access = await open(request, reply, { connectionId: request.headers['connection-id'], scope: 'balance', accountId, endpoint: 'balance' })
    return presentBalance(await fromBank(() => fromSnapshot(deps.db, access, `balance:${accountId}`,
      (asOf) => deps.adapter.getBalance(access.grant, access.providerId, accountId, asOf))))
  })

  app.delete<SchemaRouteTypes<typeof revokeConnectionSchema>>('/v3/data-connections/:connection_id', { schema: revokeConnectionSchema }, async (request, reply) => {
    const connectionId = request.params.connection_id
    const now = await deps.clock.now(request.clientId, request.clockOffsetSeconds)
    const row = await findConnection(deps.db, request.clientId, connectionId)
    if (!row) throw new ApiError('NOT_FOUND', `Connection ${connectionId} could not be found. Check the connection id.`)
    // Revoking twice is answered like the first time: the caller's intent is already true.
    if (row.status === 'revoked') return reply.code(204).send(null)
    const revoked = toConnection(await revokeConnection(deps.db, request.clientId, connectionId, now))
    if (revoked.providerId && revoked.providerState) {
      // After the commit: the connection is revoked for Ledgerite whatever the bank answers.
      try {
        await deps.adapter.revoke(revoked.providerState as BankGrant, revoked.providerId)
      } catch (err) {
        request.log.warn({ err, connection_id: connectionId }, 'the bank did not confirm revoking its consent')
      }
    }
    return reply.code(204).send(null)
  })
}

/** The clock offset the request's authentication read, for the access guard (absent when it read none). */
const offsetOf = (request: FastifyRequest): { clockOffsetSeconds?: number } =>
  request.clockOffsetSeconds === undefined ? {} : { clockOffsetSeconds: request.clockOffsetSeconds }

/** Grant refusals: the consent itself no longer works, so the user must connect again. */
const GRANT_REFUSALS = new Set(['access_denied', 'invalid_token', 'insufficient_scope'])

/**
 * A bank call answered synchronously. The adapter's status says what the caller should get: the bank no longer
 * honours the grant, or refuses the user's account (locked, input needed) → 403, an account it does not know → 404,
 * its own internal error → 500, its timeout → 504, anything else → 502. `detail` names the bank's reason first.
 */
async function fromBank<T> (call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    if (!(err instanceof BankError)) throw err
    if (err instanceof BankUnavailableError) {
      throw new ApiError('SERVICE_UNAVAILABLE', `The bank cannot answer for the moment. Retry after ${err.retryAfterSeconds} s.`, { headers: { 'Retry-After': String(err.retryAfterSeconds) } })
    }
    if (err.status === 403 && GRANT_REFUSALS.has(err.reason)) throw new ApiError('FORBIDDEN', `The bank no longer honours this connection's consent (${err.reason}). Ask the user to connect again.`)
    if (err.status === 403) throw new ApiError('FORBIDDEN', `The bank refused the call (${err.reason}): ${err.message}`)
    if (err.status === 500) throw new ApiError('UNKNOWN_ERROR', `The bank failed the call (${err.reason}): ${err.message}`)
    if (err.status === 404) throw new ApiError('NOT_FOUND', `The bank does not know this account (${err.reason}).`)
    if (err.status === 504) throw new ApiError('GATEWAY_TIMEOUT', `The bank did not answer in time (${err.reason}). Retry later.`)
    throw new ApiError('PROVIDER_ERROR', `The bank could not answer (${err.reason}). Retry later.`)
  }
}

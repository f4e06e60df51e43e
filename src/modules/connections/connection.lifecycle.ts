import type { Kysely } from 'kysely'
import type { WebhookEventType, WebhookFields } from '../../client/webhook-events.ts'
import { ApiError } from '../../contract/errors.ts'
import type { ConnectionRow, Database } from '../../storage/database.ts'
import { writeTransaction } from '../../storage/write-queue.ts'
import { enqueueWebhook } from '../webhooks/webhook.outbox.ts'
import { accessExpiresAt } from './connection.policy.ts'
import { addConnectionEvent, findConnection } from './connection.repository.ts'
import { type ConnectionEvent, type FailureStage, transition } from './connection.state.ts'

/** A webhook a move raises: one of the catalogue's types with that type's fields. */
type WebhookInput = { [T in WebhookEventType]: { type: T, fields: WebhookFields<T> } }[WebhookEventType]

/**
 * Every change of a connection's status, each in one transaction with its timeline entry and its webhook
 * (outbox). The journey, the sandbox control routes, revocation and expiry all come through here, so the
 * browser path and the sandbox path leave the same state and send the same webhooks.
 *
 * Concurrency: the UPDATE is conditional on the status read (compare-and-set), so two racing completions cannot
 * both succeed on either dialect; the loser gets Invalid State.
 */
async function move (
  db: Kysely<Database>,
  clientId: string,
  connectionId: string,
  event: ConnectionEvent,
  now: Date,
  apply: (row: ConnectionRow, trx: Kysely<Database>) => Promise<{ set: Partial<ConnectionRow>, webhook?: WebhookInput, detail?: Record<string, unknown>, kind?: string }>,
): Promise<ConnectionRow> {
  return writeTransaction(db, async (trx) => {
    const row = await findConnection(trx, clientId, connectionId)
    if (!row) throw new ApiError('NOT_FOUND', 'Connection could not be found.')
    const to = transition(row.status, event)
    const { set, webhook, detail, kind } = await apply(row, trx)
    const at = now.toISOString()
    const result = await trx.updateTable('connections')
      .set({ ...set, status: to, updated_at: at })
      .where('id', '=', connectionId).where('status', '=', row.status)
      // The provider as read too: two racing provider choices on an `authorizing` connection cannot both win.
      .where((eb) => row.provider_id === null ? eb('provider_id', 'is', null) : eb('provider_id', '=', row.provider_id))
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) {
      throw new ApiError('INVALID_STATE', 'The connection changed while this request was handled; read it again.')
    }
    // A move that keeps the status (a provider chosen) leaves no status entry on the timeline.
    if (to !== row.status) {
      await addConnectionEvent(trx, { connectionId, clientId, at: now, kind: kind ?? `status:${to}`, ...(detail ? { detail } : {}) })
    }
    if (webhook) await enqueueWebhook(trx, clientId, webhook.type, webhook.fields, now)
    return { ...row, ...set, status: to, updated_at: at }
  })
}

const metadataOf = (row: ConnectionRow): { metadata?: Record<string, string> } =>
  row.metadata ? { metadata: JSON.parse(row.metadata) } : {}

/**
 * The user leaves Ledgerite's pages for the bank (authorization_required → authorizing). A bank failure held from
 * an earlier attempt is over: this attempt's answer decides.
 */
export function startBankAuthorization (db: Kysely<Database>, clientId: string, connectionId: string, now: Date, set: Partial<ConnectionRow> = {}) {
  return move(db, clientId, connectionId, 'start_bank_authorization', now, async () => ({ set: { ...set, bank_failure_reason: null } }))
}

/**
 * The provider of a connection already `authorizing` (configurations 4, 5 and 5b start there): recorded once; a
 * different one is refused, as the connection cannot move to another bank.
 */
export function chooseProvider (db: Kysely<Database>, clientId: string, connectionId: string, now: Date, providerId: string) {
  return move(db, clientId, connectionId, 'choose_provider', now, async (row) => {
    if (row.provider_id !== null && row.provider_id !== providerId) {
      throw new ApiError('INVALID_STATE', `The connection is already being authorised at ${row.provider_id}; it cannot move to another provider.`)
    }
    return { set: { provider_id: providerId } }
  })
}

/** The bank's code was exchanged: the connection is authorised for the accounts the user chose. */
export function authorizeConnection (
  db: Kysely<Database>,
  clientId: string,
  connectionId: string,
  now: Date,
  grant: { accountIds: string[], providerId: string, providerState: unknown },
) {
  return move(db, clientId, connectionId, 'authorize', now, async (row) => ({
    set: {
      authorized_at: now.toISOString(),
      access_expires_at: accessExpiresAt(now, row.data_access_type).toISOString(),
      account_ids: JSON.stringify(grant.accountIds),
      provider_id: grant.providerId,
      provider_state: JSON.stringify(grant.providerState),
      journey_token_hash: null,
    },
    detail: { provider_id: grant.providerId, accounts: grant.accountIds.length },
    webhook: { type: 'connection_authorized', fields: { connection_id: connectionId, authorized_at: now.toISOString(), ...metadataOf(row) } },
  }))
}

/**
 * The bank failed this attempt, and the hosted journey offers the user another (bank-retry.policy.ts decides):
 * back to `authorization_required`, the bank's reason held for the final failure, no webhook. A provider the user
 * picked on the hosted picker (configuration 1) is cleared so another can be chosen; a preselected one stays.
 * The timeline says what happened (`bank_attempt_failed`), as the status alone would read like a fresh start.
 */
export function offerAnotherAttempt (
  db: Kysely<Database>,
  clientId: string,
  connectionId: string,
  now: Date,
  attempt: { reason: string, providerId: string, userSelected: boolean },
) {
  return move(db, clientId, connectionId, 'retry_authorization', now, async () => ({
    set: { bank_failure_reason: attempt.reason, ...(attempt.userSelected ? { provider_id: null } : {}) },
    kind: 'bank_attempt_failed',
    detail: { provider_id: attempt.providerId, reason: attempt.reason },
  }))
}

/**
 * "Try another bank": the held failure is set aside (no status change), as the user goes on with another bank;
 * giving up or expiring from here reports what happens next, not the earlier bank's answer. Invalid State when
 * no failure is held.
 */
export async function setAsideBankFailure (db: Kysely<Database>, clientId: string, connectionId: string, now: Date): Promise<void> {
  const r = await db.updateTable('connections').set({ bank_failure_reason: null, updated_at: now.toISOString() })
    .where('id', '=', connectionId).where('client_id', '=', clientId)
    .where('status', '=', 'authorization_required').where('bank_failure_reason', 'is not', null)
    .executeTakeFirst()
  if (Number(r.numUpdatedRows) !== 1) throw new ApiError('INVALID_STATE', 'The connection holds no failed bank attempt.')
}

function failure (row: ConnectionRow, now: Date, reason: string) {
  const stage = row.status as FailureStage
  return {
    set: { failed_at: now.toISOString(), failure_stage: stage, failure_reason: reason, journey_token_hash: null },
    detail: { failure_stage: stage, failure_reason: reason },
    webhook: {
      type: 'connection_failed' as const,
      fields: { connection_id: row.id, failed_at: now.toISOString(), failure_stage: stage, failure_reason: reason, ...metadataOf(row) },
    },
  }
}

export function failConnection (db: Kysely<Database>, clientId: string, connectionId: string, now: Date, reason: string) {
  return move(db, clientId, connectionId, 'fail', now, async (row) => failure(row, now, reason))
}

/**
 * The user cancelled on a hosted page before leaving for the bank ("Cancel and return to {client}"): to the
 * client it is the same as declining consent — failed at authorization_required, `user_declined_consent`.
 * Refused (Invalid State) once the user has left for the bank, where the bank's own answer decides.
 */
export function cancelBeforeBank (db: Kysely<Database>, clientId: string, connectionId: string, now: Date) {
  return move(db, clientId, connectionId, 'fail', now, async (row) => {
    if (row.status !== 'authorization_required') {
      throw new ApiError('INVALID_STATE', `Status of the connection (${row.status}) does not allow this action (cancel before the bank) to be executed.`)
    }
    return failure(row, now, 'user_declined_consent')
  })
}

/**
 * The user gives up after a failed bank attempt the journey held ("Return to {client}"): failed now, at
 * authorization_required, with the bank's reason, and `connection_failed` goes out. Checked inside the move, so a
 * retry that started meanwhile on another device is not failed with the old reason (Invalid State instead).
 */
export function giveUpAfterBankFailure (db: Kysely<Database>, clientId: string, connectionId: string, now: Date) {
  return move(db, clientId, connectionId, 'fail', now, async (row) => {
    if (row.status !== 'authorization_required' || row.bank_failure_reason === null) {
      throw new ApiError('INVALID_STATE', `Status of the connection (${row.status}) does not allow this action (give up after a failed bank attempt) to be executed.`)
    }
    return failure(row, now, row.bank_failure_reason)
  })
}

export function revokeConnection (db: Kysely<Database>, clientId: string, connectionId: string, now: Date) {
  return move(db, clientId, connectionId, 'revoke', now, async (row) => ({
    set: { revoked_at: now.toISOString(), journey_token_hash: null },
    webhook: { type: 'connection_revoked', fields: { connection_id: connectionId, revoked_at: now.toISOString(), ...metadataOf(row) } },
  }))
}

/**
 * `expired_at` (stored and in `connection_expired`) is when access ended, `access_expires_at`, not when the move
 * was noticed: a sweep round, a read or a clock advance may come later, and must not shift the reported time.
 */
export function expireConnection (db: Kysely<Database>, clientId: string, connectionId: string, now: Date) {
  return move(db, clientId, connectionId, 'expire', now, async (row) => {
    const endedAt = row.access_expires_at ?? now.toISOString()
    return {
      set: { expired_at: endedAt },
      detail: { access_expires_at: row.access_expires_at },
      webhook: { type: 'connection_expired', fields: { connection_id: connectionId, expired_at: endedAt, ...metadataOf(row) } },
    }
  })
}

/**
 * Expires every authorised connection of the client whose access ended before `now` (the client's clock).
 * Called by the data guard, by GET, after a clock advance and by the transactions worker, so a read never sees a
 * consent that has ended; the background sweep (connection.expiry-sweeper.ts) does the same for every client in
 * bounded rounds, with nobody reading. Returns how many.
 */
export async function expireDueConnections (db: Kysely<Database>, clientId: string, now: Date): Promise<number> {
  const due = await db.selectFrom('connections').select('id')
    .where('client_id', '=', clientId).where('status', '=', 'authorized')
    .where('access_expires_at', '<=', now.toISOString()).execute()
  let n = 0
  for (const { id } of due) {
    try {
      await expireConnection(db, clientId, id, now)
      n++
    } catch (err) {
      // Another process expired or revoked it first: nothing to do.
      if (!(err instanceof ApiError)) throw err
    }
  }
  return n
}

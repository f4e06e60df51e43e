import { type Kysely, type Selectable, sql } from 'kysely'
import type { Database, TransactionsRequestTable } from '../../storage/database.ts'
import { textForSending } from '../../storage/dialect.ts'
import { prepared } from '../../storage/prepared.ts'
import { writeTransaction } from '../../storage/write-queue.ts'
import { enqueueWebhook } from '../webhooks/webhook.outbox.ts'
import type { WireTransaction } from './data.present.ts'

export type TransactionsRequestRow = Selectable<TransactionsRequestTable>

/**
 * The stored page of a completed request: exactly the wire `result` object, so that reading it again sends the
 * stored JSON text as it is (no parse and re-serialise of up to 500 transactions on every read).
 */
export interface StoredPage {
  items: WireTransaction[]
  /** No `next_cursor` on the page that follows the last item (behaviour notes, "Transactions paging"). */
  pagination: { next_cursor?: string }
}

export async function insertTransactionsRequest (
  db: Kysely<Database>,
  row: {
    id: string, clientId: string, connectionId: string, accountId: string, from: string, to: string,
    pageSize: number, bankCursor: string | null, enrichment: boolean, asOf: Date, now: Date,
  },
): Promise<void> {
  const at = row.now.toISOString()
  await db.insertInto('transactions_requests').values({
    id: row.id,
    client_id: row.clientId,
    connection_id: row.connectionId,
    account_id: row.accountId,
    status: 'pending',
    date_from: row.from,
    date_to: row.to,
    page_size: row.pageSize,
    bank_cursor: row.bankCursor,
    enrichment: row.enrichment ? 1 : 0,
    as_of: row.asOf.toISOString(),
    result: null,
    failure_reason: null,
    locked_until: null,
    locked_by: null,
    created_at: at,
    updated_at: at,
    completed_at: null,
    failed_at: null,
  }).execute()
}

/** One request, scoped by client, connection and account: anything else is "not found". */
/** What GET …/transactions/requests/{id} sends: the stored page, to go out unchanged (bytes or text by dialect). */
export interface TransactionsRequestForWire {
  id: string
  status: string
  failure_reason: string | null
  result_body: Buffer | string | null
}

// Every page read starts here (clients poll it): built once, the page read for sending (storage/dialect.ts).
const requestForWire = prepared(4, (db, id: string, clientId: string, connectionId: string, accountId: string) =>
  db.selectFrom('transactions_requests').select(['id', 'status', 'failure_reason'])
    .select(textForSending(db, sql.ref<string | null>('result')).as('result_body'))
    .where('id', '=', id).where('client_id', '=', clientId)
    .where('connection_id', '=', connectionId).where('account_id', '=', accountId))

export async function findTransactionsRequest (
  db: Kysely<Database>,
  key: { clientId: string, connectionId: string, accountId: string, id: string },
): Promise<TransactionsRequestForWire | undefined> {
  return requestForWire.first(db, key.id, key.clientId, key.connectionId, key.accountId)
}

/**
 * Claims up to `limit` pending requests for this worker until `lockedUntil` (real time). Each claim is a conditional
 * UPDATE on the row's status and lock, so when several processes scan the same rows exactly one of them gets each.
 */
export async function claimPendingRequests (
  db: Kysely<Database>,
  input: { workerId: string, now: Date, lockedUntil: Date, limit: number },
): Promise<TransactionsRequestRow[]> {
  const now = input.now.toISOString()
  const candidates = await db.selectFrom('transactions_requests').select('id')
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .orderBy('created_at').orderBy('id').limit(input.limit).execute()
  const claimed: TransactionsRequestRow[] = []
  for (const { id } of candidates) {
    const result = await db.updateTable('transactions_requests')
      .set((eb) => ({
        locked_until: input.lockedUntil.toISOString(),
        locked_by: input.workerId,
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', '=', id).where('status', '=', 'pending')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) continue
    const row = await db.selectFrom('transactions_requests').selectAll().where('id', '=', id).executeTakeFirst()
    if (row) claimed.push(row)
  }
  return claimed
}

/**
 * Ends a claimed request (completed with its page, or failed with a reason) and enqueues its webhook in the same
 * transaction. Conditional on this worker still holding the claim: a worker whose lock lapsed and was taken over
 * changes nothing. Returns whether it did.
 */
export async function finishRequest (
  db: Kysely<Database>,
  row: TransactionsRequestRow,
  workerId: string,
  at: Date,
  outcome: { status: 'completed', page: StoredPage } | { status: 'failed', reason: string },
): Promise<boolean> {
  const iso = at.toISOString()
  return writeTransaction(db, async (trx) => {
    const set = outcome.status === 'completed'
      ? { status: 'completed', result: JSON.stringify(outcome.page), completed_at: iso }
      : { status: 'failed', failure_reason: outcome.reason, failed_at: iso }
    const result = await trx.updateTable('transactions_requests')
      .set({ ...set, updated_at: iso, locked_until: null, locked_by: null })
      .where('id', '=', row.id).where('status', '=', 'pending').where('locked_by', '=', workerId)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) return false
    const common = { connection_id: row.connection_id, account_id: row.account_id, request_id: row.id }
    if (outcome.status === 'completed') {
      await enqueueWebhook(trx, row.client_id, 'transactions_request_completed', { ...common, completed_at: iso }, at)
    } else {
      await enqueueWebhook(trx, row.client_id, 'transactions_request_failed', { ...common, failure_reason: outcome.reason, failed_at: iso }, at)
    }
    return true
  })
}

/**
 * Gives a claimed request back: another round retries it once `retryAt` has passed. `refundAttempt`: the claim's
 * attempt is not counted (the database failed, not the request), so an outage never uses up a request's attempts.
 */
export async function releaseRequest (
  db: Kysely<Database>, id: string, workerId: string, retryAt: Date, options: { refundAttempt?: boolean } = {},
): Promise<void> {
  await db.updateTable('transactions_requests')
    .set((eb) => ({
      locked_until: retryAt.toISOString(),
      ...(options.refundAttempt ? { attempts: eb('attempts', '-', 1) } : {}),
    }))
    .where('id', '=', id).where('locked_by', '=', workerId).where('status', '=', 'pending').execute()
}

/**
 * A connection's transactions requests, oldest first: the data calls Ledgerite keeps a record of, for the Console's
 * timeline (the data module itself reads them one at a time by id).
 */
export async function listConnectionTransactionsRequests (db: Kysely<Database>, clientId: string, connectionId: string) {
  return db.selectFrom('transactions_requests')
    .select(['id', 'account_id', 'status', 'date_from', 'date_to', 'created_at', 'failure_reason', 'result'])
    .where('client_id', '=', clientId).where('connection_id', '=', connectionId)
    .orderBy('created_at').orderBy('id').execute()
}

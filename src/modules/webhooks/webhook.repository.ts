import type { Kysely } from 'kysely'
import { ids } from '../../contract/ids.ts'
import type { Database, WebhookEventRow } from '../../storage/database.ts'
import { type KeysetPosition, keysetPage, newestFirstAfter } from '../../storage/keyset.ts'
import { writeTransaction } from '../../storage/write-queue.ts'

/**
 * Kysely functions for the webhook outbox (`webhook_events`) and its delivery log (`webhook_attempts`).
 * Reads for clients are scoped by `client_id`; the dispatcher's claim works across clients.
 */

/** `skipped`: an extension type the client has not asked for (webhook.event-types.ts); never sent. */
export type WebhookStatus = 'pending' | 'delivered' | 'failed' | 'no_endpoint' | 'skipped'

/**
 * Claims the events due at `now` for one delivery attempt each: a conditional UPDATE that only takes rows still
 * pending, due and unlocked (or whose lock has lapsed), stamped with this claim's own `token`; then the rows
 * carrying that token are read back. Two workers racing for a row cannot both take it — on SQLite writes are
 * serialised, on PostgreSQL the second UPDATE re-checks the WHERE against the row the first one committed —
 * and the attempt number is taken in the same UPDATE, so attempt n is made once.
 */
export async function claimDueEvents (
  db: Kysely<Database>,
  options: { now: Date, token: string, leaseMs: number, limit: number },
): Promise<WebhookEventRow[]> {
  const at = options.now.toISOString()
  const candidates = await db.selectFrom('webhook_events').select('id')
    .where('status', '=', 'pending').where('next_attempt_at', '<=', at)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
    .orderBy('next_attempt_at').limit(options.limit).execute()
  if (candidates.length === 0) return []
  await db.updateTable('webhook_events')
    .set((eb) => ({
      locked_by: options.token,
      locked_until: new Date(options.now.getTime() + options.leaseMs).toISOString(),
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', candidates.map((c) => c.id))
    .where('status', '=', 'pending').where('next_attempt_at', '<=', at)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
    .execute()
  return db.selectFrom('webhook_events').selectAll().where('locked_by', '=', options.token).execute()
}

export interface AttemptRecord {
  eventId: string
  clientId: string
  attempt: number
  at: Date
  url: string
  statusCode: number | null
  error: string | null
  durationMs: number
  worker: string
}

export type AttemptOutcome =
  | { status: 'delivered', at: Date }
  | { status: 'pending', nextAttemptAt: Date }
  | { status: 'failed' }
  | { status: 'no_endpoint' }
  | { status: 'skipped' }

/**
 * Records what a claim led to: the attempt (when an HTTP request was made) and the event's new status, in one
 * transaction. The status only changes while this claim still holds the event (`locked_by` = token): if the lease
 * lapsed and another worker took over, or a redelivery was asked for meanwhile, the attempt is logged and theirs wins.
 * An event deleted meanwhile (sandbox reset) leaves nothing to record.
 */
export async function finishClaim (
  db: Kysely<Database>,
  token: string,
  eventId: string,
  attempt: AttemptRecord | undefined,
  outcome: AttemptOutcome,
): Promise<void> {
  await writeTransaction(db, async (trx) => {
    const exists = await trx.selectFrom('webhook_events').select('id').where('id', '=', eventId).executeTakeFirst()
    if (!exists) return
    if (attempt) {
      await trx.insertInto('webhook_attempts').values({
        id: ids.uuid(),
        event_id: attempt.eventId,
        client_id: attempt.clientId,
        attempt: attempt.attempt,
        at: attempt.at.toISOString(),
        url: attempt.url,
        status_code: attempt.statusCode,
        error: attempt.error,
        duration_ms: attempt.durationMs,
        worker: attempt.worker,
      }).execute()
    }
    await trx.updateTable('webhook_events')
      .set({
        status: outcome.status,
        locked_by: null,
        locked_until: null,
        ...(outcome.status === 'delivered' ? { delivered_at: outcome.at.toISOString() } : {}),
        ...(outcome.status === 'pending' ? { next_attempt_at: outcome.nextAttemptAt.toISOString() } : {}),
      })
      .where('id', '=', eventId).where('locked_by', '=', token)
      .execute()
  })
}

export interface DeliveryAttempt {
  attempt: number
  at: string
  url: string
  status_code: number | null
  error: string | null
  duration_ms: number
}

/** One event as the delivery log shows it (wire names). */
export interface Delivery {
  event_id: string
  type: string
  status: WebhookStatus
  created_at: string
  delivered_at: string | null
  next_attempt_at: string | null
  attempts: DeliveryAttempt[]
  payload: unknown
}

async function withAttempts (db: Kysely<Database>, clientId: string, rows: WebhookEventRow[]): Promise<Delivery[]> {
  if (rows.length === 0) return []
  const attempts = await db.selectFrom('webhook_attempts').selectAll()
    .where('client_id', '=', clientId).where('event_id', 'in', rows.map((r) => r.id))
    .orderBy('event_id').orderBy('attempt').execute()
  const byEvent = new Map<string, DeliveryAttempt[]>()
  for (const a of attempts) {
    const list = byEvent.get(a.event_id) ?? []
    list.push({ attempt: Number(a.attempt), at: a.at, url: a.url, status_code: a.status_code === null ? null : Number(a.status_code), error: a.error, duration_ms: Number(a.duration_ms) })
    byEvent.set(a.event_id, list)
  }
  return rows.map((r) => ({
    event_id: r.id,
    type: r.type,
    status: r.status as WebhookStatus,
    created_at: r.created_at,
    delivered_at: r.delivered_at,
    next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null,
    attempts: byEvent.get(r.id) ?? [],
    payload: JSON.parse(r.payload),
  }))
}

/** The client's events, newest first, `limit` to a page after `after` (storage/keyset.ts). */
export async function listDeliveries (
  db: Kysely<Database>,
  clientId: string,
  options: { limit: number, after?: KeysetPosition, type?: string, status?: string },
): Promise<{ items: Delivery[], next?: KeysetPosition }> {
  let q = db.selectFrom('webhook_events').selectAll().where('client_id', '=', clientId)
  if (options.type) q = q.where('type', '=', options.type)
  if (options.status) q = q.where('status', '=', options.status)
  const rows = await newestFirstAfter(q, options.after).limit(options.limit + 1).execute()
  const page = keysetPage(rows, options.limit, (r) => ({ createdAt: r.created_at, id: r.id }))
  return { items: await withAttempts(db, clientId, page.items), ...(page.next ? { next: page.next } : {}) }
}

export async function findDelivery (db: Kysely<Database>, clientId: string, eventId: string): Promise<Delivery | undefined> {
  const row = await db.selectFrom('webhook_events').selectAll().where('client_id', '=', clientId).where('id', '=', eventId).executeTakeFirst()
  return row ? (await withAttempts(db, clientId, [row]))[0] : undefined
}

/** The client's events about one connection, oldest first, by the indexed `connection_id` (the Console's timeline). */
export async function listConnectionDeliveries (db: Kysely<Database>, clientId: string, connectionId: string): Promise<Delivery[]> {
  const rows = await db.selectFrom('webhook_events').selectAll()
    .where('client_id', '=', clientId).where('connection_id', '=', connectionId)
    .orderBy('created_at').orderBy('id').execute()
  return withAttempts(db, clientId, rows)
}

/**
 * Queues an event again, due `now`, with a fresh retry window. Any claim in flight is released, so its outcome
 * cannot cancel this request (its attempt is still logged). Returns false when the client has no such event.
 */
export async function requeueEvent (db: Kysely<Database>, clientId: string, eventId: string, now: Date): Promise<boolean> {
  const at = now.toISOString()
  const r = await db.updateTable('webhook_events')
    .set({ status: 'pending', next_attempt_at: at, retry_window_start: at, locked_by: null, locked_until: null })
    .where('client_id', '=', clientId).where('id', '=', eventId)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

/** Events waiting for delivery, across clients (the `/metrics` queue-depth gauge). */
export async function countPendingEvents (db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('webhook_events').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending').executeTakeFirst()
  return Number(row?.n ?? 0)
}

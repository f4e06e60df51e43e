import type { Kysely } from 'kysely'
import type { Database } from '../../storage/database.ts'
import { writeTransaction } from '../../storage/write-queue.ts'
import { resetClockOffset } from '../auth/client.repository.ts'

/**
 * Every table holding a client's sandbox data, children before parents, so the deletes hold on both dialects
 * whether or not a foreign key cascades. A new table with a `client_id` column must be added here or to
 * KEPT_ON_RESET: test/sandbox/reset.test.ts fails until it is.
 */
export const RESET_TABLES = [
  'webhook_attempts',
  'webhook_events',
  'rate_limit_hits',
  'rate_limit_keys',
  'transactions_requests',
  'bank_snapshots',
  'journey_states',
  'journey_sessions',
  'connection_events',
  'connections',
] as const satisfies ReadonlyArray<keyof Database>

/**
 * Tables with a `client_id` that a reset leaves alone: a developer's Console sign-in is a session, not sandbox
 * data, and a client's branding is its settings. (The `clients` row itself, its settings and keys stay too.)
 */
export const KEPT_ON_RESET = ['console_sessions', 'client_branding'] as const satisfies ReadonlyArray<keyof Database>

/**
 * `POST /sandbox/reset`: deletes the client's connections and everything hanging off them (timeline, journey
 * state, transactions requests, unattended-access counters), its webhook events and their attempts, and puts its
 * clock back to real time — in one transaction, touching no other client. Rate-limit counters kept in Redis are
 * keyed by connection id, so those of deleted connections can never be read again; they lapse with their window.
 */
export async function resetClientSandbox (db: Kysely<Database>, clientId: string): Promise<Record<string, number>> {
  return writeTransaction(db, async (trx) => {
    const deleted: Record<string, number> = {}
    for (const table of RESET_TABLES) {
      // Each table in the list has a client_id column; Kysely cannot see that across a union of tables.
      const r = await trx.deleteFrom(table as 'connections').where('client_id', '=', clientId).executeTakeFirst()
      deleted[table] = Number(r.numDeletedRows)
    }
    await resetClockOffset(trx, clientId)
    return deleted
  })
}

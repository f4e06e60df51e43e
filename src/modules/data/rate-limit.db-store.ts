import type { Kysely } from 'kysely'
import { ids } from '../../contract/ids.ts'
import type { Database } from '../../storage/database.ts'
import { writeTransaction } from '../../storage/write-queue.ts'
import { decide, type RateDecision, type RateHit, type RateLimiter } from './rate-limit.ts'

/**
 * Unattended-access counters in the database: a log of allowed calls per key, so a restart does not reset them.
 *
 * Exactness: each hit runs in one transaction that first upserts the key's row. On PostgreSQL that takes the row
 * lock, so concurrent hits on one key (from any process) run one after another and each sees the others'
 * committed calls (READ COMMITTED takes a fresh snapshot per statement). On SQLite the upsert is the transaction's
 * first write, which takes the database's write lock before anything is read.
 */
export function createDbRateLimiter (db: Kysely<Database>): RateLimiter {
  return {
    store: 'database',
    async hit ({ key, clientId, now, limit, windowSeconds }: RateHit): Promise<RateDecision> {
      const nowMs = now.getTime()
      const windowMs = windowSeconds * 1000
      const at = now.toISOString()
      const windowStart = new Date(nowMs - windowMs).toISOString()
      return writeTransaction(db, async (trx) => {
        await trx.insertInto('rate_limit_keys').values({ key, client_id: clientId, updated_at: at })
          .onConflict((oc) => oc.column('key').doUpdateSet({ updated_at: at }))
          .execute()
        // Calls that have left the window are no longer needed.
        await trx.deleteFrom('rate_limit_hits').where('key', '=', key).where('at', '<=', windowStart).execute()
        const rows = await trx.selectFrom('rate_limit_hits').select('at').where('key', '=', key).orderBy('at').execute()
        const times = rows.map((r) => Date.parse(r.at))
        if (times.length >= limit) return decide(false, limit, times, nowMs, windowMs)
        await trx.insertInto('rate_limit_hits').values({ id: ids.uuid(), key, client_id: clientId, at }).execute()
        times.push(nowMs)
        times.sort((a, b) => a - b)
        return decide(true, limit, times, nowMs, windowMs)
      })
    },
  }
}

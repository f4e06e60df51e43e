import { ApiError } from '../../contract/errors.ts'
import type { Deps } from '../../deps.ts'
import type { Worker } from '../../worker-poller.ts'
import { listClientClocks } from '../auth/client.repository.ts'
import { expireConnection } from './connection.lifecycle.ts'

export const EXPIRY_SWEEPER = 'connection-expiry'

export interface ExpirySweeperOptions {
  /** Connections expired per round at most (default 100); a full round is followed by another at once. */
  batchSize?: number
  /** Poll interval when idle (default 1 s): how late, at most, a connection moves to `expired` in real time. */
  intervalMs?: number
}

/**
 * The background sweep: moves every authorised connection whose access has ended to `expired` (with its
 * `connection_expired`), even when nothing reads it. Reads do the same for their own client first
 * (`expireDueConnections`); this worker is what makes a consent end on the wall clock with nobody asking.
 *
 * "Ended" is on each client's virtual clock (real time plus the client's offset), so each client's connections
 * are looked up separately, each a range read of the due-time index (client_id, status, access_expires_at;
 * migration 0008). The round visits clients in id order, starting after the one the previous round stopped at,
 * so one client with thousands due does not hold back the others.
 *
 * Several processes may sweep one database: the lifecycle's compare-and-set move makes each connection expire
 * once (the loser of a race gets Invalid State, and its transaction, event included, is rolled back).
 */
export function createExpirySweeper (deps: Pick<Deps, 'db' | 'clock'>, options: ExpirySweeperOptions = {}): Worker {
  const batchSize = options.batchSize ?? 100
  let resumeAfter = ''
  return {
    name: EXPIRY_SWEEPER,
    intervalMs: options.intervalMs ?? 1_000,
    async runOnce () {
      const clients = await listClientClocks(deps.db)
      const start = clients.findIndex((c) => c.id > resumeAfter)
      const order = start <= 0 ? clients : [...clients.slice(start), ...clients.slice(0, start)]
      let handled = 0
      for (const client of order) {
        if (handled >= batchSize) break
        resumeAfter = client.id
        const now = deps.clock.at(client.clockOffsetSeconds)
        const due = await deps.db.selectFrom('connections').select('id')
          .where('client_id', '=', client.id).where('status', '=', 'authorized')
          .where('access_expires_at', '<=', now.toISOString())
          .orderBy('access_expires_at').limit(batchSize - handled).execute()
        for (const { id } of due) {
          handled++
          try {
            await expireConnection(deps.db, client.id, id, now)
          } catch (err) {
            // Another process (or a read) expired it first, or it was revoked meanwhile: nothing left to do.
            // SQLite across processes: the other writer held the database; the next round looks again.
            if (!(err instanceof ApiError) && !isSqliteBusy(err)) throw err
          }
        }
      }
      return handled
    },
  }
}

function isSqliteBusy (err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

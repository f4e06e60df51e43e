import type { Kysely } from 'kysely'
import type { Database } from '../../storage/database.ts'
import { advanceClockOffset, findClockOffset, resetClockOffset } from '../auth/client.repository.ts'

/**
 * Time, per client. Each client has a virtual clock (sandbox): real time plus an offset the client can advance
 * (`POST /sandbox/clock/advance`). Everything that depends on "now" for a client's data — consent expiry, access
 * windows, rate-limit windows, pending → settled, the synthetic data's "today" — asks this clock with that client's
 * id, so advancing one client's clock moves nothing for any other.
 *
 * The offset is read from the database on each call, so several processes agree on it. An authenticated request
 * has already read it, with its token check (src/http/authenticate.ts, `request.clockOffsetSeconds`): passing that
 * to `now` saves reading the client's row a second time in the same request.
 */
export interface Clock {
  /** Real time (or the test's fixed base time): for things no client owns. */
  realNow (): Date
  /** The client's virtual now; with `knownOffsetSeconds` (read earlier in the same request), without a query. */
  now (clientId: string, knownOffsetSeconds?: number): Promise<Date>
  /** The virtual now for a client whose offset the caller has already read (saves a query on hot paths). */
  at (offsetSeconds: number): Date
  /** Seconds the client's clock is ahead of real time. */
  offsetSeconds (clientId: string): Promise<number>
  /** Moves the client's clock forward; returns the new offset. */
  advance (clientId: string, seconds: number): Promise<number>
  reset (clientId: string): Promise<void>
}

export function createClock (db: Kysely<Database>, base: () => Date = () => new Date()): Clock {
  // The offset is a column of the client's row, which the client registry (auth) owns.
  const offsetSeconds = (clientId: string): Promise<number> => findClockOffset(db, clientId)
  return {
    realNow: () => base(),
    at: (offset) => new Date(base().getTime() + offset * 1000),
    offsetSeconds,
    now: async (clientId, knownOffsetSeconds) =>
      new Date(base().getTime() + (knownOffsetSeconds ?? await offsetSeconds(clientId)) * 1000),
    advance: async (clientId, seconds) => {
      await advanceClockOffset(db, clientId, seconds)
      return offsetSeconds(clientId)
    },
    reset: async (clientId) => {
      await resetClockOffset(db, clientId)
    },
  }
}

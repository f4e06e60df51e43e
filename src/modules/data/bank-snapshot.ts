import type { Kysely } from 'kysely'
import type { Database } from '../../storage/database.ts'
import { prepared } from '../../storage/prepared.ts'
import { writeTransaction } from '../../storage/write-queue.ts'
import type { DataAccess } from './access-guard.ts'

/**
 * The bank's answers to a connection's account-information reads — user info, the accounts, an account's balance —
 * kept in the database (table `bank_snapshots`) and served again instead of asking the bank on every call. The bank
 * stays behind its HTTP contract: a snapshot is only ever filled from what the provider adapter returned.
 *
 * Freshness rule: a snapshot read as of the client's virtual time T answers the same read while the client's
 * virtual now is in [T, T + FRESH_SECONDS), and only for the bank consent (grant) it was read with. So:
 * - real time passing FRESH_SECONDS, or the client's clock advanced by that much (the balance's pending → settled,
 *   the synthetic data's "today"), makes the next read ask the bank again, as of the new virtual now;
 * - a clock put back (`/sandbox/clock/reset`) is before T: the bank is asked again;
 * - a connection authorised again under another consent never sees the old consent's answers.
 * What is refused is never kept: a bank error (a mock `error.<reason>` user, a revoked grant, an outage) reaches the
 * caller on every call. The access guard runs before any of this, so a revoked, expired or other client's
 * connection is refused whatever is kept; snapshots are keyed by connection id and client id, deleted with the
 * connection (foreign key) and by the client's sandbox reset.
 *
 * Kept in the database rather than in memory so that every process serving the client agrees (PostgreSQL with
 * several processes): a reset or a deletion in one is seen at once by the others.
 */
export const FRESH_SECONDS = 60

/** Which read a snapshot holds. */
export type SnapshotOf = 'user-info' | 'accounts' | `balance:${string}`

interface Keyed { clientId: string, connectionId: string, what: SnapshotOf, consentId: string }

/** Reads of the bank in flight per database: concurrent calls that find no fresh snapshot share one bank read. */
const inFlight = new WeakMap<Kysely<Database>, Map<string, Promise<unknown>>>()

/**
 * The answer to `what` for the connection the guard let through: from its snapshot when fresh, else from `read`
 * (the adapter call, asked as of `access.now`), which is then kept. `read`'s errors are passed on unchanged.
 */
export async function fromSnapshot<T> (
  db: Kysely<Database>,
  access: DataAccess,
  what: SnapshotOf,
  read: (asOf: Date) => Promise<T>,
): Promise<T> {
  const key: Keyed = { clientId: access.connection.clientId, connectionId: access.connection.id, what, consentId: access.grant.consentId }
  const kept = await findSnapshot(db, key)
  if (kept && isFresh(kept.readAt, access.now)) return JSON.parse(kept.body) as T

  let flights = inFlight.get(db)
  if (!flights) inFlight.set(db, flights = new Map())
  const flightKey = `${key.clientId}\n${key.connectionId}\n${key.consentId}\n${what}`
  const pending = flights.get(flightKey)
  if (pending) return pending as Promise<T>
  const flight = (async () => {
    const answer = await read(access.now)
    await keepSnapshot(db, key, access.now, JSON.stringify(answer))
    return answer
  })()
  flights.set(flightKey, flight)
  try {
    return await flight
  } finally {
    flights.delete(flightKey)
  }
}

/** Whether a snapshot read as of `readAt` (ISO) still answers at the client's virtual `now`. */
export function isFresh (readAt: string, now: Date): boolean {
  const t = Date.parse(readAt)
  return t <= now.getTime() && now.getTime() < t + FRESH_SECONDS * 1000
}

// Every connected-accounts, user-info and balance call reads this: built once (storage/prepared.ts).
const snapshotRow = prepared(4, (db, connectionId: string, what: string, clientId: string, consentId: string) =>
  db.selectFrom('bank_snapshots').select(['read_at', 'body'])
    .where('connection_id', '=', connectionId).where('what', '=', what)
    .where('client_id', '=', clientId).where('consent_id', '=', consentId))

async function findSnapshot (db: Kysely<Database>, k: Keyed): Promise<{ readAt: string, body: string } | undefined> {
  const row = await snapshotRow.first(db, k.connectionId, k.what, k.clientId, k.consentId)
  return row ? { readAt: row.read_at, body: row.body } : undefined
}

async function keepSnapshot (db: Kysely<Database>, k: Keyed, at: Date, body: string): Promise<void> {
  const values = { consent_id: k.consentId, read_at: at.toISOString(), body }
  try {
    await writeTransaction(db, (trx) => trx.insertInto('bank_snapshots')
      .values({ connection_id: k.connectionId, what: k.what, client_id: k.clientId, ...values })
      .onConflict((oc) => oc.columns(['connection_id', 'what']).doUpdateSet(values))
      .execute())
  } catch {
    // Not kept (the connection was deleted meanwhile, or storage failed): the answer read from the bank still stands,
    // and the next call asks the bank again.
  }
}

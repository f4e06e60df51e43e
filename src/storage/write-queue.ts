import { CompiledQuery, type Kysely } from 'kysely'
import type { Database } from './database.ts'

/**
 * Group commit for SQLite. SQLite has one writer, and Kysely's SQLite driver holds its single connection for the
 * whole of a transaction (BEGIN, the statements, COMMIT, each an await): fifty concurrent creates were fifty
 * transactions in a row, each paying its own BEGIN/COMMIT and WAL append. Here the write transactions that arrive
 * while the writer is busy (or within the same turn of the event loop) are run one after another inside ONE
 * transaction and committed together:
 *
 * - each still awaits the durable commit of its batch before its promise resolves, so nothing is acknowledged
 *   that a crash could lose;
 * - each runs inside its own SAVEPOINT: when it throws, what it wrote is rolled back to that savepoint and only
 *   its own promise rejects; the others of the batch commit as if it had never run;
 * - they run in arrival order, each seeing what the earlier ones wrote: the same as running them one by one.
 *
 * PostgreSQL runs many transactions at once over the pool, so there each call is its own transaction, as before.
 */

type Work<T> = (trx: Kysely<Database>) => Promise<T>

interface Item {
  work: Work<unknown>
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
  /** Set once the work finished inside the batch; delivered after the commit. */
  result?: unknown
}

/** A batch larger than this is split: the first ones should not wait for a very long tail. */
const MAX_BATCH = 256

interface Queue {
  pending: Item[]
  running: boolean
  scheduled: boolean
  /** Counters for tests and the bench: transactions committed, writes carried. */
  stats: { batches: number, writes: number }
}

// The statements around each write, compiled once (they are the same text on every call).
const SAVEPOINT = CompiledQuery.raw('savepoint w')
const ROLLBACK_TO = CompiledQuery.raw('rollback to w')
const RELEASE = CompiledQuery.raw('release w')

const queues = new WeakMap<Kysely<Database>, Queue>()

/** Called once by createDb for a SQLite database: from then on writeTransaction on it groups its writes. */
export function enableGroupCommit (db: Kysely<Database>): void {
  queues.set(db, { pending: [], running: false, scheduled: false, stats: { batches: 0, writes: 0 } })
}

/** Transactions committed and the writes they carried on this database (undefined where writes are not grouped). */
export function groupCommitStats (db: Kysely<Database>): { batches: number, writes: number } | undefined {
  const q = queues.get(db)
  return q ? { ...q.stats } : undefined
}

/**
 * The one entry point for a write transaction: `db.transaction().execute(work)` with group commit on SQLite.
 * Called with a transaction already open (`trx`), the work joins it.
 */
export function writeTransaction<T> (db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db)
  const q = queues.get(db)
  if (!q) return db.transaction().execute(work)
  return new Promise<T>((resolve, reject) => {
    q.pending.push({ work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject })
    schedule(db, q)
  })
}

function schedule (db: Kysely<Database>, q: Queue): void {
  if (q.running || q.scheduled) return
  q.scheduled = true
  // setImmediate, not a microtask: the other requests whose bytes arrived in this same poll of the event loop get
  // to enqueue before the batch starts.
  setImmediate(() => {
    q.scheduled = false
    void flush(db, q)
  })
}

async function flush (db: Kysely<Database>, q: Queue): Promise<void> {
  const batch = q.pending.splice(0, MAX_BATCH)
  if (batch.length === 0) return
  q.running = true
  const done: Item[] = []
  try {
    await db.transaction().execute(async (trx) => {
      for (const item of batch) {
        await trx.executeQuery(SAVEPOINT)
        let failed = false
        try {
          item.result = await item.work(trx)
        } catch (err) {
          failed = true
          // A failure inside the rollback itself (the file went away, say) escapes: the whole batch rolls back
          // and every item not yet answered gets that error.
          await trx.executeQuery(ROLLBACK_TO)
          item.reject(err)
        }
        await trx.executeQuery(RELEASE)
        if (!failed) done.push(item)
      }
    })
    q.stats.batches++
    q.stats.writes += done.length
    for (const item of done) item.resolve(item.result)
  } catch (err) {
    // Nothing of the batch was committed: every item not yet answered fails with the reason (a promise already
    // rejected with its own error keeps it).
    for (const item of batch) item.reject(err)
  } finally {
    q.running = false
    if (q.pending.length) schedule(db, q)
  }
}

import type { Insertable, Kysely } from 'kysely'
import type { Database } from './database.ts'
import { dialectOfDb } from './dialect.ts'
import { preparedInsert } from './prepared.ts'
import { writeTransaction } from './write-queue.ts'

/**
 * A row and the row that depends on it (a connection and its `created` timeline entry), written atomically, each
 * dialect its cheapest way — the one place this differs:
 *
 * - PostgreSQL: one statement, the first insert in a WITH clause (a data-modifying CTE). A statement is atomic on
 *   its own, and the foreign key is checked at its end, so the dependent row sees its parent. One round trip instead
 *   of four (BEGIN, INSERT, INSERT, COMMIT): on PostgreSQL create-connection's time was mostly those round trips.
 * - SQLite (no INSERT inside WITH): both inserts in one write transaction, grouped with the other writes of the same
 *   moment (write-queue.ts), each built once (prepared.ts).
 */
export async function insertTogether<P extends keyof Database & string, C extends keyof Database & string> (
  db: Kysely<Database>,
  parent: { table: P, row: Insertable<Database[P]> },
  child: { table: C, row: Insertable<Database[C]> },
): Promise<void> {
  if (dialectOfDb(db) === 'postgres') {
    await db.with('parent', (q) => q.insertInto(parent.table).values(parent.row as never))
      .insertInto(child.table).values(child.row as never).execute()
    return
  }
  await writeTransaction(db, async (trx) => {
    await insertOf(parent.table)(trx, parent.row)
    await insertOf(child.table)(trx, child.row)
  })
}

const inserts = new Map<string, ReturnType<typeof preparedInsert>>()
function insertOf<T extends keyof Database & string> (table: T): (db: Kysely<Database>, row: Insertable<Database[T]>) => Promise<void> {
  let insert = inserts.get(table)
  if (!insert) inserts.set(table, insert = preparedInsert(table) as never)
  return insert as never
}

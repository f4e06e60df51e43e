import type { Kysely } from 'kysely'

/**
 * What the bank answered to a connection's account-information reads (user info, the accounts, a balance), kept so
 * that the next reads are served without asking the bank again (src/modules/data/bank-snapshot.ts says for how long).
 * One row per connection and read; it belongs to the connection and its client, and goes with either.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('bank_snapshots')
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('what', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('consent_id', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bank_snapshots_pk', ['connection_id', 'what'])
    .execute()
  // A client's sandbox reset deletes by client_id.
  await db.schema.createIndex('bank_snapshots_client').on('bank_snapshots').column('client_id').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bank_snapshots').ifExists().execute()
}

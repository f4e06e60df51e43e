import type { Kysely } from 'kysely'

/**
 * Console sign-in sessions (src/modules/console). The cookie holds a random id; only its SHA-256 is stored, so a
 * copy of the database does not let anyone sign in. Signing out deletes the row, which ends the session at once.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('console_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('console_sessions_expires').on('console_sessions').column('expires_at').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('console_sessions').ifExists().execute()
}

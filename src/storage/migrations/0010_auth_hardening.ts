import type { Kysely } from 'kysely'

/**
 * Auth hardening (src/modules/auth):
 * - `clients.token_generation`: every access token carries the generation it was issued under; deleting a client
 *   or rotating its secret moves it on, so the client's earlier tokens are refused at once, by every process.
 * - `auth_failures`: failed sign-ins (token endpoint, Console) per client id and per source address, for the
 *   throttle when no Redis is configured. Rows older than the throttle's window are deleted as new ones arrive.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('token_generation', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.createTable('auth_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('auth_failures_key_at').on('auth_failures').columns(['key', 'at']).execute()
  await db.schema.createIndex('auth_failures_at').on('auth_failures').column('at').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('auth_failures').ifExists().execute()
  await db.schema.alterTable('clients').dropColumn('token_generation').execute()
}

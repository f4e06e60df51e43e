import type { Kysely } from 'kysely'

/**
 * The extension webhook types (`connection_revoked`, `connection_expired`) a client has asked for, as a JSON array.
 * The published types are always sent; extensions are opt-in, so a receiver written for the published contract
 * never meets a type it does not know. Existing clients get none.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients')
    .addColumn('webhook_extension_events', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('webhook_extension_events').execute()
}

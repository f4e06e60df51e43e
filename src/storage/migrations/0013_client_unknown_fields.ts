import type { Kysely } from 'kysely'

/**
 * What create-connection does with fields its schema does not declare, per client: `refuse` (a 400 naming the
 * field, with a hint such as hosted_page.redirect → hosted_page.return_uri) or `ignore` (dropped, and listed on the
 * connection's timeline). No published schema forbids them, so a client may choose; existing clients keep `refuse`.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients')
    .addColumn('unknown_fields', 'text', (c) => c.notNull().defaultTo('refuse'))
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('unknown_fields').execute()
}

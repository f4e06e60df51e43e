import type { Kysely } from 'kysely'

/**
 * The hosted pages' own state, one row per connection that a browser has opened: the provider the user picked,
 * when they consented, and the desktop → mobile hand-off (its link's expiry, when the phone opened it, and the
 * phone's credential, hashed). Statuses stay on `connections`; nothing here is a status.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('journey_sessions')
    .addColumn('connection_id', 'text', (c) => c.primaryKey().references('connections.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    // SHA-256 of the hosted-page token, kept after the connection forgets it so that the same link shows the result.
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text')
    .addColumn('consent_given_at', 'text')
    .addColumn('handoff_expires_at', 'text')
    .addColumn('handoff_opened_at', 'text')
    .addColumn('mobile_token_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('journey_sessions').ifExists().execute()
}

import type { Kysely } from 'kysely'

// The bank step's single-use `state` values, each with the PKCE verifier of its trip to the bank.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('journey_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('consent_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema.createIndex('journey_states_connection').on('journey_states').column('connection_id').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('journey_states').ifExists().execute()
}

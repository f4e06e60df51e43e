import type { Kysely } from 'kysely'

/**
 * The model bank closes its server-to-server API: it keeps the third parties (TPPs) it has registered — a client id,
 * the SHA-256 of a random secret, a display name and the redirect URIs it may send browsers back to — and records on
 * each consent and token the TPP that made it. `owner_client_id` is the TPP's own client the consent is for (for
 * Ledgerite: its client id), which the sandbox approval checks. Tokens remember the code they were issued for, so a
 * replayed code can revoke them. The indexes serve the sweeper (expired, unused consents and codes).
 *
 * Rows made before this migration were all made by the one Ledgerite of this database (nobody else could reach the
 * in-process bank's tokens): they are given to its registration, `ledgerite`, so its connections keep reading.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('bank_tpps')
    .addColumn('tpp_id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema.alterTable('bank_consents').addColumn('tpp_client_id', 'text').execute()
  await db.schema.alterTable('bank_consents').addColumn('owner_client_id', 'text').execute()
  await db.schema.alterTable('bank_tokens').addColumn('tpp_client_id', 'text').execute()
  await db.schema.alterTable('bank_tokens').addColumn('code_hash', 'text').execute()
  await db.updateTable('bank_consents').set({ tpp_client_id: 'ledgerite' }).execute()
  await db.updateTable('bank_tokens').set({ tpp_client_id: 'ledgerite' }).execute()

  await db.schema.createIndex('bank_consents_status_authorize_by').on('bank_consents').columns(['status', 'authorize_by']).execute()
  await db.schema.createIndex('bank_codes_expires').on('bank_codes').column('expires_at').execute()
  await db.schema.createIndex('bank_tokens_code').on('bank_tokens').column('code_hash').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  for (const i of ['bank_tokens_code', 'bank_codes_expires', 'bank_consents_status_authorize_by']) await db.schema.dropIndex(i).ifExists().execute()
  await db.schema.alterTable('bank_tokens').dropColumn('code_hash').execute()
  await db.schema.alterTable('bank_tokens').dropColumn('tpp_client_id').execute()
  await db.schema.alterTable('bank_consents').dropColumn('owner_client_id').execute()
  await db.schema.alterTable('bank_consents').dropColumn('tpp_client_id').execute()
  await db.schema.dropTable('bank_tpps').ifExists().execute()
}

import type { Kysely } from 'kysely'

// The model bank's own tables (prefix `bank_`). It is a separate "bank" that happens to share the database file:
// only its routes read these; Ledgerite reaches it over HTTP through the provider adapter.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('bank_consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('data_access_type', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'text', (c) => c.notNull())
    .addColumn('client_name', 'text', (c) => c.notNull())
    .addColumn('language_code', 'text')
    .addColumn('connection_ref', 'text')
    .addColumn('session_hash', 'text')
    .addColumn('username', 'text')
    .addColumn('account_ids', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('authorize_by', 'text', (c) => c.notNull())
    .addColumn('authorized_at', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()

  await db.schema.createTable('bank_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('consent_id', 'text', (c) => c.notNull().references('bank_consents.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()

  await db.schema.createTable('bank_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('consent_id', 'text', (c) => c.notNull().references('bank_consents.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('bank_tokens_consent').on('bank_tokens').column('consent_id').execute()
  await db.schema.createIndex('bank_codes_consent').on('bank_codes').column('consent_id').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  for (const t of ['bank_tokens', 'bank_codes', 'bank_consents']) await db.schema.dropTable(t).ifExists().execute()
}

import type { Kysely } from 'kysely'

/**
 * A client's branding for its hosted pages (src/modules/journey/branding.ts): display name, accent colour,
 * privacy-policy URL and logo. Its own table, one row per client, so the clients table (secrets, URIs) stays as
 * it is and a client without branding has no row. The logo is stored base64 as text (one type on both dialects);
 * it is at most 256 KiB, checked before it is stored. `logo_sha256` names it in the URL it is served from.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('client_branding')
    .addColumn('client_id', 'text', (c) => c.primaryKey().references('clients.id').onDelete('cascade'))
    .addColumn('display_name', 'text')
    .addColumn('accent_color', 'text')
    .addColumn('privacy_url', 'text')
    .addColumn('logo_type', 'text')
    .addColumn('logo_base64', 'text')
    .addColumn('logo_sha256', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('client_branding_logo').on('client_branding').column('logo_sha256').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('client_branding').ifExists().execute()
}

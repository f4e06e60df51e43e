import type { Kysely } from 'kysely'

/**
 * Webhook delivery: one row per HTTP attempt (the delivery log), and the start of the current retry window on the
 * outbox row (a redelivery opens a new window; NULL means the window starts at `created_at`).
 * Portable types only: text and integer (see dialect.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_events').addColumn('retry_window_start', 'text').execute()

  await db.schema.createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('webhook_events.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    // The attempt's number, taken when the event was claimed: two workers can never both make attempt n.
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addUniqueConstraint('webhook_attempts_event_attempt', ['event_id', 'attempt'])
    .execute()
  await db.schema.createIndex('webhook_attempts_client').on('webhook_attempts').columns(['client_id', 'at']).execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_attempts').ifExists().execute()
  await db.schema.alterTable('webhook_events').dropColumn('retry_window_start').execute()
}

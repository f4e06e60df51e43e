import type { Kysely } from 'kysely'

// The data module's tables: asynchronous transactions requests (with their stored page) and the unattended-access
// counters. Portable types only (text, integer); times are ISO text, JSON is text.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('transactions_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('date_from', 'text', (c) => c.notNull())
    .addColumn('date_to', 'text', (c) => c.notNull())
    .addColumn('page_size', 'integer', (c) => c.notNull())
    .addColumn('bank_cursor', 'text')
    .addColumn('enrichment', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('as_of', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('failed_at', 'text')
    .execute()
  // The worker's scan: pending requests, oldest first.
  await db.schema.createIndex('transactions_requests_due').on('transactions_requests').columns(['status', 'created_at']).execute()
  await db.schema.createIndex('transactions_requests_connection').on('transactions_requests').columns(['connection_id', 'account_id']).execute()

  await db.schema.createTable('rate_limit_keys')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema.createTable('rate_limit_hits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().references('rate_limit_keys.key').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('rate_limit_hits_key_at').on('rate_limit_hits').columns(['key', 'at']).execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  for (const t of ['rate_limit_hits', 'rate_limit_keys', 'transactions_requests']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}

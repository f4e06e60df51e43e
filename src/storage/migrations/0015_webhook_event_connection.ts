import type { Kysely } from 'kysely'

/**
 * The connection a webhook event reports on, as its own column, so that a connection's events are found by index
 * instead of by scanning every payload of the client for the id's text. Every event type carries a
 * `connection_id`; the column is nullable all the same, so an event about no connection stays possible.
 *
 * Existing events are filled in from their stored body, in batches read in id order, in JavaScript: JSON functions
 * differ between SQLite and PostgreSQL, and the body is parsed exactly as the Console used to parse it.
 */
const BATCH = 500

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_events').addColumn('connection_id', 'text').execute()
  await db.schema.createIndex('webhook_events_client_connection')
    .on('webhook_events').columns(['client_id', 'connection_id', 'created_at']).execute()

  let after = ''
  for (;;) {
    const rows: Array<{ id: string, payload: string }> = await db.selectFrom('webhook_events').select(['id', 'payload'])
      .where('id', '>', after).orderBy('id').limit(BATCH).execute()
    if (rows.length === 0) return
    const byConnection = new Map<string, string[]>()
    for (const row of rows) {
      const connectionId = connectionIdOf(row.payload)
      if (connectionId !== undefined) byConnection.set(connectionId, [...(byConnection.get(connectionId) ?? []), row.id])
    }
    for (const [connectionId, ids] of byConnection) {
      await db.updateTable('webhook_events').set({ connection_id: connectionId }).where('id', 'in', ids).execute()
    }
    after = rows.at(-1)!.id
  }
}

function connectionIdOf (payload: string): string | undefined {
  try {
    const body: unknown = JSON.parse(payload)
    const id = (body as { connection_id?: unknown } | null)?.connection_id
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('webhook_events_client_connection').execute()
  await db.schema.alterTable('webhook_events').dropColumn('connection_id').execute()
}

import type { Kysely } from 'kysely'
import { ids } from '../../contract/ids.ts'
import type { ConnectionRow, Database, NewConnectionRow } from '../../storage/database.ts'
import { insertTogether } from '../../storage/insert-together.ts'
import { type KeysetPosition, newestFirstAfter } from '../../storage/keyset.ts'
import { prepared, preparedInsert } from '../../storage/prepared.ts'

/** Kysely functions for connections. Every read is scoped by the owning client: another client's id is "not found". */
export async function insertConnection (db: Kysely<Database>, row: NewConnectionRow): Promise<void> {
  await db.insertInto('connections').values(row).execute()
}

// Every data call and connection read starts here: built once (storage/prepared.ts).
const connectionOfClient = prepared(2, (db, clientId: string, id: string) =>
  db.selectFrom('connections').selectAll().where('id', '=', id).where('client_id', '=', clientId))

export async function findConnection (db: Kysely<Database>, clientId: string, id: string): Promise<ConnectionRow | undefined> {
  return connectionOfClient.first(db, clientId, id)
}

/** For the hosted pages and the bank callback, which are reached by a browser that holds no client token. */
export async function findConnectionById (db: Kysely<Database>, id: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Appends to the connection's timeline (Console). */
export async function addConnectionEvent (
  db: Kysely<Database>,
  row: NewEvent,
): Promise<void> {
  await insertEvent(db, eventRow(row))
}

type NewEvent = { connectionId: string, clientId: string, at: Date, kind: string, detail?: Record<string, unknown> }
const eventRow = (e: NewEvent) => ({
  id: ids.orderedUuid(),
  connection_id: e.connectionId,
  client_id: e.clientId,
  at: e.at.toISOString(),
  kind: e.kind,
  detail: e.detail ? JSON.stringify(e.detail) : null,
})

// Every create and status change writes these: built once per set of columns (storage/prepared.ts).
const insertEvent = preparedInsert('connection_events')

export async function listConnectionEvents (db: Kysely<Database>, clientId: string, connectionId: string) {
  return db.selectFrom('connection_events').selectAll()
    .where('client_id', '=', clientId).where('connection_id', '=', connectionId)
    .orderBy('at').orderBy('id').execute()
}

/**
 * Create-connection's write: the connection and its `created` timeline entry, in one transaction (committed before
 * any call to a bank).
 */
export async function insertConnectionWithEvent (
  db: Kysely<Database>,
  row: NewConnectionRow,
  event: { at: Date, detail?: Record<string, unknown> },
): Promise<void> {
  await insertTogether(db, { table: 'connections', row }, { table: 'connection_events', row: eventRow({ connectionId: row.id, clientId: row.client_id, at: event.at, kind: 'created', ...(event.detail ? { detail: event.detail } : {}) }) })
}

/**
 * A page of the client's connections, newest first. Keyset pagination on (created_at, id), so connections created
 * in the same millisecond are neither skipped nor repeated (storage/keyset.ts).
 */
export async function listConnectionsPage (
  db: Kysely<Database>,
  clientId: string,
  options: { limit: number, after?: KeysetPosition | undefined, status?: string },
): Promise<ConnectionRow[]> {
  let q = db.selectFrom('connections').selectAll().where('client_id', '=', clientId)
  if (options.status) q = q.where('status', '=', options.status)
  return newestFirstAfter(q, options.after).limit(options.limit).execute()
}

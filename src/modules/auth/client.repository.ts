import { timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import { ids, sha256 } from '../../contract/ids.ts'
import type { ClientRow, Database } from '../../storage/database.ts'
import { type ExtensionWebhookType, parseExtensionEvents } from '../webhooks/webhook.event-types.ts'
import { writeTransaction } from '../../storage/write-queue.ts'

/** A registered client, as the rest of the code sees it (the Console's settings). */
export interface Client {
  id: string
  name: string
  redirectUris: string[]
  webhookUri: string | null
  aispLicence: boolean
  /** The client's virtual clock offset, in seconds (read it through `deps.clock.at`). */
  clockOffsetSeconds: number
  createdAt: string
  /** Extension webhook types the client asked for; the published types are always sent. */
  webhookExtensionEvents: ExtensionWebhookType[]
  /** Create-connection's answer to fields its schema does not declare: a 400 naming them, or dropped (timeline). */
  unknownFields: UnknownFieldsMode
}

export const UNKNOWN_FIELDS_MODES = ['refuse', 'ignore'] as const
export type UnknownFieldsMode = typeof UNKNOWN_FIELDS_MODES[number]
export const isUnknownFieldsMode = (v: unknown): v is UnknownFieldsMode => UNKNOWN_FIELDS_MODES.includes(v as UnknownFieldsMode)

export const toClient = (row: ClientRow): Client => ({
  id: row.id,
  name: row.name,
  redirectUris: JSON.parse(row.redirect_uris),
  webhookUri: row.webhook_uri,
  aispLicence: row.aisp_licence === 1,
  clockOffsetSeconds: Number(row.clock_offset_seconds ?? 0),
  createdAt: row.created_at,
  webhookExtensionEvents: parseExtensionEvents(row.webhook_extension_events),
  // Anything but 'ignore' is the strict default.
  unknownFields: row.unknown_fields === 'ignore' ? 'ignore' : 'refuse',
})

/** Problems with a URI a client wants registered, or undefined when it is acceptable. */
export function checkUri (uri: string): string | undefined {
  try {
    const u = new URL(uri)
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http(s) URL'
    if (u.hash) return 'must not contain a fragment'
    return undefined
  } catch {
    return 'must be an absolute URL'
  }
}

export async function createClient (
  db: Kysely<Database>,
  input: { name: string, redirectUris: string[], webhookUri?: string | null, aispLicence?: boolean, webhookExtensionEvents?: ExtensionWebhookType[], unknownFields?: UnknownFieldsMode },
  now: Date = new Date(),
): Promise<{ client: Client, secret: string }> {
  const id = ids.clientId(input.name)
  const secret = ids.token()
  const row: ClientRow = {
    id,
    name: input.name,
    secret_hash: sha256(secret),
    redirect_uris: JSON.stringify([...new Set(input.redirectUris)]),
    webhook_uri: input.webhookUri ?? null,
    aisp_licence: input.aispLicence ? 1 : 0,
    clock_offset_seconds: 0,
    created_at: now.toISOString(),
    token_generation: 0,
    webhook_extension_events: JSON.stringify(input.webhookExtensionEvents ?? []),
    unknown_fields: input.unknownFields ?? 'refuse',
  }
  await db.insertInto('clients').values(row).execute()
  return { client: toClient(row), secret }
}

export async function findClient (db: Kysely<Database>, id: string): Promise<Client | undefined> {
  const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? toClient(row) : undefined
}

export async function listClients (db: Kysely<Database>): Promise<Client[]> {
  return (await db.selectFrom('clients').selectAll().orderBy('created_at').execute()).map(toClient)
}

/** Checks a client secret in constant time. Returns the client, or undefined for any mismatch. */
export async function authenticateClient (db: Kysely<Database>, id: string, secret: string): Promise<Client | undefined> {
  const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) return undefined
  const a = Buffer.from(row.secret_hash, 'hex')
  const b = Buffer.from(sha256(secret), 'hex')
  return a.length === b.length && timingSafeEqual(a, b) ? toClient(row) : undefined
}

export async function updateClient (
  db: Kysely<Database>,
  id: string,
  change: { addRedirectUris?: string[], removeRedirectUris?: string[], webhookUri?: string | null, aispLicence?: boolean, name?: string, webhookExtensionEvents?: ExtensionWebhookType[], unknownFields?: UnknownFieldsMode },
): Promise<Client | undefined> {
  return writeTransaction(db, async (trx) => {
    const row = await trx.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return undefined
    let uris: string[] = JSON.parse(row.redirect_uris)
    if (change.addRedirectUris) uris = [...new Set([...uris, ...change.addRedirectUris])]
    if (change.removeRedirectUris) uris = uris.filter((u) => !change.removeRedirectUris!.includes(u))
    const set: Partial<ClientRow> = { redirect_uris: JSON.stringify(uris) }
    if (change.webhookUri !== undefined) set.webhook_uri = change.webhookUri
    if (change.aispLicence !== undefined) set.aisp_licence = change.aispLicence ? 1 : 0
    if (change.name !== undefined) set.name = change.name
    if (change.webhookExtensionEvents !== undefined) set.webhook_extension_events = JSON.stringify(change.webhookExtensionEvents)
    if (change.unknownFields !== undefined) set.unknown_fields = change.unknownFields
    await trx.updateTable('clients').set(set).where('id', '=', id).execute()
    return toClient({ ...row, ...set })
  })
}

export async function deleteClient (db: Kysely<Database>, id: string): Promise<boolean> {
  const r = await db.deleteFrom('clients').where('id', '=', id).executeTakeFirst()
  return Number(r.numDeletedRows) > 0
}

/*
 * Narrow reads and writes of the clients table for the modules that need one column or two (the clock, the expiry
 * sweeper, the sandbox reset, webhooks): this repository owns the table, so they ask here rather than query it.
 * Each takes the database or the caller's transaction, so a read or write can join the caller's unit of work.
 */

/** Seconds the client's virtual clock is ahead of real time (0 for an unknown client). */
export async function findClockOffset (db: Kysely<Database>, clientId: string): Promise<number> {
  const row = await db.selectFrom('clients').select('clock_offset_seconds').where('id', '=', clientId).executeTakeFirst()
  return Number(row?.clock_offset_seconds ?? 0)
}

/** Every client's id and clock offset, in id order (the expiry sweeper's round). */
export async function listClientClocks (db: Kysely<Database>): Promise<Array<{ id: string, clockOffsetSeconds: number }>> {
  const rows = await db.selectFrom('clients').select(['id', 'clock_offset_seconds']).orderBy('id').execute()
  return rows.map((r) => ({ id: r.id, clockOffsetSeconds: Number(r.clock_offset_seconds ?? 0) }))
}

/** Moves the client's clock forward by whole seconds, in one statement so concurrent advances add up. */
export async function advanceClockOffset (db: Kysely<Database>, clientId: string, seconds: number): Promise<void> {
  await db.updateTable('clients')
    .set((eb) => ({ clock_offset_seconds: eb('clock_offset_seconds', '+', Math.trunc(seconds)) }))
    .where('id', '=', clientId).execute()
}

/** Puts the client's clock back to real time. */
export async function resetClockOffset (db: Kysely<Database>, clientId: string): Promise<void> {
  await db.updateTable('clients').set({ clock_offset_seconds: 0 }).where('id', '=', clientId).execute()
}

/** What webhooks need of a client: where to send, which extension types it asked for, and its clock. */
export interface ClientWebhookSettings {
  webhookUri: string | null
  /** The stored JSON list, as `parseExtensionEvents` reads it. */
  webhookExtensionEvents: string
  clockOffsetSeconds: number
}

/** The client's webhook settings, or undefined for an unknown client. */
export async function findWebhookSettings (db: Kysely<Database>, clientId: string): Promise<ClientWebhookSettings | undefined> {
  const row = await db.selectFrom('clients').select(['webhook_uri', 'webhook_extension_events', 'clock_offset_seconds'])
    .where('id', '=', clientId).executeTakeFirst()
  return row && { webhookUri: row.webhook_uri, webhookExtensionEvents: row.webhook_extension_events, clockOffsetSeconds: Number(row.clock_offset_seconds ?? 0) }
}

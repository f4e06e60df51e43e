import type { Kysely, Selectable } from 'kysely'
import type { Database, JourneySessionTable } from '../../storage/database.ts'

export type JourneySession = Selectable<JourneySessionTable>

/**
 * The hosted pages' per-connection state (table journey_sessions). Reached by connection id only after the
 * browser's credential (hosted-page token, signed link or phone credential) has been checked by the caller.
 */
export async function findSession (db: Kysely<Database>, connectionId: string): Promise<JourneySession | undefined> {
  return db.selectFrom('journey_sessions').selectAll().where('connection_id', '=', connectionId).executeTakeFirst()
}

/** Opens the session on the first valid visit; a concurrent first visit simply finds the row. */
export async function openSession (
  db: Kysely<Database>,
  row: { connectionId: string, clientId: string, tokenHash: string, now: Date },
): Promise<JourneySession> {
  const at = row.now.toISOString()
  await db.insertInto('journey_sessions').values({
    connection_id: row.connectionId,
    client_id: row.clientId,
    token_hash: row.tokenHash,
    provider_id: null,
    consent_given_at: null,
    handoff_expires_at: null,
    handoff_opened_at: null,
    mobile_token_hash: null,
    created_at: at,
    updated_at: at,
  }).onConflict((oc) => oc.column('connection_id').doNothing()).execute()
  return (await findSession(db, row.connectionId))!
}

export async function updateSession (
  db: Kysely<Database>,
  connectionId: string,
  set: Partial<Omit<JourneySession, 'connection_id' | 'client_id' | 'created_at'>>,
  now: Date,
): Promise<void> {
  await db.updateTable('journey_sessions').set({ ...set, updated_at: now.toISOString() })
    .where('connection_id', '=', connectionId).execute()
}

/**
 * Marks the hand-off link as opened, once: only the link whose expiry is the current one, only if no phone
 * opened it before. Compare-and-set, so two phones racing on one link cannot both win. True when this call won.
 */
export async function claimHandoff (
  db: Kysely<Database>,
  connectionId: string,
  handoffExpiresAt: string,
  mobileTokenHash: string,
  now: Date,
): Promise<boolean> {
  const r = await db.updateTable('journey_sessions')
    .set({ handoff_opened_at: now.toISOString(), mobile_token_hash: mobileTokenHash, updated_at: now.toISOString() })
    .where('connection_id', '=', connectionId)
    .where('handoff_expires_at', '=', handoffExpiresAt)
    .where('handoff_opened_at', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

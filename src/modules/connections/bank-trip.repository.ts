import type { Kysely } from 'kysely'
import type { Database } from '../../storage/database.ts'

/**
 * A trip to the bank (`journey_states`): the `state` sent on the bank link (kept only as its hash), the PKCE
 * verifier, and the consent the bank made. Spent once, atomically, when the bank sends the browser back.
 */
export interface NewBankTrip {
  stateHash: string
  connectionId: string
  clientId: string
  providerId: string
  codeVerifier: string
  redirectUri: string
  createdAt: Date
  expiresAt: Date
}

export async function insertBankTrip (db: Kysely<Database>, t: NewBankTrip): Promise<void> {
  await db.insertInto('journey_states').values({
    state_hash: t.stateHash,
    connection_id: t.connectionId,
    client_id: t.clientId,
    provider_id: t.providerId,
    code_verifier: t.codeVerifier,
    redirect_uri: t.redirectUri,
    consent_id: null,
    created_at: t.createdAt.toISOString(),
    expires_at: t.expiresAt.toISOString(),
    used_at: null,
  }).execute()
}

export async function setBankTripConsent (db: Kysely<Database>, stateHash: string, consentId: string): Promise<void> {
  await db.updateTable('journey_states').set({ consent_id: consentId }).where('state_hash', '=', stateHash).execute()
}

export function findBankTrip (db: Kysely<Database>, stateHash: string) {
  return db.selectFrom('journey_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst()
}

/** Marks the trip used; false when another request spent it first (of two racing callbacks, one goes on). */
export async function spendBankTrip (db: Kysely<Database>, stateHash: string, now: Date): Promise<boolean> {
  const r = await db.updateTable('journey_states').set({ used_at: now.toISOString() })
    .where('state_hash', '=', stateHash).where('used_at', 'is', null).executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/** Gives a spent trip back (the bank was unavailable: nothing was decided, so the same link may retry). */
export async function giveBackBankTrip (db: Kysely<Database>, stateHash: string): Promise<void> {
  await db.updateTable('journey_states').set({ used_at: null }).where('state_hash', '=', stateHash).execute()
}

import type { Kysely, Selectable } from 'kysely'
import type { BankConsentTable, Database } from '../../storage/database.ts'

/**
 * The model bank's queries, on its own `bank_` tables only. Every state change is a compare-and-set on the
 * consent's status (and, for the browser steps, on the session that signed in), so a replayed or raced form post
 * changes nothing.
 */
export type BankConsentRow = Selectable<BankConsentTable>

export const CONSENT_STATUS = {
  awaiting: 'awaiting_authorization',
  authorized: 'authorized',
  rejected: 'rejected',
  revoked: 'revoked',
} as const

export async function insertConsent (db: Kysely<Database>, row: BankConsentRow): Promise<void> {
  await db.insertInto('bank_consents').values(row).execute()
}

export async function findConsent (db: Kysely<Database>, providerId: string, consentId: string): Promise<BankConsentRow | undefined> {
  return db.selectFrom('bank_consents').selectAll()
    .where('id', '=', consentId).where('provider_id', '=', providerId).executeTakeFirst()
}

/** A new browser session takes over a consent still awaiting authorisation; whoever signed in before is forgotten. */
export async function bindSession (db: Kysely<Database>, consentId: string, sessionHash: string): Promise<boolean> {
  const r = await db.updateTable('bank_consents').set({ session_hash: sessionHash, username: null })
    .where('id', '=', consentId).where('status', '=', CONSENT_STATUS.awaiting).executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function signInSession (db: Kysely<Database>, consentId: string, sessionHash: string, username: string): Promise<boolean> {
  const r = await db.updateTable('bank_consents').set({ username })
    .where('id', '=', consentId).where('status', '=', CONSENT_STATUS.awaiting).where('session_hash', '=', sessionHash)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/** Server-side sign-in (the sandbox "approve as user" call): no browser session involved. */
export async function setUsername (db: Kysely<Database>, consentId: string, username: string): Promise<boolean> {
  const r = await db.updateTable('bank_consents').set({ username })
    .where('id', '=', consentId).where('status', '=', CONSENT_STATUS.awaiting).executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/** The user's decision: authorised (with the accounts chosen) or rejected. Only once, only from awaiting. */
export async function decideConsent (
  db: Kysely<Database>,
  consentId: string,
  decision: { status: 'authorized', accountIds: string[], at: string, expiresAt: string } | { status: 'rejected', at: string },
): Promise<boolean> {
  const set = decision.status === 'authorized'
    ? { status: decision.status, account_ids: JSON.stringify(decision.accountIds), authorized_at: decision.at, expires_at: decision.expiresAt }
    : { status: decision.status }
  const r = await db.updateTable('bank_consents').set(set)
    .where('id', '=', consentId).where('status', '=', CONSENT_STATUS.awaiting).executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function revokeConsent (db: Kysely<Database>, consentId: string, at: string): Promise<void> {
  await db.updateTable('bank_consents').set({ status: CONSENT_STATUS.revoked, revoked_at: at })
    .where('id', '=', consentId).where('status', '<>', CONSENT_STATUS.revoked).execute()
}

export async function insertCode (db: Kysely<Database>, row: { code_hash: string, consent_id: string, created_at: string, expires_at: string }): Promise<void> {
  await db.insertInto('bank_codes').values({ ...row, used_at: null }).execute()
}

export async function findCode (db: Kysely<Database>, codeHash: string) {
  return db.selectFrom('bank_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst()
}

/** Marks a code used; false when it was used already (a replay, or a race lost). */
export async function useCode (db: Kysely<Database>, codeHash: string, at: string): Promise<boolean> {
  const r = await db.updateTable('bank_codes').set({ used_at: at })
    .where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function insertToken (
  db: Kysely<Database>,
  row: { token_hash: string, consent_id: string, created_at: string, expires_at: string, tpp_client_id: string, code_hash: string },
): Promise<void> {
  await db.insertInto('bank_tokens').values(row).execute()
}

/** RFC 6749 §4.1.2: a code presented twice revokes the tokens issued for it. Answers how many there were. */
export async function revokeTokensOfCode (db: Kysely<Database>, codeHash: string): Promise<number> {
  const r = await db.deleteFrom('bank_tokens').where('code_hash', '=', codeHash).executeTakeFirst()
  return Number(r.numDeletedRows)
}

/** How many rows one sweep deletes at most, per table: short statements that never hold the database for long. */
export const SWEEP_BATCH = 500

/**
 * One bounded sweep of what can never be used again: codes past their expiry (used or not), then consents never
 * authorised (awaiting or rejected) whose time to authorise has passed, with their codes. Authorised and revoked
 * consents stay: a connection may still read, or revoke, them. Answers how many rows were deleted.
 */
export async function sweepExpired (db: Kysely<Database>, now: Date, batch = SWEEP_BATCH): Promise<number> {
  const at = now.toISOString()
  const codes = await db.selectFrom('bank_codes').select('code_hash').where('expires_at', '<=', at).limit(batch).execute()
  let deleted = 0
  if (codes.length > 0) {
    const r = await db.deleteFrom('bank_codes').where('code_hash', 'in', codes.map((c) => c.code_hash)).executeTakeFirst()
    deleted += Number(r.numDeletedRows)
  }
  const consents = await db.selectFrom('bank_consents').select('id')
    .where('status', 'in', [CONSENT_STATUS.awaiting, CONSENT_STATUS.rejected]).where('authorize_by', '<=', at)
    .limit(batch).execute()
  if (consents.length > 0) {
    // Compare-and-set on the status: a consent authorised since it was selected stays. Its codes (a rejected or
    // unanswered consent has none, but a race could) go with it: ON DELETE CASCADE.
    const r = await db.deleteFrom('bank_consents').where('id', 'in', consents.map((c) => c.id))
      .where('status', 'in', [CONSENT_STATUS.awaiting, CONSENT_STATUS.rejected]).executeTakeFirst()
    deleted += Number(r.numDeletedRows)
  }
  return deleted
}

export async function findToken (db: Kysely<Database>, tokenHash: string) {
  return db.selectFrom('bank_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst()
}

export async function findConsentById (db: Kysely<Database>, consentId: string): Promise<BankConsentRow | undefined> {
  return db.selectFrom('bank_consents').selectAll().where('id', '=', consentId).executeTakeFirst()
}

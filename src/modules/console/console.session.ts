import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { sha256 } from '../../contract/ids.ts'
import type { Database } from '../../storage/database.ts'

/**
 * Console sign-in sessions: a random id in an HttpOnly, SameSite=Strict cookie scoped to /console; the database
 * keeps only its SHA-256 and the client it belongs to. Times are real time (`deps.clock.realNow()`): a client
 * advancing its sandbox clock must not sign itself out.
 */
export const SESSION_COOKIE = 'ledgerite_console'
/** What the sign-in form's CSRF token is bound to before there is a session (double submit, signed). */
export const PRE_SESSION_COOKIE = 'ledgerite_console_pre'
export const SESSION_TTL_SECONDS = 8 * 3600
export const PRE_SESSION_TTL_SECONDS = 3600
export const CONSOLE_PATH = '/console'

export interface ConsoleSession {
  /** SHA-256 of the cookie value: the row's key, and what CSRF tokens are bound to. */
  idHash: string
  clientId: string
  expiresAt: string
}

export async function createSession (db: Kysely<Database>, clientId: string, now: Date): Promise<{ cookieValue: string, session: ConsoleSession }> {
  const cookieValue = randomBytes(32).toString('base64url')
  const session = {
    idHash: sha256(cookieValue),
    clientId,
    expiresAt: new Date(now.getTime() + SESSION_TTL_SECONDS * 1000).toISOString(),
  }
  await db.insertInto('console_sessions').values({
    id_hash: session.idHash, client_id: clientId, created_at: now.toISOString(), expires_at: session.expiresAt,
  }).execute()
  return { cookieValue, session }
}

/** The live session for a cookie value, or undefined (unknown, expired, or its client deleted). */
export async function findSession (db: Kysely<Database>, cookieValue: string, now: Date): Promise<ConsoleSession | undefined> {
  const row = await db.selectFrom('console_sessions').selectAll()
    .where('id_hash', '=', sha256(cookieValue)).where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
  return row ? { idHash: row.id_hash, clientId: row.client_id, expiresAt: row.expires_at } : undefined
}

export async function deleteSession (db: Kysely<Database>, idHash: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute()
}

/** Removes expired sessions (the sweeper worker); returns how many. */
export async function deleteExpiredSessions (db: Kysely<Database>, now: Date): Promise<number> {
  const r = await db.deleteFrom('console_sessions').where('expires_at', '<=', now.toISOString()).executeTakeFirst()
  return Number(r.numDeletedRows)
}

/**
 * Ends the client's Console sessions (its secret was rotated: whoever signed in with the old one is out), but for
 * `keepIdHash`, the session that asked for the rotation.
 */
export async function deleteClientSessions (db: Kysely<Database>, clientId: string, keepIdHash?: string): Promise<number> {
  let q = db.deleteFrom('console_sessions').where('client_id', '=', clientId)
  if (keepIdHash) q = q.where('id_hash', '!=', keepIdHash)
  const r = await q.executeTakeFirst()
  return Number(r.numDeletedRows)
}

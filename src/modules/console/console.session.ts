import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { sha256 } from '../../contract/ids.ts'
import type { Database } from '../../storage/database.ts'

/**
 * Console sign-in sessions: a random id in an HttpOnly, SameSite=Strict cookie scoped to /console; the database
 * keeps only its SHA-256 and the client it belongs to. Times are real time (`deps.clock.realNow()`): a client
 * advancing its sandbox clock must not sign itself out.
 */
export const SESSION_COOKIE = 'ledgerite_console'
/** Holds the sign-in form's CSRF secret before there is a session (double-submit, signed). */
export const PRE_SESSION_COOKIE = 'ledgerite_console_pre'
export const SESSION_TTL_SECONDS = 8 * 3600
const PRE_SESSION_TTL_SECONDS = 3600
export const CONSOLE_PATH = '/console'

export interface ConsoleSession {
  /** SHA-256 of the cookie value: the row's key, and what CSRF tokens are bound to. */
  idHash: string
  clientId: string
  expiresAt: string
}

/** Cookie header → name/value map. Malformed pairs are skipped; the first of duplicate names wins (RFC 6265 §5.4 order). */
export function parseCookies (header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!header) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (!(name in out)) out[name] = value
  }
  return out
}

/** Our cookie values are base64url only; anything else is not ours. */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{16,128}$/

function cookieString (name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${name}=${value}`,
    `Path=${CONSOLE_PATH}`,
    `Max-Age=${maxAgeSeconds}`,
    ...(maxAgeSeconds > 0 ? [`Expires=${new Date(Date.now() + maxAgeSeconds * 1000).toUTCString()}`] : ['Expires=Thu, 01 Jan 1970 00:00:00 GMT']),
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ')
}

/** Adds a Set-Cookie header without dropping ones already set on this reply. */
export function appendCookie (reply: FastifyReply, name: string, value: string, maxAgeSeconds: number, secure: boolean): void {
  const existing = reply.getHeader('set-cookie')
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)]
  reply.header('set-cookie', [...list, cookieString(name, value, maxAgeSeconds, secure)])
}

export function readCookie (request: FastifyRequest, name: string): string | undefined {
  const v = parseCookies(request.headers.cookie)[name]
  return v && COOKIE_VALUE.test(v) ? v : undefined
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

export function setSessionCookie (reply: FastifyReply, value: string, secure: boolean): void {
  appendCookie(reply, SESSION_COOKIE, value, SESSION_TTL_SECONDS, secure)
}

export function clearSessionCookie (reply: FastifyReply, secure: boolean): void {
  appendCookie(reply, SESSION_COOKIE, 'signed-out-signed-out', 0, secure)
}

/** The sign-in form's pre-session value: reused while the browser holds one, made otherwise. */
export function ensurePreSession (request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = readCookie(request, PRE_SESSION_COOKIE)
  if (existing) return existing
  const value = randomBytes(24).toString('base64url')
  appendCookie(reply, PRE_SESSION_COOKIE, value, PRE_SESSION_TTL_SECONDS, secure)
  return value
}

export function clearPreSession (reply: FastifyReply, secure: boolean): void {
  appendCookie(reply, PRE_SESSION_COOKIE, 'cleared-cleared-cleared', 0, secure)
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

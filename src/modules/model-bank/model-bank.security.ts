import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The model bank's browser and OAuth safeguards: the sign-in session cookie, CSRF tokens bound to that session
 * and the consent, and the PKCE S256 check.
 */
export const SESSION_COOKIE = 'mb_session'
export const CSRF_FIELD = 'csrf'

export const newSessionId = (): string => randomBytes(32).toString('base64url')
export const hashSecret = (value: string): string => createHash('sha256').update(value).digest('hex')

/** The bank's own key for its CSRF tokens, derived from the server secret (the bank shares no keys with Ledgerite). */
export const bankKey = (serverSecret: Buffer): Buffer => createHmac('sha256', serverSecret).update('model-bank\n').digest()

/**
 * A form token bound to the browser session (cookie) and the consent: a page on another site has neither, and a
 * token taken from one consent's page is useless for another.
 */
export function csrfToken (key: Buffer, sessionHash: string, consentId: string): string {
  return createHmac('sha256', key).update(`csrf\n${sessionHash}\n${consentId}`).digest('base64url')
}

export function verifyCsrf (key: Buffer, sessionHash: string, consentId: string, token: unknown): boolean {
  if (typeof token !== 'string' || token.length === 0) return false
  const a = Buffer.from(token)
  const b = Buffer.from(csrfToken(key, sessionHash, consentId))
  return a.length === b.length && timingSafeEqual(a, b)
}

/** RFC 7636: code_verifier is 43–128 characters of [A-Za-z0-9-._~]. */
export const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/
/** An S256 challenge is the base64url SHA-256 of the verifier: 43 characters. */
export const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/

export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url')

/** PKCE S256: the verifier hashes to the challenge stored with the consent (constant-time). */
export function pkceMatches (verifier: string, challenge: string): boolean {
  if (!VERIFIER_PATTERN.test(verifier)) return false
  const a = Buffer.from(s256(verifier))
  const b = Buffer.from(challenge)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Reads one cookie from a Cookie header (no dependency needed for one value). */
export function readCookie (header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}

export function sessionCookie (value: string, secure: boolean): string {
  // Lax, not Strict: the user arrives from another site (the client's or Ledgerite's page) by a top-level link.
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/model-bank/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`
}

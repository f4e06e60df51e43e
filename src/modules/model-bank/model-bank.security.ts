import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The model bank's OAuth safeguards (the PKCE S256 check, secrets kept hashed) and the names of its browser
 * session cookie and form field; the cookie, the form tokens and the headers are the shared browser layer's
 * (src/http/browser-security.ts).
 */
export const SESSION_COOKIE = 'mb_session'
export const CSRF_FIELD = 'csrf'

export const newSessionId = (): string => randomBytes(32).toString('base64url')
export const hashSecret = (value: string): string => createHash('sha256').update(value).digest('hex')

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

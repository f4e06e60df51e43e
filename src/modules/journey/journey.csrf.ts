import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { JourneyPageError } from './journey.errors.ts'

/**
 * CSRF protection for the hosted pages' forms: a double-submit cookie (HttpOnly, SameSite=Lax, Path=/data) plus
 * a hidden field that is the cookie's HMAC under the server secret, so an attacker who can plant a cookie still
 * cannot make a matching field. POSTs also pass an Origin check.
 */
export const CSRF_COOKIE = 'ledgerite_csrf'
export const CSRF_FIELD = '_csrf'

export function parseCookies (header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!header) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 1) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (!(name in out)) out[name] = value
  }
  return out
}

export function cookieHeader (name: string, value: string, options: { path: string, maxAge?: number, secure: boolean }): string {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.maxAge !== undefined ? [`Max-Age=${options.maxAge}`] : []),
    ...(options.secure ? ['Secure'] : []),
  ].join('; ')
}

const fieldFor = (secret: Buffer, cookie: string): string =>
  createHmac('sha256', secret).update(`csrf\n${cookie}`).digest('base64url')

/** The hidden-field value for this browser, setting the cookie when it has none yet. */
export function csrfField (request: FastifyRequest, reply: FastifyReply, secret: Buffer, secure: boolean): string {
  let cookie = parseCookies(request.headers.cookie)[CSRF_COOKIE]
  if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) {
    cookie = randomBytes(32).toString('base64url')
    appendSetCookie(reply, cookieHeader(CSRF_COOKIE, cookie, { path: '/data', secure }))
  }
  return fieldFor(secret, cookie)
}

export function appendSetCookie (reply: FastifyReply, value: string): void {
  const prev = reply.getHeader('set-cookie')
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)]
  reply.header('set-cookie', [...list, value])
}

/** Refuses a POST whose hidden field does not match this browser's cookie. */
export function checkCsrf (request: FastifyRequest, secret: Buffer, field: string | undefined, languageCode?: string | null): void {
  const cookie = parseCookies(request.headers.cookie)[CSRF_COOKIE]
  if (!cookie || !field) throw new JourneyPageError('form', languageCode)
  const a = Buffer.from(field)
  const b = Buffer.from(fieldFor(secret, cookie))
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new JourneyPageError('form', languageCode)
}

/**
 * Refuses a POST sent from another site. Browsers send `Origin` on form POSTs; under our
 * `Referrer-Policy: no-referrer` Chromium sends `Origin: null` even for our own forms (Fetch standard), so a null
 * or absent Origin is judged by `Sec-Fetch-Site` where the browser sends it. The CSRF token is checked as well.
 */
export function checkOrigin (request: FastifyRequest, publicUrl: string, languageCode?: string | null): void {
  const origin = request.headers.origin
  const site = request.headers['sec-fetch-site']
  if (origin && origin !== 'null') {
    if (origin !== new URL(publicUrl).origin) throw new JourneyPageError('form', languageCode)
    return
  }
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new JourneyPageError('form', languageCode)
}

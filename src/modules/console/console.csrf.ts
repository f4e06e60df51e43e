import { createHmac, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

/**
 * Cross-site request forgery defences for the Console's forms, two independent ones:
 * 1. a token in every form, bound by HMAC to the session (or, on the sign-in form, to a pre-session cookie), so a
 *    page on another site cannot produce it;
 * 2. the request's Origin (or, when a browser omits it, its Referer) must be this server.
 * SameSite=Strict cookies are a third, browser-side layer.
 */
export const CSRF_FIELD = 'csrf_token'

export function csrfToken (secret: Buffer, binding: string): string {
  return createHmac('sha256', secret).update(`console-csrf\n${binding}`).digest('base64url')
}

export function verifyCsrf (secret: Buffer, binding: string, token: unknown): boolean {
  if (typeof token !== 'string' || token.length === 0) return false
  const a = Buffer.from(token)
  const b = Buffer.from(csrfToken(secret, binding))
  return a.length === b.length && timingSafeEqual(a, b)
}

function originOf (url: string): string | undefined {
  try {
    const u = new URL(url)
    return u.origin === 'null' ? undefined : u.origin
  } catch {
    return undefined
  }
}

/**
 * Undefined when the POST comes from a page of this server; otherwise why not. Accepted origins: PUBLIC_URL's, and
 * the one the request itself was addressed to (so http://localhost:3000 works when PUBLIC_URL says 127.0.0.1).
 * A browser cannot forge either header, and a non-browser client is not a CSRF risk.
 */
export function checkOrigin (request: FastifyRequest, publicUrl: string): string | undefined {
  const allowed = new Set([originOf(publicUrl), originOf(`${request.protocol}://${request.host}`)].filter(Boolean))
  const origin = request.headers.origin
  if (origin !== undefined) {
    return allowed.has(originOf(origin)) ? undefined : `the form was sent from another origin (${origin})`
  }
  const referer = request.headers.referer
  if (referer !== undefined) {
    return allowed.has(originOf(referer)) ? undefined : 'the form was sent from another site'
  }
  return 'the request carried neither an Origin nor a Referer header'
}

import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../contract/errors.ts'
import { signer } from './signer.ts'

/**
 * The one browser-security layer of every HTML surface (the hosted pages, the model bank's pages, the Console):
 * security headers, cookies, and forms that must come from our own pages. A surface states only what differs
 * (its CSP, Referrer-Policy and cookie SameSite, what its form tokens are bound to); the rules are the same.
 */
export interface SurfaceOptions {
  /** Signs the surface's form tokens: the server secret, or a key derived from it (the bank's). */
  key: Buffer
  /** Names the tokens' signing purpose, so one surface's token never passes on another. */
  name: string
  publicUrl: string
  /** The surface's Content-Security-Policy; a page may narrow it for its own response (a style nonce). */
  csp: string
  /**
   * `no-referrer` hides the page's URL (it may carry a token) even from us, and makes browsers send our own form
   * posts with `Origin: null`; `same-origin` keeps the real Origin on them, so a post without it is refused.
   */
  referrerPolicy: 'no-referrer' | 'same-origin'
  /** Strict when the surface is only ever entered from itself (the Console); Lax when users arrive by a link. */
  sameSite: 'Lax' | 'Strict'
  /** Headers only on routes marked `config: { html: true }` (the bank's API routes share its prefix). */
  htmlOnly?: boolean
}

/** Sent with every page of every surface (X-Content-Type-Options and HSTS are the app's, on every reply). */
export const BASELINE_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
}

/** A form refused because it did not come from our page: every surface renders it as its own 403 page. */
export class FormRefusedError extends ApiError {
  constructor (readonly reason: string) {
    super('FORBIDDEN', `The form could not be verified: ${reason}. Reload the page and try again.`)
  }
}

/** Our cookie values are random base64url; anything else is not ours. */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{16,128}$/

/** The request's cookie `name` when it holds one of our values (the first of duplicates, RFC 6265 §5.4). */
export function readCookie (request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim()
      return COOKIE_VALUE.test(value) ? value : undefined
    }
  }
  return undefined
}

function originOf (url: string): string | undefined {
  try {
    const origin = new URL(url).origin
    return origin === 'null' ? undefined : origin
  } catch {
    return undefined
  }
}

export interface CookieOptions { path: string, maxAgeSeconds?: number }

export type BrowserSurface = ReturnType<typeof browserSurface>

/** Registers the surface's headers on `app` (an encapsulated plugin) and gives its cookie and form helpers. */
export function browserSurface (app: FastifyInstance, options: SurfaceOptions) {
  const secure = options.publicUrl.startsWith('https:')
  const publicOrigin = originOf(options.publicUrl)
  const tokens = signer(options.key, `${options.name}-csrf`)
  const headers = { ...BASELINE_HEADERS, 'content-security-policy': options.csp, 'referrer-policy': options.referrerPolicy }

  app.addHook('onRequest', (request, reply, done) => {
    if (!options.htmlOnly || request.routeOptions.config?.html) reply.headers(headers)
    done()
  })

  /** Always HttpOnly, the surface's SameSite, Secure on an https PUBLIC_URL; added beside cookies already set. */
  const setCookie = (reply: FastifyReply, name: string, value: string, cookie: CookieOptions): void => {
    const line = [
      `${name}=${value}`, `Path=${cookie.path}`, 'HttpOnly', `SameSite=${options.sameSite}`,
      ...(cookie.maxAgeSeconds !== undefined ? [`Max-Age=${cookie.maxAgeSeconds}`] : []),
      ...(secure ? ['Secure'] : []),
    ].join('; ')
    const prev = reply.getHeader('set-cookie')
    const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)]
    reply.header('set-cookie', [...list, line])
  }

  /**
   * Undefined when the POST comes from a page of this server; otherwise why not. Our origins: PUBLIC_URL's and the
   * one the request was addressed to (http://localhost:3000 works when PUBLIC_URL says 127.0.0.1); a browser forges
   * neither Origin nor Sec-Fetch-Site, and a client that is not a browser is no CSRF risk.
   */
  const crossSiteProblem = (request: FastifyRequest): string | undefined => {
    const site = request.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return `it was sent from another site (Sec-Fetch-Site: ${site})`
    const ours = new Set([publicOrigin, originOf(`${request.protocol}://${request.host}`)].filter(Boolean))
    const origin = request.headers.origin
    if (origin !== undefined && origin !== 'null') return ours.has(originOf(origin)) ? undefined : `it was sent from another origin (${origin})`
    if (site === 'same-origin') return undefined
    const referer = request.headers.referer
    if (referer !== undefined) return ours.has(originOf(referer)) ? undefined : 'it was sent from another site'
    // No evidence either way: under no-referrer our own forms arrive so (Origin: null, and no Sec-Fetch-Site on a
    // plain-http LAN address), and the token decides; under same-origin our forms always carry our Origin.
    if (options.referrerPolicy === 'no-referrer') return undefined
    return origin === 'null' ? 'it came from an opaque origin (Origin: null)' : 'it carried neither an Origin nor a Referer header'
  }

  return {
    secure,
    readCookie,
    setCookie,
    clearCookie: (reply: FastifyReply, name: string, path: string): void => setCookie(reply, name, '', { path, maxAgeSeconds: 0 }),
    /** A random value in a cookie of its own, made when the browser has none: what a token binds to before any session. */
    browserBinding: (request: FastifyRequest, reply: FastifyReply, name: string, cookie: CookieOptions): string => {
      const existing = readCookie(request, name)
      if (existing) return existing
      const value = randomBytes(32).toString('base64url')
      setCookie(reply, name, value, cookie)
      return value
    },
    /** The hidden field of a form, bound to what only this browser holds (a session, a cookie) and, if need be, more. */
    formToken: (...binding: string[]): string => tokens.sign(...binding),
    verifyFormToken: (token: unknown, ...binding: string[]): boolean => tokens.verify(token, ...binding),
    crossSiteProblem,
    /** Throws FormRefusedError for a POST from another site. */
    assertSameOrigin: (request: FastifyRequest): void => {
      const problem = crossSiteProblem(request)
      if (problem) throw new FormRefusedError(problem)
    },
    /** Same origin, then the token: throws FormRefusedError when either fails. */
    assertForm: (request: FastifyRequest, token: unknown, ...binding: string[]): void => {
      const problem = crossSiteProblem(request)
      if (problem) throw new FormRefusedError(problem)
      if (!tokens.verify(token, ...binding)) throw new FormRefusedError('its token is missing or does not belong to this browser')
    },
  }
}

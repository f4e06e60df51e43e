import type { LightMyRequestResponse } from 'fastify'
import type { TestApp, TestClient } from '../helpers/build-app.ts'

/** Helpers for the hosted pages' inject tests (no browser): create, open, and post forms like a browser would. */
export const RETURN_URI = 'https://your-app.com/callback'
export const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'
export const PHONE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36'

export const CONFIG = {
  1: { provider_selection: { type: 'user_selected', filter: { countries: ['GB', 'DE'] } }, user_consent: { type: 'authorization_flow_captured' }, hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI } },
  2: { provider_selection: { type: 'preselected', provider_id: 'ob-monzo' }, user_consent: { type: 'authorization_flow_captured' }, hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI } },
  3: { provider_selection: { type: 'preselected', provider_id: 'ob-monzo' }, user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' }, hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI } },
} as const

export interface Hosted {
  id: string
  token: string
  /** `/data/{id}?token=…` */
  path: string
}

export async function createHosted (app: TestApp, client: TestClient, body: Record<string, unknown>): Promise<Hosted> {
  const res = await app.inject({
    method: 'POST',
    url: '/v3/data-connections',
    headers: { ...client.auth, 'content-type': 'application/json' },
    payload: { user: { name: 'Jane Smith', email: 'jane@example.com' }, scopes: ['info', 'accounts', 'balance', 'transactions'], ...body },
  })
  if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}: ${res.body}`)
  const uri = new URL(res.json().hosted_page.uri)
  return { id: res.json().id, token: uri.searchParams.get('token')!, path: uri.pathname + uri.search }
}

/** A minimal cookie jar: what a browser would send back. */
export class Browserish {
  cookies = new Map<string, string>()
  constructor (private readonly app: TestApp, readonly userAgent = DESKTOP_UA, readonly acceptLanguage?: string) {}

  private remember (res: LightMyRequestResponse): void {
    const set = res.headers['set-cookie']
    for (const c of set === undefined ? [] : Array.isArray(set) ? set : [set]) {
      const [pair] = c.split(';')
      const eq = pair!.indexOf('=')
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1))
    }
  }

  private headers (extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': this.userAgent, ...extra }
    if (this.acceptLanguage) h['accept-language'] = this.acceptLanguage
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    return h
  }

  async get (url: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, headers: this.headers() })
    this.remember(res)
    return res
  }

  /** A form POST as Chromium sends it from our pages (Origin: null under Referrer-Policy: no-referrer). */
  async post (url: string, form: Record<string, string>, extra: Record<string, string> = { origin: 'null', 'sec-fetch-site': 'same-origin' }): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', ...extra }),
      payload: new URLSearchParams(form).toString(),
    })
    this.remember(res)
    return res
  }
}

/** The hidden CSRF field of the page's first form. */
export function csrfOf (html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html)
  if (!m) throw new Error('no CSRF field on the page')
  return m[1]!
}

export function locationOf (res: LightMyRequestResponse): string {
  const loc = res.headers.location
  if (typeof loc !== 'string') throw new Error(`no Location (status ${res.statusCode}): ${res.body.slice(0, 300)}`)
  return loc
}

export async function statusOf (app: TestApp, client: TestClient, id: string): Promise<{ status: string, failure_reason?: string }> {
  const res = await app.inject({ method: 'GET', url: `/v3/data-connections/${id}`, headers: client.auth })
  return res.json()
}

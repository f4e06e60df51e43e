import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import { ids } from '../../src/contract/ids.ts'
import { insertConnection } from '../../src/modules/connections/connection.repository.ts'
import type { NewConnectionRow } from '../../src/storage/database.ts'
import type { TestApp, TestClient } from '../helpers/build-app.ts'
import { connectionRow } from '../helpers/connection-row.ts'

/** Origin of the test app (PUBLIC_URL in buildTestApp). */
export const ORIGIN = 'http://ledgerite.test'

export function setCookies (res: LightMyRequestResponse): string[] {
  const h = res.headers['set-cookie']
  return h === undefined ? [] : Array.isArray(h) ? h : [h]
}

/** name=value pairs of the cookies a response sets (not the cleared ones). */
export function cookieJar (res: LightMyRequestResponse, jar: Record<string, string> = {}): Record<string, string> {
  for (const c of setCookies(res)) {
    const [pair, ...attrs] = c.split(';')
    const eq = pair!.indexOf('=')
    const name = pair!.slice(0, eq).trim()
    if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) delete jar[name]
    else jar[name] = pair!.slice(eq + 1).trim()
  }
  return jar
}

export const cookieHeader = (jar: Record<string, string>): string => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ')

export function csrfFrom (html: string): string {
  const m = /name="csrf_token" value="([^"]+)"/.exec(html)
  assert.ok(m, 'the page carries a CSRF token')
  return m[1]!
}

export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString()

export interface Browser {
  jar: Record<string, string>
  get (url: string): Promise<LightMyRequestResponse>
  /** POSTs a form from this origin; `csrf` defaults to the token of the last page fetched. */
  post (url: string, fields: Record<string, string>, options?: { csrf?: string | null, origin?: string | null }): Promise<LightMyRequestResponse>
  lastCsrf: string | undefined
}

/** A cookie-keeping client for the Console, like a browser. */
export function browser (h: TestApp): Browser {
  const b: Browser = {
    jar: {},
    lastCsrf: undefined,
    async get (url) {
      const res = await h.inject({ method: 'GET', url, headers: { cookie: cookieHeader(b.jar) } })
      cookieJar(res, b.jar)
      const m = /name="csrf_token" value="([^"]+)"/.exec(res.body)
      if (m) b.lastCsrf = m[1]
      return res
    },
    async post (url, fields, options = {}) {
      const csrf = options.csrf === undefined ? b.lastCsrf : options.csrf
      const origin = options.origin === undefined ? ORIGIN : options.origin
      const res = await h.inject({
        method: 'POST',
        url,
        headers: {
          cookie: cookieHeader(b.jar),
          'content-type': 'application/x-www-form-urlencoded',
          ...(origin ? { origin } : {}),
        },
        payload: form({ ...(csrf ? { csrf_token: csrf } : {}), ...fields }),
      })
      cookieJar(res, b.jar)
      return res
    },
  }
  return b
}

/** Signs in through the form, as a user would; returns the browser holding the session. */
export async function signIn (h: TestApp, c: Pick<TestClient, 'id' | 'secret'>): Promise<Browser> {
  const b = browser(h)
  await b.get('/console/sign-in')
  const res = await b.post('/console/sign-in', { client_id: c.id, client_secret: c.secret })
  assert.equal(res.statusCode, 303, res.body)
  assert.equal(res.headers.location, '/console/connections')
  await b.get('/console/connections')
  return b
}

/** A connection row as the create endpoint would store it (the Console only reads them). */
export async function seedConnection (h: TestApp, clientId: string, over: Partial<NewConnectionRow> = {}): Promise<string> {
  const id = ids.uuid()
  const now = new Date().toISOString()
  await insertConnection(h.deps.db, connectionRow({
    id,
    client_id: clientId,
    status: 'authorization_required',
    user_id: ids.uuid(),
    user_name: 'Jane Smith',
    user_email: 'jane@example.com',
    scopes: JSON.stringify(['info', 'accounts', 'balance', 'transactions']),
    provider_selection: JSON.stringify({ type: 'user_selected' }),
    user_consent: JSON.stringify({ type: 'authorization_flow_captured' }),
    hosted_page: JSON.stringify({ type: 'authorization_flow', return_uri: 'https://your-app.com/callback' }),
    data_access_type: 'recurring',
    created_at: now,
    updated_at: now,
    ...over,
  }))
  return id
}

/** A webhook receiver on a free local port answering with the codes given, in turn (the last one repeats). */
export async function receiver (t: { after: (fn: () => Promise<void>) => void }, codes: number[]): Promise<{ url: string, received: string[] }> {
  const { createServer } = await import('node:http')
  const received: string[] = []
  let i = 0
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => {
      received.push(body)
      res.statusCode = codes[Math.min(i++, codes.length - 1)]!
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(async () => { await new Promise<void>((resolve) => server.close(() => resolve())) })
  const port = (server.address() as { port: number }).port
  return { url: `http://127.0.0.1:${port}/hooks`, received }
}


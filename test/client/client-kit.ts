import { LedgeriteClient } from '../../src/client/index.ts'
import { buildTestApp, type TestApp } from '../helpers/build-app.ts'
import { freePort } from '../helpers/free-port.ts'

/** The whole app listening on a real port, its PUBLIC_URL that address, as a user's CI would run it. */
export async function listeningApp (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}): Promise<TestApp & { baseUrl: string }> {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const h = await buildTestApp(t, { PUBLIC_URL: baseUrl, ...env })
  await h.app.listen({ port, host: '127.0.0.1' })
  return Object.assign(h, { baseUrl })
}

export async function clientFor (h: TestApp & { baseUrl: string }, opts: Parameters<TestApp['client']>[0] = {}, fetchImpl?: typeof fetch) {
  const c = await h.client(opts)
  return { registered: c, api: new LedgeriteClient({ baseUrl: h.baseUrl, clientId: c.id, clientSecret: c.secret, ...(fetchImpl ? { fetch: fetchImpl } : {}) }) }
}

export const RETURN_URI = 'https://your-app.com/callback'

import type { FastifyInstance } from 'fastify'

/** The part of fetch's Response that adapters use. */
export interface HttpResponse {
  status: number
  headers: { get (name: string): string | null }
  json (): Promise<unknown>
  text (): Promise<string>
}
export type HttpFetch = (url: string, init?: { method?: string, headers?: Record<string, string>, body?: string }) => Promise<HttpResponse>

/**
 * An HTTP client that sends requests to this same app in-process (Fastify inject: the full HTTP handling,
 * no socket). The model bank is mounted in the same process, so Ledgerite talks to it this way by default;
 * with MODEL_BANK_URL set, real `fetch` is used instead.
 */
export function injectFetch (app: FastifyInstance): HttpFetch {
  return async (url, init = {}) => {
    const u = new URL(url)
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: u.pathname + u.search,
      headers: { ...(init.headers ?? {}), host: u.host },
      ...(init.body !== undefined ? { payload: init.body } : {}),
    })
    return {
      status: res.statusCode,
      headers: { get: (name: string) => { const v = res.headers[name.toLowerCase()]; return v === undefined ? null : String(v) } },
      json: async () => res.json(),
      text: async () => res.body,
    }
  }
}

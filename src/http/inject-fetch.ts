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

/**
 * The in-process bank's client, made before the app that serves it (the app is built from deps, and deps hold this
 * client): `fetch` is fixed at once, and `serveWith` hands it the built app, once. A call before that is a wiring
 * mistake, not a bank outage, so it throws.
 */
export interface InProcessFetch {
  fetch: HttpFetch
  serveWith (app: FastifyInstance): void
}
export function inProcessFetch (): InProcessFetch {
  let target: HttpFetch | undefined
  return {
    fetch: async (url, init) => {
      if (!target) throw new Error('the in-process bank was called before buildApp served it')
      return target(url, init)
    },
    serveWith (app) {
      if (target) throw new Error('the in-process bank is served by one app only: build one app per deps')
      target = injectFetch(app)
    },
  }
}

import type { FastifyRequest } from 'fastify'

/**
 * Query parameters that are credentials: the hosted-page token, signed links (`l`), hand-off codes (`h`), the
 * bank's authorisation `code` and `state`. They are single-use and short-lived, but still never written to logs.
 */
const SECRET_PARAMS = new Set(['token', 'l', 'h', 'code', 'state', 'code_verifier', 'client_secret', 'access_token'])

/** The URL with the values of credential parameters replaced by `***`. */
export function redactUrl (url: string): string {
  const q = url.indexOf('?')
  if (q === -1) return url
  const params = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=')
    const name = eq === -1 ? pair : pair.slice(0, eq)
    return eq !== -1 && SECRET_PARAMS.has(decodeURIComponentSafe(name)) ? `${name}=***` : pair
  })
  return `${url.slice(0, q)}?${params.join('&')}`
}

function decodeURIComponentSafe (s: string): string {
  try { return decodeURIComponent(s) } catch { return s }
}

/** pino serializer for requests: what Fastify logs by default, with the URL redacted and no headers. */
export function serializeRequest (req: FastifyRequest) {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip }
}

import type { FastifyInstance } from 'fastify'
import { TOKEN_SCOPES } from '../../contract/scopes.ts'
import type { Deps } from '../../deps.ts'
import { faultDetail, storageFault } from '../../storage/health.ts'
import { attemptKeys } from './auth-throttle.ts'
import { authenticateClient } from './client.repository.ts'
import { TOKEN_TTL_SECONDS } from './token.service.ts'

/**
 * POST /connect/token — client credentials → bearer JWT. Accepts form data (what real clients send) and JSON
 * (what the published description declares). Errors use the auth server's OAuth shape, not problem+json.
 */
export async function tokenRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/.well-known/jwks.json', {
    schema: { description: 'Public keys that verify access tokens (JWKS). An extension: the published contract names no key set for tokens.', 'x-ledgerite-extension': true },
  }, async () => deps.tokens.jwks())

  app.post('/connect/token', {
    // The auth server answers in OAuth's error shape, also for bodies it cannot read (RFC 6749 §5.2).
    errorHandler: (err: Error & { statusCode?: number, code?: string }, _request, reply) => {
      // The database or Redis away: "try again shortly" in OAuth's words, with the same Retry-After as the API's 503.
      const fault = storageFault(err)
      if (fault) {
        reply.log.warn({ err: { code: err.code, message: err.message } }, 'storage unavailable')
        return reply.code(503).header('cache-control', 'no-store').header('retry-after', String(fault.retryAfterSeconds))
          .send({ error: 'temporarily_unavailable', error_description: faultDetail(fault) })
      }
      const status = err.statusCode === 413 ? 413 : err.statusCode && err.statusCode < 500 ? 400 : 500
      const description = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'Send the body as application/x-www-form-urlencoded (or application/json).'
        : status === 413 ? 'The request body is too large.' : status === 400 ? 'The request body could not be read; send form fields grant_type, client_id, client_secret and scope.' : 'The token could not be issued.'
      if (status === 500) reply.log.error({ err }, 'token endpoint failed')
      return reply.code(status).header('cache-control', 'no-store').send({ error: status === 500 ? 'internal_server_error' : 'invalid_request', error_description: description })
    },
  }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const oauthError = (status: number, error: string, description: string) =>
      reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description })

    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined)
    const grantType = str('grant_type')
    // Credentials may also come as HTTP Basic (RFC 6749 §2.3.1).
    let clientId = str('client_id')
    let clientSecret = str('client_secret')
    const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '')
    if (basic) {
      const [id, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')
      try {
        clientId = decodeURIComponent(id ?? '')
        clientSecret = decodeURIComponent(rest.join(':'))
      } catch {
        return oauthError(401, 'invalid_client', 'The HTTP Basic credentials are not validly form-encoded.')
      }
    }

    if (!grantType) return oauthError(400, 'invalid_request', 'grant_type is required; use grant_type=client_credentials.')
    if (grantType !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', `grant_type ${JSON.stringify(grantType)} is not supported; use client_credentials.`)
    }
    if (!clientId || !clientSecret) return oauthError(401, 'invalid_client', 'client_id and client_secret are required.')
    // Too many wrong secrets for this client id or from this address: refused before the secret is even checked,
    // so guessing cannot go on behind the refusals (auth-throttle.ts).
    const now = deps.clock.realNow()
    const keys = attemptKeys(request.ip, clientId)
    const wait = await deps.authThrottle.retryAfter(keys, now)
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      return oauthError(429, 'slow_down', `Too many failed attempts for this client or from this address: try again in ${wait} s.`)
    }
    const client = await authenticateClient(deps.db, clientId, clientSecret)
    if (!client) {
      await deps.authThrottle.fail(keys, now)
      return oauthError(401, 'invalid_client', 'The client credentials you have entered are incorrect.')
    }

    const requested = (str('scope') ?? '').split(/\s+/).filter(Boolean)
    if (requested.length === 0) return oauthError(400, 'invalid_scope', `scope is required; request "data" for the Data API.`)
    const unknown = requested.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s))
    if (unknown.length > 0) {
      return oauthError(400, 'invalid_scope', `Unknown scope(s): ${unknown.join(', ')}. This server grants: ${TOKEN_SCOPES.join(', ')}.`)
    }
    const scopes = [...new Set(requested)]
    const accessToken = await deps.tokens.issue(client.id, scopes)
    return reply.header('cache-control', 'no-store').send({
      access_token: accessToken, expires_in: TOKEN_TTL_SECONDS, token_type: 'Bearer', scope: scopes.join(' '),
    })
  })
}

import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../contract/errors.ts'
import { TOKEN_SCOPES } from '../../contract/scopes.ts'
import type { Deps } from '../../deps.ts'
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

  // No body schema: a validation error would not be OAuth's answer. Any JSON or form body may arrive, so each field is checked below.
  app.post<{ Body: Record<string, unknown> | null | undefined }>('/connect/token', {
    // The auth server answers in OAuth's error shape, also for bodies it cannot read (RFC 6749 §5.2): the error
    // handler renders every refusal of this route from the OAuth entries of the catalogue (contract/errors.ts).
    config: { oauth: true },
  }, async (request, reply) => {
    const body = request.body ?? {}
    const str = (k: string) => {
      const value = body[k]
      return typeof value === 'string' ? value : undefined
    }
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
        throw new ApiError('OAUTH_INVALID_CLIENT', 'The HTTP Basic credentials are not validly form-encoded.')
      }
    }

    if (!grantType) throw new ApiError('OAUTH_INVALID_REQUEST', 'grant_type is required; use grant_type=client_credentials.')
    if (grantType !== 'client_credentials') {
      throw new ApiError('OAUTH_UNSUPPORTED_GRANT_TYPE', `grant_type ${JSON.stringify(grantType)} is not supported; use client_credentials.`)
    }
    if (!clientId || !clientSecret) throw new ApiError('OAUTH_INVALID_CLIENT', 'client_id and client_secret are required.')
    // Too many wrong secrets for this client id or from this address: refused before the secret is even checked,
    // so guessing cannot go on behind the refusals (auth-throttle.ts).
    const now = deps.clock.realNow()
    const keys = attemptKeys(request.ip, clientId)
    const wait = await deps.authThrottle.retryAfter(keys, now)
    if (wait > 0) {
      throw new ApiError('OAUTH_SLOW_DOWN', `Too many failed attempts for this client or from this address: try again in ${wait} s.`, { headers: { 'retry-after': String(wait) } })
    }
    const client = await authenticateClient(deps.db, clientId, clientSecret)
    if (!client) {
      await deps.authThrottle.fail(keys, now)
      throw new ApiError('OAUTH_INVALID_CLIENT', 'The client credentials you have entered are incorrect.')
    }

    const requested = (str('scope') ?? '').split(/\s+/).filter(Boolean)
    if (requested.length === 0) throw new ApiError('OAUTH_INVALID_SCOPE', `scope is required; request "data" for the Data API.`)
    const unknown = requested.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s))
    if (unknown.length > 0) {
      throw new ApiError('OAUTH_INVALID_SCOPE', `Unknown scope(s): ${unknown.join(', ')}. This server grants: ${TOKEN_SCOPES.join(', ')}.`)
    }
    const scopes = [...new Set(requested)]
    const accessToken = await deps.tokens.issue(client.id, scopes)
    return reply.header('cache-control', 'no-store').send({
      access_token: accessToken, expires_in: TOKEN_TTL_SECONDS, token_type: 'Bearer', scope: scopes.join(' '),
    })
  })
}

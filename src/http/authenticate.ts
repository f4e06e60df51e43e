import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../contract/errors.ts'
import { DATA_TOKEN_SCOPE } from '../contract/scopes.ts'
import type { TokenService } from '../modules/auth/token.service.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated client (set by `requireDataToken`). */
    clientId: string
  }
}

/**
 * preHandler for every Data API route: a valid bearer token (401 otherwise) that carries the `data` scope
 * (403 otherwise). The token is checked against our own key, so a forged, expired or foreign token is 401.
 */
export function requireDataToken (tokens: TokenService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization
    if (!header) throw new ApiError('UNAUTHENTICATED')
    const m = /^Bearer\s+([A-Za-z0-9_\-.]+)$/.exec(header)
    if (!m) throw new ApiError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <access token>".')
    const claims = await tokens.verify(m[1]!)
    if (!claims) throw new ApiError('UNAUTHENTICATED', 'The access token is invalid or expired; request a new one from /connect/token.')
    if (!claims.scopes.includes(DATA_TOKEN_SCOPE)) {
      throw new ApiError('FORBIDDEN', 'The access token does not carry the "data" scope; request a token with scope=data.')
    }
    request.clientId = claims.clientId
  }
}

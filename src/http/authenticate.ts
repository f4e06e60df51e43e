import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../contract/errors.ts'
import { DATA_TOKEN_SCOPE } from '../contract/scopes.ts'
import type { TokenClaims, TokenService } from '../modules/auth/token.service.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated client (set by `requireDataToken`). */
    clientId: string
  }
}

/** Verified tokens remembered per token service, so a client reusing its token (they all do) is checked once. */
const VERIFIED_CACHE_SIZE = 1000
const verifiedCaches = new WeakMap<TokenService, Map<string, { claims: TokenClaims, expiresAtMs: number }>>()

/**
 * The token's claims, verified. Verifying an RS256 signature is the largest single cost of a small Data API call
 * (profile: ~10 % of connected-accounts' busy time), and the same token string verifies the same way until it
 * expires: the signing key never changes under a running process. So a verified token is remembered, by its exact
 * text, until its own `exp`; any other text (a forged or altered token) is verified in full.
 */
async function verifyCached (tokens: TokenService, token: string): Promise<TokenClaims | undefined> {
  let cache = verifiedCaches.get(tokens)
  if (!cache) verifiedCaches.set(tokens, cache = new Map())
  const hit = cache.get(token)
  if (hit) {
    if (Date.now() < hit.expiresAtMs) return hit.claims
    cache.delete(token)
  }
  const claims = await tokens.verify(token)
  if (!claims) return undefined
  // Verified above, so the payload's `exp` can be read as is.
  const exp = Number(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).exp)
  if (Number.isFinite(exp)) {
    if (cache.size >= VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value!)
    cache.set(token, { claims, expiresAtMs: exp * 1000 })
  }
  return claims
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
    const claims = await verifyCached(tokens, m[1]!)
    if (!claims) throw new ApiError('UNAUTHENTICATED', 'The access token is invalid or expired; request a new one from /connect/token.')
    if (!claims.scopes.includes(DATA_TOKEN_SCOPE)) {
      throw new ApiError('FORBIDDEN', 'The access token does not carry the "data" scope; request a token with scope=data.')
    }
    request.clientId = claims.clientId
  }
}

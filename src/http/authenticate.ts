import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { ApiError } from '../contract/errors.ts'
import { DATA_TOKEN_SCOPE } from '../contract/scopes.ts'
import type { Client } from '../modules/auth/client.repository.ts'
import type { TokenClaims, TokenService } from '../modules/auth/token.service.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated client (set by the authenticated scope, or `requireDataToken`). */
    clientId: string
    /**
     * The client's virtual clock offset, read with the token check in the same query of the client's row: pass it to
     * `deps.clock.now(clientId, offset)` to save reading the row again. Fresh per request, so an advance made by one
     * request is seen by the next.
     */
    clockOffsetSeconds?: number
    /** The authenticated client's settings, read in that same query (set only in the authenticated scope). */
    client?: Client
  }
  interface FastifyContextConfig {
    /** Scopes the route's token must carry: its declared `security` (set when the route joins the authenticated scope). */
    tokenScopes?: string[]
  }
}

/** The security scheme every Ledgerite-token route declares (src/http/openapi.ts). */
export const TOKEN_SCHEME = 'OAuth2'

/** Verified tokens remembered per token service, so a client reusing its token (they all do) is checked once. */
const VERIFIED_CACHE_SIZE = 1000
const verifiedCaches = new WeakMap<TokenService, Map<string, { claims: TokenClaims, expiresAtMs: number }>>()

/**
 * The token's claims, verified. Verifying an RS256 signature is the largest single cost of a small Data API call
 * (profile: ~10 % of connected-accounts' busy time), and the same token string verifies the same way until it
 * expires: the signing key never changes under a running process. So a verified signature is remembered, by the
 * token's exact text, until its own `exp`; any other text (a forged or altered token) is verified in full. Whether
 * the token still stands (its client not deleted, its secret not rotated) is not remembered: see `authenticate`.
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
 * A valid bearer token (401 otherwise) that still stands (401: its client was deleted or rotated its secret — read
 * from the database on every request, so every process refuses it at once) and carries `scopes` (403 otherwise).
 */
async function authenticate (tokens: TokenService, request: FastifyRequest, scopes: readonly string[]): Promise<void> {
  const header = request.headers.authorization
  if (!header) throw new ApiError('UNAUTHENTICATED')
  const m = /^Bearer\s+([A-Za-z0-9_\-.]+)$/.exec(header)
  if (!m) throw new ApiError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <access token>".')
  const claims = await verifyCached(tokens, m[1]!)
  if (!claims) throw new ApiError('UNAUTHENTICATED', 'The access token is invalid or expired; request a new one from /connect/token.')
  const standing = await tokens.standing(claims)
  if (!standing) {
    throw new ApiError('UNAUTHENTICATED', 'The access token was revoked: its client was deleted or its secret rotated. Request a new one from /connect/token with the current secret.')
  }
  const missing = scopes.filter((s) => !claims.scopes.includes(s))
  if (missing.length > 0) {
    throw new ApiError('FORBIDDEN', `The access token does not carry the ${missing.map((s) => `"${s}"`).join(', ')} scope; request a token with scope=${missing.join('%20')}.`)
  }
  request.clientId = claims.clientId
  request.clockOffsetSeconds = standing.clockOffsetSeconds
  request.client = standing.client
}

/** The scopes a route declares for Ledgerite's token (`security: [{ OAuth2: [...] }]`), or undefined when it declares none. */
export function declaredTokenScopes (route: Pick<RouteOptions, 'schema'>): string[] | undefined {
  const security = (route.schema as { security?: Array<Record<string, string[]>> } | undefined)?.security
  const requirement = security?.find((r) => Object.hasOwn(r, TOKEN_SCHEME))
  return requirement ? [...requirement[TOKEN_SCHEME]!] : undefined
}

/**
 * Makes `scope` (a plugin context) the authenticated scope: every route registered in it afterwards answers only
 * to a valid token with the scopes the route declares, checked in `onRequest` — before the body is read, parsed or
 * validated, so an unauthenticated caller learns nothing from how its request would have been judged. A route that
 * declares no security gets the Data API's (`data`), in its schema too, so /openapi.json states what is enforced.
 * The route-contract test checks the other direction: every operation declaring it answers 401 first.
 */
export function useTokenAuthentication (scope: FastifyInstance, tokens: TokenService): void {
  scope.addHook('onRoute', (route) => {
    let scopes = declaredTokenScopes(route)
    if (!scopes) {
      scopes = [DATA_TOKEN_SCOPE]
      route.schema = { ...(route.schema ?? {}), security: [{ [TOKEN_SCHEME]: scopes }] } as typeof route.schema
    }
    route.config = { ...(route.config ?? {}), tokenScopes: scopes }
  })
  scope.addHook('onRequest', async (request) => {
    await authenticate(tokens, request, request.routeOptions.config.tokenScopes ?? [DATA_TOKEN_SCOPE])
  })
}

/**
 * The same check as a route's own hook, for a route that answers to Ledgerite's token outside the Data API (the
 * model bank's sandbox approval). Data API routes belong in the authenticated scope instead (app.ts).
 */
export function requireDataToken (tokens: TokenService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => authenticate(tokens, request, [DATA_TOKEN_SCOPE])
}

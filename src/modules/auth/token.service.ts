import { jwtVerify, SignJWT, createLocalJWKSet, type JWK } from 'jose'
import { ids } from '../../contract/ids.ts'
import type { ClientStanding } from './client-secret.ts'
import type { SigningKey } from './signing-keys.ts'

/** Access tokens live one hour, like the real service's default. */
export const TOKEN_TTL_SECONDS = 3600

export interface TokenClaims {
  clientId: string
  scopes: string[]
  /** The client's token generation when the token was issued (src/modules/auth/client-secret.ts); 0 when absent. */
  generation: number
}

/** The client's current token generation and clock offset, or undefined for a client that no longer exists. */
export type StandingLookup = (clientId: string) => Promise<ClientStanding | undefined>

export interface TokenService {
  issue (clientId: string, scopes: string[]): Promise<string>
  /** The verified claims, or undefined for a token that is malformed, forged, expired or not ours. */
  verify (token: string): Promise<TokenClaims | undefined>
  /**
   * Whether verified claims still stand — their client exists and has not rotated its secret since — and, if they do,
   * the client's standing (its clock offset with it). Read from the database on every call, so a deletion or
   * rotation is seen at once by every process.
   */
  standing (claims: TokenClaims): Promise<ClientStanding | undefined>
  jwks (): { keys: JWK[] }
}

export function createTokenService (key: SigningKey, issuer: string, standingOf: StandingLookup): TokenService {
  const jwks = { keys: [key.publicJwk] }
  const keySet = createLocalJWKSet(jwks)
  return {
    jwks: () => jwks,
    issue: async (clientId, scopes) => new SignJWT({ client_id: clientId, scope: scopes, gen: (await standingOf(clientId))?.tokenGeneration ?? 0 })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience('data_api')
      .setSubject(clientId)
      .setJti(ids.uuid())
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
      .sign(key.privateKey),
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, keySet, { issuer, audience: 'data_api', algorithms: [key.alg] })
        const clientId = payload.client_id
        const scope = payload.scope
        const generation = payload.gen ?? 0
        if (typeof clientId !== 'string' || !Array.isArray(scope) || typeof generation !== 'number' || !Number.isSafeInteger(generation)) return undefined
        return { clientId, scopes: scope.map(String), generation }
      } catch {
        return undefined
      }
    },
    standing: async (claims) => {
      const standing = await standingOf(claims.clientId)
      return standing?.tokenGeneration === claims.generation ? standing : undefined
    },
  }
}

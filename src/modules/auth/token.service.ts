import { jwtVerify, SignJWT, createLocalJWKSet, type JWK } from 'jose'
import { ids } from '../../contract/ids.ts'
import type { SigningKey } from './signing-keys.ts'

/** Access tokens live one hour, like the real service's default. */
export const TOKEN_TTL_SECONDS = 3600

export interface TokenClaims {
  clientId: string
  scopes: string[]
  /** The client's token generation when the token was issued (src/modules/auth/client-secret.ts); 0 when absent. */
  generation: number
}

/** The client's current token generation, or undefined for a client that no longer exists. */
export type GenerationLookup = (clientId: string) => Promise<number | undefined>

export interface TokenService {
  issue (clientId: string, scopes: string[]): Promise<string>
  /** The verified claims, or undefined for a token that is malformed, forged, expired or not ours. */
  verify (token: string): Promise<TokenClaims | undefined>
  /**
   * Whether verified claims still stand: their client exists and has not rotated its secret since. Read from the
   * database on every call, so a deletion or rotation is seen at once by every process.
   */
  isCurrent (claims: TokenClaims): Promise<boolean>
  jwks (): { keys: JWK[] }
}

export function createTokenService (key: SigningKey, issuer: string, generationOf: GenerationLookup): TokenService {
  const jwks = { keys: [key.publicJwk] }
  const keySet = createLocalJWKSet(jwks)
  return {
    jwks: () => jwks,
    issue: async (clientId, scopes) => new SignJWT({ client_id: clientId, scope: scopes, gen: (await generationOf(clientId)) ?? 0 })
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
    isCurrent: async (claims) => (await generationOf(claims.clientId)) === claims.generation,
  }
}

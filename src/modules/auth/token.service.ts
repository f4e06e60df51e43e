import { jwtVerify, SignJWT, createLocalJWKSet, type JWK } from 'jose'
import { ids } from '../../contract/ids.ts'
import type { SigningKey } from './signing-keys.ts'

/** Access tokens live one hour, like the real service's default. */
export const TOKEN_TTL_SECONDS = 3600

export interface TokenClaims {
  clientId: string
  scopes: string[]
}

export interface TokenService {
  issue (clientId: string, scopes: string[]): Promise<string>
  /** The verified claims, or undefined for a token that is malformed, forged, expired or not ours. */
  verify (token: string): Promise<TokenClaims | undefined>
  jwks (): { keys: JWK[] }
}

export function createTokenService (key: SigningKey, issuer: string): TokenService {
  const jwks = { keys: [key.publicJwk] }
  const keySet = createLocalJWKSet(jwks)
  return {
    jwks: () => jwks,
    issue: (clientId, scopes) => new SignJWT({ client_id: clientId, scope: scopes })
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
        if (typeof clientId !== 'string' || !Array.isArray(scope)) return undefined
        return { clientId, scopes: scope.map(String) }
      } catch {
        return undefined
      }
    },
  }
}

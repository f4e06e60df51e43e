import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import type { Kysely } from 'kysely'
import { ids } from '../../contract/ids.ts'
import { isUniqueViolation } from '../../storage/dialect.ts'
import type { Database } from '../../storage/database.ts'

export interface SigningKey {
  kid: string
  alg: string
  privateKey: CryptoKey
  publicJwk: JWK
}

/**
 * Returns the signing key for `use`, making and storing it on first start. Several processes starting together
 * race to insert; the loser reads the winner's key, so all processes sign with one key.
 */
export async function loadOrCreateKey (db: Kysely<Database>, use: 'token' | 'webhook', alg: 'RS256' | 'ES512'): Promise<SigningKey> {
  const existing = await db.selectFrom('signing_keys').selectAll().where('use', '=', use).orderBy('created_at', 'desc').executeTakeFirst()
  if (existing) return fromRow(existing)
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const kid = ids.uuid()
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg }
  try {
    await db.insertInto('signing_keys').values({
      kid, use, alg, private_jwk: JSON.stringify(privateJwk), public_jwk: JSON.stringify(publicJwk), created_at: new Date().toISOString(),
    }).execute()
  } catch (err) {
    if (!isUniqueViolation(err)) throw err
  }
  const row = await db.selectFrom('signing_keys').selectAll().where('use', '=', use).orderBy('created_at', 'desc').executeTakeFirstOrThrow()
  return fromRow(row)
}

async function fromRow (row: { kid: string, alg: string, private_jwk: string, public_jwk: string }): Promise<SigningKey> {
  const privateKey = await importJWK(JSON.parse(row.private_jwk), row.alg, { extractable: true }) as CryptoKey
  return { kid: row.kid, alg: row.alg, privateKey, publicJwk: JSON.parse(row.public_jwk) }
}

/** The private key as PKCS#8 PEM (the webhook signer needs PEM). */
export async function privateKeyPem (key: SigningKey): Promise<string> {
  const { exportPKCS8 } = await import('jose')
  return exportPKCS8(key.privateKey)
}

import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { ApiError } from '../../contract/errors.ts'
import { signer } from '../../http/signer.ts'
import type { BankTppTable, Database } from '../../storage/database.ts'
import { hashSecret } from './model-bank.security.ts'

/**
 * The third parties (TPPs) the model bank has registered, as a real bank registers the apps allowed to call its
 * API: a client id, a secret (only its SHA-256 is kept), a display name and the redirect URIs browsers may be sent
 * back to. Only a registered TPP, authenticated by HTTP Basic (`client_id:client_secret`), may call the bank's
 * server-to-server API.
 *
 * Ledgerite registers itself with its in-process bank at start-up as `ledgerite`. Its secret is derived from the
 * server secret, so every process sharing the database derives the same one and none overwrites another's.
 */
export type BankTpp = Selectable<BankTppTable>

export const IN_PROCESS_TPP_ID = 'ledgerite'

export interface TppCredentials { clientId: string, clientSecret: string }

export function inProcessTppCredentials (serverSecret: Buffer): TppCredentials {
  const clientSecret = signer(serverSecret, 'model-bank tpp secret').sign()
  return { clientId: IN_PROCESS_TPP_ID, clientSecret }
}

function parseBasic (header: string | undefined): TppCredentials | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '')
  if (!m) return undefined
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return undefined
  const dec = (s: string) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')) } catch { return undefined } }
  const clientId = dec(decoded.slice(0, colon))
  const clientSecret = dec(decoded.slice(colon + 1))
  return clientId && clientSecret ? { clientId, clientSecret } : undefined
}

const unauthenticated = (detail: string) =>
  new ApiError('UNAUTHENTICATED', detail, { headers: { 'WWW-Authenticate': 'Basic realm="model-bank", charset="UTF-8"' } })

/**
 * The registered TPP a request comes from, by its HTTP Basic credentials: in `Authorization`, or in
 * `X-Client-Authorization` on calls whose `Authorization` carries the consent's bearer token (where a real bank
 * would know the TPP from its mTLS certificate). 401 otherwise; a wrong secret is told apart from nothing.
 */
export async function authenticateTpp (db: Kysely<Database>, headers: Record<string, string | string[] | undefined>): Promise<BankTpp> {
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined
  const raw = authorization && /^Basic\s/i.test(authorization) ? authorization : headers['x-client-authorization']
  const header = typeof raw === 'string' ? raw : undefined
  if (!header) {
    throw unauthenticated('The model bank answers registered third parties only: send the client credentials it issued as HTTP Basic ' +
      '(Authorization, or X-Client-Authorization next to a bearer token).')
  }
  const creds = parseBasic(header)
  if (!creds) throw unauthenticated('The client credentials must be HTTP Basic: base64 of client_id:client_secret.')
  const tpp = await db.selectFrom('bank_tpps').selectAll().where('tpp_id', '=', creds.clientId).executeTakeFirst()
  const given = Buffer.from(hashSecret(creds.clientSecret))
  // Compared in constant time, and against a dummy when the id is unknown, so timing tells nothing about ids.
  const stored = Buffer.from(tpp?.secret_hash ?? hashSecret(randomBytes(16).toString('hex')))
  if (!tpp || !(given.length === stored.length && timingSafeEqual(given, stored))) {
    throw unauthenticated('The client credentials are not valid at this bank.')
  }
  return tpp
}

export const redirectUrisOf = (tpp: BankTpp): string[] => JSON.parse(tpp.redirect_uris) as string[]

/**
 * Registers (or refreshes) a TPP with known credentials: its secret and name are set, and its redirect URIs gain
 * the ones given (a process with another PUBLIC_URL adds its own callback without removing the others').
 */
export async function registerTpp (
  db: Kysely<Database>,
  input: { credentials: TppCredentials, name: string, redirectUris: string[] },
  now: Date,
): Promise<void> {
  const secretHash = hashSecret(input.credentials.clientSecret)
  await db.insertInto('bank_tpps')
    .values({ tpp_id: input.credentials.clientId, secret_hash: secretHash, name: input.name, redirect_uris: JSON.stringify(input.redirectUris), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('tpp_id').doUpdateSet({ secret_hash: secretHash, name: input.name }))
    .execute()
  // Compare-and-set on the list, so two processes starting together both land their URI.
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await db.selectFrom('bank_tpps').select('redirect_uris').where('tpp_id', '=', input.credentials.clientId).executeTakeFirstOrThrow()
    const current = JSON.parse(row.redirect_uris) as string[]
    const missing = input.redirectUris.filter((u) => !current.includes(u))
    if (missing.length === 0) return
    const r = await db.updateTable('bank_tpps').set({ redirect_uris: JSON.stringify([...current, ...missing]) })
      .where('tpp_id', '=', input.credentials.clientId).where('redirect_uris', '=', row.redirect_uris).executeTakeFirst()
    if (Number(r.numUpdatedRows) === 1) return
  }
}

/** A new TPP with fresh random credentials (another Ledgerite that uses this process's bank through MODEL_BANK_URL). */
export async function createTpp (db: Kysely<Database>, input: { name: string, redirectUris: string[] }, now: Date): Promise<TppCredentials> {
  const credentials = { clientId: `tpp_${randomBytes(12).toString('hex')}`, clientSecret: randomBytes(32).toString('base64url') }
  await registerTpp(db, { credentials, ...input }, now)
  return credentials
}

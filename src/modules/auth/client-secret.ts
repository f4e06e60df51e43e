import type { Kysely } from 'kysely'
import { ids, sha256 } from '../../contract/ids.ts'
import type { Database } from '../../storage/database.ts'
import { prepared } from '../../storage/prepared.ts'
import { type Client, toClient } from './client.repository.ts'

/**
 * A client's secret and the tokens issued under it. Every access token carries the client's token generation
 * (claim `gen`); rotating the secret moves the generation on in the same statement, and every authenticated
 * request compares the two (src/http/authenticate.ts). So a rotated or deleted client's tokens are refused at
 * once, by every process sharing the database: nothing is remembered in memory that could disagree.
 */

/** A new secret for the client, to be shown once; undefined for an unknown client. The old secret and tokens stop working. */
export async function rotateSecret (db: Kysely<Database>, clientId: string): Promise<string | undefined> {
  const secret = ids.token()
  const r = await db.updateTable('clients')
    .set((eb) => ({ secret_hash: sha256(secret), token_generation: eb('token_generation', '+', 1) }))
    .where('id', '=', clientId)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0 ? secret : undefined
}

/** What an authenticated request needs of its client's row, read in one query (src/http/authenticate.ts). */
export interface ClientStanding {
  /** The generation the client's tokens must carry. */
  tokenGeneration: number
  /** The client's virtual clock offset (src/modules/clock/clock.ts), as of this read. */
  clockOffsetSeconds: number
  /** The client's settings, as of this read: the request's handler needs no second read of the same row. */
  client: Client
}

const clientRow = prepared(1, (db, clientId: string) => db.selectFrom('clients').selectAll().where('id', '=', clientId))

/**
 * The client's row, or undefined when the client no longer exists. One read serves the token check, the request's
 * "now" (clock offsets read here are as fresh as the revocation check) and the handler's view of the client's
 * settings (create-connection reads its redirect URIs, licence and unknown-fields choice): profile of create-connection,
 * a second read of the same row was ~10 % of its database time.
 */
export async function clientStanding (db: Kysely<Database>, clientId: string): Promise<ClientStanding | undefined> {
  // Every authenticated request reads this: built once (storage/prepared.ts).
  const row = await clientRow.first(db, clientId)
  if (!row) return undefined
  const client = toClient(row)
  return { tokenGeneration: Number(row.token_generation), clockOffsetSeconds: client.clockOffsetSeconds, client }
}

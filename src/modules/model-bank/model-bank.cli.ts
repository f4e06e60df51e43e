import { parseArgs } from 'node:util'
import { loadConfig } from '../../config.ts'
import { createDb } from '../../storage/create-db.ts'
import { migrateToLatest } from '../../storage/migrate.ts'
import { createTpp } from './model-bank.tpps.ts'

export const MODEL_BANK_USAGE = `  model-bank register --name NAME --redirect-uri URI [--redirect-uri URI …]
                                          registers another Ledgerite with this server's model bank; prints the
                                          client id and secret it sets as MODEL_BANK_CLIENT_ID / _SECRET (its
                                          redirect URI is its PUBLIC_URL followed by /data/callback)`

/** A problem with the command line, for the CLI to print. */
export class ModelBankCliError extends Error {}

/**
 * `ledgerite model-bank register`: how the operator of a model bank registers a third party (another Ledgerite that
 * reaches this bank through MODEL_BANK_URL), as a real bank onboards a TPP. Answers what to print.
 */
export async function modelBankCommand (args: string[]): Promise<{ client_id: string, client_secret: string }> {
  const [sub, ...rest] = args
  if (sub !== 'register') throw new ModelBankCliError(`unknown model-bank command ${JSON.stringify(sub ?? '')}; use: model-bank register`)
  const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, 'redirect-uri': { type: 'string', multiple: true } } })
  const name = values.name?.trim()
  if (!name || name.length > 200) throw new ModelBankCliError('model-bank register needs --name NAME (1 to 200 characters): shown to users on the bank\'s page')
  const redirectUris = values['redirect-uri'] ?? []
  if (redirectUris.length === 0) throw new ModelBankCliError('model-bank register needs at least one --redirect-uri URI (the other Ledgerite\'s PUBLIC_URL/data/callback)')
  for (const uri of redirectUris) {
    let ok = false
    try {
      const u = new URL(uri)
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && !u.hash && uri.length <= 2000
    } catch { /* not a URL */ }
    if (!ok) throw new ModelBankCliError(`--redirect-uri ${uri}: expected an absolute http(s) URL without a fragment`)
  }
  const db = createDb(loadConfig().databaseUrl)
  try {
    await migrateToLatest(db.kysely)
    const creds = await createTpp(db.kysely, { name, redirectUris }, new Date())
    return { client_id: creds.clientId, client_secret: creds.clientSecret }
  } finally {
    await db.close()
  }
}

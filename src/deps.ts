import type { Kysely } from 'kysely'
import type { Config } from './config.ts'
import { type Clock, createClock } from './modules/clock/clock.ts'
import { loadOrCreateKey, type SigningKey } from './modules/auth/signing-keys.ts'
import { createTokenService, type TokenService } from './modules/auth/token.service.ts'
import { createDb, type Db } from './storage/create-db.ts'
import type { Database } from './storage/database.ts'
import type { DialectName } from './storage/dialect.ts'
import { migrateToLatest } from './storage/migrate.ts'
import { Workers } from './workers.ts'

/**
 * The composition root: everything a module needs, made once per process and passed down explicitly.
 * Modules add their own services here rather than reading globals.
 */
export interface Deps {
  config: Config
  db: Kysely<Database>
  dialect: DialectName
  clock: Clock
  tokens: TokenService
  /** ES512 key that signs webhooks; its public half is served at /.well-known/jwks. */
  webhookKey: SigningKey
  workers: Workers
  /** Closes what createDeps opened (database, Redis). */
  close: () => Promise<void>
}

export interface DepsOptions {
  /** An already-open database (tests). */
  db?: Db
  /** A fixed or controllable base time (tests). */
  now?: () => Date
  onWorkerError?: (worker: string, err: unknown) => void
}

export async function createDeps (config: Config, options: DepsOptions = {}): Promise<Deps> {
  const db = options.db ?? createDb(config.databaseUrl)
  await migrateToLatest(db.kysely, db.schema)
  const tokenKey = await loadOrCreateKey(db.kysely, 'token', 'RS256')
  const webhookKey = await loadOrCreateKey(db.kysely, 'webhook', 'ES512')
  const closers: Array<() => Promise<void>> = [db.close]
  return {
    config,
    db: db.kysely,
    dialect: db.dialect,
    clock: createClock(db.kysely, options.now),
    tokens: createTokenService(tokenKey, config.publicUrl),
    webhookKey,
    workers: new Workers(options.onWorkerError ?? ((name, err) => console.error(`worker ${name} failed`, err))),
    close: async () => {
      for (const c of closers.reverse()) await c()
    },
  }
}

import { randomBytes } from 'node:crypto'
import { type TestContext, test } from 'node:test'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { buildApp } from '../../src/app.ts'
import { type Config, loadConfig } from '../../src/config.ts'
import { createDeps, type Deps } from '../../src/deps.ts'
import { createClient } from '../../src/modules/auth/client.repository.ts'
import { createDb, type Db } from '../../src/storage/create-db.ts'
import { migrateToLatest } from '../../src/storage/migrate.ts'
import { loadOrCreateKey } from '../../src/modules/auth/signing-keys.ts'
import type { ExtensionWebhookType } from '../../src/modules/webhooks/webhook.event-types.ts'

/**
 * Where the suite runs: SQLite in memory by default, PostgreSQL when TEST_DATABASE_URL=postgres://… is set.
 * On PostgreSQL each app gets its own schema, so test files can run in parallel without seeing each other.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'sqlite::memory:'
export const DIALECT = TEST_DATABASE_URL.startsWith('postgres') ? 'postgres' : 'sqlite'

export async function openTestDb (): Promise<{ db: Db, drop: () => Promise<void> }> {
  if (DIALECT === 'sqlite') {
    const db = createDb(TEST_DATABASE_URL)
    return { db, drop: async () => {} }
  }
  const schema = `t_${randomBytes(6).toString('hex')}`
  const admin = createDb(TEST_DATABASE_URL)
  await sql`create schema ${sql.id(schema)}`.execute(admin.kysely)
  await admin.close()
  const db = createDb(TEST_DATABASE_URL, { schema })
  return {
    db,
    drop: async () => {
      const a = createDb(TEST_DATABASE_URL)
      await sql`drop schema ${sql.id(schema)} cascade`.execute(a.kysely)
      await a.close()
    },
  }
}

/**
 * Key generation (RSA + P-521) costs ~200 ms; tests make the keys once per process and copy them into each
 * fresh database, which is what createDeps would otherwise do on a first start.
 */
let keyRows: Array<Record<string, string>> | undefined
async function seedSigningKeys (db: Db): Promise<void> {
  if (!keyRows) {
    const scratch = createDb('sqlite::memory:')
    await migrateToLatest(scratch.kysely)
    await loadOrCreateKey(scratch.kysely, 'token', 'RS256')
    await loadOrCreateKey(scratch.kysely, 'webhook', 'ES512')
    keyRows = await scratch.kysely.selectFrom('signing_keys').selectAll().execute()
    await scratch.close()
  }
  await migrateToLatest(db.kysely, db.schema)
  for (const row of keyRows) await db.kysely.insertInto('signing_keys').values(row as never).execute()
}

/** Deps as the app sees them, except that a test may swap a service (a failing bank, a counting clock). */
export type TestDeps = { -readonly [K in keyof Deps]: Deps[K] }

export interface TestApp {
  app: FastifyInstance
  deps: TestDeps
  config: Config
  /** Registers a client; defaults suit the contract's examples (return URI https://your-app.com/callback). */
  client (opts?: { name?: string, redirectUris?: string[], webhookUri?: string | null, aispLicence?: boolean, webhookExtensionEvents?: ExtensionWebhookType[] }): Promise<TestClient>
  inject (opts: InjectOptions): Promise<LightMyRequestResponse>
}

export interface TestClient {
  id: string
  secret: string
  token: string
  /** Headers for a Data API call with this client's `data` token. */
  auth: { authorization: string }
}

export const EXAMPLE_RETURN_URIS = ['https://your-app.com/callback', 'https://yourapp.com/callback']

/** Builds the whole app on a fresh database, closed when the test ends (fastify/demo's `build(t)`). */
export async function buildTestApp (
  t: TestContext | { after: (fn: () => Promise<void>) => void },
  env: Record<string, string> = {},
  options: { now?: () => Date } = {},
): Promise<TestApp> {
  const { db, drop } = await openTestDb()
  await seedSigningKeys(db)
  const config = loadConfig({ DATABASE_URL: TEST_DATABASE_URL, PUBLIC_URL: 'http://ledgerite.test', WORKERS: 'off', LOG_LEVEL: 'silent', ...env })
  const deps = await createDeps(config, { db, ...(options.now ? { now: options.now } : {}) })
  const app = await buildApp(deps)
  await app.ready()
  t.after(async () => {
    await app.close()
    await deps.workers.stop()
    await deps.close()
    await drop()
  })
  return {
    app,
    deps,
    config,
    inject: (opts) => app.inject(opts),
    client: async (opts = {}) => {
      const { client, secret } = await createClient(deps.db, {
        name: opts.name ?? 'test',
        redirectUris: opts.redirectUris ?? EXAMPLE_RETURN_URIS,
        webhookUri: opts.webhookUri ?? null,
        aispLicence: opts.aispLicence ?? false,
        webhookExtensionEvents: opts.webhookExtensionEvents ?? [],
      })
      const token = await deps.tokens.issue(client.id, ['data'])
      return { id: client.id, secret, token, auth: { authorization: `Bearer ${token}` } }
    },
  }
}

/**
 * One app (and one client) for a whole test file, closed after its last test: for files whose tests each use their
 * own connections and so can share the app. `use` receives them once they are ready.
 */
export function useFileApp (use: (app: TestApp, client: TestClient) => void): void {
  const cleanup: Array<() => Promise<void>> = []
  test.before(async () => {
    const app = await buildTestApp({ after: (fn: () => Promise<void>) => { cleanup.push(fn) } })
    use(app, await app.client())
  })
  test.after(async () => { for (const fn of cleanup) await fn() })
}

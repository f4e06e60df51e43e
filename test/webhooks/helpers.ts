import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { createDeps, type Deps } from '../../src/deps.ts'
import type { WebhookEventType, WebhookFields } from '../../src/client/webhook-events.ts'
import { enqueueWebhook } from '../../src/modules/webhooks/webhook.outbox.ts'
import { createDb, type Db } from '../../src/storage/create-db.ts'
import { DIALECT, TEST_DATABASE_URL } from '../helpers/build-app.ts'

/**
 * Raises one webhook event for the client, as the lifecycle does: in a transaction, at the client's time. The body
 * is not checked against the type's fields (delivery tests send numbered or partial bodies); the type is.
 */
export async function raiseEvent (deps: Deps, clientId: string, type: WebhookEventType, fields: { connection_id: string } & Record<string, unknown>): Promise<string> {
  const now = await deps.clock.now(clientId)
  return deps.db.transaction().execute((trx) => enqueueWebhook(trx, clientId, type, fields as unknown as WebhookFields<typeof type>, now))
}

/**
 * A database that several apps or processes can open at once: a temporary SQLite file, or a PostgreSQL schema
 * of its own. `env` is what a child process needs to open it.
 */
export interface SharedDatabase {
  url: string
  schema?: string
  open (): Db
  drop (): Promise<void>
}

export async function openSharedDatabase (): Promise<SharedDatabase> {
  if (DIALECT === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerite-webhooks-'))
    const url = `sqlite:${join(dir, 'ledgerite.db')}`
    return { url, open: () => createDb(url), drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const schema = `t_wh_${Math.random().toString(16).slice(2, 10)}`
  const admin = createDb(TEST_DATABASE_URL)
  await sql`create schema ${sql.id(schema)}`.execute(admin.kysely)
  await admin.close()
  return {
    url: TEST_DATABASE_URL,
    schema,
    open: () => createDb(TEST_DATABASE_URL, { schema }),
    drop: async () => {
      const a = createDb(TEST_DATABASE_URL)
      await sql`drop schema ${sql.id(schema)} cascade`.execute(a.kysely)
      await a.close()
    },
  }
}

/** The whole app on an already-open database (workers off: tests drive them). */
export async function appOn (db: Db, options: { now?: () => Date, env?: Record<string, string> } = {}) {
  const config = loadConfig({ DATABASE_URL: TEST_DATABASE_URL, PUBLIC_URL: 'http://ledgerite.test', WORKERS: 'off', LOG_LEVEL: 'silent', ...options.env })
  const deps = await createDeps(config, { db, ...(options.now ? { now: options.now } : {}) })
  const app = await buildApp(deps)
  await app.ready()
  return {
    app,
    deps,
    close: async () => {
      await app.close()
      await deps.workers.stop()
      await deps.close()
    },
  }
}

/** A clock the test moves by hand: real time plus an offset. */
export function movableClock () {
  let offsetMs = 0
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms: number) => { offsetMs += ms },
  }
}

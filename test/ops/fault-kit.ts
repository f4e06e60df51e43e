import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { Errors } from '../../src/contract/errors.ts'
import { loadConfig } from '../../src/config.ts'
import { createDeps, type DepsOptions } from '../../src/deps.ts'
import { createClient } from '../../src/modules/auth/client.repository.ts'
import type { Db } from '../../src/storage/create-db.ts'

/** The whole app on a database the test opened itself (a file, a schema behind a relay…); workers off unless started. */
export async function appOnDb (db: Db, databaseUrl: string, options: { env?: Record<string, string>, onWorkerError?: DepsOptions['onWorkerError'], clientId?: string } = {}) {
  const config = loadConfig({ DATABASE_URL: databaseUrl, PUBLIC_URL: 'http://ledgerite.test', WORKERS: 'off', LOG_LEVEL: 'silent', ...options.env })
  const deps = await createDeps(config, { db, ...(options.onWorkerError ? { onWorkerError: options.onWorkerError } : {}) })
  const app = await buildApp(deps)
  await app.ready()
  // A database that already holds the client (a restart on the same file) keeps it; otherwise one is registered.
  const client = options.clientId
    ? { id: options.clientId }
    : (await createClient(deps.db, { name: 'faults', redirectUris: ['https://your-app.com/callback'], webhookUri: null, aispLicence: false })).client
  const token = await deps.tokens.issue(client.id, ['data'])
  const auth = { authorization: `Bearer ${token}` }
  return {
    app,
    deps,
    clientId: client.id,
    auth,
    create: (seq: number) => app.inject({ method: 'POST', url: '/v3/data-connections', headers: auth, payload: connectionBody(seq) }),
    get: (id: string) => app.inject({ method: 'GET', url: `/v3/data-connections/${id}`, headers: auth }),
    list: () => app.inject({ method: 'GET', url: '/v3/data-connections?limit=5', headers: auth }),
    ready: () => app.inject({ method: 'GET', url: '/readyz' }),
    close: async () => {
      await app.close()
      await deps.workers.stop()
      await deps.close()
    },
  }
}

/** Configuration 1 of the create-connection table, told apart by `seq` in its metadata. */
export function connectionBody (seq: number) {
  return {
    scopes: ['info', 'accounts', 'balance', 'transactions'],
    provider_selection: { type: 'user_selected' },
    user: { name: 'Jane Smith', email: `jane${seq}@example.com` },
    user_consent: { type: 'authorization_flow_captured' },
    hosted_page: { type: 'authorization_flow', return_uri: 'https://your-app.com/callback' },
    metadata: { seq: String(seq) },
  }
}

/** 503 as problem+json (the catalogue's SERVICE_UNAVAILABLE), with a whole number of seconds in Retry-After. */
export function assertUnavailable (res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 503, res.body.slice(0, 500))
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/)
  const body = res.json()
  assert.equal(body.type, Errors.SERVICE_UNAVAILABLE.type)
  assert.equal(body.title, Errors.SERVICE_UNAVAILABLE.title)
  assert.equal(body.status, 503)
  assert.match(String(res.headers['retry-after']), /^[1-9][0-9]*$/)
  assert.match(body.detail, /Retry after \d+ s/)
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Polls until `ok()` holds, for at most `withinMs` (a bound on a wait, not a timing assertion). */
export async function eventually (what: string, ok: () => Promise<boolean>, withinMs = 20_000): Promise<void> {
  const deadline = Date.now() + withinMs
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`${what}: still not so after ${withinMs} ms`)
    await sleep(100)
  }
}

import type { Kysely } from 'kysely'
import { buildApp } from '../app.ts'
import { LedgeriteClient } from '../client/index.ts'
import type { Connection, SandboxClock } from '../client/types.ts'
import { loadConfig } from '../config.ts'
import { createDeps } from '../deps.ts'
import { createClient as registerClient } from '../modules/auth/client.repository.ts'
import { createDb } from '../storage/create-db.ts'
import type { Database } from '../storage/database.ts'
import { migrateToLatest } from '../storage/migrate.ts'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts'
import { freePort } from './free-port.ts'

export interface StartOptions {
  /** `'memory'` (default): SQLite in memory, gone on close. Or a `DATABASE_URL` (`sqlite:./file.db`, `postgres://…`). */
  database?: 'memory' | string
  /** Port to listen on (default: a free one). */
  port?: number
  /** Pino log level (default `silent`). */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Further configuration, as the environment variables of README "Configuration" (e.g. `UNATTENDED_ACCESS_LIMIT`). */
  env?: Record<string, string>
}

export interface ConnectOptions {
  /**
   * The running server's `DATABASE_URL`. `createClient` registers clients there, as `ledgerite clients create`
   * does; without it only `useClient` (credentials you already have) is available.
   */
  databaseUrl?: string
}

export interface CreateClientOptions {
  /** Return URIs the hosted pages may send the user back to (at least one). */
  redirectUris: string[]
  /** Where webhooks go; `(await lg.webhooks()).url` for a verifying receiver. */
  webhookUri?: string
  /** Whether the client holds its own AISP licence (configurations 4 and 5 need it). */
  aispLicence?: boolean
  /** Shown on the consent screen (default `test-app`). */
  name?: string
}

/** A registered client: its credentials, a token on demand, and the typed API client acting as it. */
export interface TestClient {
  readonly clientId: string
  readonly clientSecret: string
  /** A bearer token with the `data` scope (cached until shortly before it expires). */
  token(): Promise<string>
  /** The typed client of `ledgerite/client`, authenticated as this client. */
  readonly api: LedgeriteClient
}

export interface AuthorizeOptions {
  /**
   * The model bank mock user who approves (default `john`): `john`, `john1` … `john100`, or `error.<reason>` whose
   * data reads then fail with `<reason>` (e.g. `error.provider_error`).
   */
  user?: string
  /** `authorized` (default) or `failed`. */
  outcome?: 'authorized' | 'failed'
  /** With `outcome: 'failed'`: the failure reason (default `provider_rejected`, the user denying at the bank). */
  failureReason?: string
  /** For a user_selected connection: the provider the user picks (default the first offered). */
  provider?: string
  /** The client the connection belongs to (default: found among the clients this kit created). */
  clientId?: string
}

/**
 * A Ledgerite for a test suite, started in-process by `startLedgerite` or reached at a URL by `connect`.
 * Every helper goes through Ledgerite's HTTP API (sandbox control routes included), as your code would.
 */
export interface Ledgerite {
  /** Where the API, the hosted pages and the model bank answer, e.g. `http://127.0.0.1:53211`. */
  readonly baseUrl: string
  /** Where the token endpoint (`/connect/token`) answers: the same server. */
  readonly authBaseUrl: string
  /**
   * Registers a client and answers its credentials.
   *
   * @example
   * ```ts
   * const app = await lg.createClient({ redirectUris: ['https://app.test/callback'] })
   * const token = await app.token()
   * ```
   */
  createClient(options: CreateClientOptions): Promise<TestClient>
  /**
   * A client registered earlier (e.g. with `npx ledgerite clients create`), for a server reached with `connect`.
   *
   * @example
   * ```ts
   * const app = lg.useClient({ clientId: process.env.CLIENT_ID!, clientSecret: process.env.CLIENT_SECRET! })
   * ```
   */
  useClient(credentials: { clientId: string, clientSecret: string }): TestClient
  /**
   * Completes a connection's journey without a browser (`POST /sandbox/v3/data-connections/{id}/authorize`): the
   * same bank step, transitions and webhooks as a user in the hosted pages. Answers the connection.
   *
   * @example
   * ```ts
   * const created = await app.api.connections.create({ … })
   * await lg.authorize(created.id, { user: 'john' })                  // authorized
   * await lg.authorize(other.id, { user: 'error.provider_error' })    // authorized; data reads fail
   * await lg.authorize(third.id, { outcome: 'failed', failureReason: 'user_declined_consent' })
   * ```
   */
  authorize(connectionId: string, options?: AuthorizeOptions): Promise<Connection>
  /**
   * Moves one client's virtual clock forward by an ISO-8601 duration; connections whose access ended expire at once.
   *
   * @example
   * ```ts
   * await lg.advanceClock(app.clientId, 'P90D')   // the 90-day consent has run out
   * ```
   */
  advanceClock(clientId: string, by: string): Promise<SandboxClock>
  /**
   * Deletes a client's connections, requests, counters and webhook events and resets its clock; without an id,
   * every client this kit created or used. The clients themselves stay.
   *
   * @example
   * ```ts
   * afterEach(() => lg.reset())
   * ```
   */
  reset(clientId?: string): Promise<void>
  /**
   * Starts a webhook receiver that verifies `Tl-Signature` with truelayer-signing (closed with `close()`).
   *
   * @example
   * ```ts
   * const hooks = await lg.webhooks()
   * const app = await lg.createClient({ redirectUris: ['https://app.test/callback'], webhookUri: hooks.url })
   * // … create and authorise a connection …
   * const event = await hooks.next('connection_authorized')
   * ```
   */
  webhooks(options?: { path?: string }): Promise<WebhookReceiver>
  /** Stops what this kit started: webhook receivers and, for `startLedgerite`, the server and its database. */
  close(): Promise<void>
}

type Register = (options: CreateClientOptions) => Promise<{ clientId: string, clientSecret: string }>

const registerIn = (db: Kysely<Database>): Register => async (options) => {
  if (options.redirectUris.length === 0) throw new TypeError('createClient needs at least one redirect URI')
  const { client, secret } = await registerClient(db, {
    name: options.name ?? 'test-app',
    redirectUris: options.redirectUris,
    webhookUri: options.webhookUri ?? null,
    aispLicence: options.aispLicence ?? false,
  })
  return { clientId: client.id, clientSecret: secret }
}

function kit (baseUrl: string, register: Register | undefined, stop: () => Promise<void>): Ledgerite {
  const clients = new Map<string, TestClient>()
  const owners = new Map<string, TestClient>()
  const receivers = new Set<WebhookReceiver>()

  const useClient = (credentials: { clientId: string, clientSecret: string }): TestClient => {
    const known = clients.get(credentials.clientId)
    if (known && known.clientSecret === credentials.clientSecret) return known
    const api = new LedgeriteClient({ baseUrl, ...credentials })
    const c: TestClient = { ...credentials, api, token: () => api.token() }
    clients.set(c.clientId, c)
    return c
  }
  const byId = (clientId: string): TestClient => {
    const c = clients.get(clientId)
    if (!c) throw new Error(`Client ${clientId} was not created or used through this kit (createClient / useClient).`)
    return c
  }
  // The sandbox route acts as the connection's own client: find which of ours it is (another client's is a 404).
  const ownerOf = async (connectionId: string): Promise<TestClient> => {
    const cached = owners.get(connectionId)
    if (cached) return cached
    for (const c of clients.values()) {
      try {
        await c.api.connections.get(connectionId)
        owners.set(connectionId, c)
        return c
      } catch { /* not this client's */ }
    }
    throw new Error(`Connection ${connectionId} belongs to none of the clients created or used through this kit; pass { clientId }.`)
  }

  return {
    baseUrl,
    authBaseUrl: baseUrl,
    createClient: async (options) => {
      if (!register) throw new Error('connect(url) without { databaseUrl } cannot register clients: pass the server\'s DATABASE_URL, or call useClient({ clientId, clientSecret }).')
      return useClient(await register(options))
    },
    useClient,
    authorize: async (connectionId, options = {}) => {
      const c = options.clientId ? byId(options.clientId) : await ownerOf(connectionId)
      return c.api.sandbox.authorize(connectionId, {
        outcome: options.outcome ?? 'authorized',
        ...(options.user !== undefined ? { username: options.user } : {}),
        ...(options.failureReason !== undefined ? { failure_reason: options.failureReason } : {}),
        ...(options.provider !== undefined ? { provider_id: options.provider } : {}),
      })
    },
    advanceClock: (clientId, by) => byId(clientId).api.sandbox.advanceClock(by),
    reset: async (clientId) => {
      const targets = clientId ? [byId(clientId)] : [...clients.values()]
      for (const c of targets) await c.api.sandbox.reset()
      owners.clear()
    },
    webhooks: async (options = {}) => {
      const r = await startWebhookReceiver(`${baseUrl}/.well-known/jwks`, options.path)
      receivers.add(r)
      return r
    },
    close: async () => {
      for (const r of receivers) await r.close()
      receivers.clear()
      await stop()
    },
  }
}

/**
 * Starts Ledgerite in this process on a free port of 127.0.0.1, its background workers on (transactions requests
 * complete and webhooks are delivered by themselves), SQLite in memory unless told otherwise. Works in node:test,
 * Vitest and Jest alike: start it once per file (or per test) and `close()` it after.
 *
 * @example
 * ```ts
 * import { startLedgerite } from 'ledgerite/testing'
 *
 * const lg = await startLedgerite({ database: 'memory' })
 * const app = await lg.createClient({ redirectUris: ['https://app.test/callback'] })
 * const created = await app.api.connections.create({
 *   scopes: ['info', 'accounts', 'balance', 'transactions'],
 *   provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
 *   user: { name: 'Jane Smith', email: 'jane@example.com' },
 *   user_consent: { type: 'authorization_flow_captured' },
 *   hosted_page: { type: 'authorization_flow', return_uri: 'https://app.test/callback' },
 * })
 * await lg.authorize(created.id, { user: 'john' })
 * const { items } = await app.api.data.accounts(created.id)
 * await lg.close()
 * ```
 */
export async function startLedgerite (options: StartOptions = {}): Promise<Ledgerite> {
  const port = options.port ?? await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const databaseUrl = !options.database || options.database === 'memory' ? 'sqlite::memory:' : options.database
  const config = loadConfig({
    ...options.env,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: options.logLevel ?? 'silent',
  })
  const deps = await createDeps(config)
  try {
    const app = await buildApp(deps, { logger: config.logLevel === 'silent' ? false : { level: config.logLevel } })
    deps.workers.start()
    await app.listen({ port, host: '127.0.0.1' })
    return kit(baseUrl, registerIn(deps.db), async () => {
      await app.close()
      await deps.workers.stop()
      await deps.close()
    })
  } catch (err) {
    await deps.workers.stop()
    await deps.close()
    throw err
  }
}

/**
 * A Ledgerite already running (`npx ledgerite start`, a container in CI) at `url`. With the server's
 * `databaseUrl`, `createClient` registers clients in it; otherwise use `useClient` with existing credentials.
 * `close()` stops only the webhook receivers, never the server.
 *
 * @example
 * ```ts
 * import { connect } from 'ledgerite/testing'
 *
 * const lg = connect('http://127.0.0.1:3000', { databaseUrl: 'sqlite:./data/ledgerite.db' })
 * const app = await lg.createClient({ redirectUris: ['https://app.test/callback'] })
 * ```
 */
export function connect (url: string, options: ConnectOptions = {}): Ledgerite {
  const baseUrl = url.replace(/\/+$/, '')
  const { databaseUrl } = options
  const register: Register | undefined = databaseUrl
    ? async (o) => {
      const db = createDb(databaseUrl)
      try {
        await migrateToLatest(db.kysely, db.schema)
        return await registerIn(db.kysely)(o)
      } finally {
        await db.close()
      }
    }
    : undefined
  return kit(baseUrl, register, async () => {})
}

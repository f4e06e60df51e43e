import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { type HttpFetch, inProcessFetch } from './http/inject-fetch.ts'
import type { Config } from './config.ts'
import { type Clock, createClock } from './modules/clock/clock.ts'
import { loadOrCreateKey, privateKeyPem, type SigningKey } from './modules/auth/signing-keys.ts'
import { type AuthThrottle, createAuthThrottle } from './modules/auth/auth-throttle.ts'
import { clientStanding } from './modules/auth/client-secret.ts'
import { createTokenService, type TokenService } from './modules/auth/token.service.ts'
import { createDb, type Db } from './storage/create-db.ts'
import { type ReadinessCheck, storageFault } from './storage/health.ts'
import { connectRedis } from './storage/redis.ts'
import type { Database } from './storage/database.ts'
import type { DialectName } from './storage/dialect.ts'
import { migrateToLatest } from './storage/migrate.ts'
import { Workers } from './worker-poller.ts'
import { Metrics } from './http/metrics.ts'
import { createModelBankAdapter } from './modules/providers/model-bank.adapter.ts'
import { inProcessTppCredentials } from './modules/model-bank/model-bank.tpps.ts'
import type { ProviderAdapter } from './modules/providers/provider-adapter.ts'
import { createModelBankSandbox } from './modules/sandbox/model-bank.sandbox-bank.ts'
import type { SandboxBank } from './modules/sandbox/sandbox-bank.port.ts'
import type { RateLimiter } from './modules/data/rate-limit.ts'
import { createDbRateLimiter } from './modules/data/rate-limit.db-store.ts'
import { createRedisRateLimiter } from './modules/data/rate-limit.redis-store.ts'

/**
 * The composition root: everything a module needs, made once per process and passed down explicitly.
 * Modules add their own services here rather than reading globals. Read-only once made: what depends on something
 * built later (the app serving the in-process bank) is handed over through a step of its own, not by overwriting.
 */
export type Deps = Readonly<Services>
interface Services {
  config: Config
  db: Kysely<Database>
  dialect: DialectName
  clock: Clock
  tokens: TokenService
  /** Failed sign-ins per client id and source address: in Redis when REDIS_URL is set, else in the database. */
  authThrottle: AuthThrottle
  /** ES512 key that signs webhooks; its public half is served at /.well-known/jwks. */
  webhookKey: SigningKey
  workers: Workers
  /** Prometheus metrics (rendered at /metrics); modules add counters such as rate-limit refusals. */
  metrics: Metrics
  /** Server secret for HMAC-signed browser links; derived from the stored token key, so every process agrees. */
  secret: Buffer
  /**
   * HTTP client for talking to banks: real fetch when MODEL_BANK_URL is set, else the in-process model bank reached
   * through the app (Fastify inject), which buildApp hands over with `serveInProcessBank`.
   */
  bankFetch: HttpFetch
  /** Without MODEL_BANK_URL: gives `bankFetch` the app that serves the model bank, once (buildApp calls it). */
  serveInProcessBank?: (app: FastifyInstance) => void
  /** The bank behind every provider (the model bank in sandbox), reached through `bankFetch`. */
  adapter: ProviderAdapter
  /** Sandbox-only bank calls (approve as a test user), with sandbox control on: the model bank's, over `bankFetch`. */
  sandboxBank?: SandboxBank
  /** Unattended-access counters: in Redis when REDIS_URL is set (shared by every process), else in the database. */
  rateLimiter: RateLimiter
  /** Base URL the model bank is reached at server-to-server (browser redirects use config.publicUrl). */
  bankBaseUrl: string
  /** What /readyz asks: the database, and Redis when REDIS_URL is set. */
  readiness: ReadinessCheck[]
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

/** A worker round that failed: a storage outage in one line (it repeats, backed off, until the outage ends), anything else in full. */
function logWorkerError (name: string, err: unknown, failure: { failures: number, retryInMs: number }): void {
  const fault = storageFault(err)
  if (!fault) {
    console.error(`worker ${name} failed (retrying in ${failure.retryInMs} ms)`, err)
    return
  }
  const e = err as { code?: string, message?: string }
  console.error(`worker ${name}: ${fault.component} ${fault.kind} (${[e.code, e.message].filter(Boolean).join(' ')}); round ${failure.failures} failed in a row, retrying in ${failure.retryInMs} ms`)
}

export async function createDeps (config: Config, options: DepsOptions = {}): Promise<Deps> {
  const db = options.db ?? createDb(config.databaseUrl)
  await migrateToLatest(db.kysely, db.schema)
  const tokenKey = await loadOrCreateKey(db.kysely, 'token', 'RS256')
  const webhookKey = await loadOrCreateKey(db.kysely, 'webhook', 'ES512')
  const closers: Array<() => Promise<void>> = [db.close]
  // Opened in storage/ (the only place clients are made), and only when REDIS_URL is set.
  const shared = config.redisUrl ? await connectRedis(config.redisUrl) : undefined
  const redis = shared?.redis
  if (shared) closers.push(shared.close)
  const bankBaseUrl = config.modelBankUrl ?? `${config.publicUrl}/model-bank`
  const secret = createHash('sha256').update('ledgerite-link-secret\n').update(JSON.stringify(tokenKey.publicJwk)).update(await privateKeyPem(tokenKey)).digest()
  // The credentials the bank issued to this Ledgerite: the in-process bank registers it at start with ones derived
  // from the server secret; an external one (MODEL_BANK_URL) issued MODEL_BANK_CLIENT_ID / _SECRET.
  const bankCredentials = config.modelBankUrl ? config.modelBankClient : inProcessTppCredentials(secret)
  // Ledgerite reaches the bank over HTTP: an external one (MODEL_BANK_URL) with fetch, the in-process one through
  // the app, which exists only once buildApp has run.
  const inProcessBank = config.modelBankUrl ? undefined : inProcessFetch()
  const bankFetch: HttpFetch = inProcessBank?.fetch ?? (async (url, init) => fetch(url, init))
  const deps: Deps = {
    config,
    db: db.kysely,
    dialect: db.dialect,
    clock: createClock(db.kysely, options.now),
    tokens: createTokenService(tokenKey, config.publicUrl, (clientId) => clientStanding(db.kysely, clientId)),
    authThrottle: createAuthThrottle({ limit: config.authFailureLimit, redis, redisKeyPrefix: config.redisKeyPrefix, db: db.kysely }),
    webhookKey,
    secret,
    bankFetch,
    ...(inProcessBank ? { serveInProcessBank: (app: FastifyInstance) => inProcessBank.serveWith(app) } : {}),
    bankBaseUrl,
    adapter: createModelBankAdapter(() => deps.bankFetch, bankBaseUrl, bankCredentials),
    ...(config.sandboxControl ? { sandboxBank: createModelBankSandbox(() => deps.bankFetch, bankBaseUrl) } : {}),
    metrics: new Metrics(),
    rateLimiter: redis ? createRedisRateLimiter(redis, config.redisKeyPrefix) : createDbRateLimiter(db.kysely),
    workers: new Workers(options.onWorkerError ?? logWorkerError, (name, failures) => console.error(`worker ${name}: resumed after ${failures} failed round(s)`)),
    readiness: [
      { name: 'database', check: db.check },
      ...(shared ? [{ name: 'redis' as const, check: shared.check }] : []),
    ],
    close: async () => {
      for (const c of closers.reverse()) await c()
    },
  }
  return deps
}

import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { HttpFetch } from './http/inject-fetch.ts'
import type { Config } from './config.ts'
import { type Clock, createClock } from './modules/clock/clock.ts'
import { loadOrCreateKey, privateKeyPem, type SigningKey } from './modules/auth/signing-keys.ts'
import { type AuthThrottle, createAuthThrottle } from './modules/auth/auth-throttle.ts'
import { currentTokenGeneration } from './modules/auth/client-secret.ts'
import { createTokenService, type TokenService } from './modules/auth/token.service.ts'
import { createDb, type Db } from './storage/create-db.ts'
import { outageReporter, type ReadinessCheck, storageFault } from './storage/health.ts'
import type { Database } from './storage/database.ts'
import type { DialectName } from './storage/dialect.ts'
import { migrateToLatest } from './storage/migrate.ts'
import { Workers } from './workers.ts'
import { Metrics } from './http/metrics.ts'
import { createModelBankAdapter } from './modules/providers/model-bank.adapter.ts'
import { inProcessTppCredentials } from './modules/model-bank/model-bank.tpps.ts'
import type { ProviderAdapter } from './modules/providers/provider-adapter.ts'
import type { Redis } from 'ioredis'
import type { RateLimiter } from './modules/data/rate-limit.ts'
import { createDbRateLimiter } from './modules/data/rate-limit.db-store.ts'
import { createRedisRateLimiter } from './modules/data/rate-limit.redis-store.ts'

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
   * HTTP client for talking to banks. Bound by buildApp to the in-process model bank (inject), or to real fetch
   * when MODEL_BANK_URL is set.
   */
  bankFetch: HttpFetch
  /** The bank behind every provider (the model bank in sandbox), reached through `bankFetch`. */
  adapter: ProviderAdapter
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
  const redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined
  // QUIT when Redis answers (it may have gone since its last 'ready': then QUIT cannot be sent), then drop the socket.
  if (redis) {
    closers.push(async () => {
      if (redis.status === 'ready') await redis.quit().catch(() => {})
      redis.disconnect()
    })
  }
  const bankBaseUrl = config.modelBankUrl ?? `${config.publicUrl}/model-bank`
  const secret = createHash('sha256').update('ledgerite-link-secret\n').update(JSON.stringify(tokenKey.publicJwk)).update(await privateKeyPem(tokenKey)).digest()
  // The credentials the bank issued to this Ledgerite: the in-process bank registers it at start with ones derived
  // from the server secret; an external one (MODEL_BANK_URL) issued MODEL_BANK_CLIENT_ID / _SECRET.
  const bankCredentials = config.modelBankUrl ? config.modelBankClient : inProcessTppCredentials(secret)
  const deps: Deps = {
    config,
    db: db.kysely,
    dialect: db.dialect,
    clock: createClock(db.kysely, options.now),
    tokens: createTokenService(tokenKey, config.publicUrl, (clientId) => currentTokenGeneration(db.kysely, clientId)),
    authThrottle: createAuthThrottle({ limit: config.authFailureLimit, redis, redisKeyPrefix: config.redisKeyPrefix, db: db.kysely }),
    webhookKey,
    secret,
    bankFetch: async () => { throw new Error('bankFetch is bound when the app is built') },
    bankBaseUrl,
    adapter: createModelBankAdapter(() => deps.bankFetch, bankBaseUrl, bankCredentials),
    metrics: new Metrics(),
    rateLimiter: redis ? createRedisRateLimiter(redis, config.redisKeyPrefix) : createDbRateLimiter(db.kysely),
    workers: new Workers(options.onWorkerError ?? logWorkerError, (name, failures) => console.error(`worker ${name}: resumed after ${failures} failed round(s)`)),
    readiness: [
      { name: 'database', check: db.check },
      ...(redis ? [{ name: 'redis' as const, check: async () => { await redis.ping() } }] : []),
    ],
    close: async () => {
      for (const c of closers.reverse()) await c()
    },
  }
  return deps
}

/**
 * Redis for shared counters, failing fast while it is away: no offline queue (a command sent while disconnected fails
 * at once instead of waiting in a queue that grows with the outage), a command timeout, no resending,
 * and reconnection forever in the background, every 100 ms growing to 2 s. Calls that need it answer 503 with
 * Retry-After meanwhile (storage/health.ts). Startup waits for the first connection, briefly: a Redis that is down
 * at start does not stop Ledgerite from starting, /readyz says so until it is back.
 */
const REDIS_COMMAND_TIMEOUT_MS = 1000
const REDIS_CONNECT_TIMEOUT_MS = 2000
// ioredis is loaded only when REDIS_URL is set: a single process on SQLite never pays for it.
async function connectRedis (url: string): Promise<Redis> {
  const { Redis } = await import('ioredis')
  const reporter = outageReporter('redis')
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    // A command cut off by a dropped connection is not sent again: the rate-limit script is not idempotent (a resent
    // hit whose first reply was lost would count twice). Its request answers 503 and the client retries.
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  })
  redis.on('error', (err: Error) => reporter.failed(err, 'unreachable'))
  redis.on('ready', () => reporter.recovered())
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      redis.off('ready', done)
      redis.off('error', done)
      resolve()
    }
    const timer = setTimeout(done, REDIS_CONNECT_TIMEOUT_MS)
    redis.once('ready', done)
    redis.once('error', done)
  })
  return redis
}

import type { Redis } from 'ioredis'
import { outageReporter } from './health.ts'

/**
 * Redis for shared counters, failing fast while it is away: no offline queue (a command sent while disconnected fails
 * at once instead of waiting in a queue that grows with the outage), a command timeout, no resending,
 * and reconnection forever in the background, every 100 ms growing to 2 s. Calls that need it answer 503 with
 * Retry-After meanwhile (storage/health.ts). Startup waits for the first connection, briefly: a Redis that is down
 * at start does not stop Ledgerite from starting, /readyz says so until it is back.
 */
const REDIS_COMMAND_TIMEOUT_MS = 1000
const REDIS_CONNECT_TIMEOUT_MS = 2000

export interface OpenRedis {
  redis: Redis
  /** For /readyz: fails while Redis does not answer. */
  check: () => Promise<void>
  /** QUIT when Redis answers (it may have gone since its last 'ready': then QUIT cannot be sent), then drop the socket. */
  close: () => Promise<void>
}

// ioredis is loaded only when REDIS_URL is set: a single process on SQLite never pays for it.
export async function connectRedis (url: string): Promise<OpenRedis> {
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
  return {
    redis,
    check: async () => { await redis.ping() },
    close: async () => {
      if (redis.status === 'ready') await redis.quit().catch(() => {})
      redis.disconnect()
    },
  }
}

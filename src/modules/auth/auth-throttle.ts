import type { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import { ids, sha256 } from '../../contract/ids.ts'
import type { Database } from '../../storage/database.ts'

/**
 * Failed sign-ins — a wrong client secret at POST /connect/token or at the Console's sign-in form — are counted per
 * client id and per source address over the last minute. Once either count reaches the limit (AUTH_FAILURE_LIMIT,
 * default 20) every attempt under that key is refused with 429 and Retry-After until the oldest failure leaves
 * the window, the right secret included: otherwise the guessing would go on behind the refusals. Successful
 * sign-ins are not counted. Both doors share the counts, so one cannot be used to get around the other.
 *
 * Counted in Redis when REDIS_URL is set (every process sees one count), else in the database (which every
 * process on one PostgreSQL shares as well). Real time throughout: a client's sandbox clock plays no part.
 */
export const AUTH_FAILURE_WINDOW_SECONDS = 60

export interface AuthThrottle {
  readonly store: 'redis' | 'database'
  /** Whole seconds until an attempt under every one of these keys is allowed again; 0 when it is allowed now. */
  retryAfter (keys: string[], now: Date): Promise<number>
  /** Counts one failed attempt under each key. */
  fail (keys: string[], now: Date): Promise<void>
}

/**
 * The keys one attempt counts under: its source address, and the client id it named (hashed: the id is whatever
 * the caller sent, of any length, and only needs to be told apart).
 */
export function attemptKeys (address: string, clientId: string | undefined): string[] {
  const keys = [`addr:${address}`]
  if (clientId) keys.push(`client:${sha256(clientId).slice(0, 32)}`)
  return keys
}

/** Given one key's failure times inside the window (ascending, ms), the ms until it is below the limit again. */
function waitMs (times: number[], limit: number, nowMs: number, windowMs: number): number {
  if (times.length < limit) return 0
  // The count falls below the limit when the entry `limit` places from the newest leaves the window.
  return times[times.length - limit]! + windowMs - nowMs
}

const toSeconds = (ms: number): number => (ms <= 0 ? 0 : Math.max(1, Math.ceil(ms / 1000)))

export function createAuthThrottle (options: { limit: number, redis?: Redis | undefined, redisKeyPrefix?: string, db: Kysely<Database> }): AuthThrottle {
  return options.redis
    ? createRedisAuthThrottle(options.redis, options.redisKeyPrefix ?? '', options.limit)
    : createDbAuthThrottle(options.db, options.limit)
}

/**
 * For each key: drop failures that left the window, and if the key is at its limit return the score that decides
 * when it is free again. One script, so every process sees the same count.
 */
const CHECK_SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local out = {}
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local n = redis.call('ZCARD', key)
  if n >= limit then
    local s = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
    out[#out + 1] = s[2]
  end
end
return out
`

type CheckCommand = (...args: Array<string | number>) => Promise<string[]>

export function createRedisAuthThrottle (redis: Redis, prefix: string, limit: number): AuthThrottle {
  redis.defineCommand('ledgeriteAuthCheck', { lua: CHECK_SCRIPT })
  const check = (redis as unknown as { ledgeriteAuthCheck: CheckCommand }).ledgeriteAuthCheck.bind(redis)
  const windowMs = AUTH_FAILURE_WINDOW_SECONDS * 1000
  const redisKey = (key: string) => `${prefix}auth-failures:${key}`
  return {
    store: 'redis',
    async retryAfter (keys, now) {
      const nowMs = now.getTime()
      const decisive = await check(keys.length, ...keys.map(redisKey), nowMs, windowMs, limit)
      return toSeconds(Math.max(0, ...decisive.map((score) => Number(score) + windowMs - nowMs)))
    },
    async fail (keys, now) {
      const tx = redis.multi()
      for (const key of keys) {
        tx.zadd(redisKey(key), now.getTime(), ids.uuid())
        tx.pexpire(redisKey(key), windowMs)
      }
      await tx.exec()
    },
  }
}

export function createDbAuthThrottle (db: Kysely<Database>, limit: number): AuthThrottle {
  const windowMs = AUTH_FAILURE_WINDOW_SECONDS * 1000
  return {
    store: 'database',
    async retryAfter (keys, now) {
      const nowMs = now.getTime()
      const rows = await db.selectFrom('auth_failures').select(['key', 'at'])
        .where('key', 'in', keys).where('at', '>', new Date(nowMs - windowMs).toISOString())
        .orderBy('at').execute()
      let wait = 0
      for (const key of keys) {
        const times = rows.filter((r) => r.key === key).map((r) => Date.parse(r.at))
        wait = Math.max(wait, waitMs(times, limit, nowMs, windowMs))
      }
      return toSeconds(wait)
    },
    async fail (keys, now) {
      const at = now.toISOString()
      await db.insertInto('auth_failures').values(keys.map((key) => ({ id: ids.uuid(), key, at }))).execute()
      // Failures that left the window count for nothing: forget them (indexed by `at`), whoever they were for.
      await db.deleteFrom('auth_failures').where('at', '<=', new Date(now.getTime() - windowMs).toISOString()).execute()
    },
  }
}

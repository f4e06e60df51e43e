import type { Redis } from 'ioredis'
import { ids } from '../../contract/ids.ts'
import { decide, type RateDecision, type RateHit, type RateLimiter } from './rate-limit.ts'

/**
 * Prune, count and (if allowed) record in one script: Redis runs a script atomically, so every Ledgerite process
 * sharing this Redis sees one exact count. Scores are the client's virtual time in ms (passed in, not Redis's
 * clock). Returns {allowed 0/1, the window's scores ascending…}.
 */
const HIT_SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local allowed = 0
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, ARGV[1], ARGV[4])
  allowed = 1
end
-- Virtual time never runs slower than real time, so a real-time expiry of one window is safe.
redis.call('PEXPIRE', key, window)
local scores = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
local out = { allowed }
for i = 2, #scores, 2 do out[#out + 1] = scores[i] end
return out
`

/**
 * While Redis is away a hit fails at once (no offline queue, a 1 s command timeout: connectRedis in storage/redis.ts) and the
 * call answers 503 with Retry-After (storage/health.ts): never let through uncounted, never left waiting in a queue.
 */
type HitCommand = (key: string, now: number, window: number, limit: number, member: string) => Promise<Array<number | string>>

export function createRedisRateLimiter (redis: Redis, prefix: string): RateLimiter {
  redis.defineCommand('ledgeriteRateHit', { numberOfKeys: 1, lua: HIT_SCRIPT })
  const run = (redis as unknown as { ledgeriteRateHit: HitCommand }).ledgeriteRateHit.bind(redis)
  return {
    store: 'redis',
    async hit ({ key, now, limit, windowSeconds }: RateHit): Promise<RateDecision> {
      const nowMs = now.getTime()
      const windowMs = windowSeconds * 1000
      const [allowed, ...scores] = await run(`${prefix}${key}`, nowMs, windowMs, limit, ids.uuid())
      return decide(Number(allowed) === 1, limit, scores.map(Number), nowMs, windowMs)
    },
  }
}

import type { FastifyReply } from 'fastify'
import { ApiError } from '../../contract/errors.ts'
import type { Metrics } from '../../http/metrics.ts'

/**
 * The unattended-access limit (PSD2: "4 calls per day" unless the end user is present, signalled by `Tl-User-IP`):
 * at most `limit` calls per connection and endpoint in a rolling 24 hours of the client's virtual clock.
 *
 * A rolling log: each allowed call is recorded at its (virtual) time; a call is allowed while fewer than `limit`
 * calls lie in the window (now − 24 h, now]. Refused calls are not recorded, so a client that keeps retrying is
 * not pushed further back. Two stores implement the same interface: the database (default; survives restarts) and
 * Redis (when REDIS_URL is set, so several processes share one exact count).
 */
export const UNATTENDED_WINDOW_SECONDS = 24 * 3600

export interface RateDecision {
  allowed: boolean
  limit: number
  /** Calls left in the window after this one. */
  remaining: number
  /** Seconds until the oldest call in the window leaves it (one more call becomes possible). */
  resetSeconds: number
}

export interface RateHit {
  /** Names the counter: client, connection and endpoint. */
  key: string
  clientId: string
  /** The client's virtual now. */
  now: Date
  limit: number
  windowSeconds: number
}

export interface RateLimiter {
  /** Records the call if it is allowed, atomically with the count that allows it. */
  hit (hit: RateHit): Promise<RateDecision>
  readonly store: 'database' | 'redis'
}

/** Endpoint names used in counter keys (and the refusal metric's label). */
export type LimitedEndpoint = 'user-info' | 'connected-accounts' | 'transactions-requests' | 'balance'

export const REFUSALS_METRIC = 'ledgerite_rate_limit_refusals_total'

/** The decision from a window log: `times` are the calls in the window (ms, ascending) after this one was counted. */
export function decide (allowed: boolean, limit: number, timesInWindow: number[], nowMs: number, windowMs: number): RateDecision {
  const oldest = timesInWindow[0] ?? nowMs
  const resetSeconds = Math.max(1, Math.ceil((oldest + windowMs - nowMs) / 1000))
  return { allowed, limit, remaining: Math.max(0, limit - timesInWindow.length), resetSeconds }
}

export function rateLimitKey (clientId: string, connectionId: string, endpoint: LimitedEndpoint): string {
  return `unattended:${clientId}:${connectionId}:${endpoint}`
}

/**
 * Applies the limit to one unattended call: sets the RateLimit-* headers on success, or throws 429 with
 * Retry-After and the same headers. Attended calls (a valid Tl-User-IP) never reach here.
 */
export async function enforceUnattendedLimit (
  deps: { rateLimiter: RateLimiter, metrics: Metrics, config: { unattendedLimit: number } },
  reply: FastifyReply,
  input: { clientId: string, connectionId: string, endpoint: LimitedEndpoint, now: Date },
): Promise<void> {
  const decision = await deps.rateLimiter.hit({
    key: rateLimitKey(input.clientId, input.connectionId, input.endpoint),
    clientId: input.clientId,
    now: input.now,
    limit: deps.config.unattendedLimit,
    windowSeconds: UNATTENDED_WINDOW_SECONDS,
  })
  const headers = {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(decision.resetSeconds),
  }
  if (decision.allowed) {
    reply.headers(headers)
    return
  }
  deps.metrics.inc(REFUSALS_METRIC, 'Unattended Data API calls refused with 429 (no Tl-User-IP, limit reached), by endpoint.', { endpoint: input.endpoint })
  throw new ApiError('RATE_LIMIT_EXCEEDED',
    `Without the Tl-User-IP header a connection allows ${decision.limit} calls to this endpoint in 24 hours; ` +
    `the next is possible in ${decision.resetSeconds} s. When the user is present, send their IP address in Tl-User-IP.`,
    { headers: { ...headers, 'Retry-After': String(decision.resetSeconds) } })
}

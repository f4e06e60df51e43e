/**
 * When to try a failed delivery again: exponential backoff with jitter, as the real service documents for its
 * webhooks (jittered exponential backoff, retried for up to 72 hours). One place, so the policy is one edit.
 */
export const BACKOFF = {
  /** Delay after the first failed attempt. */
  baseMs: 5_000,
  /** No wait is longer than this. */
  capMs: 3_600_000,
  /** Each delay is moved by up to ±20 % at random, so a receiver that comes back is not hit by every retry at once. */
  jitter: 0.2,
} as const

/**
 * Delay before attempt `attempt + 1`, after attempt number `attempt` (1-based) failed: 5 s × 2^(attempt−1), ±20 %,
 * at most one hour. `random` returns [0, 1) (Math.random; tests pass their own).
 */
export function retryDelayMs (attempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt))
  // 2^(n−1) overflows nothing useful past 2^20; the cap applies long before.
  const exp = Math.min(BACKOFF.baseMs * 2 ** Math.min(n - 1, 20), BACKOFF.capMs)
  // Jitter applies at the cap too (then only downwards), so retries stay spread out however long they go on.
  const jittered = exp * (1 + BACKOFF.jitter * (2 * random() - 1))
  return Math.round(Math.min(jittered, BACKOFF.capMs))
}

/**
 * The next attempt's time, or undefined when it would fall after the retry window (`windowStart` + `horizonSeconds`):
 * the event is then given up as failed.
 */
export function nextAttemptAt (attempt: number, now: Date, windowStart: Date, horizonSeconds: number, random?: () => number): Date | undefined {
  const next = new Date(now.getTime() + retryDelayMs(attempt, random))
  return next.getTime() > windowStart.getTime() + horizonSeconds * 1000 ? undefined : next
}

/**
 * The poller that runs background work (which workers there are: src/workers.ts): each worker is a `runOnce` that
 * claims and does what is due, polled on an interval. Tests with WORKERS=off call `runAll()` themselves.
 * On shutdown the poller stops taking new work and waits for the round in flight.
 *
 * A round that fails (the database is down, a connection was dropped) is retried after a delay that doubles with
 * each failure in a row, from ERROR_BACKOFF_MIN_MS up to ERROR_BACKOFF_MAX_MS, and the worker resumes its normal
 * poll once a round succeeds: an outage costs a few log lines and queries, not a tight loop of both.
 */
export const ERROR_BACKOFF_MIN_MS = 250
export const ERROR_BACKOFF_MAX_MS = 10_000

/** The delay before the next round after `failures` failed rounds in a row (1, 2, …), jittered by ±20 %. */
export function errorBackoffMs (failures: number, random: () => number = Math.random): number {
  const base = Math.min(ERROR_BACKOFF_MAX_MS, ERROR_BACKOFF_MIN_MS * 2 ** Math.min(failures - 1, 30))
  return Math.round(base * (0.8 + 0.4 * random()))
}

/** What the error callback is told besides the error: how many rounds in a row failed, and when the next is. */
export interface WorkerFailure {
  failures: number
  retryInMs: number
}
export interface Worker {
  name: string
  /** Does what is due now; returns how many items it handled (0 = idle). */
  runOnce (): Promise<number>
  /** Poll interval in ms when idle (default 200). */
  intervalMs?: number
}

export class Workers {
  private readonly list: Worker[] = []
  private timers = new Map<string, NodeJS.Timeout>()
  private inFlight = new Set<Promise<unknown>>()
  /** Workers whose round is running now: a wake-up then waits for the round's own re-scheduling. */
  private running = new Set<string>()
  private wakeAfterRound = new Set<string>()
  /** Failed rounds in a row, per worker (absent: the last round succeeded). */
  private failures = new Map<string, number>()
  private stopped = true

  constructor (
    private readonly onError: (worker: string, err: unknown, failure: WorkerFailure) => void,
    private readonly onRecover: (worker: string, failures: number) => void = () => {},
  ) {}

  register (worker: Worker): void {
    // Names are how wake() finds a worker; a second one under a name means the workers were wired twice.
    if (this.list.some((w) => w.name === worker.name)) throw new Error(`worker ${worker.name} is registered already`)
    this.list.push(worker)
    if (!this.stopped) this.schedule(worker, 0)
  }

  /** Runs every worker until none has anything due (bounded), for tests and the sandbox. */
  async runAll (maxRounds = 50): Promise<number> {
    let total = 0
    for (let round = 0; round < maxRounds; round++) {
      let n = 0
      for (const w of this.list) n += await w.runOnce()
      total += n
      if (n === 0) break
    }
    return total
  }

  start (): void {
    this.stopped = false
    for (const w of this.list) this.schedule(w, 0)
  }

  /**
   * Asks the named worker to run now rather than at its next poll (e.g. right after a request was queued), so
   * background work starts within milliseconds instead of up to one poll interval. Does nothing when stopped
   * (tests run workers by hand). During a round, the next round is made to follow at once: the round in flight
   * may have looked for work before it was queued.
   */
  wake (name: string): void {
    if (this.stopped) return
    const w = this.list.find((x) => x.name === name)
    if (!w) return
    if (this.running.has(name)) {
      this.wakeAfterRound.add(name)
      return
    }
    clearTimeout(this.timers.get(name))
    this.schedule(w, 0)
  }

  private schedule (w: Worker, delay: number): void {
    if (this.stopped) return
    const timer = setTimeout(() => {
      this.running.add(w.name)
      const p = w.runOnce().finally(() => this.running.delete(w.name)).then(
        (n) => {
          const failed = this.failures.get(w.name)
          if (failed !== undefined) {
            this.failures.delete(w.name)
            this.onRecover(w.name, failed)
          }
          this.schedule(w, n > 0 || this.wakeAfterRound.delete(w.name) ? 0 : (w.intervalMs ?? 200))
        },
        (err) => {
          const failures = (this.failures.get(w.name) ?? 0) + 1
          this.failures.set(w.name, failures)
          // A wake-up during a failing streak does not cut the backoff short: the database is what is missing.
          this.wakeAfterRound.delete(w.name)
          const retryInMs = errorBackoffMs(failures)
          try {
            this.onError(w.name, err, { failures, retryInMs })
          } finally {
            this.schedule(w, retryInMs)
          }
        },
      )
      this.inFlight.add(p)
      void p.finally(() => this.inFlight.delete(p))
    }, delay)
    timer.unref()
    this.timers.set(w.name, timer)
  }

  async stop (): Promise<void> {
    this.stopped = true
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    await Promise.allSettled([...this.inFlight])
  }
}

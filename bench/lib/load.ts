import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

/** One measured figure: what the table prints and the JSON keeps. Latencies in milliseconds. */
export interface Measure {
  rps: number
  p50: number
  p99: number
  requests: number
  /** Answers outside 2xx (a benchmark that measures refusals measures nothing). */
  non2xx: number
  errors: number
  timeouts: number
  durationS: number
  /** The server's CPU time (user + system) per request, in µs, when its pid was given: unlike req/s, it hardly
   *  moves when other processes share the cores, so it is the figure to compare on a busy machine. */
  cpuUsPerRequest?: number
}

export interface LoadOptions {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  connections?: number
  /** Seconds; ignored when `amount` is set. */
  duration?: number
  /** Stop after exactly this many requests instead of a duration. */
  amount?: number
  /** The server's pid: its CPU time over the measure is read from /proc. */
  pid?: number
}

/** CPU time (user + system) of a process so far, in ms (/proc/<pid>/stat, in clock ticks of 10 ms). */
export function cpuMsOf (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces, hence from the last ')'): utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Drives `url` with autocannon (default 50 connections) and returns the summary. */
export async function load (options: LoadOptions): Promise<Measure> {
  const cpuBefore = options.pid ? cpuMsOf(options.pid) : 0
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    connections: options.connections ?? 50,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 8 }),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    timeout: 10,
  })
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
    ...(options.pid && result.requests.total
      ? { cpuUsPerRequest: Math.round(((cpuMsOf(options.pid) - cpuBefore) * 1000) / result.requests.total) }
      : {}),
  }
}

/** A short unrecorded run so JIT and caches are warm before the measured one. */
export async function warm (options: LoadOptions, seconds = 1): Promise<void> {
  await load({ ...options, duration: seconds, amount: 0 })
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

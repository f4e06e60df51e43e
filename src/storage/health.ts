/**
 * What the storage layer (the database, and Redis when REDIS_URL is set) can fail with in production, told apart from
 * bugs: a failure listed here is the service being unable to answer for a while, so the HTTP error handler answers
 * 503 with Retry-After (never 500) and /readyz takes the instance out of a load balancer until it passes.
 */

export type StorageComponent = 'database' | 'redis'

/**
 * `unavailable`: the server cannot be reached (down, restarting, connection dropped, timed out);
 * `busy`: the SQLite file is locked by another process; `damaged`: the SQLite file holds damaged pages.
 */
export type FaultKind = 'unavailable' | 'busy' | 'damaged'

export interface StorageFault {
  component: StorageComponent
  kind: FaultKind
  /** What the client is told to wait before retrying. */
  retryAfterSeconds: number
}

/**
 * PostgreSQL SQLSTATEs meaning "not now": 57P01 admin_shutdown (pg_terminate_backend, a restart), 57P02 crash_shutdown,
 * 57P03 cannot_connect_now (starting up, in recovery), 53300 too_many_connections, and class 08 (connection exception).
 */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300'])
/** Socket errors on the way to PostgreSQL. */
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND'])
/** pg's own messages for a connection that died or could not be made in time (they carry no code). */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated', // also "… unexpectedly" and "… due to connection timeout"
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Postgres connection has been discarded',
]
/** ioredis, with enableOfflineQueue off and a command timeout: what a command fails with while Redis is away. */
const REDIS_CONNECTION_MESSAGES = [
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Command timed out',
  'Connection is closed.',
]
/** Redis replies meaning "not now" (loading its data after a restart, a replica without its primary…). */
const REDIS_TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/

export function storageFault (err: unknown): StorageFault | undefined {
  if (!err || typeof err !== 'object') return undefined
  const e = err as { code?: unknown, name?: unknown, message?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  const message = typeof e.message === 'string' ? e.message : ''
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { component: 'database', kind: 'busy', retryAfterSeconds: 1 }
  if (isSqliteDamage(code)) return { component: 'database', kind: 'damaged', retryAfterSeconds: 30 }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) return { component: 'database', kind: 'unavailable', retryAfterSeconds: 5 }
  if (PG_UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code) || NET_UNAVAILABLE.has(code)) return { component: 'database', kind: 'unavailable', retryAfterSeconds: 2 }
  if (PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m))) return { component: 'database', kind: 'unavailable', retryAfterSeconds: 2 }
  if (e.name === 'MaxRetriesPerRequestError' || REDIS_CONNECTION_MESSAGES.includes(message)) return { component: 'redis', kind: 'unavailable', retryAfterSeconds: 2 }
  if (e.name === 'ReplyError' && REDIS_TRANSIENT_REPLY.test(message)) return { component: 'redis', kind: 'unavailable', retryAfterSeconds: 2 }
  return undefined
}

export function isSqliteDamage (code: string): boolean {
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'
}

/** The sentence a client reads in the 503's `detail`; no internals (hosts, SQL) are named. */
export function faultDetail (fault: StorageFault): string {
  const wait = `Retry after ${fault.retryAfterSeconds} s.`
  if (fault.kind === 'busy') return `The database is locked by another process for the moment. ${wait}`
  if (fault.kind === 'damaged') return `This instance cannot read its database. ${wait}`
  return fault.component === 'redis'
    ? `The shared counter store (Redis) cannot be reached right now. ${wait}`
    : `The database cannot be reached right now. ${wait}`
}

/** Refusal to open a damaged SQLite file: the process must not start on it (see createDb). */
export class StorageDamagedError extends Error {
  constructor (readonly path: string, readonly finding: string) {
    super(`The SQLite database ${path} is damaged (${finding}). Ledgerite will not start on it: ` +
      'restore the file from a backup, or try `sqlite3 <file> ".recover"` into a new file, or move it aside to start with an empty database.')
    this.name = 'StorageDamagedError'
  }
}

/** One readiness check (/readyz): resolves when the component answers, rejects with why not. */
export interface ReadinessCheck {
  name: StorageComponent
  check: () => Promise<void>
}

/**
 * Logs a component's outages once each, and its recovery, so a long outage (every request and worker round failing)
 * is two lines rather than thousands.
 */
export function outageReporter (component: StorageComponent, write: (line: string) => void = (line) => console.error(line)) {
  let down = false
  return {
    failed (err: unknown, what: string): void {
      if (down) return
      down = true
      const e = err as { code?: string, message?: string } | null
      write(`${component}: ${what}: ${[e?.code, e?.message].filter(Boolean).join(' ')} (Ledgerite keeps running and reconnects; meanwhile the requests that need it answer 503)`)
    },
    recovered (): void {
      if (!down) return
      down = false
      write(`${component}: connected again`)
    },
  }
}

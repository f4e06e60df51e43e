import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement, sql } from 'kysely'
import pg from 'pg'
import type { Database } from './database.ts'
import { type DialectName, dialectOf } from './dialect.ts'
import { isSqliteDamage, outageReporter, StorageDamagedError } from './health.ts'
import { SearchPathPostgresDialect } from './postgres-introspector.ts'
import { enableGroupCommit } from './write-queue.ts'

export interface Db {
  kysely: Kysely<Database>
  dialect: DialectName
  /** PostgreSQL schema holding the tables, when not the default. */
  schema?: string
  /** Readiness: resolves when the database answers (and, on SQLite, no damaged page has been met); rejects otherwise. */
  check: () => Promise<void>
  close: () => Promise<void>
}

export interface DbOptions {
  /** PostgreSQL only: put every table in this schema, so parallel test apps do not see each other. */
  schema?: string
  /** Where connection losses and recoveries are reported (default: stderr). */
  report?: (line: string) => void
  /**
   * SQLite only: how long a write waits for another process's lock (default SQLITE_BUSY_TIMEOUT_MS). The CLI waits
   * longer: it serves no one else while it waits, and giving up after 200 ms would fail a command for nothing.
   */
  sqliteBusyTimeoutMs?: number
}

/**
 * How long a write waits for another process's lock on the SQLite file. better-sqlite3 is synchronous, so the wait
 * holds the whole event loop: it is kept short, and a write that still finds the file locked answers 503.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 200
/** After a write gave up on a lock, the next ones fail at once for this long rather than each freezing the loop. */
const SQLITE_BUSY_COOLDOWN_MS = 1000
/** A PostgreSQL connection not made within this (server down or hung, pool exhausted) fails the request with 503. */
const PG_CONNECT_TIMEOUT_MS = 5000

/**
 * Opens the database named by the URL: `sqlite:<path>`, `sqlite::memory:` or `postgres://…`.
 * A SQLite file is checked first (`PRAGMA quick_check`); a damaged one throws StorageDamagedError.
 */
export function createDb (databaseUrl: string, options: DbOptions = {}): Db {
  const dialect = dialectOf(databaseUrl)
  if (dialect === 'sqlite') return openSqlite(databaseUrl.slice('sqlite:'.length), options.sqliteBusyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS)
  return openPostgres(databaseUrl, options)
}

function openSqlite (path: string, busyTimeoutMs: number): Db {
  const inMemory = path === ':memory:'
  if (!inMemory) mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path, { timeout: busyTimeoutMs })
  try {
    if (!inMemory) {
      // quick_check reads every page (O(size), no index cross-checks): a damaged file is refused here, at start,
      // rather than answering 500 on whichever reads happen to touch the damaged pages.
      const finding = String(sqlite.pragma('quick_check(3)', { simple: true }))
      if (finding !== 'ok') throw new StorageDamagedError(path, `quick_check: ${finding.split('\n').join('; ')}`)
    }
    // WAL lets readers run beside the writer; NORMAL is durable across process crashes in WAL mode
    // (only an OS crash can lose the last commits), which is the guarantee the crash test checks.
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`)
  } catch (err) {
    sqlite.close()
    const code = (err as { code?: string }).code ?? ''
    if (isSqliteDamage(code)) throw new StorageDamagedError(path, `${code}: ${(err as Error).message}`)
    throw err
  }
  const guarded = withFaultGuard(sqlite, busyTimeoutMs)
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite, guarded.run) }) })
  // One writer, one connection: write transactions arriving together are committed together (write-queue.ts).
  enableGroupCommit(kysely)
  return {
    kysely,
    dialect: 'sqlite',
    check: async () => {
      if (guarded.damage) throw Object.assign(new Error(`the database file is damaged: ${guarded.damage}`), { code: 'SQLITE_CORRUPT' })
      await sql`select 1`.execute(kysely)
    },
    close: () => kysely.destroy(),
  }
}

/**
 * Runs every SQLite call through one place that notices the two faults a file shared with other processes can show:
 * SQLITE_BUSY (another process holds the write lock past the busy timeout) opens a short fail-fast window, and
 * SQLITE_CORRUPT / SQLITE_NOTADB (a damaged page met at run time) is remembered for /readyz until the restart.
 */
function withFaultGuard (sqlite: SQLite.Database, busyTimeoutMs: number) {
  let failFastUntil = 0
  const state = {
    damage: undefined as string | undefined,
    run: <T>(fn: () => T): T => {
      if (failFastUntil !== 0 && Date.now() >= failFastUntil) {
        sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`)
        failFastUntil = 0
      }
      try {
        return fn()
      } catch (err) {
        const code = (err as { code?: string }).code ?? ''
        if (code.startsWith('SQLITE_BUSY')) {
          if (failFastUntil === 0) sqlite.pragma('busy_timeout = 0')
          failFastUntil = Date.now() + SQLITE_BUSY_COOLDOWN_MS
        } else if (isSqliteDamage(code) && !state.damage) {
          state.damage = `${code}: ${(err as Error).message}`
          console.error(`database: a damaged page was read (${state.damage}); /readyz answers 503 from now on. Stop this instance and restore or recover the file.`)
        }
        throw err
      }
    },
  }
  return state
}

function openPostgres (databaseUrl: string, options: DbOptions): Db {
  const reporter = outageReporter('database', options.report)
  // Plain text for int8/numeric is pg's default; our schema avoids both, so values come back as JS numbers.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    // Writes are one transaction per request here (no group commit: PostgreSQL runs them side by side). Ten per
    // process is kept: on a small machine the server runs about one query per core at once, so a larger pool only
    // moves the queue from here into the server, and several processes' pools add up against max_connections (100).
    max: 10,
    // Without a bound, a request waits forever for a server that accepts the TCP connection but never answers.
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    // A connection whose server vanished (failover, a dropped network path) is found by TCP keep-alive.
    keepAlive: true,
    // Seen in pg_stat_activity; a name in the URL (?application_name=…) takes precedence.
    application_name: 'ledgerite',
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  })
  // A connection lost while idle in the pool (pg_terminate_backend, a restart) is emitted here; without a listener
  // Node treats it as unhandled and the process exits. The pool has already dropped it; the next request opens a new one.
  pool.on('error', (err) => reporter.failed(err, 'an idle connection was lost'))
  // A connection lost while checked out but between queries (inside a transaction, awaiting the application) is
  // emitted on the client itself: listen there too. The query in flight, if any, fails and its request answers 503.
  pool.on('connect', (client) => {
    client.on('error', (err) => reporter.failed(err, 'a connection was lost'))
    reporter.recovered()
  })
  const kysely = new Kysely<Database>({ dialect: new SearchPathPostgresDialect({ pool }) })
  return {
    kysely,
    dialect: 'postgres',
    ...(options.schema ? { schema: options.schema } : {}),
    check: async () => {
      try {
        await sql`select 1`.execute(kysely)
      } catch (err) {
        reporter.failed(err, 'unreachable')
        throw err
      }
    },
    close: () => kysely.destroy(),
  }
}

/** Prepared statements kept per SQL text; the SQL of a query builder is fixed, only its parameters change. */
const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely's SQLite driver prepares every query anew, and preparing costs as much as running a small query (profile:
 * `prepare` was ~45 % of the database time of create-connection). Statements are reused here, least recently used
 * dropped past STATEMENT_CACHE_SIZE. Reuse is safe because better-sqlite3 runs `all`/`run` synchronously to the
 * end; `iterate` (Kysely's `stream()`) keeps a statement busy across awaits, so it always gets a fresh one.
 */
function withStatementCache (db: SQLite.Database, guard: <T>(fn: () => T) => T): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  const cached = (sql: string): SQLite.Statement => {
    let stmt = cache.get(sql)
    if (stmt) {
      cache.delete(sql)
    } else {
      stmt = guard(() => db.prepare(sql))
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!)
    }
    cache.set(sql, stmt)
    return stmt
  }
  return {
    close: () => {
      cache.clear()
      db.close()
    },
    prepare: (sql: string): SqliteStatement => {
      const stmt = cached(sql)
      return {
        reader: stmt.reader,
        all: (parameters) => guard(() => stmt.all(...parameters)),
        run: (parameters) => guard(() => stmt.run(...parameters)),
        iterate: (parameters) => guard(() => db.prepare(sql).iterate(...parameters)) as IterableIterator<unknown>,
      }
    },
  }
}

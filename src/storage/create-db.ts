import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely'
import pg from 'pg'
import type { Database } from './database.ts'
import { type DialectName, dialectOf } from './dialect.ts'

export interface Db {
  kysely: Kysely<Database>
  dialect: DialectName
  /** PostgreSQL schema holding the tables, when not the default. */
  schema?: string
  close: () => Promise<void>
}

/**
 * Opens the database named by the URL: `sqlite:<path>`, `sqlite::memory:` or `postgres://…`.
 * `schema` (PostgreSQL only) puts every table in its own schema, so parallel test apps do not see each other.
 */
export function createDb (databaseUrl: string, options: { schema?: string } = {}): Db {
  const dialect = dialectOf(databaseUrl)
  if (dialect === 'sqlite') {
    const path = databaseUrl.slice('sqlite:'.length)
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    const sqlite = new SQLite(path)
    // WAL lets readers run beside the writer; NORMAL is durable across process crashes in WAL mode
    // (only an OS crash can lose the last commits), which is the guarantee the crash test checks.
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('busy_timeout = 5000')
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
    return { kysely, dialect, close: () => kysely.destroy() }
  }
  // Plain text for int8/numeric is pg's default; our schema avoids both, so values come back as JS numbers.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  })
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return { kysely, dialect, ...(options.schema ? { schema: options.schema } : {}), close: () => kysely.destroy() }
}

/** Prepared statements kept per SQL text; the SQL of a query builder is fixed, only its parameters change. */
const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely's SQLite driver prepares every query anew, and preparing costs as much as running a small query (profile:
 * `prepare` was ~45 % of the database time of create-connection). Statements are reused here, least recently used
 * dropped past STATEMENT_CACHE_SIZE. Reuse is safe because better-sqlite3 runs `all`/`run` synchronously to the
 * end; `iterate` (Kysely's `stream()`) keeps a statement busy across awaits, so it always gets a fresh one.
 */
function withStatementCache (db: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  const cached = (sql: string): SQLite.Statement => {
    let stmt = cache.get(sql)
    if (stmt) {
      cache.delete(sql)
    } else {
      stmt = db.prepare(sql)
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
        all: (parameters) => stmt.all(...parameters),
        run: (parameters) => stmt.run(...parameters),
        iterate: (parameters) => db.prepare(sql).iterate(...parameters) as IterableIterator<unknown>,
      }
    },
  }
}

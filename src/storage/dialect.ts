import { type Expression, type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely'
import type { Database } from './database.ts'

/**
 * The few real differences between SQLite and PostgreSQL, and nowhere else. Both are reached through the same
 * Kysely query layer; ids and timestamps are made in the application, JSON is text, booleans are 0/1.
 */
export type DialectName = 'sqlite' | 'postgres'

/** The dialect of an open database (or transaction on it). */
export function dialectOfDb (db: Kysely<Database>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/**
 * A large stored text to be sent to the client unchanged, read the cheapest way for each dialect. SQLite: cast to a
 * blob, so it arrives as its UTF-8 bytes (a Buffer), not decoded into a JS string that would be encoded again on the
 * way out (profile of the 146 KB page read: a quarter of the time). PostgreSQL: as text, a string — pg's text protocol
 * would send a bytea as hex, twice the bytes to move and parse (measured: the page read got slower).
 */
export function textForSending (db: Kysely<Database>, column: Expression<string | null>): RawBuilder<Buffer | string | null> {
  return dialectOfDb(db) === 'postgres' ? sql<string | null>`${column}` : sql<Buffer | null>`cast(${column} as blob)`
}

export function dialectOf (databaseUrl: string): DialectName {
  return databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres'
}

/** SQLite error for a UNIQUE/PRIMARY KEY violation, PostgreSQL's SQLSTATE 23505. */
export function isUniqueViolation (err: unknown): boolean {
  const e = err as { code?: string } | null
  return e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === '23505'
}

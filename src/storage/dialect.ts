/**
 * The few real differences between SQLite and PostgreSQL, and nowhere else. Both are reached through the same
 * Kysely query layer; ids and timestamps are made in the application, JSON is text, booleans are 0/1.
 */
import { type Expression, type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely'
import type { Database } from './database.ts'

export type DialectName = 'sqlite' | 'postgres'

/** The dialect of an open database (or transaction on it). */
export function dialectOfDb (db: Kysely<Database>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/**
 * A text column read as its UTF-8 bytes (a Buffer in Node), for a large stored text sent to the client unchanged:
 * read as text it would be decoded into a JS string and encoded again on the way out (profile of the 146 KB page
 * read: a quarter of the time). SQLite casts the text to a blob; PostgreSQL converts it to bytea.
 */
export function textAsBytes (db: Kysely<Database>, column: Expression<string | null>): RawBuilder<Buffer | null> {
  return dialectOfDb(db) === 'postgres' ? sql<Buffer | null>`convert_to(${column}, 'UTF8')` : sql<Buffer | null>`cast(${column} as blob)`
}

export function dialectOf (databaseUrl: string): DialectName {
  return databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres'
}

/** SQLite error for a UNIQUE/PRIMARY KEY violation, PostgreSQL's SQLSTATE 23505. */
export function isUniqueViolation (err: unknown): boolean {
  const e = err as { code?: string } | null
  return e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === '23505'
}

/**
 * The few real differences between SQLite and PostgreSQL, and nowhere else. Both are reached through the same
 * Kysely query layer; ids and timestamps are made in the application, JSON is text, booleans are 0/1.
 */
export type DialectName = 'sqlite' | 'postgres'

export function dialectOf (databaseUrl: string): DialectName {
  return databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres'
}

/** SQLite error for a UNIQUE/PRIMARY KEY violation, PostgreSQL's SQLSTATE 23505. */
export function isUniqueViolation (err: unknown): boolean {
  const e = err as { code?: string } | null
  return e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === '23505'
}

import pg from 'pg'

/** Why PostgreSQL cannot be used at `url` (a skip reason), or false when it answers a query within `timeoutMs`. */
export async function postgresUnreachable (url: string, timeoutMs = 2000): Promise<false | string> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
  try {
    await c.connect()
    await c.query('select 1')
    return false
  } catch (err) {
    return `PostgreSQL is not reachable at ${new URL(url).host} (${(err as Error).message})`
  } finally {
    await c.end().catch(() => {})
  }
}

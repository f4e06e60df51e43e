import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely'

/**
 * The migrator asks "does this table exist?" by listing tables. Kysely's PostgreSQL introspector lists every
 * schema's tables and columns, resolving each column's serial sequence; a schema another process is migrating or
 * dropping at that moment (parallel test files, two instances starting at once on a shared database) fails that
 * listing with "schema/relation/column does not exist". Ledgerite's tables live in the connection's search path, so
 * this lists only those, from information_schema, and needs no catalogue look-up per column.
 */
class SearchPathIntrospector implements DatabaseIntrospector {
  // biome-ignore lint/suspicious/noExplicitAny: introspection reads catalogue tables, not Ledgerite's
  constructor (private readonly db: Kysely<any>) {}

  async getSchemas (): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db)
    return rows
  }

  async getTables (options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const { rows } = await sql<{ schema: string, name: string, type: string }>`
      select table_schema as schema, table_name as name, table_type as type
      from information_schema.tables
      where table_schema = any (current_schemas(false))
      order by table_schema, table_name`.execute(this.db)
    return rows
      .filter((r) => options.withInternalKyselyTables || !r.name.startsWith('kysely_'))
      .map((r) => ({ schema: r.schema, name: r.name, isView: r.type === 'VIEW', columns: [] }))
  }

  async getMetadata (options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) }
  }
}

/** PostgreSQL as Kysely speaks it, with introspection limited to the search path (see above). */
export class SearchPathPostgresDialect extends PostgresDialect {
  // biome-ignore lint/suspicious/noExplicitAny: as PostgresDialect's own signature
  override createIntrospector (db: Kysely<any>): DatabaseIntrospector {
    return new SearchPathIntrospector(db)
  }
}

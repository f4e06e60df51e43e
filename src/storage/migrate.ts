import { type Kysely, type Migration, Migrator } from 'kysely'
import * as m0001 from './migrations/0001_initial.ts'
import * as m0002 from './migrations/0002_model_bank.ts'
import * as m0003 from './migrations/0003_journey.ts'
import * as m0004 from './migrations/0004_data.ts'
import * as m0005 from './migrations/0005_webhooks.ts'
import * as m0006 from './migrations/0006_journey_pages.ts'
import * as m0007 from './migrations/0007_console.ts'
import * as m0008 from './migrations/0008_connection_expiry_index.ts'
import * as m0009 from './migrations/0009_model_bank_tpps.ts'
import * as m0010 from './migrations/0010_auth_hardening.ts'
import * as m0011 from './migrations/0011_client_branding.ts'
import * as m0012 from './migrations/0012_webhook_extension_events.ts'
import * as m0013 from './migrations/0013_client_unknown_fields.ts'

/** One migration set for both dialects, in order. Applied at start and by `ledgerite migrate`. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_model_bank': m0002,
  '0003_journey': m0003,
  '0004_data': m0004,
  '0005_webhooks': m0005,
  '0006_journey_pages': m0006,
  '0007_console': m0007,
  '0008_connection_expiry_index': m0008,
  '0009_model_bank_tpps': m0009,
  '0010_auth_hardening': m0010,
  '0011_client_branding': m0011,
  '0012_webhook_extension_events': m0012,
  '0013_client_unknown_fields': m0013,
}

// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export async function migrateToLatest (db: Kysely<any>, schema?: string): Promise<string[]> {
  // The migrator looks for its own tables by introspection across schemas; name ours so that a database holding
  // several Ledgerite schemas (the test suite's) is not confused.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(schema ? { migrationTableSchema: schema } : {}) })
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest()
    // That introspection resolves every schema's tables by name; another schema dropped meanwhile (a parallel test
    // file finishing) fails it with 3F000 "schema does not exist" (or 42P01 when it catches a table of that schema
    // mid-drop). Nothing was migrated then: look again.
    if (error && ['3F000', '42P01'].includes((error as { code?: string }).code ?? '') && attempt < 10) continue
    if (error) throw error
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
  }
}

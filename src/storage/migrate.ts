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
import * as m0014 from './migrations/0014_bank_snapshots.ts'
import * as m0015 from './migrations/0015_webhook_event_connection.ts'
import * as m0016 from './migrations/0016_connection_bank_failure.ts'

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
  '0014_bank_snapshots': m0014,
  '0015_webhook_event_connection': m0015,
  '0016_connection_bank_failure': m0016,
}

// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export async function migrateToLatest (db: Kysely<any>, schema?: string): Promise<string[]> {
  // Named so that the migrator's bookkeeping tables live with ours when the tables are in their own schema (the test
  // suite's). Its table look-ups see only the search path (postgres-introspector.ts), so schemas migrated or dropped
  // alongside do not disturb it.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(schema ? { migrationTableSchema: schema } : {}) })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

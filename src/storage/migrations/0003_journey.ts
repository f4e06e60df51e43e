import type { Kysely } from 'kysely'

// Reserved for the module named in this file's name; empty until that module needs tables.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (_db: Kysely<any>): Promise<void> {}
// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (_db: Kysely<any>): Promise<void> {}

import type { Kysely } from 'kysely'

/**
 * The bank's answer to an attempt that failed while the hosted journey offers the user another one ("Try again",
 * "Try another bank"): the connection is back at `authorization_required` and not failed yet, and this reason is
 * the one reported if the user gives up or the link expires. Null otherwise. Kept on the connection, not on the
 * journey's session, so it is written in the same transaction as the status move that holds the failure.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('connections').addColumn('bank_failure_reason', 'text').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('connections').dropColumn('bank_failure_reason').execute()
}

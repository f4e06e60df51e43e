import type { NewConnectionRow } from '../../src/storage/database.ts'

/** Columns a freshly created connection leaves empty; tests that insert rows directly name only what they need. */
const EMPTY = {
  user_phone: null,
  provider_id: null,
  authorization_flow: null,
  metadata: null,
  end_user_ip: null,
  device_user_agent: null,
  journey_token_hash: null,
  journey_expires_at: null,
  account_ids: null,
  provider_state: null,
  failure_stage: null,
  failure_reason: null,
  authorized_at: null,
  failed_at: null,
  revoked_at: null,
  expired_at: null,
  access_expires_at: null,
} satisfies Partial<NewConnectionRow>

/** A whole connection row for direct inserts: `row` gives the required columns and any non-empty ones. */
export function connectionRow (row: Omit<NewConnectionRow, keyof typeof EMPTY> & Partial<NewConnectionRow>): NewConnectionRow {
  return { ...EMPTY, ...row }
}

import type { ConnectionRow } from '../../storage/database.ts'

/** A connection with its JSON columns parsed: what services work with. Rows become this only here. */
export interface Connection {
  id: string
  clientId: string
  status: string
  user: { id: string, name: string | null, email: string | null, phone: string | null }
  scopes: string[]
  providerSelection: { type: 'preselected' | 'user_selected', provider_id?: string, filter?: Record<string, unknown> }
  providerId: string | null
  userConsent: { type: 'precaptured' | 'authorization_flow_captured', captured_at?: string }
  hostedPage: { type: 'authorization_flow' | 'result_page', return_uri?: string, country_code?: string, language_code?: string } | null
  authorizationFlow: { redirect: { return_uri: string } } | null
  dataAccessType: 'one_time' | 'recurring'
  metadata: Record<string, string> | null
  endUserIp: string | null
  deviceUserAgent: string | null
  journeyExpiresAt: string | null
  accountIds: string[]
  providerState: unknown
  failureStage: string | null
  failureReason: string | null
  /** The bank's failure held while the hosted journey offers another attempt (bank-retry.policy.ts); else null. */
  bankFailureReason: string | null
  createdAt: string
  updatedAt: string
  authorizedAt: string | null
  failedAt: string | null
  revokedAt: string | null
  expiredAt: string | null
  accessExpiresAt: string | null
}

const json = <T>(v: string | null, fallback: T): T => (v === null ? fallback : JSON.parse(v) as T)

export function toConnection (row: ConnectionRow): Connection {
  return {
    id: row.id,
    clientId: row.client_id,
    status: row.status,
    user: { id: row.user_id, name: row.user_name, email: row.user_email, phone: row.user_phone },
    scopes: json(row.scopes, []),
    providerSelection: json(row.provider_selection, { type: 'user_selected' }),
    providerId: row.provider_id,
    userConsent: json(row.user_consent, { type: 'authorization_flow_captured' }),
    hostedPage: json(row.hosted_page, null),
    authorizationFlow: json(row.authorization_flow, null),
    dataAccessType: row.data_access_type as Connection['dataAccessType'],
    metadata: json(row.metadata, null),
    endUserIp: row.end_user_ip,
    deviceUserAgent: row.device_user_agent,
    journeyExpiresAt: row.journey_expires_at,
    accountIds: json(row.account_ids, []),
    providerState: json(row.provider_state, null),
    failureStage: row.failure_stage,
    failureReason: row.failure_reason,
    bankFailureReason: row.bank_failure_reason ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    authorizedAt: row.authorized_at,
    failedAt: row.failed_at,
    revokedAt: row.revoked_at,
    expiredAt: row.expired_at,
    accessExpiresAt: row.access_expires_at,
  }
}

/**
 * Where the user's browser goes when the journey ends: the hosted page's return URI, or the root
 * authorization_flow's (configurations 5 and 5b). Both were checked against the client's registered URIs at create.
 */
export function returnUriOf (c: Connection): string | undefined {
  return c.hostedPage?.return_uri ?? c.authorizationFlow?.redirect.return_uri
}

/** The five configurations (docs: ../README "configurations"), as the journey needs to tell them apart. */
export type JourneyConfiguration = 1 | 2 | 3 | 4 | 5 | '5b'
export function configurationOf (c: Connection): JourneyConfiguration {
  const preselected = c.providerSelection.type === 'preselected'
  if (c.hostedPage?.type === 'authorization_flow') {
    if (!preselected) return 1
    return c.userConsent.type === 'authorization_flow_captured' ? 2 : 3
  }
  if (!preselected) return '5b'
  return c.hostedPage?.type === 'result_page' ? 4 : 5
}

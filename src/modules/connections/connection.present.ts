import { findProvider } from '../providers/provider.catalog.ts'
import type { WireProvider } from '../providers/provider.filter.ts'
import type { Connection } from './connection.model.ts'
import type { ConnectionView, CreatedConnection } from './connection.schema.ts'

/** The one place response bodies about connections are shaped: a Connection in, the wire shape out. */

export type NextAction = { type: 'redirect', uri: string } | { type: 'provider_selection', providers: WireProvider[] }

/** 201 of create: `hosted_page.uri` for configurations 1–3, `authorization_flow.actions.next` for 4, 5 and 5b. */
export function presentCreated (c: Connection, answer: { hostedPageUri: string } | { next: NextAction }): CreatedConnection {
  const common = { id: c.id, user: { id: c.user.id } }
  if ('hostedPageUri' in answer) return { ...common, status: 'authorization_required', hosted_page: { uri: answer.hostedPageUri } }
  return { ...common, status: 'authorizing', authorization_flow: { actions: { next: answer.next } } }
}

/** GET /v3/data-connections/{id} (extension): members appear once they have a value. */
export function presentConnection (c: Connection): ConnectionView {
  const view: ConnectionView = {
    id: c.id,
    status: c.status as ConnectionView['status'],
    user: { id: c.user.id },
    scopes: c.scopes,
    data_access_type: c.dataAccessType,
    created_at: c.createdAt,
  }
  if (c.user.name !== null) view.user.name = c.user.name
  if (c.user.email !== null) view.user.email = c.user.email
  if (c.user.phone !== null) view.user.phone = c.user.phone
  if (c.metadata) view.metadata = c.metadata
  if (c.providerId) {
    view.provider = { provider_id: c.providerId, display_name: findProvider(c.providerId)?.display_name ?? c.providerId }
  }
  if (c.authorizedAt) view.authorized_at = c.authorizedAt
  if (c.accessExpiresAt) {
    view.access_expires_at = c.accessExpiresAt
    // Public clients of this (unpublished) endpoint read `consent_expires_at`, the Data v1 name: the same instant.
    view.consent_expires_at = c.accessExpiresAt
  }
  if (c.failedAt) view.failed_at = c.failedAt
  if (c.failureStage) view.failure_stage = c.failureStage
  if (c.failureReason) view.failure_reason = c.failureReason
  if (c.revokedAt) view.revoked_at = c.revokedAt
  if (c.expiredAt) view.expired_at = c.expiredAt
  return view
}

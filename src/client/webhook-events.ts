import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox'

/**
 * The webhook event catalogue: every type Ledgerite sends, its body's schema, whether the published contract has it
 * or it is an extension (sent only to clients that ask for it), and the body field holding the time it reports.
 * Everything else derives from this one object: the client's `WebhookEvent` union, the server's emitter (which only
 * takes a type listed here, with that type's fields), the published and extension lists and the delivery log's
 * `type` filter. A new type is added here; places that handle each type (a `Record<WebhookEventType, …>` or an
 * exhaustive `switch`) then fail to compile until they handle it too.
 *
 * It lives with the client, which may import nothing of the server, so the server imports it from here.
 */

/** What every event carries, whatever its type. */
const Common = {
  event_version: Type.Literal(1),
  event_id: Type.String({ format: 'uuid' }),
  connection_id: Type.String(),
}
/** The connection's metadata from create-connection, echoed on the connection events when it has any. */
const Metadata = Type.Optional(Type.Record(Type.String(), Type.String()))

const event = <T extends string, P extends Record<string, TSchema>>(type: T, fields: P) =>
  Type.Object({ type: Type.Literal(type), ...Common, ...fields })

export const WEBHOOK_EVENTS = {
  connection_authorized: {
    published: true,
    reportedAt: 'authorized_at',
    schema: event('connection_authorized', { authorized_at: Type.String(), metadata: Metadata }),
  },
  connection_failed: {
    published: true,
    reportedAt: 'failed_at',
    schema: event('connection_failed', {
      failed_at: Type.String(),
      failure_stage: Type.Union([Type.Literal('authorization_required'), Type.Literal('authorizing')]),
      failure_reason: Type.String(),
      metadata: Metadata,
    }),
  },
  /** Extension: the connection was revoked (DELETE /v3/data-connections/{id}). */
  connection_revoked: {
    published: false,
    reportedAt: 'revoked_at',
    schema: event('connection_revoked', { revoked_at: Type.String(), metadata: Metadata }),
  },
  /** Extension: the consent or one-time access window ended at `expired_at`. */
  connection_expired: {
    published: false,
    reportedAt: 'expired_at',
    schema: event('connection_expired', { expired_at: Type.String(), metadata: Metadata }),
  },
  transactions_request_completed: {
    published: true,
    reportedAt: 'completed_at',
    schema: event('transactions_request_completed', { account_id: Type.String(), request_id: Type.String(), completed_at: Type.String() }),
  },
  transactions_request_failed: {
    published: true,
    reportedAt: 'failed_at',
    schema: event('transactions_request_failed', {
      account_id: Type.String(), request_id: Type.String(), failure_reason: Type.String(), failed_at: Type.String(),
    }),
  },
} as const satisfies Record<string, CatalogueEntry>

interface CatalogueEntry {
  /** In the published Data API v3; otherwise an extension, sent only to clients that opted in. */
  published: boolean
  /** The body field holding the time the event reports (on the client's clock). */
  reportedAt: string
  schema: TObject
}

type Catalogue = typeof WEBHOOK_EVENTS
export type WebhookEventType = keyof Catalogue
/** The body of a webhook of type `T`, exactly as delivered. */
export type WebhookEventOf<T extends WebhookEventType> = Static<Catalogue[T]['schema']>
/** Any webhook body: a union discriminated by `type`. */
export type WebhookEvent = { [T in WebhookEventType]: WebhookEventOf<T> }[WebhookEventType]
/** What the server fills in for a type: its body less what the outbox adds (`type`, `event_version`, `event_id`). */
export type WebhookFields<T extends WebhookEventType> = T extends WebhookEventType
  ? Omit<WebhookEventOf<T>, 'type' | 'event_version' | 'event_id'>
  : never

export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as WebhookEventType[]

type PublishedType = { [T in WebhookEventType]: Catalogue[T]['published'] extends true ? T : never }[WebhookEventType]
export type ExtensionWebhookType = Exclude<WebhookEventType, PublishedType>
export const PUBLISHED_WEBHOOK_TYPES = WEBHOOK_EVENT_TYPES.filter((t): t is PublishedType => WEBHOOK_EVENTS[t].published)
export const EXTENSION_WEBHOOK_TYPES = WEBHOOK_EVENT_TYPES.filter((t): t is ExtensionWebhookType => !WEBHOOK_EVENTS[t].published)

/** Compile-time: every entry's `reportedAt` names a string field of its own body (the Console's timeline reads it). */
type ReportedAtIsAField = {
  [T in WebhookEventType]: Catalogue[T]['reportedAt'] extends keyof WebhookEventOf<T> ? true : false
}[WebhookEventType]
const reportedAtIsAField: false extends ReportedAtIsAField ? never : true = true
void reportedAtIsAField

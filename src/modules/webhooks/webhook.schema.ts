import { Type } from '@sinclair/typebox'
import { WEBHOOK_EVENT_TYPES } from '../../client/webhook-events.ts'
import { StringEnum } from '../../http/string-enum.ts'

/** Wire shapes of the webhook extensions (delivery log, redelivery): validated, serialised and documented from here. */

/** The delivery log's `type` filter: every type in the catalogue. */
export const WEBHOOK_TYPES = WEBHOOK_EVENT_TYPES
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'no_endpoint', 'skipped'] as const


export const ListDeliveriesQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (1–100, default 20).' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `pagination.next_cursor` of the previous page.' })),
  type: Type.Optional(StringEnum(WEBHOOK_TYPES, { description: 'Only events of this type.' })),
  status: Type.Optional(StringEnum(DELIVERY_STATUSES, { description: 'Only events in this delivery status.' })),
}, { additionalProperties: false })

export const EventParams = Type.Object({ event_id: Type.String({ maxLength: 64 }) })

const AttemptSchema = Type.Object({
  attempt: Type.Integer({ description: 'Its number, from 1.' }),
  at: Type.String({ format: 'date-time', description: 'When the request was sent (real time).' }),
  url: Type.String(),
  status_code: Type.Union([Type.Integer(), Type.Null()], { description: 'The receiver\'s status, or null when it gave none.' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why there was no answer (time-out, connection refused), else null.' }),
  duration_ms: Type.Integer(),
})

export const DeliverySchema = Type.Object({
  event_id: Type.String({ format: 'uuid' }),
  type: Type.String(),
  status: StringEnum(DELIVERY_STATUSES, { description: 'no_endpoint: the client had no webhook URI; redeliver after setting one. skipped: an extension type the client has not asked for (Console settings or --extension-events).' }),
  created_at: Type.String({ format: 'date-time', description: 'When the event was raised (real time).' }),
  delivered_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  next_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'While pending: when the next attempt is due.' }),
  attempts: Type.Array(AttemptSchema),
  payload: Type.Unknown({ description: 'The body delivered, exactly as sent.' }),
})

export const DeliveryPageSchema = Type.Object({
  items: Type.Array(DeliverySchema),
  pagination: Type.Object({ next_cursor: Type.Union([Type.String(), Type.Null()]) }),
})

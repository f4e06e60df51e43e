import type { Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../contract/errors.ts'
import type { Deps } from '../../deps.ts'
import { isWebhookTypeWanted, parseExtensionEvents, unwantedTypeDetail } from './webhook.event-types.ts'
import { encodePosition, readPositionParameter } from '../../storage/keyset.ts'
import { findWebhookSettings } from '../auth/client.repository.ts'
import { findDelivery, listDeliveries, requeueEvent } from './webhook.repository.ts'
import { DeliveryPageSchema, DeliverySchema, EventParams, ListDeliveriesQuery } from './webhook.schema.ts'
import { WEBHOOK_JWKS_PATH } from './webhook.signing.ts'

const extension = { 'x-ledgerite-extension': true }

/** Whose cursors the delivery log accepts (storage/keyset.ts). */
const CURSOR_PURPOSE = 'webhook-deliveries'

/**
 * Webhooks: the key set receivers verify signatures with, and the delivery log and redelivery (both extensions).
 * The dispatcher that sends them is a background worker (src/workers.ts).
 */
export async function webhookRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  // The `jku` of every webhook signature. Only public members: the stored JWK never held the private `d` here.
  app.get(WEBHOOK_JWKS_PATH, {
    schema: { tags: ['Webhooks'], summary: 'Webhook signing keys (JWKS)', ...extension },
  }, async (_request, reply) => {
    const { kty, crv, x, y, kid, alg, use } = deps.webhookKey.publicJwk
    reply.header('cache-control', 'public, max-age=300')
    return { keys: [{ kty, crv, x, y, kid, alg: alg ?? 'ES512', use: use ?? 'sig' }] }
  })

}

/** The delivery log and redelivery (extensions), for the calling client: registered in the authenticated scope (app.ts). */
export async function webhookDeliveryRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  app.get<{ Querystring: Static<typeof ListDeliveriesQuery> }>('/v3/webhook-deliveries', {
    schema: {
      tags: ['Webhooks'],
      summary: 'Webhook delivery log (extension)',
      description: 'Every webhook event raised for the calling client, newest first, with each delivery attempt.',
      ...extension,
      security: [{ OAuth2: ['data'] }],
      querystring: ListDeliveriesQuery,
      response: { 200: DeliveryPageSchema },
    },
  }, async (request) => {
    const q = request.query
    const page = await listDeliveries(deps.db, request.clientId, {
      limit: q.limit ?? 20,
      after: readPositionParameter(deps.secret, CURSOR_PURPOSE, q.cursor),
      ...(q.type ? { type: q.type } : {}),
      ...(q.status ? { status: q.status } : {}),
    })
    return { items: page.items, pagination: { next_cursor: page.next ? encodePosition(deps.secret, CURSOR_PURPOSE, page.next) : null } }
  })

  app.post<{ Params: Static<typeof EventParams> }>('/v3/webhook-deliveries/:event_id/redeliver', {
    schema: {
      tags: ['Webhooks'],
      summary: 'Redeliver a webhook event (extension)',
      description: 'Queues the event for delivery now, with the same event_id and body, and a fresh retry window.',
      ...extension,
      security: [{ OAuth2: ['data'] }],
      params: EventParams,
      response: { 202: DeliverySchema },
    },
  }, async (request, reply) => {
    const { clientId } = request
    const eventId = request.params.event_id
    const client = await findWebhookSettings(deps.db, clientId)
    const existing = await findDelivery(deps.db, clientId, eventId)
    if (!existing) throw new ApiError('NOT_FOUND', 'Webhook event could not be found.')
    if (!isWebhookTypeWanted(existing.type, parseExtensionEvents(client?.webhookExtensionEvents))) {
      throw new ApiError('INVALID_STATE', unwantedTypeDetail(existing.type))
    }
    if (!client?.webhookUri) {
      throw new ApiError('INVALID_STATE', 'No webhook URI is registered for this client: set one (in the Console, or ledgerite clients update <client_id> --webhook-uri <uri>) and redeliver.')
    }
    await requeueEvent(deps.db, clientId, eventId, deps.clock.realNow())
    return reply.code(202).send(await findDelivery(deps.db, clientId, eventId))
  })
}

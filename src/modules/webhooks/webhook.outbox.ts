import type { Kysely } from 'kysely'
import type { WebhookEventType, WebhookFields } from '../../client/webhook-events.ts'
import { ids } from '../../contract/ids.ts'
import type { Database } from '../../storage/database.ts'
import { isWebhookTypeWanted, parseExtensionEvents } from './webhook.event-types.ts'
import { findWebhookSettings } from '../auth/client.repository.ts'

/**
 * Writes a webhook event into the outbox. Call it inside the transaction that makes the state change the event
 * reports: the event exists if and only if the change was committed. The dispatcher delivers it later,
 * at least once, with this stable `event_id`.
 *
 * `now` is the client's virtual time (the payload's own times use it). Delivery runs on real time, so the row's
 * `created_at` and `next_attempt_at` are `now` less the client's clock offset: an event raised after the client
 * advanced its clock by 90 days is still due at once, and its retry window is 72 real hours.
 *
 * `type` is one of the catalogue's (client/webhook-events.ts) and `fields` its body less what is added here, so a
 * new type or a changed body is a compile error at every emitter until it sends what the catalogue says.
 *
 * An extension type the client did not ask for is recorded as `skipped`: visible in the delivery log (so the
 * client can see what it would get by opting in), never sent, not retried.
 */
export async function enqueueWebhook<T extends WebhookEventType> (
  trx: Kysely<Database>,
  clientId: string,
  type: T,
  fields: WebhookFields<T>,
  now: Date,
): Promise<string> {
  const eventId = ids.uuid()
  // Read in the caller's transaction, like the insert below.
  const client = await findWebhookSettings(trx, clientId)
  const payload = { type, event_version: 1, event_id: eventId, ...fields }
  const at = new Date(now.getTime() - (client?.clockOffsetSeconds ?? 0) * 1000).toISOString()
  await trx.insertInto('webhook_events').values({
    id: eventId,
    client_id: clientId,
    // Its own column, so a connection's events are found by index (the Console's timeline), not by payload text.
    connection_id: fields.connection_id,
    type,
    payload: JSON.stringify(payload),
    created_at: at,
    // Without a registered webhook URI the event is kept (visible in the delivery log) but not sent.
    status: !isWebhookTypeWanted(type, parseExtensionEvents(client?.webhookExtensionEvents))
      ? 'skipped'
      : client?.webhookUri ? 'pending' : 'no_endpoint',
    next_attempt_at: at,
  }).execute()
  return eventId
}

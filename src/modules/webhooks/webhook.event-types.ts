import { EXTENSION_WEBHOOK_TYPES, type ExtensionWebhookType, PUBLISHED_WEBHOOK_TYPES } from '../../client/webhook-events.ts'

/**
 * Which webhook types a client receives. The contract publishes four types, and a receiver written for it may
 * answer anything else with an error (then Ledgerite would retry it for 72 hours). Ledgerite's own events are
 * extensions: sent only to clients that asked for them (Console settings, `ledgerite clients … --extension-events`).
 * Which is which is said once, in the catalogue (client/webhook-events.ts).
 */
export { EXTENSION_WEBHOOK_TYPES, type ExtensionWebhookType, PUBLISHED_WEBHOOK_TYPES } from '../../client/webhook-events.ts'

/** Whether a client that asked for `extensions` receives events of `type`. Unknown types count as extensions. */
export function isWebhookTypeWanted (type: string, extensions: readonly string[]): boolean {
  return (PUBLISHED_WEBHOOK_TYPES as readonly string[]).includes(type) || extensions.includes(type)
}

/** The stored column (JSON array) as a list; anything unreadable as none (the safe default for a strict receiver). */
export function parseExtensionEvents (stored: string | null | undefined): ExtensionWebhookType[] {
  try {
    const list: unknown = JSON.parse(stored ?? '[]')
    return Array.isArray(list) ? EXTENSION_WEBHOOK_TYPES.filter((t) => list.includes(t)) : []
  } catch {
    return []
  }
}

/**
 * Reads a requested list (`connection_revoked,connection_expired`, or `none`) for the CLI and the Console.
 * Returns the types in a fixed order, or a problem naming the value at fault.
 */
export function readExtensionEvents (values: readonly string[]): { types: ExtensionWebhookType[] } | { problem: string } {
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '' && v !== 'none')
  for (const item of items) {
    if ((PUBLISHED_WEBHOOK_TYPES as readonly string[]).includes(item)) {
      return { problem: `${item} is a published type and is always sent; list only extension types (${EXTENSION_WEBHOOK_TYPES.join(', ')})` }
    }
    if (!(EXTENSION_WEBHOOK_TYPES as readonly string[]).includes(item)) {
      return { problem: `${item} is not an extension webhook type; use ${EXTENSION_WEBHOOK_TYPES.join(', ')} or none` }
    }
  }
  return { types: EXTENSION_WEBHOOK_TYPES.filter((t) => items.includes(t)) }
}

/** Why an event of an unwanted type is not redelivered, with what to do about it. */
export const unwantedTypeDetail = (type: string): string =>
  `This client does not receive ${type} webhooks (an extension type): add it in the Console settings or with ` +
  `ledgerite clients update <client_id> --extension-events ${type}, then redeliver.`

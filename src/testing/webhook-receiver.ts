import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Jwks, WebhookEvent, WebhookEventType } from '../client/types.ts'
import { verifyWebhook } from '../client/webhooks.ts'

/** A delivery the receiver refused: its signature (or headers, or body) did not verify. */
export interface RejectedDelivery {
  path: string
  body: string
  reason: string
}

export interface NextOptions {
  /** Only an event about this connection. */
  connectionId?: string
  /** Give up after this long (default 10 000 ms): the promise rejects, naming what did arrive. */
  timeoutMs?: number
}

/**
 * A webhook endpoint for tests: a real HTTP server on 127.0.0.1 and a free port that verifies every delivery's
 * `Tl-Signature` against Ledgerite's key set with truelayer-signing, answers 200 to authentic ones and 401 to the
 * rest, and hands the events to the test in arrival order.
 *
 * @example
 * ```ts
 * const hooks = await lg.webhooks()
 * const app = await lg.createClient({ redirectUris: ['https://app.test/callback'], webhookUri: hooks.url })
 * // … create a connection and authorise it …
 * const event = await hooks.next('connection_authorized')
 * ```
 */
export interface WebhookReceiver {
  /** The URL to register as the client's webhook URI. */
  readonly url: string
  /** Every verified event so far, in arrival order. */
  readonly events: readonly WebhookEvent[]
  /** Deliveries that failed verification (a test may assert this stays empty). */
  readonly rejected: readonly RejectedDelivery[]
  /**
   * The earliest verified event of `type` not yet returned by `next`, waiting for it if it has not arrived.
   * Events of other types stay available to later calls.
   */
  next<T extends WebhookEventType>(type: T, options?: NextOptions): Promise<Extract<WebhookEvent, { type: T }>>
  close(): Promise<void>
}

interface Waiter {
  type: WebhookEventType
  connectionId: string | undefined
  resolve: (e: WebhookEvent) => void
}

function readBody (req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Starts a receiver verifying against the key set at `jwksUrl` (fetched on first delivery, again after a key change). */
export async function startWebhookReceiver (jwksUrl: string, path = '/webhooks/ledgerite'): Promise<WebhookReceiver> {
  const events: WebhookEvent[] = []
  const rejected: RejectedDelivery[] = []
  const taken = new Set<WebhookEvent>()
  const waiters: Waiter[] = []
  let jwks: Jwks | undefined

  const fetchJwks = async (): Promise<Jwks> => {
    const res = await fetch(jwksUrl)
    if (!res.ok) throw new Error(`GET ${jwksUrl} answered ${res.status}`)
    return (await res.json()) as Jwks
  }
  const verify = async (req: IncomingMessage, body: string, reqPath: string): Promise<WebhookEvent> => {
    jwks ??= await fetchJwks()
    try {
      return verifyWebhook({ headers: req.headers, body, path: reqPath, jwks })
    } catch {
      // The server may have rotated its webhook key since the key set was fetched: fetch it once more.
      jwks = await fetchJwks()
      return verifyWebhook({ headers: req.headers, body, path: reqPath, jwks })
    }
  }
  const matches = (e: WebhookEvent, type: WebhookEventType, connectionId: string | undefined) =>
    e.type === type && (connectionId === undefined || e.connection_id === connectionId)

  const server: Server = createServer((req, res) => {
    const reqPath = (req.url ?? '/').split('?')[0]!
    void readBody(req).then(async (body) => {
      let event: WebhookEvent
      try {
        event = await verify(req, body, reqPath)
      } catch (err) {
        rejected.push({ path: reqPath, body, reason: (err as Error).message })
        res.writeHead(401).end()
        return
      }
      res.writeHead(200).end()
      // Redeliveries carry the same event id: a test sees each event once.
      if (events.some((e) => e.event_id === event.event_id)) return
      events.push(event)
      const i = waiters.findIndex((w) => matches(event, w.type, w.connectionId))
      if (i >= 0) {
        taken.add(event)
        waiters.splice(i, 1)[0]!.resolve(event)
      }
    }, () => { res.writeHead(400).end() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`

  return {
    url,
    events,
    rejected,
    next: (type, options = {}) => new Promise((resolve, reject) => {
      const found = events.find((e) => !taken.has(e) && matches(e, type, options.connectionId))
      if (found) {
        taken.add(found)
        resolve(found as never)
        return
      }
      const timeoutMs = options.timeoutMs ?? 10_000
      const waiter: Waiter = {
        type,
        connectionId: options.connectionId,
        resolve: (e) => { clearTimeout(timer); resolve(e as never) },
      }
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1)
        const seen = events.map((e) => e.type).join(', ') || 'none'
        const refused = rejected.length ? `; ${rejected.length} refused (${rejected[0]!.reason})` : ''
        reject(new Error(`No ${type} webhook within ${timeoutMs} ms at ${url} (received: ${seen}${refused}).`))
      }, timeoutMs)
      waiters.push(waiter)
    }),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Deps } from '../../deps.ts'
import { findWebhookSettings } from '../auth/client.repository.ts'
import { privateKeyPem } from '../auth/signing-keys.ts'
import { nextAttemptAt } from './webhook.backoff.ts'
import { DestinationRefusedError } from './webhook.destination.ts'
import { guardedPost, type Resolver, systemResolver } from './webhook.post.ts'
import { isWebhookTypeWanted, parseExtensionEvents } from './webhook.event-types.ts'
import { type AttemptOutcome, claimDueEvents, finishClaim } from './webhook.repository.ts'
import { signedPath, signWebhook, WEBHOOK_JWKS_PATH, WEBHOOK_TIMESTAMP_HEADER, webhookTimestamp } from './webhook.signing.ts'
import type { WebhookEventRow } from '../../storage/database.ts'

export interface DispatcherOptions {
  /**
   * The dispatcher's clock. Delivery runs on real time — retries and the 72 h horizon are about the receiver's
   * availability, not the client's virtual clock — so this defaults to `deps.clock.realNow`. Tests pass their own
   * to make retries due without sleeping.
   */
  now?: () => Date
  /**
   * How host names are resolved (the system resolver by default). Every address it gives is checked against
   * `WEBHOOK_ALLOWED_NETWORKS` and the connection goes to those addresses; tests map names here, without DNS.
   */
  resolve?: Resolver
  /** How long one POST may take, headers and all (default 5 s). */
  timeoutMs?: number
  /** How long a claim holds an event; after that another worker may take it over (default: timeout + 25 s). */
  leaseMs?: number
  /** Events claimed per round (default 20), delivered concurrently. */
  batchSize?: number
  /** Jitter source, [0, 1) (default Math.random). */
  random?: () => number
  /** Name written into locks and the attempt log (default host:pid:random). */
  workerId?: string
}

export interface WebhookDispatcher {
  readonly workerId: string
  /** Claims what is due and makes one attempt at each; returns how many events it handled. */
  runOnce (): Promise<number>
}

/**
 * Delivers the webhook outbox: at least once, to the client's registered webhook URI, signed, retried with
 * jittered exponential backoff until the retry horizon (`WEBHOOK_RETRY_HORIZON_SECONDS`, 72 h), then `failed`.
 * Several dispatchers (processes) may run on one database: the claim makes each attempt happen once.
 */
export function createWebhookDispatcher (deps: Deps, options: DispatcherOptions = {}): WebhookDispatcher {
  const now = options.now ?? (() => deps.clock.realNow())
  const resolve = options.resolve ?? systemResolver
  const timeoutMs = options.timeoutMs ?? 5_000
  const leaseMs = options.leaseMs ?? timeoutMs + 25_000
  const batchSize = options.batchSize ?? 20
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const jku = `${deps.config.publicUrl}${WEBHOOK_JWKS_PATH}`
  let pem: Promise<string> | undefined

  const deliver = async (event: WebhookEventRow, token: string): Promise<void> => {
    const client = await findWebhookSettings(deps.db, event.client_id)
    // The client stopped asking for this extension type after it was raised: its retries stop here too.
    if (!isWebhookTypeWanted(event.type, parseExtensionEvents(client?.webhookExtensionEvents))) {
      return finishClaim(deps.db, token, event.id, undefined, { status: 'skipped' })
    }
    const url = client?.webhookUri
    // The URI was removed after the event was raised: keep the event, visible in the log, until a redelivery.
    if (!url) return finishClaim(deps.db, token, event.id, undefined, { status: 'no_endpoint' })

    const startedAt = now()
    const timestamp = webhookTimestamp(startedAt)
    const body = event.payload
    const signature = await signWebhook(
      { kid: deps.webhookKey.kid, privateKeyPem: await (pem ??= privateKeyPem(deps.webhookKey)), jku },
      { path: signedPath(url), timestamp, body },
    )
    let statusCode: number | null = null
    let error: string | null = null
    let refused = false
    const t0 = performance.now()
    try {
      // A redirect is not a delivery (guardedPost follows none): the receiver must answer at the registered URI.
      statusCode = await guardedPost({
        url,
        headers: {
          'Content-Type': 'application/json',
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          'Tl-Signature': signature,
          'User-Agent': 'Ledgerite-Webhooks/1',
        },
        body,
        policy: deps.config.webhookDestinations,
        resolve,
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      refused = err instanceof DestinationRefusedError
      error = refused ? (err as Error).message : describeFailure(err, timeoutMs)
    }
    const durationMs = Math.round(performance.now() - t0)

    const after = now()
    let outcome: AttemptOutcome
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      outcome = { status: 'delivered', at: after }
    } else if (refused) {
      // The policy would refuse every retry the same way: failed at once, redeliverable once the URI (or the
      // policy) is changed.
      outcome = { status: 'failed' }
    } else {
      const windowStart = new Date(event.retry_window_start ?? event.created_at)
      const next = nextAttemptAt(Number(event.attempts), after, windowStart, deps.config.webhookRetryHorizonSeconds, options.random)
      outcome = next ? { status: 'pending', nextAttemptAt: next } : { status: 'failed' }
    }
    await finishClaim(deps.db, token, event.id, {
      eventId: event.id,
      clientId: event.client_id,
      attempt: Number(event.attempts),
      at: startedAt,
      url,
      statusCode,
      error,
      durationMs,
      worker: workerId,
    }, outcome)
  }

  return {
    workerId,
    async runOnce () {
      const token = `${workerId}:${randomBytes(6).toString('hex')}`
      const claimed = await claimDueEvents(deps.db, { now: now(), token, leaseMs, limit: batchSize })
      // One failing event (a database hiccup while recording) must not hold back the others; its lease lapses
      // and it is tried again.
      const results = await Promise.allSettled(claimed.map((e) => deliver(e, token)))
      const failure = results.find((r) => r.status === 'rejected')
      if (failure) throw (failure as PromiseRejectedResult).reason
      return claimed.length
    },
  }
}

/** What went wrong with a request that got no HTTP answer, in words fit for the delivery log (no secrets). */
function describeFailure (err: unknown, timeoutMs: number): string {
  const e = err as { name?: string, code?: string, message?: string, cause?: { code?: string, message?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`
  const code = e?.code ?? e?.cause?.code
  if (code) return `connection failed: ${code}`
  return `request failed: ${e?.cause?.message ?? e?.message ?? String(err)}`
}

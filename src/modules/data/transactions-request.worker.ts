import { ids } from '../../contract/ids.ts'
import type { Deps } from '../../deps.ts'
import { storageFault } from '../../storage/health.ts'
import type { Worker } from '../../worker-poller.ts'
import { expireDueConnections } from '../connections/connection.lifecycle.ts'
import { toConnection } from '../connections/connection.model.ts'
import { findConnection } from '../connections/connection.repository.ts'
import { BankError, type BankGrant, BankUnavailableError } from '../providers/provider-adapter.ts'
import { presentTransaction } from './data.present.ts'
import { AFTER_LAST, wrapCursor } from './transactions-cursor.ts'
import {
  claimPendingRequests,
  finishRequest,
  releaseRequest,
  type TransactionsRequestRow,
} from './transactions-request.repository.ts'

/** How long a claim holds before another worker may take the request over (the bank call must end by then). */
const CLAIM_SECONDS = 30
const BATCH = 10
/** Unexpected errors (neither a bank's answer nor a storage fault) are retried this many times, then the request fails. */
const MAX_ATTEMPTS = 3

/** Failure reasons when the connection ended between the POST and the bank read (behaviour notes). */
const ENDED_REASONS: Record<string, string> = { revoked: 'connection_revoked', expired: 'consent_expired' }

/**
 * Completes transactions requests in the background: claims pending ones (safe with several processes), reads
 * the bank through the adapter at the request's virtual "today", stores the page and enqueues the webhook in the
 * same transaction as the status change. A BankError fails the request with the bank's reason.
 */
export function createTransactionsRequestWorker (
  deps: Pick<Deps, 'db' | 'clock' | 'adapter' | 'secret'>,
  options: { workerId?: string } = {},
): Worker {
  const workerId = options.workerId ?? `transactions-${ids.uuid()}`

  const fail = async (row: TransactionsRequestRow, reason: string) =>
    finishRequest(deps.db, row, workerId, await deps.clock.now(row.client_id), { status: 'failed', reason })

  async function processOne (row: TransactionsRequestRow): Promise<void> {
    const now = await deps.clock.now(row.client_id)
    await expireDueConnections(deps.db, row.client_id, now)
    const found = await findConnection(deps.db, row.client_id, row.connection_id)
    if (!found) return void await fail(row, 'connection_not_found')
    const connection = toConnection(found)
    if (connection.status !== 'authorized' || !connection.providerId || !connection.providerState) {
      return void await fail(row, ENDED_REASONS[connection.status] ?? 'connection_not_authorized')
    }
    if (row.bank_cursor === AFTER_LAST) {
      // The cursor of the last non-empty page: nothing is left, and the bank need not be asked.
      return void await finishRequest(deps.db, row, workerId, await deps.clock.now(row.client_id), { status: 'completed', page: { items: [], pagination: {} } })
    }
    const page = await deps.adapter.getTransactions(connection.providerState as BankGrant, connection.providerId, row.account_id, {
      from: row.date_from,
      to: row.date_to,
      pageSize: row.page_size,
      ...(row.bank_cursor !== null ? { cursor: row.bank_cursor } : {}),
      asOf: new Date(row.as_of),
    })
    const items = page.items.map((t) => presentTransaction(t, row.enrichment === 1))
    // Every non-empty page carries a string next_cursor (the published type); after the last item it points past
    // the end, so the next request answers an empty page without one. A client that stops on a missing cursor and
    // one that stops on an empty page both end the walk (behaviour notes, "Transactions paging").
    const bankCursor = page.nextCursor ?? (items.length > 0 ? AFTER_LAST : null)
    const pagination = bankCursor === null
      ? {}
      : {
        next_cursor: wrapCursor(deps.secret, {
          connectionId: row.connection_id, accountId: row.account_id, from: row.date_from, to: row.date_to, asOf: row.as_of, bankCursor,
        }),
      }
    await finishRequest(deps.db, row, workerId, await deps.clock.now(row.client_id), {
      status: 'completed', page: { items, pagination },
    })
  }

  /**
   * What a failed request becomes; true when the error was the request's own outcome (a bank's answer). A storage
   * fault (storage/health.ts: the database dropped, restarting, locked) is the service's, not the request's: the claim
   * is given back with its attempt refunded and retried once the database answers, so an outage never turns into a
   * `provider_error` failure; so is the bank's own outage (BankUnavailableError, its 503 or 429). Other unexpected
   * errors are retried MAX_ATTEMPTS times, then fail the request.
   */
  async function settleError (row: TransactionsRequestRow, err: unknown): Promise<boolean> {
    if (err instanceof BankError && !(err instanceof BankUnavailableError)) {
      await fail(row, err.reason)
      return true
    }
    // The bank's own "not now" (503, 429) is as temporary as ours.
    const retryAfterSeconds = err instanceof BankUnavailableError ? err.retryAfterSeconds : storageFault(err)?.retryAfterSeconds
    if (retryAfterSeconds !== undefined) {
      const retryAt = new Date(deps.clock.realNow().getTime() + retryAfterSeconds * 1000)
      await releaseRequest(deps.db, row.id, workerId, retryAt, { refundAttempt: true })
    } else if (row.attempts >= MAX_ATTEMPTS) {
      await fail(row, 'provider_error')
    } else {
      await releaseRequest(deps.db, row.id, workerId, new Date(deps.clock.realNow().getTime() + 2000 * row.attempts))
    }
    return false
  }

  return {
    name: 'transactions-requests',
    intervalMs: 100,
    async runOnce () {
      const now = deps.clock.realNow()
      const claimed = await claimPendingRequests(deps.db, {
        workerId, now, lockedUntil: new Date(now.getTime() + CLAIM_SECONDS * 1000), limit: BATCH,
      })
      let unexpected: unknown
      for (const row of claimed) {
        try {
          await processOne(row)
        } catch (err) {
          try {
            if (!await settleError(row, err)) unexpected ??= err
          } catch (settling) {
            // The database failed again while recording the outcome: the claim lapses and another round retries.
            unexpected ??= settling
          }
        }
      }
      // Reported after the whole batch, so the poller backs off (workers.ts) while the database is away.
      if (unexpected) throw unexpected
      return claimed.length
    },
  }
}
